#include "service/peer.h"

#include <arpa/inet.h>

#include <algorithm>

#include "fmt/format.h"
#include "service/http/sessions.h"
#include "service/refusal_limiter.h"

namespace dxledger::service {
namespace {

// "ipv4:1.2.3.4" or "ipv6:[::1]" for an address in text; empty when it is
// none (a header can say anything).
std::string PeerOf(std::string_view address) {
  while (!address.empty() && address.front() == ' ') address.remove_prefix(1);
  while (!address.empty() && address.back() == ' ') address.remove_suffix(1);
  const std::string text(address);
  unsigned char buffer[16];
  if (inet_pton(AF_INET, text.c_str(), buffer) == 1) return "ipv4:" + text;
  if (inet_pton(AF_INET6, text.c_str(), buffer) == 1) return "ipv6:[" + text + "]";
  return "";
}

std::string_view Header(const grpc::ServerContextBase& context, std::string_view name) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(name.data(), name.size()));
  if (it == metadata.end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

}  // namespace

const std::string& GatewayKey() {
  static const std::string key = http::RandomId();
  return key;
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& addresses) {
  TrustedProxies proxies;
  for (const std::string& address : addresses) {
    std::string peer = PeerOf(address);
    if (peer.empty()) {
      return absl::InvalidArgumentError(fmt::format(
          "--trusted-proxy {} is not an IP address (such as 10.0.0.5 or ::1)", address));
    }
    proxies.addresses_.push_back(std::move(peer));
  }
  return proxies;
}

std::string TrustedProxies::Caller(const grpc::ServerContextBase& context) const {
  std::string peer = context.peer();
  // dxledgerd's own HTTP gateway names its HTTP client in x-real-ip, and
  // proves it is the gateway with a key no other client has.
  if (Header(context, kGatewayKeyHeader) == GatewayKey()) {
    std::string client = PeerOf(Header(context, "x-real-ip"));
    return client.empty() ? peer : client;
  }
  if (addresses_.empty()) return peer;
  const std::string_view connection = PeerAddress(peer);
  if (std::find(addresses_.begin(), addresses_.end(), connection) == addresses_.end()) return peer;
  std::string client = PeerOf(Header(context, "x-real-ip"));
  if (client.empty()) {
    // The proxy appends the address it saw last.
    std::string_view forwarded = Header(context, "x-forwarded-for");
    client = PeerOf(forwarded.substr(forwarded.rfind(',') + 1));
  }
  if (client.empty()) return peer;
  return client + " (via " + peer + ")";
}

}  // namespace dxledger::service
