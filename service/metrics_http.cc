#include "service/metrics_http.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/thread_name.h"
#include "fmt/format.h"

namespace dxledger::service {
namespace {

constexpr size_t kMaxRequestHead = 8192;

void SendAll(int connection, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(connection, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      if (sent < 0 && errno == EINTR) continue;
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
}

std::string Response(std::string_view status, std::string_view type, const std::string& body,
                     bool with_body) {
  return fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
      status, type, body.size(), with_body ? std::string_view(body) : std::string_view());
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen, std::function<std::string()> render) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(fmt::format("metrics address {} is not host:port", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = listen.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
      error != 0) {
    return absl::InvalidArgumentError(
        fmt::format("metrics address {}: {}", listen, gai_strerror(error)));
  }
  int listener = -1;
  std::string failure = "no address";
  for (addrinfo* address = found; address != nullptr && listener < 0; address = address->ai_next) {
    const int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, address->ai_addr, address->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
      listener = fd;
    } else {
      failure = std::strerror(errno);
      close(fd);
    }
  }
  freeaddrinfo(found);
  if (listener < 0) {
    return absl::UnavailableError(fmt::format("cannot serve metrics on {}: {}", listen, failure));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &length);
  const int bound_port = bound.ss_family == AF_INET6
                             ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
                             : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<MetricsEndpoint>(
      new MetricsEndpoint(listener, bound_port, std::move(render)));
}

MetricsEndpoint::MetricsEndpoint(int listener, int port, std::function<std::string()> render)
    : listener_(listener), port_(port), render_(std::move(render)) {
  if (pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { Run(); });
  base::NameThread(thread_, "dxl-metrics");
}

MetricsEndpoint::~MetricsEndpoint() {
  if (wake_[1] >= 0) {
    const char byte = 0;
    (void)!write(wake_[1], &byte, 1);
  }
  thread_.join();
  close(listener_);
  if (wake_[0] >= 0) close(wake_[0]);
  if (wake_[1] >= 0) close(wake_[1]);
}

void MetricsEndpoint::Run() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, wake_[0] >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    Serve(connection);
    close(connection);
  }
}

void MetricsEndpoint::Serve(int connection) {
  // A scraper that connects and says nothing must not hold the endpoint.
  const timeval timeout{2, 0};
  setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  std::string head;
  char buffer[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxRequestHead) {
    const ssize_t got = recv(connection, buffer, sizeof(buffer), 0);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      break;
    }
    head.append(buffer, static_cast<size_t>(got));
  }
  const std::string_view line(head.data(), std::min(head.find("\r\n"), head.size()));
  const size_t first = line.find(' ');
  const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos) {
    SendAll(connection, Response("400 Bad Request", "text/plain", "bad request\n", true));
    return;
  }
  const std::string_view method = line.substr(0, first);
  std::string_view path = line.substr(first + 1, second - first - 1);
  path = path.substr(0, path.find('?'));
  if (method != "GET" && method != "HEAD") {
    SendAll(connection, Response("405 Method Not Allowed", "text/plain", "GET /metrics\n", true));
    return;
  }
  if (path != "/metrics") {
    SendAll(connection, Response("404 Not Found", "text/plain", "metrics are at /metrics\n", true));
    return;
  }
  SendAll(connection, Response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_(),
                               method == "GET"));
}

}  // namespace dxledger::service
