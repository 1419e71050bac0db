#ifndef DXLEDGER_SERVICE_METRICS_HTTP_H_
#define DXLEDGER_SERVICE_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace httplib {
class Server;
}

// dxledgerd's HTTP port, served by cpp-httplib (Debian's libcpp-httplib-dev)
// on a pool of threads, so one slow client cannot hold the others up; HTTPS
// when the server has TLS:
// - GET /metrics: Prometheus' text format;
// - GET /livez: 200 while the process serves HTTP at all (liveness);
// - GET /readyz: 200 when calls can be served, 503 with the reason when not
//   (readiness: a load balancer or Kubernetes stops sending calls).
// - whatever `install` adds: the HTTP/JSON API under /v1 (http/gateway.h).
// Anything else is 404; another method on /metrics is 405.
namespace dxledger::service {

// The server's certificate chain and key (PEM files): when set, the port
// serves HTTPS only, as gRPC does.
struct HttpTls {
  std::string cert_file;
  std::string key_file;
};

struct HttpHandlers {
  std::function<std::string()> metrics;
  // OK when ready; otherwise why not.
  std::function<absl::Status()> ready;
  // Adds more routes (the HTTP/JSON API) before the port opens.
  std::function<void(httplib::Server&)> install;
};

class MetricsEndpoint {
 public:
  // `listen` is host:port; port 0 picks a free one.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen,
                                                                HttpHandlers handlers,
                                                                const HttpTls& tls = {});
  ~MetricsEndpoint();  // stops serving

  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_METRICS_HTTP_H_
