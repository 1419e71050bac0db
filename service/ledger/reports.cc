// Reports: the progress report in and out.

#include "service/ledger/reports.h"

#include <future>
#include <set>

#include "absl/strings/escaping.h"
#include "base/sha256.h"
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/limits.h"
#include "service/report/encoding.h"
#include "service/report/import_plan.h"
#include "service/report/render.h"
#include "service/report/report_rows.h"
#include "service/report/workbook.h"

namespace dxledger::ledger {
namespace {

std::string HexSha256(std::string_view content) {
  return absl::BytesToHexString(base::Sha256({content}));
}

constexpr const char* kImportFormats =
    "format must be REPORT_FORMAT_TEXT, REPORT_FORMAT_CSV or REPORT_FORMAT_XLSX";

absl::StatusOr<v1::Report> ParseFile(const ImportRequest& request) {
  if (request.format == v1::REPORT_FORMAT_XLSX) {
    return report::ParseReportXlsx(request.content, request.fiscal_year);
  }
  if (request.format != v1::REPORT_FORMAT_TEXT && request.format != v1::REPORT_FORMAT_CSV) {
    return absl::InvalidArgumentError(kImportFormats);
  }
  // UTF-8, or the Shift_JIS Excel saves on Japanese Windows.
  absl::StatusOr<std::string> text = report::DecodeImportedText(request.content);
  if (!text.ok()) return text.status();
  switch (request.format) {
    case v1::REPORT_FORMAT_TEXT:
      return report::ParseReportText(*text);
    case v1::REPORT_FORMAT_CSV:
      return report::ParseReportCsv(*text);
    default:
      return absl::InvalidArgumentError(kImportFormats);
  }
}

// Goals created, goals otherwise changed, and the rest of the file's rows.
void Count(const std::vector<v1::Event>& events, ImportOutcome& outcome) {
  std::set<std::string> created, changed;
  for (const v1::Event& event : events) {
    if (event.has_goal_created()) created.insert(event.goal());
  }
  for (const v1::Event& event : events) {
    if (event.has_fiscal_year_next_steps_set()) continue;  // the year's, not a goal's
    if (!created.contains(event.goal())) changed.insert(event.goal());
  }
  outcome.goals_created = created.size();
  outcome.goals_changed = changed.size();
  const int touched = static_cast<int>(created.size() + changed.size());
  outcome.goals_unchanged = std::max(0, outcome.report.rows_size() - touched);
}

// The ids in use in `organization` that start with `prefix`, whatever year
// their goals belong to: one scan of the views' keys.
absl::StatusOr<std::set<std::string>> GoalIdsStartingWith(storage::EventStore& store,
                                                          std::string_view organization,
                                                          std::string_view prefix) {
  const std::string streams = fmt::format("{}/{}", organization, prefix);
  std::set<std::string> ids;
  absl::Status scanned =
      store.Scan(storage::Keyspace::kViews, streams, "", [&](std::string_view key, auto) {
        ids.emplace(key.substr(organization.size() + 1));
        return true;
      });
  if (!scanned.ok()) return scanned;
  return ids;
}

}  // namespace

void Reports::Import(ImportRequest request, ImportCallback done) {
  if (absl::Status s = notation::ValidateFiscalYear(request.fiscal_year); !s.ok()) {
    return std::move(done)(s);
  }
  absl::StatusOr<v1::Report> file = ParseFile(request);
  if (!file.ok()) return std::move(done)(file.status());
  auto outcome = std::make_shared<ImportOutcome>();
  outcome->report = *std::move(file);
  outcome->report.set_fiscal_year(request.fiscal_year);
  outcome->content_sha256 = HexSha256(request.content);

  WriteRequest write;
  write.method = "ImportReport";
  write.scope = request.organization;
  write.actor = request.actor;
  write.request_id = request.request_id;
  write.reason = fmt::format("import {} sha256:{}", request.file_name, outcome->content_sha256);
  write.fingerprint =
      fmt::format("ImportReport\n{}\n{}\n{}\n{}", request.organization, request.fiscal_year,
                  static_cast<int>(request.format), outcome->content_sha256);
  write.validate_only = request.validate_only;
  write.plan = [this, outcome, organization = request.organization, year = request.fiscal_year,
                authorize = request.authorize]() -> absl::StatusOr<std::vector<StreamCommand>> {
    // The year's goals, not the organization's: an import costs the same in
    // the tenth year as in the first. New ids are fy{year}-…, so only ids
    // with that prefix can be taken.
    absl::StatusOr<std::vector<v1::Goal>> goals = queries_.AllGoals(organization, year);
    if (!goals.ok()) return goals.status();
    absl::StatusOr<std::set<std::string>> taken =
        GoalIdsStartingWith(store_, organization, report::NewGoalIdPrefix(year));
    if (!taken.ok()) return taken.status();
    // Goals the import creates are the report's to transcribe: only
    // commands on goals that were there before are asked about.
    std::set<std::string> existing;
    for (const v1::Goal& goal : *goals) existing.insert(goal.name());
    std::vector<StreamCommand> commands;
    for (report::PlannedCommand& planned :
         report::PlanImport(outcome->report, year, organization, *goals, *std::move(taken))) {
      std::function<absl::Status(const v1::Goal&)> allow;
      if (authorize && existing.contains(planned.command.goal.Format())) {
        allow = [authorize, rpc = planned.method](const v1::Goal& goal) {
          return authorize(rpc, goal);
        };
      }
      commands.push_back(GoalCommand{std::move(planned.command), std::move(allow)});
    }
    // The year's 今後の進め方, when the file has one the year does not. A
    // file without one (a CSV, a workbook) leaves it as it is.
    const std::string& next_steps = outcome->report.next_steps();
    if (!next_steps.empty()) {
      const domain::FiscalYearName name{organization, year};
      absl::StatusOr<v1::FiscalYear> current = queries_.GetFiscalYear(name);
      if (!current.ok()) return current.status();
      if (current->next_steps() != next_steps) {
        domain::YearCommand set{name, {}};
        set.proposal.mutable_fiscal_year_next_steps_set()->set_text(next_steps);
        commands.push_back(std::move(set));
      }
    }
    return commands;
  };
  writer_.Write(std::move(write),
                [outcome, done = std::move(done)](absl::StatusOr<WriteOutcome> result) mutable {
                  if (!result.ok()) return std::move(done)(result.status());
                  outcome->events = std::move(result->events);
                  outcome->replayed = result->replayed;
                  Count(outcome->events, *outcome);
                  std::move(done)(std::move(*outcome));
                });
}

absl::StatusOr<ImportOutcome> Reports::ImportAndWait(ImportRequest request) {
  std::promise<absl::StatusOr<ImportOutcome>> promise;
  auto future = promise.get_future();
  Import(std::move(request), [&promise](absl::StatusOr<ImportOutcome> outcome) {
    promise.set_value(std::move(outcome));
  });
  return future.get();
}

// What the page or workbook shows: as of the log position asked for, else
// the head, with that event's time and the checkpoint that covers it.
absl::Status Reports::Locate(std::optional<uint64_t> as_of, const CheckpointFor& checkpoint_for,
                             Located& located) {
  located.position = as_of ? *as_of : queries_.head().position;
  if (located.position == 0) return absl::OkStatus();
  absl::StatusOr<Page<v1::Event>> at = queries_.ReadLog(located.position, 1, "");
  if (!at.ok()) return at.status();
  if (!at->items.empty()) located.time = at->items.front().record_time();
  if (!checkpoint_for) return absl::OkStatus();
  absl::StatusOr<std::string> checkpoint = checkpoint_for(located.position);
  if (!checkpoint.ok()) return checkpoint.status();
  located.checkpoint = *std::move(checkpoint);
  return absl::OkStatus();
}

absl::StatusOr<ExportOutcome> Reports::Export(std::string_view organization, int fiscal_year,
                                              v1::ReportFormat format,
                                              std::optional<uint64_t> as_of,
                                              const CheckpointFor& checkpoint_for) {
  if (absl::Status s = notation::ValidateFiscalYear(fiscal_year); !s.ok()) return s;
  // The position is fixed first, so that the goals, the as-of line and the
  // checkpoint all speak of the same moment while writes go on.
  Located located;
  if (absl::Status s = Locate(as_of, checkpoint_for, located); !s.ok()) return s;
  as_of = located.position;
  absl::StatusOr<std::vector<v1::Goal>> goals = queries_.AllGoals(organization, fiscal_year, as_of);
  if (!goals.ok()) return goals.status();
  v1::Report report = report::ReportFromGoals(fiscal_year, *goals);
  absl::StatusOr<v1::FiscalYear> year =
      queries_.GetFiscalYear({std::string(organization), fiscal_year}, as_of);
  if (!year.ok()) return year.status();
  report.set_next_steps(year->next_steps());
  const std::string base = fmt::format("dx-progress-report-fy{}", fiscal_year);
  switch (format) {
    case v1::REPORT_FORMAT_CSV:
      return ExportOutcome{report::RenderCsv(report), "text/csv; charset=utf-8", base + ".csv"};
    case v1::REPORT_FORMAT_XLSX: {
      absl::StatusOr<std::string> workbook = report::RenderXlsx(
          report, {std::string(organization), located.position, located.time, located.checkpoint});
      if (!workbook.ok()) return workbook.status();
      return ExportOutcome{*std::move(workbook),
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           base + ".xlsx"};
    }
    case v1::REPORT_FORMAT_JSON:
      return ExportOutcome{report::RenderJson(report), "application/json", base + ".json"};
    case v1::REPORT_FORMAT_MARKDOWN:
      return ExportOutcome{report::RenderMarkdown(report), "text/markdown; charset=utf-8",
                           base + ".md"};
    case v1::REPORT_FORMAT_HTML:
      break;
    default:
      return absl::InvalidArgumentError(
          "format must be REPORT_FORMAT_CSV, REPORT_FORMAT_XLSX, REPORT_FORMAT_JSON, "
          "REPORT_FORMAT_MARKDOWN or REPORT_FORMAT_HTML");
  }
  report::HtmlContext context;
  for (const v1::ReportRow& row : report.rows()) {
    absl::StatusOr<domain::GoalName> name = domain::ParseGoalName(row.goal(), organization);
    if (!name.ok()) return name.status();
    std::vector<v1::Event>& history = context.history[row.goal()];
    std::string token;
    do {
      absl::StatusOr<Page<v1::Event>> page =
          queries_.ListGoalEvents(*name, domain::kMaxPageSize, token);
      if (!page.ok()) return page.status();
      for (v1::Event& event : page->items) {
        if (event.position() <= *as_of) history.push_back(std::move(event));
      }
      token = std::move(page->next_page_token);
    } while (!token.empty());
  }
  absl::StatusOr<std::vector<v1::Goal>> all_years = queries_.AllGoals(organization, 0, as_of);
  if (!all_years.ok()) return all_years.status();
  for (const v1::Goal& goal : *all_years) {
    if (!goal.retired()) ++context.years[goal.fiscal_year()][goal.rating()];
  }
  context.as_of_position = located.position;
  context.as_of_time = located.time;
  context.checkpoint = std::move(located.checkpoint);
  return ExportOutcome{report::RenderHtml(report, context), "text/html; charset=utf-8",
                       base + ".html"};
}

}  // namespace dxledger::ledger
