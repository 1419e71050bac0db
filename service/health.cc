#include "service/health.h"

namespace dxledger::service {
namespace {

using grpc::health::v1::HealthCheckResponse;

bool Known(const std::string& service) {
  return service.empty() || service == "dxledger.v1.LedgerService";
}

class OneStatus : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  explicit OneStatus(HealthCheckResponse::ServingStatus status) {
    response_.set_status(status);
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }
  void OnDone() override { delete this; }

 private:
  HealthCheckResponse response_;
};

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
  response->set_status(shutting_down_ ? HealthCheckResponse::NOT_SERVING
                                      : HealthCheckResponse::SERVING);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext*, const grpc::health::v1::HealthCheckRequest* request) {
  return new OneStatus(!Known(request->service()) ? HealthCheckResponse::SERVICE_UNKNOWN
                       : shutting_down_           ? HealthCheckResponse::NOT_SERVING
                                                  : HealthCheckResponse::SERVING);
}

}  // namespace dxledger::service
