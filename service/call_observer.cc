#include "service/call_observer.h"

#include <google/protobuf/message.h>
#include <grpcpp/server_context.h>

#include <random>

#include "absl/time/clock.h"
#include "fmt/format.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"
#include "service/log.h"

namespace dxledger::service {

using grpc::experimental::InterceptionHookPoints;

namespace {

bool UsableRequestId(grpc::string_ref value) {
  if (value.empty() || value.size() > 64) return false;
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// An error message can quote what the caller sent.
constexpr size_t kMaxLoggedErrorBytes = 1024;

}  // namespace

class CallObserver : public grpc::experimental::Interceptor {
 public:
  CallObserver(CallObserverFactory& factory, Metrics& metrics, bool access_log,
               grpc::experimental::ServerRpcInfo* info)
      : factory_(factory),
        metrics_(metrics),
        access_log_(access_log),
        info_(info),
        started_(absl::Now()) {
    factory_.in_flight_.fetch_add(1, std::memory_order_acq_rel);
  }
  ~CallObserver() override { factory_.in_flight_.fetch_sub(1, std::memory_order_acq_rel); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find(kRequestIdHeader);
      if (it != metadata->end() && UsableRequestId(it->second)) {
        call_id_.assign(it->second.data(), it->second.size());
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        access_log_ && request_id_.empty()) {
      // Commands carry an idempotency key; the log names it so an operator
      // can find the command a client retried.
      if (const auto* message =
              static_cast<const google::protobuf::Message*>(methods->GetRecvMessage())) {
        const google::protobuf::FieldDescriptor* field =
            message->GetDescriptor()->FindFieldByName("request_id");
        if (field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
            !field->is_repeated()) {
          // Logged before it is checked: cut to what a valid one may be.
          request_id_ = domain::ClipText(message->GetReflection()->GetString(*message, field),
                                         domain::kMaxRequestIdBytes);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdHeader, CallId());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finished(methods);
    }
    methods->Proceed();
  }

 private:
  const std::string& CallId() {
    if (call_id_.empty()) call_id_ = factory_.NextCallId();
    return call_id_;
  }

  void Finished(grpc::experimental::InterceptorBatchMethods* methods) {
    std::string principal;
    std::multimap<std::string, std::string>* trailers = methods->GetSendTrailingMetadata();
    if (auto it = trailers->find(kPrincipalTrailer); it != trailers->end()) {
      principal = std::move(it->second);
      trailers->erase(it);
    }
    const grpc::Status status = methods->GetSendStatus();
    const absl::Duration latency = absl::Now() - started_;
    const std::string_view method = info_->method();
    metrics_.ObserveCall(method, status.error_code(), latency);
    if (!access_log_) return;
    const std::string peer = factory_.proxies_.Caller(*info_->server_context());
    const std::string error =
        status.ok() ? "" : domain::ClipText(status.error_message(), kMaxLoggedErrorBytes);
    log::Fields fields = {
        {"method", method},
        {"code", StatusCodeName(status.error_code())},
        {"ms", absl::ToDoubleMilliseconds(latency)},
        {"call_id", CallId()},
        {"peer", peer},
    };
    if (!principal.empty()) fields.emplace_back("principal", principal);
    if (!request_id_.empty()) fields.emplace_back("request_id", request_id_);
    if (!status.ok()) fields.emplace_back("error", error);
    log::Write(status.ok() ? log::Level::kInfo : log::Level::kWarning, "rpc", fields);
  }

  CallObserverFactory& factory_;
  Metrics& metrics_;
  const bool access_log_;
  grpc::experimental::ServerRpcInfo* const info_;
  const absl::Time started_;
  std::string call_id_;
  std::string request_id_;
};

CallObserverFactory::CallObserverFactory(Metrics& metrics, bool access_log, TrustedProxies proxies)
    : metrics_(metrics),
      access_log_(access_log),
      proxies_(std::move(proxies)),
      process_tag_(std::random_device{}()) {}

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(*this, metrics_, access_log_, info);
}

std::string CallObserverFactory::NextCallId() {
  return fmt::format("{:08x}-{:x}", process_tag_ & 0xffffffffu,
                     calls_.fetch_add(1, std::memory_order_relaxed) + 1);
}

}  // namespace dxledger::service
