#include "service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "proto/notation/api_limits.h"
#include "service/authorize.h"
#include "service/call_observer.h"
#include "service/domain/limits.h"
#include "service/domain/names.h"
#include "service/health.h"
#include "service/log.h"
#include "service/malformed_request.h"
#include "storage/stores.h"

namespace dxledger::service {

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  if (!in || content.str().empty()) {
    return absl::FailedPreconditionError(fmt::format("cannot read {}", path));
  }
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (options.tls_cert_file.empty()) {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key");
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadPem(options.tls_cert_file);
  absl::StatusOr<std::string> key = ReadPem(options.tls_key_file);
  if (!cert.ok()) return cert.status();
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!options.tls_client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(options.tls_client_ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    // A presented certificate must verify; callers without one may still
    // use a bearer token.
    ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// Loads (or makes) the log's key and refuses a log that lost or rewrote
// what a signed checkpoint covers.
absl::StatusOr<std::unique_ptr<ledger::Notary>> StartNotary(const ServerOptions& options,
                                                            storage::EventStore& store) {
  const bool default_key = options.checkpoint_key_file.empty();
  const std::string key_file =
      default_key ? options.data_dir + "/checkpoint.key" : options.checkpoint_key_file;
  const std::string origin = options.checkpoint_origin.empty() ? "dxledger/" + options.organization
                                                               : options.checkpoint_origin;
  absl::StatusOr<note::Signer> signer = note::LoadOrCreateSigner(key_file, origin, default_key);
  if (!signer.ok()) return signer.status();
  auto notary = std::make_unique<ledger::Notary>(
      store, *std::move(signer),
      ledger::NotaryOptions{.origin = origin,
                            .interval = options.checkpoint_interval,
                            .latest_file = options.data_dir + "/checkpoint",
                            .security_seal_file = options.data_dir + "/security-seal"});
  if (absl::Status s = notary->CheckRecovered(); !s.ok()) return s;
  notary->Start();
  return notary;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  // A method that declares no roles would be refused to everyone: no
  // build with one starts.
  if (absl::Status s = CheckEveryMethodHasARule(LedgerServiceDescriptor()); !s.ok()) return s;
  if (absl::Status s = domain::ValidateOrganizationCode(options.organization); !s.ok()) return s;
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        fmt::format("cannot create data directory {}: {}", options.data_dir, error.message()));
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<Server> server(new Server());
  absl::StatusOr<std::unique_ptr<storage::LogStore>> store =
      storage::OpenRocksDbEventStore(options.data_dir + "/db", !options.unsafe_async_writes);
  if (!store.ok()) return store.status();
  server->store_ = *std::move(store);
  server->ledger_ = std::make_unique<ledger::Ledger>(*server->store_, options.organization);
  server->disk_ = std::make_unique<DiskWatch>(options.data_dir, options.disk_reserve_bytes);
  absl::StatusOr<std::unique_ptr<ledger::Notary>> notary = StartNotary(options, *server->store_);
  if (!notary.ok()) return notary.status();
  server->notary_ = *std::move(notary);
  // The first proofs after a start then cost what later ones do. A damaged
  // tree record is logged here; proofs and verify report it too.
  server->store_->StartWarmingProofs([](const absl::Status& warmed) {
    if (warmed.ok()) return;
    log::Error("cannot read the Merkle tree for proofs at start", {{"error", warmed.ToString()}});
  });
  server->principals_ = std::make_unique<Principals>();
  if (absl::Status s = LoadPrincipals(*server->ledger_, options.data_dir, *server->principals_);
      !s.ok()) {
    return s;
  }
  // From here on (the first start's admin principal is written already),
  // writes need the disk's reserve free.
  // A store stopped after a failed write or sync refuses them itself; asking
  // first spares the decision.
  server->ledger_->writer().SetWriteGate(
      [disk = server->disk_.get(), store = server->store_.get()] {
        if (absl::Status stopped = store->WriteHealth(); !stopped.ok()) return stopped;
        return disk->CheckReserve();
      });
  server->hub_ =
      std::make_unique<SubscriptionHub>(*server->ledger_, *server->notary_, options.subscriptions);
  server->metrics_ = std::make_unique<Metrics>(ServedMethods());
  server->store_->SetCommitListener([hub = server->hub_.get(), metrics = server->metrics_.get(),
                                     clock = &server->clock_](const storage::CommitStats& stats) {
    metrics->ObserveCommit(stats);
    clock->Observe(stats.clock_behind_micros);
    if (stats.ok) hub->Wake();
  });
  server->metrics_->SetGauges([server = server.get()] {
    return Gauges{.log_events = server->ledger_->queries().head().position,
                  .store_bytes = server->store_->ApproximateBytes(),
                  .subscribers = server->hub_->subscribers(),
                  .subscribers_cut_off = server->hub_->cut_off(),
                  .refusals_unrecorded = server->service_->unrecorded_refusals(),
                  .disk_free_bytes = server->disk_->free_bytes(),
                  .disk_reserve_bytes = server->disk_->reserve_bytes(),
                  .writes_stopped = !server->store_->WriteHealth().ok(),
                  .clock_held_batches = server->clock_.held_batches(),
                  .proof_cache_bytes = server->store_->proof_cache_bytes()};
  });
  absl::StatusOr<TrustedProxies> proxies = TrustedProxies::Parse(options.trusted_proxies);
  if (!proxies.ok()) return proxies.status();
  absl::StatusOr<TokenIssuer> tokens = TokenIssuer::Open(options.data_dir + "/token.key");
  // Two at a time: a backup and a verify each read the whole store.
  server->long_work_ = std::make_unique<LongWork>(2);
  if (!tokens.ok()) return tokens.status();
  server->service_ = std::make_unique<LedgerService>(
      *server->ledger_, *server->principals_, *server->hub_, *server->notary_, *std::move(tokens),
      *server->long_work_, options.data_dir, *proxies, options.refusal_limits);

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(notation::kMaxRequestBytes);
  builder.RegisterService(server->service_.get());
  server->health_ = std::make_unique<HealthService>();
  server->readiness_ = std::make_unique<Readiness>(*server->disk_, *server->store_,
                                                   *server->notary_, *server->health_);
  server->health_->SetWritable(
      [readiness = server->readiness_.get()] { return readiness->Check(); });
  builder.RegisterService(server->health_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  auto observer =
      std::make_unique<CallObserverFactory>(*server->metrics_, options.access_log, *proxies);
  server->observer_ = observer.get();
  interceptors.push_back(std::move(observer));
  interceptors.push_back(std::make_unique<MalformedRequestInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(fmt::format("cannot listen on {}", options.listen));
  }
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::vector<http::Route>> routes = http::RoutesOf(LedgerServiceDescriptor());
    if (!routes.ok()) return routes.status();
    grpc::ChannelArguments channel;
    channel.SetMaxReceiveMessageSize(-1);  // the server's own replies: no limit of the client's
    server->gateway_ = std::make_unique<http::Gateway>(
        server->server_->InProcessChannel(channel), *std::move(routes),
        http::GatewayOptions{.secure_cookies = !options.tls_cert_file.empty()});
    server->console_ = std::make_unique<http::Console>(options.organization);
    HttpHandlers handlers{
        .metrics = [metrics = server->metrics_.get()] { return metrics->Render(); },
        .ready =
            [health = server->health_.get(), readiness = server->readiness_.get()] {
              return health->shutting_down() ? absl::UnavailableError("dxledgerd is shutting down")
                                             : readiness->Check();
            },
        .install =
            [gateway = server->gateway_.get(),
             console = server->console_.get()](httplib::Server& http) {
              gateway->Install(http);
              console->Install(http);
            }};
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        MetricsEndpoint::Start(options.metrics_listen, std::move(handlers),
                               HttpTls{options.tls_cert_file, options.tls_key_file});
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }
  server->readiness_->Start();
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  // Probes see NOT_SERVING, new calls are refused, subscribers are told
  // where to resume; then in-flight calls drain.
  readiness_->Stop();
  health_->SetShuttingDown();
  service_->SetDraining();
  hub_->Stop();
  // Backups and verifies under way finish and answer truthfully; queued
  // ones are told they did not start.
  long_work_->Drain();
  const absl::Time deadline = absl::Now() + grace;
  while (observer_->in_flight() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(2));
  }
  // gRPC's own grace would also wait for idle clients to hang up, which a
  // client that is not polling never does; nothing is in flight any more, so
  // what is left is cancelled and every connection closed now.
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  // The HTTP port's threads call through the in-process channel: they stop
  // before the server they call goes.
  metrics_endpoint_.reset();
  gateway_.reset();
  console_.reset();
  server_.reset();
  service_.reset();
  long_work_.reset();
  readiness_.reset();
  store_->SetCommitListener(nullptr);
  hub_.reset();
  notary_.reset();
  ledger_.reset();
  store_.reset();  // the writer commits what is queued, then RocksDB closes
}

void Server::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace dxledger::service
