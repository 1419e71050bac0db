#ifndef DXLEDGER_SERVICE_SERVER_H_
#define DXLEDGER_SERVICE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "service/auth.h"
#include "service/call_observer.h"
#include "service/clock_watch.h"
#include "service/disk_watch.h"
#include "service/health.h"
#include "service/http/console.h"
#include "service/http/gateway.h"
#include "service/ledger/ledger.h"
#include "service/ledger/notary.h"
#include "service/ledger_service.h"
#include "service/metrics.h"
#include "service/metrics_http.h"
#include "service/readiness.h"
#include "service/refusal_limiter.h"
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
  // How many refusals a second (and in a burst) the security log records
  // from one peer address; the rest are counted.
  RefusalLimits refusal_limits;
  // Free space the data directory's filesystem keeps: below it, writes are
  // refused (RESOURCE_EXHAUSTED) and the server is not ready. 0: no reserve.
  uint64_t disk_reserve_bytes = 64 << 20;
  // Addresses of proxies (nginx) whose x-real-ip / x-forwarded-for header
  // names the caller in the security and access logs. Empty: none.
  std::vector<std::string> trusted_proxies;
  // Prometheus metrics over HTTP at http://<metrics_listen>/metrics; empty
  // turns them off; port 0 picks a free one. Default: 127.0.0.1:7401
  std::string metrics_listen = "127.0.0.1:7401";
  // One JSON line on stderr per finished call. Default: true
  bool access_log = true;
  // Signed checkpoints of the log (service/ledger/notary.h): the origin line
  // (default: dxledger/<organization>), the Ed25519 key in Go's note signer
  // form (default: <data_dir>/checkpoint.key, made owner-only on the first
  // start; a file given here must exist), and how often a grown log is
  // signed. The latest checkpoint is kept in <data_dir>/checkpoint.
  std::string checkpoint_origin;
  std::string checkpoint_key_file;
  absl::Duration checkpoint_interval = absl::Seconds(1);
};

class Server {
 public:
  // Creates the data directory and first principal when missing.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();  // Shutdown()

  int port() const { return port_; }
  // The verifier key clients and witnesses pin (name+keyid+base64).
  std::string verifier_key() const { return notary_->VerifierKey(); }
  int metrics_port() const { return metrics_endpoint_ ? metrics_endpoint_->port() : 0; }
  // Refuses new calls (UNAVAILABLE), ends subscriptions and health watches,
  // lets in-flight calls finish (up to `grace`), cancels what is left, closes
  // connections and then the store. Idle client connections do not hold it.
  void Shutdown(absl::Duration grace = absl::Seconds(5));
  void Wait();

 private:
  Server() = default;
  std::unique_ptr<storage::LogStore> store_;
  std::unique_ptr<Principals> principals_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<ledger::Notary> notary_;
  std::unique_ptr<SubscriptionHub> hub_;
  std::unique_ptr<DiskWatch> disk_;
  std::unique_ptr<LongWork> long_work_;  // backups and verifies
  std::unique_ptr<LedgerService> service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<Readiness> readiness_;
  ClockWatch clock_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<http::Gateway> gateway_;  // the HTTP/JSON API, on the metrics port
  std::unique_ptr<http::Console> console_;  // the web console, on the same port
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
  CallObserverFactory* observer_ = nullptr;  // owned by server_
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_SERVER_H_
