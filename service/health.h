#ifndef DXLEDGER_SERVICE_HEALTH_H_
#define DXLEDGER_SERVICE_HEALTH_H_

#include <atomic>
#include <functional>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

// grpc.health.v1.Health for probes and load balancers: SERVING for the
// server ("") and for dxledger.v1.LedgerService while writes can succeed
// and until shutdown begins, else NOT_SERVING. Needs no credentials.
// Thread-safe.
namespace dxledger::service {

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the current status, then every change; the stream ends after
  // NOT_SERVING when the server shuts down, or when the client cancels.
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

  void SetShuttingDown();
  bool shutting_down();
  // Check and Watch answer NOT_SERVING while this says writes cannot
  // succeed (service/readiness.h). Set before serving.
  void SetWritable(std::function<absl::Status()> writable) { writable_ = std::move(writable); }
  // Asks `writable` again and tells Watch streams if the answer changed.
  void Refresh();

 private:
  class Watcher;
  bool Writable() const { return !writable_ || writable_().ok(); }
  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::function<absl::Status()> writable_;
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_HEALTH_H_
