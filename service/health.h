#ifndef DXLEDGER_SERVICE_HEALTH_H_
#define DXLEDGER_SERVICE_HEALTH_H_

#include <atomic>

#include "grpc/health/v1/health.grpc.pb.h"

// grpc.health.v1.Health for probes and load balancers: SERVING for the
// server ("") and for dxledger.v1.LedgerService until shutdown begins, then
// NOT_SERVING. Needs no credentials. Thread-safe.
namespace dxledger::service {

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the current status once and ends the stream.
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

  void SetShuttingDown() { shutting_down_ = true; }

 private:
  std::atomic<bool> shutting_down_{false};
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_HEALTH_H_
