#ifndef DXLEDGER_SERVICE_SERVER_H_
#define DXLEDGER_SERVICE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/auth.h"
#include "service/health.h"
#include "service/ledger/ledger.h"
#include "service/ledger_service.h"
#include "service/subscriptions.h"
#include "storage/log_store.h"

// Everything dxledgerd runs, wired together: store, ledger, principals,
// gRPC server with health checking and reflection.
namespace dxledger::service {

struct ServerOptions {
  // Holds db/ (RocksDB), principals.json and admin.token. Default: ./dxledger-data
  std::string data_dir = "dxledger-data";
  // host:port; port 0 picks a free one. Default: 127.0.0.1:7400
  std::string listen = "127.0.0.1:7400";
  // Local-government code used when a request names no organization. Default: 050008
  std::string organization = "050008";
  // Acknowledge writes before the WAL reaches the disk. Default: false (durable)
  bool unsafe_async_writes = false;
  // TLS: the server's certificate chain and key (PEM files). Default: none
  // (plaintext, which the server announces loudly beyond loopback).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Mutual TLS: CA (PEM) that client certificates must chain to; a verified
  // certificate's common name maps to its principal. Default: none.
  std::string tls_client_ca_file;
  // Live subscriptions: how far a stalled subscriber may fall behind, and for
  // how long, before it is cut off; how often checkpoints go out.
  SubscriptionOptions subscriptions;
};

class Server {
 public:
  // Creates the data directory and first principal when missing.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();  // Shutdown()

  int port() const { return port_; }
  // Stops taking calls, lets in-flight ones finish (up to `grace`), closes the store.
  void Shutdown(absl::Duration grace = absl::Seconds(5));
  void Wait();

 private:
  Server() = default;
  std::unique_ptr<storage::LogStore> store_;
  std::unique_ptr<Principals> principals_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<SubscriptionHub> hub_;
  std::unique_ptr<LedgerService> service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_SERVER_H_
