#ifndef DXLEDGER_SERVICE_CALL_OBSERVER_H_
#define DXLEDGER_SERVICE_CALL_OBSERVER_H_

#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <cstdint>

#include "service/metrics.h"
#include "service/peer.h"

// Sees every call end to end: counts it and its latency in Metrics and, when
// asked, writes one access-log line (method, code, duration, principal, peer,
// the call's id and the command's request_id; never a header's value other
// than x-request-id). A call carries the caller's `x-request-id` (printable
// ASCII, at most 64 characters) or a fresh one; either way the reply's initial
// metadata returns it, so a client can quote it to an operator.
namespace dxledger::service {

// The handler names the admitted principal in this trailing-metadata key; the
// observer takes it out again before the status leaves the server.
inline constexpr char kPrincipalTrailer[] = "x-dxledger-principal";
inline constexpr char kRequestIdHeader[] = "x-request-id";

class CallObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  CallObserverFactory(Metrics& metrics, bool access_log, TrustedProxies proxies = {});
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  std::string NextCallId();
  // Calls begun and not yet done (streams included).
  uint64_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }

 private:
  Metrics& metrics_;
  const bool access_log_;
  const TrustedProxies proxies_;
  const uint64_t process_tag_;
  std::atomic<uint64_t> calls_{0};
  std::atomic<uint64_t> in_flight_{0};
  friend class CallObserver;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_CALL_OBSERVER_H_
