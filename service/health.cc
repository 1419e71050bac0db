#include "service/health.h"

namespace dxledger::service {
namespace {

using grpc::health::v1::HealthCheckResponse;

bool Known(const std::string& service) {
  return service.empty() || service == "dxledger.v1.LedgerService";
}

}  // namespace

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const grpc::health::v1::HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Known(request->service())) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 "unknown service; ask for \"\" or dxledger.v1.LedgerService"));
    return reactor;
  }
  const bool writable = Writable();
  absl::MutexLock lock(&mu_);
  response->set_status(shutting_down_ || !writable ? HealthCheckResponse::NOT_SERVING
                                                   : HealthCheckResponse::SERVING);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

// One Watch stream. All its state is guarded by the service's mutex.
class HealthService::Watcher : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService& service, bool known) : service_(service), known_(known) {}

  // Sends `status` unless it was the last one sent; with `last`, the stream
  // ends once it is written.
  void Update(HealthCheckResponse::ServingStatus status, bool last)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(service_.mu_) {
    wanted_ = status;
    ending_ = ending_ || last;
    Flush();
  }
  bool known() const { return known_; }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&service_.mu_);
    writing_ = false;
    if (!ok) {
      End(grpc::Status::CANCELLED);
      return;
    }
    Flush();
  }
  void OnCancel() override {
    absl::MutexLock lock(&service_.mu_);
    End(grpc::Status::CANCELLED);
  }
  void OnDone() override {
    {
      absl::MutexLock lock(&service_.mu_);
      service_.watchers_.erase(this);
    }
    delete this;
  }

 private:
  void Flush() ABSL_EXCLUSIVE_LOCKS_REQUIRED(service_.mu_) {
    if (finished_ || writing_) return;
    if (!sent_any_ || wanted_ != response_.status()) {
      sent_any_ = true;
      writing_ = true;
      response_.set_status(wanted_);
      StartWrite(&response_);
      return;
    }
    if (ending_) End(grpc::Status::OK);
  }
  void End(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(service_.mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  HealthService& service_;
  const bool known_;
  HealthCheckResponse response_;  // the one in flight or last sent
  HealthCheckResponse::ServingStatus wanted_ = HealthCheckResponse::UNKNOWN;
  bool sent_any_ = false;
  bool writing_ = false;
  bool ending_ = false;
  bool finished_ = false;
};

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext*, const grpc::health::v1::HealthCheckRequest* request) {
  auto* watcher = new Watcher(*this, Known(request->service()));
  const bool writable = Writable();
  absl::MutexLock lock(&mu_);
  watchers_.insert(watcher);
  // An unknown service may be registered later, so its stream stays open too.
  watcher->Update(!watcher->known()             ? HealthCheckResponse::SERVICE_UNKNOWN
                  : shutting_down_ || !writable ? HealthCheckResponse::NOT_SERVING
                                                : HealthCheckResponse::SERVING,
                  shutting_down_);
  return watcher;
}

void HealthService::Refresh() {
  const bool writable = Writable();
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return;
  for (Watcher* watcher : watchers_) {
    if (!watcher->known()) continue;
    watcher->Update(writable ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING,
                    false);
  }
}

bool HealthService::shutting_down() {
  absl::MutexLock lock(&mu_);
  return shutting_down_;
}

void HealthService::SetShuttingDown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (Watcher* watcher : watchers_) {
    watcher->Update(
        watcher->known() ? HealthCheckResponse::NOT_SERVING : HealthCheckResponse::SERVICE_UNKNOWN,
        true);
  }
}

}  // namespace dxledger::service
