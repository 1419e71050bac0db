#include "service/metrics_http.h"

#include <httplib.h>

#include "base/thread_name.h"
#include "fmt/format.h"
#include "proto/notation/api_limits.h"

namespace dxledger::service {
namespace {

// A client gets this long to send its request, and to take the reply.
constexpr time_t kTimeoutSeconds = 5;
// Threads serving HTTP: a few slow clients leave the rest to scrapes;
// each open event stream holds one (at most 24, http/gateway.cc).
constexpr size_t kThreads = 32;
// A request body: a gRPC request's largest, base64 in JSON (4/3), and room.
constexpr size_t kMaxBodyBytes = notation::kMaxRequestBytes / 3 * 4 + (64 << 10);

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& listen,
                                                                        HttpHandlers handlers,
                                                                        const HttpTls& tls) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      port = std::stoi(listen.substr(colon + 1));
    } catch (const std::exception&) {
    }
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(fmt::format("--metrics-listen {} is not host:port", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.starts_with("[") && host.ends_with("]")) host = host.substr(1, host.size() - 2);

  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  std::unique_ptr<httplib::Server> server;
  if (tls.cert_file.empty()) {
    server = std::make_unique<httplib::Server>();
  } else {
    auto secure = std::make_unique<httplib::SSLServer>(tls.cert_file.c_str(), tls.key_file.c_str());
    if (!secure->is_valid()) {
      return absl::InvalidArgumentError(fmt::format(
          "the HTTP port cannot serve TLS with --tls-cert {} and --tls-key {}: they do not load "
          "as a PEM certificate chain and its key",
          tls.cert_file, tls.key_file));
    }
    server = std::move(secure);
  }
  server->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server->set_read_timeout(kTimeoutSeconds, 0);
  server->set_write_timeout(kTimeoutSeconds, 0);
  server->set_keep_alive_max_count(10);
  // A reply goes out as headers, then body: without TCP_NODELAY, Nagle holds
  // the body until the client's delayed ACK, 40 ms on Linux, on every
  // call on a kept-alive connection (tests/bench/http_gateway.py: 44 ms p50
  // before, see BENCHMARKS.md).
  server->set_tcp_nodelay(true);
  // cpp-httplib sets SO_REUSEPORT by default, which lets a second dxledgerd
  // bind the same port and take half the scrapes. Only SO_REUSEADDR here
  // (a restart may bind while old connections linger in TIME_WAIT).
  server->set_socket_options([](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->Get("/metrics",
              [render = handlers.metrics](const httplib::Request&, httplib::Response& response) {
                response.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
              });
  const auto not_allowed = [](const httplib::Request&, httplib::Response& response) {
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
    response.set_content("GET /metrics\n", "text/plain");
  };
  server->Post("/metrics", not_allowed);
  server->Put("/metrics", not_allowed);
  server->Delete("/metrics", not_allowed);
  server->Patch("/metrics", not_allowed);
  server->Get("/livez", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  server->Get("/readyz",
              [ready = handlers.ready](const httplib::Request&, httplib::Response& response) {
                const absl::Status status = ready ? ready() : absl::OkStatus();
                response.status = status.ok() ? 200 : 503;
                response.set_content(status.ok() ? "ok\n" : std::string(status.message()) + "\n",
                                     "text/plain; charset=utf-8");
              });
  // The largest request: an import's file in base64, in its JSON body.
  server->set_payload_max_length(kMaxBodyBytes);
  if (handlers.install) handlers.install(*server);
  const int bound = port == 0 ? server->bind_to_any_port(host) : server->bind_to_port(host, port);
  if (bound < 0 || (port != 0 && bound == 0)) {
    return absl::UnavailableError(fmt::format(
        "cannot listen for metrics on {} (in use? give another with --metrics-listen, or turn "
        "metrics off with --metrics-listen '')",
        listen));
  }
  endpoint->port_ = port == 0 ? bound : port;
  endpoint->server_ = std::move(server);
  endpoint->thread_ =
      std::thread([server = endpoint->server_.get()] { server->listen_after_bind(); });
  base::NameThread(endpoint->thread_, "dxl-http");
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace dxledger::service
