#include "service/ledger_service.h"

#include "fmt/format.h"
#include "service/domain/fiscal_year.h"
#include "service/domain/text.h"
#include "service/requests.h"
#include "service/status.h"

namespace dxledger::service {
namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

template <typename T>
void MovePage(ledger::Page<T>& page, google::protobuf::RepeatedPtrField<T>* items,
              std::string* next_page_token) {
  for (T& item : page.items) items->Add(std::move(item));
  *next_page_token = std::move(page.next_page_token);
}

}  // namespace

LedgerService::LedgerService(ledger::Ledger& ledger, const PrincipalRegistry& principals)
    : ledger_(ledger), principals_(principals) {}

absl::StatusOr<Principal> LedgerService::Authenticate(grpc::CallbackServerContext* context) const {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  std::string_view header;
  if (it != metadata.end()) header = std::string_view(it->second.data(), it->second.size());
  return principals_.Authenticate(header);
}

absl::StatusOr<Principal> LedgerService::AuthorizeWrite(
    grpc::CallbackServerContext* context) const {
  absl::StatusOr<Principal> principal = Authenticate(context);
  if (principal.ok() && !principal->CanWrite()) {
    return absl::PermissionDeniedError(
        fmt::format("principal {} may read but not write: it holds no editor, hq or admin role",
                    principal->name));
  }
  return principal;
}

absl::StatusOr<Principal> LedgerService::AuthorizeHq(grpc::CallbackServerContext* context,
                                                     std::string_view action) const {
  absl::StatusOr<Principal> principal = AuthorizeWrite(context);
  if (principal.ok() && !principal->roles.contains(Role::kHq)) {
    return absl::PermissionDeniedError(
        fmt::format("principal {} may not {}: only the DX Strategy HQ secretariat (role hq) may",
                    principal->name, action));
  }
  return principal;
}

absl::StatusOr<std::optional<uint64_t>> LedgerService::Resolve(const v1::AsOf& as_of) {
  ledger::AsOf point;
  if (as_of.has_position()) point.position = as_of.position();
  if (as_of.has_time()) point.time = ToTime(as_of.time());
  return ledger_.ResolveAsOf(point);
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* LedgerService::RunCommand(grpc::CallbackServerContext* context,
                                                    const Request& request, Response* response,
                                                    absl::StatusOr<Principal> principal) {
  if (!principal.ok()) return Finish(context, principal.status());
  absl::StatusOr<ledger::CommandRequest> command =
      ToCommand(request, RequestScope{principal->name, ledger_.default_organization()});
  if (!command.ok()) return Finish(context, command.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  ledger_.Execute(*std::move(command),
                  [reactor, response](absl::StatusOr<ledger::CommandOutcome> outcome) {
                    if (outcome.ok()) {
                      *response->mutable_goal() = std::move(outcome->goal);
                      for (v1::Event& event : outcome->events)
                        *response->add_events() = std::move(event);
                      response->set_replayed(outcome->replayed);
                    }
                    reactor->Finish(ToGrpcStatus(outcome.status()));
                  });
  return reactor;
}

#define DXLEDGER_COMMAND(Name)                                                        \
  grpc::ServerUnaryReactor* LedgerService::Name(grpc::CallbackServerContext* context, \
                                                const v1::Name##Request* request,     \
                                                v1::Name##Response* response) {       \
    return RunCommand(context, *request, response, AuthorizeWrite(context));          \
  }
DXLEDGER_COMMAND(CreateGoal)
DXLEDGER_COMMAND(ReviseGoal)
DXLEDGER_COMMAND(SetIndicator)
DXLEDGER_COMMAND(RecordIndicatorResult)
DXLEDGER_COMMAND(RecordActivity)
DXLEDGER_COMMAND(SetRating)
DXLEDGER_COMMAND(AddIssue)
DXLEDGER_COMMAND(ResolveIssue)
DXLEDGER_COMMAND(RetireGoal)
DXLEDGER_COMMAND(ProposeChange)
#undef DXLEDGER_COMMAND

grpc::ServerUnaryReactor* LedgerService::DecideChange(grpc::CallbackServerContext* context,
                                                      const v1::DecideChangeRequest* request,
                                                      v1::DecideChangeResponse* response) {
  return RunCommand(context, *request, response, AuthorizeHq(context, "decide proposed changes"));
}

grpc::ServerUnaryReactor* LedgerService::RollOverFiscalYear(
    grpc::CallbackServerContext* context, const v1::RollOverFiscalYearRequest* request,
    v1::RollOverFiscalYearResponse* response) {
  absl::StatusOr<Principal> principal = AuthorizeHq(context, "roll a fiscal year over");
  if (!principal.ok()) return Finish(context, principal.status());
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const domain::FiscalYearName from{*organization, request->from_year()};
  const domain::FiscalYearName to{*organization, request->from_year() + 1};
  ledger_.RollOver(
      *request, *organization, principal->name,
      [this, reactor, response, from, to](absl::StatusOr<ledger::BatchOutcome> outcome) {
        if (outcome.ok()) {
          for (v1::Event& event : outcome->events) {
            *response->add_events() = std::move(event);
          }
          response->set_replayed(outcome->replayed);
          absl::StatusOr<v1::FiscalYear> closed = ledger_.GetFiscalYear(from);
          absl::StatusOr<v1::FiscalYear> opened = ledger_.GetFiscalYear(to);
          if (closed.ok()) *response->mutable_closed_year() = *closed;
          if (opened.ok()) *response->mutable_opened_year() = *opened;
        }
        reactor->Finish(ToGrpcStatus(outcome.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::GetFiscalYear(grpc::CallbackServerContext* context,
                                                       const v1::GetFiscalYearRequest* request,
                                                       v1::GetFiscalYearResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  absl::StatusOr<v1::FiscalYear> year =
      ledger_.GetFiscalYear({*organization, request->fiscal_year()});
  if (year.ok()) *response->mutable_fiscal_year() = *std::move(year);
  return Finish(context, year.status());
}

grpc::ServerUnaryReactor* LedgerService::GetLineage(grpc::CallbackServerContext* context,
                                                    const v1::GetLineageRequest* request,
                                                    v1::GetLineageResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Finish(context, name.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Finish(context, as_of.status());
  absl::StatusOr<ledger::Lineage> lineage = ledger_.GetLineage(*name, *as_of);
  if (lineage.ok()) {
    for (v1::Goal& goal : lineage->goals) *response->add_goals() = std::move(goal);
    for (v1::LineageEdge& edge : lineage->edges) *response->add_edges() = std::move(edge);
  }
  return Finish(context, lineage.status());
}

grpc::ServerUnaryReactor* LedgerService::GetYearOverYear(grpc::CallbackServerContext* context,
                                                         const v1::GetYearOverYearRequest* request,
                                                         v1::GetYearOverYearResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Finish(context, name.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Finish(context, as_of.status());
  absl::StatusOr<std::vector<v1::YearOverYearRow>> rows = ledger_.GetYearOverYear(*name, *as_of);
  if (rows.ok()) {
    for (v1::YearOverYearRow& row : *rows) *response->add_rows() = std::move(row);
  }
  return Finish(context, rows.status());
}

grpc::ServerUnaryReactor* LedgerService::GetRatingSummary(
    grpc::CallbackServerContext* context, const v1::GetRatingSummaryRequest* request,
    v1::GetRatingSummaryResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Finish(context, as_of.status());
  absl::StatusOr<std::vector<v1::YearRatingSummary>> years =
      ledger_.GetRatingSummary(*organization, request->department(), *as_of);
  if (years.ok()) {
    for (v1::YearRatingSummary& year : *years) *response->add_years() = std::move(year);
  }
  return Finish(context, years.status());
}

grpc::ServerUnaryReactor* LedgerService::GetGoal(grpc::CallbackServerContext* context,
                                                 const v1::GetGoalRequest* request,
                                                 v1::GetGoalResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Finish(context, name.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Finish(context, as_of.status());
  absl::StatusOr<v1::Goal> goal = ledger_.GetGoal(*name, *as_of);
  if (goal.ok()) *response->mutable_goal() = *std::move(goal);
  return Finish(context, goal.status());
}

grpc::ServerUnaryReactor* LedgerService::ListGoals(grpc::CallbackServerContext* context,
                                                   const v1::ListGoalsRequest* request,
                                                   v1::ListGoalsResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  ledger::GoalFilter filter;
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  filter.organization = *organization;
  if (request->fiscal_year() != 0) {
    if (absl::Status s = domain::ValidateFiscalYear(request->fiscal_year()); !s.ok()) {
      return Finish(context, s);
    }
  }
  filter.fiscal_year = request->fiscal_year();
  filter.department = request->department();
  if (request->has_rating()) {
    if (!v1::Rating_IsValid(request->rating())) {
      return Finish(context, absl::InvalidArgumentError("rating filter is not a known rating"));
    }
    filter.rating = request->rating();
  }
  filter.include_retired = request->include_retired();
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Finish(context, as_of.status());
  filter.as_of = *as_of;
  absl::StatusOr<ledger::Page<v1::Goal>> page =
      ledger_.ListGoals(filter, request->page_size(), request->page_token());
  if (page.ok()) MovePage(*page, response->mutable_goals(), response->mutable_next_page_token());
  return Finish(context, page.status());
}

grpc::ServerUnaryReactor* LedgerService::ListGoalEvents(grpc::CallbackServerContext* context,
                                                        const v1::ListGoalEventsRequest* request,
                                                        v1::ListGoalEventsResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Finish(context, name.status());
  absl::StatusOr<ledger::Page<v1::Event>> page =
      ledger_.ListGoalEvents(*name, request->page_size(), request->page_token());
  if (page.ok()) MovePage(*page, response->mutable_events(), response->mutable_next_page_token());
  return Finish(context, page.status());
}

grpc::ServerUnaryReactor* LedgerService::ListRatingChanges(
    grpc::CallbackServerContext* context, const v1::ListRatingChangesRequest* request,
    v1::ListRatingChangesResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  ledger::RatingChangeFilter filter;
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  filter.organization = *organization;
  if (!request->goal().empty()) {
    absl::StatusOr<domain::GoalName> goal =
        domain::ParseGoalName(request->goal(), filter.organization, "goal");
    if (!goal.ok()) return Finish(context, goal.status());
    filter.goal = goal->Format();
  }
  if (request->fiscal_year() != 0) {
    if (absl::Status s = domain::ValidateFiscalYear(request->fiscal_year()); !s.ok()) {
      return Finish(context, s);
    }
  }
  filter.fiscal_year = request->fiscal_year();
  filter.department = request->department();
  filter.actor = request->actor();
  if (request->has_start_time()) filter.start_time = ToTime(request->start_time());
  if (request->has_end_time()) filter.end_time = ToTime(request->end_time());
  absl::StatusOr<ledger::Page<v1::RatingChange>> page =
      ledger_.ListRatingChanges(filter, request->page_size(), request->page_token());
  if (page.ok()) {
    MovePage(*page, response->mutable_rating_changes(), response->mutable_next_page_token());
  }
  return Finish(context, page.status());
}

grpc::ServerUnaryReactor* LedgerService::ReadLog(grpc::CallbackServerContext* context,
                                                 const v1::ReadLogRequest* request,
                                                 v1::ReadLogResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<ledger::Page<v1::Event>> page =
      ledger_.ReadLog(request->start_position(), request->page_size(), request->page_token());
  if (page.ok()) MovePage(*page, response->mutable_events(), response->mutable_next_page_token());
  response->set_head_position(ledger_.head().position);
  return Finish(context, page.status());
}

grpc::ServerUnaryReactor* LedgerService::ImportReport(grpc::CallbackServerContext* context,
                                                      const v1::ImportReportRequest* request,
                                                      v1::ImportReportResponse* response) {
  absl::StatusOr<Principal> principal = AuthorizeWrite(context);
  if (!principal.ok()) return Finish(context, principal.status());
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  if (absl::Status s = domain::ValidateText("file_name", request->file_name(), 255, false);
      !s.ok()) {
    return Finish(context, s);
  }
  ledger::ImportRequest import{*organization,      request->fiscal_year(), request->format(),
                               request->content(), request->file_name(),   request->validate_only(),
                               principal->name,    request->request_id()};
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  ledger_.ImportReport(std::move(import),
                       [reactor, response](absl::StatusOr<ledger::ImportOutcome> outcome) {
                         if (outcome.ok()) {
                           *response->mutable_report() = std::move(outcome->report);
                           for (v1::Event& event : outcome->events)
                             *response->add_events() = std::move(event);
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

grpc::ServerUnaryReactor* LedgerService::ExportReport(grpc::CallbackServerContext* context,
                                                      const v1::ExportReportRequest* request,
                                                      v1::ExportReportResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<std::string> organization =
      domain::ParseOrganization(request->parent(), ledger_.default_organization());
  if (!organization.ok()) return Finish(context, organization.status());
  absl::StatusOr<ledger::ExportOutcome> exported =
      ledger_.ExportReport(*organization, request->fiscal_year(), request->format());
  if (exported.ok()) {
    response->set_content(std::move(exported->content));
    response->set_content_type(std::move(exported->content_type));
    response->set_file_name(std::move(exported->file_name));
  }
  return Finish(context, exported.status());
}

grpc::ServerUnaryReactor* LedgerService::VerifyLog(grpc::CallbackServerContext* context,
                                                   const v1::VerifyLogRequest*,
                                                   v1::VerifyLogResponse* response) {
  if (absl::StatusOr<Principal> p = Authenticate(context); !p.ok())
    return Finish(context, p.status());
  absl::StatusOr<ledger::VerifyReport> report = ledger_.Verify();
  if (report.ok()) {
    response->set_events_checked(report->events_checked);
    response->set_head_position(report->head.position);
    response->set_head_hash(report->head.hash);
    response->set_views_checked(report->views_checked);
  }
  return Finish(context, report.status());
}

}  // namespace dxledger::service
