// LedgerService: admission, replies, and the goal commands.
#include "service/ledger_service.h"

#include <grpcpp/security/auth_context.h>

#include "fmt/format.h"
#include "service/authorize.h"
#include "service/call_observer.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"
#include "service/ledger/codec.h"
#include "service/requests.h"
#include "service/status.h"

namespace dxledger::service {
namespace {

// The common name of a client certificate the TLS handshake verified, if any.
std::optional<std::string> VerifiedCommonName(const grpc::CallbackServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return std::nullopt;
  std::vector<grpc::string_ref> names = auth->FindPropertyValues("x509_common_name");
  if (names.empty()) return std::nullopt;
  return std::string(names.front().data(), names.front().size());
}

// An import's events, as many as fit in the reply's budget, and where in
// the log all of them are.
// An import does on goals that exist only what its principal may do
// directly; a refusal names the goal, its report number and title, and the
// rule.
std::function<absl::Status(std::string_view, const v1::Goal&)> ImportAllows(
    std::shared_ptr<const v1::Principal> principal) {
  return [principal = std::move(principal)](std::string_view rpc, const v1::Goal& goal) {
    absl::Status allowed = AllowCall(*principal, rpc);
    if (allowed.ok() && ScopedToDepartments(rpc)) allowed = AllowGoal(*principal, goal, rpc);
    if (allowed.ok()) return allowed;
    return absl::PermissionDeniedError(fmt::format(
        "{} (No. {} 「{}」): the file changes it with {}, and {}. An import does only what its "
        "principal may do directly; only goals it creates get the file's rating as they are",
        goal.name(), goal.report_number(), goal.title(), rpc, std::string(allowed.message())));
  };
}

void AddWrittenEvents(std::vector<v1::Event> events, v1::ImportReportResponse& response) {
  response.set_event_count(static_cast<uint32_t>(events.size()));
  if (!events.empty()) {
    response.set_first_position(events.front().position());
    response.set_last_position(events.back().position());
  }
  size_t bytes = 0;
  for (v1::Event& event : events) {
    bytes += event.ByteSizeLong();
    if (bytes > domain::kMaxReplyEventBytes) break;
    *response.add_events() = std::move(event);
  }
}

}  // namespace

LedgerService::LedgerService(ledger::Ledger& ledger, Principals& principals, SubscriptionHub& hub,
                             ledger::Notary& notary, TokenIssuer tokens, LongWork& long_work,
                             std::string data_dir, TrustedProxies proxies,
                             RefusalLimits refusal_limits)
    : ledger_(ledger),
      principals_(principals),
      hub_(hub),
      notary_(notary),
      tokens_(std::move(tokens)),
      long_work_(long_work),
      data_dir_(std::move(data_dir)),
      proxies_(std::move(proxies)),
      refusals_(refusal_limits) {}

namespace {

// A stream refused before it starts.
class RefusedStream : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  explicit RefusedStream(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

// What a security record keeps of a refused call.
constexpr size_t kMaxTargetBytes = 256;
constexpr size_t kMaxPeerBytes = 128;
constexpr size_t kMaxRefusalReasonBytes = 1024;

}  // namespace

grpc::ServerWriteReactor<v1::SubscribeResponse>* LedgerService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  Call call{context, "Subscribe", request->parent(), {}};
  absl::Status status = Admit(call);
  absl::StatusOr<std::string> organization;
  if (status.ok() && !request->parent().empty()) {
    organization = Organization(request->parent());
    status = organization.status();
  }
  absl::StatusOr<SubscriptionFilter> filter =
      status.ok() ? MakeFilter(*request, request->parent().empty() ? "" : *organization)
                  : absl::StatusOr<SubscriptionFilter>(status);
  if (!filter.ok()) {
    Refused(call, filter.status());
    return new RefusedStream(filter.status());
  }
  filter->redact_secrets = !SeesSecrets(call);
  const uint64_t next = request->from_now() ? ledger_.queries().head().position + 1
                                            : std::max<uint64_t>(request->start_position(), 1);
  return hub_.Subscribe(*std::move(filter), next, call.principal->name());
}

absl::Status LedgerService::Admit(Call& call) const {
  if (draining_.load(std::memory_order_relaxed)) {
    return absl::UnavailableError("dxledgerd is shutting down; retry after it restarts");
  }
  absl::StatusOr<PrincipalRef> principal;
  // A verified client certificate decides who calls; headers cannot.
  if (std::optional<std::string> common_name = VerifiedCommonName(*call.context)) {
    principal = principals_.ByCertificate(*common_name);
  } else {
    const auto& metadata = call.context->client_metadata();
    auto it = metadata.find("authorization");
    std::string_view header;
    if (it != metadata.end()) header = std::string_view(it->second.data(), it->second.size());
    principal = principals_.ByToken(header);
  }
  if (!principal.ok()) return principal.status();
  call.principal = *std::move(principal);
  call.context->AddTrailingMetadata(kPrincipalTrailer, call.principal->principal());
  return AllowCall(*call.principal, call.rpc);
}

void LedgerService::Refused(const Call& call, const absl::Status& status) {
  if (!absl::IsUnauthenticated(status) && !absl::IsPermissionDenied(status)) return;
  const absl::Time now = absl::Now();
  const std::string peer = proxies_.Caller(*call.context);
  // One client behind a proxy is limited as itself, not with the proxy.
  const std::string_view client = std::string_view(peer).substr(0, peer.find(" (via "));
  std::optional<uint64_t> unrecorded_before = refusals_.Admit(PeerAddress(client), now);
  if (!unrecorded_before.has_value()) return;  // counted, not recorded
  v1::SecurityEvent event;
  const int64_t micros = absl::ToUnixMicros(now);
  event.mutable_event_time()->set_seconds(micros / 1000000);
  event.mutable_event_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  if (call.principal) event.set_principal(call.principal->principal());
  event.set_peer(domain::ClipText(peer, kMaxPeerBytes));
  event.set_method(fmt::format("/dxledger.v1.LedgerService/{}", call.rpc));
  // What a refused caller sent is kept short: refusals must not fill the disk.
  event.set_target(domain::ClipText(call.target, kMaxTargetBytes));
  event.set_code(std::string(absl::StatusCodeToString(status.code())));
  event.set_reason(domain::ClipText(std::string(status.message()), kMaxRefusalReasonBytes));
  event.set_unrecorded_before(*unrecorded_before);
  // The call is refused whether or not the record can be written.
  (void)ledger_.writer().RecordSecurityEvent(event);
}

grpc::ServerUnaryReactor* LedgerService::Reply(const Call& call, const absl::Status& status) {
  Refused(call, status);
  grpc::ServerUnaryReactor* reactor = call.context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

absl::StatusOr<std::optional<uint64_t>> LedgerService::Resolve(const v1::AsOf& as_of) {
  ledger::AsOf point;
  if (as_of.has_position()) point.position = as_of.position();
  if (as_of.has_time()) point.time = ledger::ToTime(as_of.time());
  return ledger_.queries().ResolveAsOf(point);
}

absl::StatusOr<std::string> LedgerService::Organization(std::string_view parent) const {
  return domain::ParseOrganization(parent, ledger_.default_organization());
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* LedgerService::RunCommand(Call call, const Request& request,
                                                    Response* response) {
  if (absl::Status admitted = Admit(call); !admitted.ok()) return Reply(call, admitted);
  absl::StatusOr<ledger::CommandRequest> command =
      ToCommand(request, RequestScope{call.principal->principal(), ledger_.default_organization()});
  if (!command.ok()) return Reply(call, command.status());
  if (ScopedToDepartments(call.rpc)) {
    command->authorize = [principal = call.principal, rpc = call.rpc](const v1::Goal& goal) {
      return AllowGoal(*principal, goal, rpc);
    };
  }
  grpc::ServerUnaryReactor* reactor = call.context->DefaultReactor();
  ledger_.writer().Execute(
      *std::move(command),
      [this, call, reactor, response](absl::StatusOr<ledger::CommandOutcome> outcome) {
        if (outcome.ok()) {
          *response->mutable_goal() = std::move(outcome->goal);
          for (v1::Event& event : outcome->events) *response->add_events() = std::move(event);
          response->set_replayed(outcome->replayed);
        }
        Refused(call, outcome.status());
        reactor->Finish(ToGrpcStatus(outcome.status()));
      });
  return reactor;
}

#define DXLEDGER_COMMAND(Name, target)                                                \
  grpc::ServerUnaryReactor* LedgerService::Name(grpc::CallbackServerContext* context, \
                                                const v1::Name##Request* request,     \
                                                v1::Name##Response* response) {       \
    return RunCommand(Call{context, #Name, target, nullptr}, *request, response);     \
  }
DXLEDGER_COMMAND(CreateGoal, request->goal_id())
DXLEDGER_COMMAND(ReviseGoal, request->name())
DXLEDGER_COMMAND(SetIndicator, request->name())
DXLEDGER_COMMAND(RecordIndicatorResult, request->name())
DXLEDGER_COMMAND(RecordActivity, request->name())
DXLEDGER_COMMAND(SetRating, request->name())
DXLEDGER_COMMAND(AddIssue, request->name())
DXLEDGER_COMMAND(ResolveIssue, request->name())
DXLEDGER_COMMAND(RetireGoal, request->name())
DXLEDGER_COMMAND(ProposeChange, request->name())
DXLEDGER_COMMAND(DecideChange, request->name())
#undef DXLEDGER_COMMAND

grpc::ServerUnaryReactor* LedgerService::RollOverFiscalYear(
    grpc::CallbackServerContext* context, const v1::RollOverFiscalYearRequest* request,
    v1::RollOverFiscalYearResponse* response) {
  Call call{context, "RollOverFiscalYear", fmt::format("FY{}", request->from_year()), {}};
  if (absl::Status admitted = Admit(call); !admitted.ok()) return Reply(call, admitted);
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  if (static_cast<size_t>(request->new_goals_size() + request->decisions_size()) >
      domain::kMaxRolloverItems) {
    return Reply(call, absl::InvalidArgumentError(fmt::format(
                           "a rollover takes at most {} new goals and decisions together",
                           domain::kMaxRolloverItems)));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const domain::FiscalYearName from{*organization, request->from_year()};
  const domain::FiscalYearName to{*organization, request->from_year() + 1};
  domain::RolloverRequest rollover;
  rollover.plan_framework = request->plan_framework();
  rollover.new_goals.assign(request->new_goals().begin(), request->new_goals().end());
  rollover.decisions.assign(request->decisions().begin(), request->decisions().end());
  ledger_.writer().RollOver(
      from, std::move(rollover), call.principal->principal(), request->request_id(),
      request->reason(),
      [this, reactor, response, from, to](absl::StatusOr<ledger::WriteOutcome> outcome) {
        if (outcome.ok()) {
          for (v1::Event& event : outcome->events) {
            *response->add_events() = std::move(event);
          }
          response->set_replayed(outcome->replayed);
          absl::StatusOr<v1::FiscalYear> closed = ledger_.queries().GetFiscalYear(from);
          absl::StatusOr<v1::FiscalYear> opened = ledger_.queries().GetFiscalYear(to);
          if (closed.ok()) *response->mutable_closed_year() = *closed;
          if (opened.ok()) *response->mutable_opened_year() = *opened;
        }
        reactor->Finish(ToGrpcStatus(outcome.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ImportReport(grpc::CallbackServerContext* context,
                                                      const v1::ImportReportRequest* request,
                                                      v1::ImportReportResponse* response) {
  Call call{context, "ImportReport", request->file_name(), {}};
  if (absl::Status admitted = Admit(call); !admitted.ok()) return Reply(call, admitted);
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  if (absl::Status s =
          domain::ValidateText("file_name", request->file_name(), 255, false, domain::Lines::kOne);
      !s.ok()) {
    return Reply(call, s);
  }
  ledger::ImportRequest import{*organization,
                               request->fiscal_year(),
                               request->format(),
                               request->content(),
                               request->file_name(),
                               request->validate_only(),
                               call.principal->principal(),
                               request->request_id(),
                               ImportAllows(call.principal)};
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  ledger_.reports().Import(std::move(import),
                           [reactor, response](absl::StatusOr<ledger::ImportOutcome> outcome) {
                             if (outcome.ok()) {
                               *response->mutable_report() = std::move(outcome->report);
                               AddWrittenEvents(std::move(outcome->events), *response);
                               response->set_goals_created(outcome->goals_created);
                               response->set_goals_changed(outcome->goals_changed);
                               response->set_goals_unchanged(outcome->goals_unchanged);
                               response->set_content_sha256(outcome->content_sha256);
                               response->set_replayed(outcome->replayed);
                             }
                             reactor->Finish(ToGrpcStatus(outcome.status()));
                           });
  return reactor;
}

}  // namespace dxledger::service
