// LedgerService: the queries. Reads are microseconds against RocksDB, so they
// answer on the gRPC thread.
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"
#include "service/ledger/codec.h"
#include "service/ledger_service.h"
#include "service/status.h"

namespace dxledger::service {
namespace {

template <typename T>
void MovePage(ledger::Page<T>& page, google::protobuf::RepeatedPtrField<T>* items,
              std::string* next_page_token) {
  for (T& item : page.items) items->Add(std::move(item));
  *next_page_token = std::move(page.next_page_token);
}

absl::Status ValidateYearFilter(int fiscal_year) {
  return fiscal_year == 0 ? absl::OkStatus() : notation::ValidateFiscalYear(fiscal_year);
}

}  // namespace

grpc::ServerUnaryReactor* LedgerService::GetGoal(grpc::CallbackServerContext* context,
                                                 const v1::GetGoalRequest* request,
                                                 v1::GetGoalResponse* response) {
  Call call{context, "GetGoal", request->name(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Reply(call, name.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Reply(call, as_of.status());
  absl::StatusOr<v1::Goal> goal = ledger_.queries().GetGoal(*name, *as_of);
  if (goal.ok()) *response->mutable_goal() = *std::move(goal);
  return Reply(call, goal.status());
}

grpc::ServerUnaryReactor* LedgerService::ListGoals(grpc::CallbackServerContext* context,
                                                   const v1::ListGoalsRequest* request,
                                                   v1::ListGoalsResponse* response) {
  Call call{context, "ListGoals", request->parent(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  ledger::GoalFilter filter;
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  filter.organization = *organization;
  if (absl::Status s = ValidateYearFilter(request->fiscal_year()); !s.ok()) return Reply(call, s);
  filter.fiscal_year = request->fiscal_year();
  filter.department = request->department();
  if (request->has_rating()) {
    if (!v1::Rating_IsValid(request->rating())) {
      return Reply(call, absl::InvalidArgumentError("rating filter is not a known rating"));
    }
    filter.rating = request->rating();
  }
  filter.include_retired = request->include_retired();
  if (absl::Status s = domain::ValidateText("title_contains", request->title_contains(),
                                            domain::kMaxTitleBytes, false, domain::Lines::kOne);
      !s.ok()) {
    return Reply(call, s);
  }
  filter.title_key = domain::SearchKey(request->title_contains());
  if (request->has_principal()) filter.principal = request->principal();
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Reply(call, as_of.status());
  filter.as_of = *as_of;
  absl::StatusOr<ledger::Page<v1::Goal>> page =
      ledger_.queries().ListGoals(filter, request->page_size(), request->page_token());
  if (page.ok()) MovePage(*page, response->mutable_goals(), response->mutable_next_page_token());
  return Reply(call, page.status());
}

grpc::ServerUnaryReactor* LedgerService::ListGoalEvents(grpc::CallbackServerContext* context,
                                                        const v1::ListGoalEventsRequest* request,
                                                        v1::ListGoalEventsResponse* response) {
  Call call{context, "ListGoalEvents", request->name(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Reply(call, name.status());
  absl::StatusOr<ledger::Page<v1::Event>> page =
      ledger_.queries().ListGoalEvents(*name, request->page_size(), request->page_token());
  if (!page.ok()) return Reply(call, page.status());
  MovePage(*page, response->mutable_events(), response->mutable_next_page_token());
  return Reply(
      call, AddProofs(response->events(), request->proof_tree_size(), response->mutable_proofs()));
}

grpc::ServerUnaryReactor* LedgerService::ListRatingChanges(
    grpc::CallbackServerContext* context, const v1::ListRatingChangesRequest* request,
    v1::ListRatingChangesResponse* response) {
  Call call{context, "ListRatingChanges", request->goal(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  ledger::RatingChangeFilter filter;
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  filter.organization = *organization;
  if (!request->goal().empty()) {
    absl::StatusOr<domain::GoalName> goal =
        domain::ParseGoalName(request->goal(), filter.organization, "goal");
    if (!goal.ok()) return Reply(call, goal.status());
    filter.goal = goal->Format();
  }
  if (absl::Status s = ValidateYearFilter(request->fiscal_year()); !s.ok()) return Reply(call, s);
  filter.fiscal_year = request->fiscal_year();
  filter.department = request->department();
  filter.actor = request->actor();
  if (request->has_start_time()) filter.start_time = ledger::ToTime(request->start_time());
  if (request->has_end_time()) filter.end_time = ledger::ToTime(request->end_time());
  absl::StatusOr<ledger::Page<v1::RatingChange>> page =
      ledger_.queries().ListRatingChanges(filter, request->page_size(), request->page_token());
  if (!page.ok()) return Reply(call, page.status());
  MovePage(*page, response->mutable_rating_changes(), response->mutable_next_page_token());
  return Reply(call, AddProofs(response->rating_changes(), request->proof_tree_size(),
                               response->mutable_proofs()));
}

grpc::ServerUnaryReactor* LedgerService::ReadLog(grpc::CallbackServerContext* context,
                                                 const v1::ReadLogRequest* request,
                                                 v1::ReadLogResponse* response) {
  Call call{context, "ReadLog", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<ledger::Page<v1::Event>> page = ledger_.queries().ReadLog(
      request->start_position(), request->page_size(), request->page_token());
  if (!page.ok()) return Reply(call, page.status());
  MovePage(*page, response->mutable_events(), response->mutable_next_page_token());
  response->set_head_position(ledger_.queries().head().position);
  absl::Status proved =
      AddProofs(response->events(), request->proof_tree_size(), response->mutable_proofs());
  WithholdSecrets(call, *response->mutable_events(), *response->mutable_proofs());
  return Reply(call, proved);
}

grpc::ServerUnaryReactor* LedgerService::ExportReport(grpc::CallbackServerContext* context,
                                                      const v1::ExportReportRequest* request,
                                                      v1::ExportReportResponse* response) {
  Call call{context, "ExportReport", fmt::format("FY{}", request->fiscal_year()), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Reply(call, as_of.status());
  // The checkpoint that covers what the export shows: the latest, or one
  // signed now when the latest is older. None when none can be had (a store
  // that stopped taking writes cannot keep a new one): reads go on.
  const auto checkpoint_for = [this](uint64_t position) -> absl::StatusOr<std::string> {
    absl::StatusOr<storage::StoredCheckpoint> latest = notary_.Latest();
    if (latest.ok() && latest->size < position) latest = notary_.Latest(/*refresh=*/true);
    if (!latest.ok() || latest->size < position) return std::string();
    return latest->note;
  };
  absl::StatusOr<ledger::ExportOutcome> exported = ledger_.reports().Export(
      *organization, request->fiscal_year(), request->format(), *as_of, checkpoint_for);
  if (exported.ok()) {
    response->set_content(std::move(exported->content));
    response->set_content_type(std::move(exported->content_type));
    response->set_file_name(std::move(exported->file_name));
  }
  return Reply(call, exported.status());
}

grpc::ServerUnaryReactor* LedgerService::GetFiscalYear(grpc::CallbackServerContext* context,
                                                       const v1::GetFiscalYearRequest* request,
                                                       v1::GetFiscalYearResponse* response) {
  Call call{context, "GetFiscalYear", fmt::format("FY{}", request->fiscal_year()), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  absl::StatusOr<v1::FiscalYear> year =
      ledger_.queries().GetFiscalYear({*organization, request->fiscal_year()});
  if (year.ok()) *response->mutable_fiscal_year() = *std::move(year);
  return Reply(call, year.status());
}

grpc::ServerUnaryReactor* LedgerService::GetLineage(grpc::CallbackServerContext* context,
                                                    const v1::GetLineageRequest* request,
                                                    v1::GetLineageResponse* response) {
  Call call{context, "GetLineage", request->name(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Reply(call, name.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Reply(call, as_of.status());
  absl::StatusOr<ledger::Lineage> lineage = ledger_.queries().GetLineage(*name, *as_of);
  if (lineage.ok()) {
    for (v1::Goal& goal : lineage->goals) *response->add_goals() = std::move(goal);
    for (v1::LineageEdge& edge : lineage->edges) *response->add_edges() = std::move(edge);
  }
  return Reply(call, lineage.status());
}

grpc::ServerUnaryReactor* LedgerService::GetYearOverYear(grpc::CallbackServerContext* context,
                                                         const v1::GetYearOverYearRequest* request,
                                                         v1::GetYearOverYearResponse* response) {
  Call call{context, "GetYearOverYear", request->name(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<domain::GoalName> name =
      domain::ParseGoalName(request->name(), ledger_.default_organization());
  if (!name.ok()) return Reply(call, name.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Reply(call, as_of.status());
  absl::StatusOr<std::vector<v1::YearOverYearRow>> rows =
      ledger_.queries().GetYearOverYear(*name, *as_of);
  if (rows.ok()) {
    for (v1::YearOverYearRow& row : *rows) *response->add_rows() = std::move(row);
  }
  return Reply(call, rows.status());
}

grpc::ServerUnaryReactor* LedgerService::GetRatingSummary(
    grpc::CallbackServerContext* context, const v1::GetRatingSummaryRequest* request,
    v1::GetRatingSummaryResponse* response) {
  Call call{context, "GetRatingSummary", request->department(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<std::string> organization = Organization(request->parent());
  if (!organization.ok()) return Reply(call, organization.status());
  absl::StatusOr<std::optional<uint64_t>> as_of = Resolve(request->as_of());
  if (!as_of.ok()) return Reply(call, as_of.status());
  absl::StatusOr<std::vector<v1::YearRatingSummary>> years =
      ledger_.queries().GetRatingSummary(*organization, request->department(), *as_of);
  if (years.ok()) {
    for (v1::YearRatingSummary& year : *years) *response->add_years() = std::move(year);
  }
  return Reply(call, years.status());
}

grpc::ServerUnaryReactor* LedgerService::VerifyLog(grpc::CallbackServerContext* context,
                                                   const v1::VerifyLogRequest*,
                                                   v1::VerifyLogResponse* response) {
  Call call{context, "VerifyLog", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  // A walk of the whole log: long work, off gRPC's callback threads.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  long_work_.Submit([this, reactor, response](bool run) {
    if (!run) {
      reactor->Finish(ToGrpcStatus(
          absl::UnavailableError("dxledgerd is shutting down: verify again once it is back")));
      return;
    }
    absl::StatusOr<ledger::VerifyReport> report = ledger_.maintenance().Verify();
    if (report.ok()) {
      response->set_events_checked(report->events_checked);
      response->set_head_position(report->head.position);
      response->set_head_hash(report->head.hash);
      response->set_views_checked(report->views_checked);
      response->set_security_records_checked(report->security_records_checked);
    }
    reactor->Finish(ToGrpcStatus(report.status()));
  });
  return reactor;
}

}  // namespace dxledger::service
