#ifndef DXLEDGER_SERVICE_PEER_H_
#define DXLEDGER_SERVICE_PEER_H_

#include <grpcpp/server_context.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

// Who is on the other end of a call. Behind a proxy (deploy/nginx), the
// connection is the proxy's; the proxy names the client in x-real-ip (or
// appends it to x-forwarded-for). That header is believed only on a
// connection from a configured proxy address, since any client can send
// it: the caller is then "ipv4:CLIENT (via PROXY-PEER)". A call from
// dxledgerd's own HTTP gateway (in process) carries GatewayKey() and is
// named by its x-real-ip alone: the HTTP client's address.
namespace dxledger::service {

// The header and the key (random, made once per process) of the gateway.
inline constexpr std::string_view kGatewayKeyHeader = "x-dxledger-gateway";
const std::string& GatewayKey();

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // IP addresses, as "10.0.0.5" or "::1"; INVALID_ARGUMENT naming one that
  // is not.
  static absl::StatusOr<TrustedProxies> Parse(const std::vector<std::string>& addresses);

  std::string Caller(const grpc::ServerContextBase& context) const;

 private:
  std::vector<std::string> addresses_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_PEER_H_
