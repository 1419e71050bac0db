#ifndef DXLEDGER_SERVICE_METRICS_HTTP_H_
#define DXLEDGER_SERVICE_METRICS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

// A minimal HTTP/1.1 endpoint for Prometheus: GET /metrics answers with
// `render()`, anything else with 404 (or 405 for methods other than GET and
// HEAD). One thread, one short connection at a time: scrapes are rare and
// small. prometheus-cpp is not packaged in Debian 12, hence this file.
namespace dxledger::service {

class MetricsEndpoint {
 public:
  // `listen` is host:port; port 0 picks a free one.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen, std::function<std::string()> render);
  ~MetricsEndpoint();  // stops serving

  int port() const { return port_; }

 private:
  MetricsEndpoint(int listener, int port, std::function<std::string()> render);
  void Run();
  void Serve(int connection);

  const int listener_;
  const int port_;
  const std::function<std::string()> render_;
  int wake_[2] = {-1, -1};  // a pipe whose write end stops Run()
  std::thread thread_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_METRICS_HTTP_H_
