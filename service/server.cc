#include "service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <filesystem>

#include "fmt/format.h"
#include "service/domain/limits.h"
#include "service/domain/names.h"
#include "service/malformed_request.h"
#include "storage/stores.h"

namespace dxledger::service {

// Largest request the server accepts; bigger ones get RESOURCE_EXHAUSTED.
constexpr int kMaxReceiveMessageBytes = 4 << 20;

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  if (absl::Status s = domain::ValidateOrganizationCode(options.organization); !s.ok()) return s;
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        fmt::format("cannot create data directory {}: {}", options.data_dir, error.message()));
  }
  std::unique_ptr<Server> server(new Server());
  absl::StatusOr<PrincipalRegistry> principals = LoadOrInitializePrincipals(options.data_dir);
  if (!principals.ok()) return principals.status();
  server->principals_ = std::make_unique<PrincipalRegistry>(*std::move(principals));
  absl::StatusOr<std::unique_ptr<storage::LogStore>> store =
      storage::OpenRocksDbEventStore(options.data_dir + "/db", !options.unsafe_async_writes);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  server->ledger_ = std::make_unique<ledger::Ledger>(*server->store_, options.organization);
  server->service_ = std::make_unique<LedgerService>(*server->ledger_, *server->principals_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  builder.RegisterService(server->service_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(fmt::format("cannot listen on {}", options.listen));
  }
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_.reset();
  service_.reset();
  ledger_.reset();
  store_.reset();  // the writer commits what is queued, then RocksDB closes
}

void Server::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace dxledger::service
