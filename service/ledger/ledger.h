#ifndef DXLEDGER_SERVICE_LEDGER_LEDGER_H_
#define DXLEDGER_SERVICE_LEDGER_LEDGER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/ledger.pb.h"
#include "dxledger/v1/principals.pb.h"
#include "dxledger/v1/report.pb.h"
#include "service/domain/commands.h"
#include "service/domain/fiscal_years.h"
#include "service/ledger/pending_views.h"
#include "storage/event_store.h"

// The application layer: runs commands through the domain into the store and
// answers queries from views, indexes and the log. No gRPC here, so tests,
// the importer and the server share it. Thread-safe.
namespace dxledger::ledger {

struct CommandRequest {
  std::string method;  // names the operation for request-id fingerprints
  domain::Command command;
  // In a batch only: when set, this command goes to a fiscal year's stream
  // instead of `command`'s goal.
  std::optional<domain::YearCommand> year_command;
  std::string actor;  // the authenticated principal
  std::string request_id;
  std::string reason;
  // When set, called with the goal's current view (an existing goal only)
  // before deciding; its error is the command's, and nothing is written.
  std::function<absl::Status(const v1::Goal&)> authorize;
};

struct CommandOutcome {
  v1::Goal goal;
  std::vector<v1::Event> events;
  bool replayed = false;  // request_id seen before: the original result
};

struct GoalFilter {
  std::string organization;
  int fiscal_year = 0;  // 0: any
  std::string department;
  std::optional<v1::Rating> rating;
  bool include_retired = false;
  std::optional<uint64_t> as_of;  // a log position; nullopt: now
};

// A point in the log's history; neither set means now.
struct AsOf {
  std::optional<uint64_t> position;
  std::optional<absl::Time> time;
};

struct Lineage {
  std::vector<v1::Goal> goals;  // by fiscal year, then id
  std::vector<v1::LineageEdge> edges;
};

struct RatingChangeFilter {
  std::string organization;
  std::string goal;  // full goal name, or empty
  std::string department;
  int fiscal_year = 0;
  std::string actor;
  std::optional<absl::Time> start_time;  // inclusive
  std::optional<absl::Time> end_time;    // exclusive
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
};

// Several commands, possibly on several goals, appended atomically.
struct BatchRequest {
  std::string organization;  // scopes the request id
  std::string actor;
  std::string request_id;
  std::string reason;       // on every event
  std::string fingerprint;  // what request_id stands for
  bool validate_only = false;
  // The commands, planned against the current views; planned again when a
  // concurrent write got in first. Their actor, request id and reason are
  // the batch's.
  std::function<absl::StatusOr<std::vector<CommandRequest>>()> plan;
};

struct BatchOutcome {
  std::vector<v1::Event> events;  // in log order
  bool replayed = false;
};

struct ImportRequest {
  std::string organization;
  int fiscal_year = 0;
  v1::ReportFormat format = v1::REPORT_FORMAT_UNSPECIFIED;
  std::string content;
  std::string file_name;
  bool validate_only = false;
  std::string actor;
  std::string request_id;
};

struct ImportOutcome {
  v1::Report report;  // as read from the file
  std::vector<v1::Event> events;
  uint32_t goals_created = 0;
  uint32_t goals_changed = 0;
  uint32_t goals_unchanged = 0;
  std::string content_sha256;  // hex
  bool replayed = false;
};

struct ExportOutcome {
  std::string content;
  std::string content_type;
  std::string file_name;
};

struct PrincipalCommand {
  std::string principal;  // the name
  v1::Event proposal;     // one principal payload
  std::string actor;
  std::string request_id;
  std::string reason;
};

struct PrincipalOutcome {
  v1::Principal principal;
  std::vector<v1::Event> events;
  bool replayed = false;
};

struct SecurityEventFilter {
  std::string principal, method, code;
  std::optional<absl::Time> start_time, end_time;
};

struct VerifyReport {
  uint64_t events_checked = 0;
  storage::Head head;
  uint64_t views_checked = 0;
};

class Ledger {
 public:
  using Clock = std::function<absl::Time()>;
  using CommandCallback = absl::AnyInvocable<void(absl::StatusOr<CommandOutcome>) &&>;

  // `store` must outlive the ledger.
  Ledger(storage::EventStore& store, std::string default_organization, Clock clock = absl::Now);

  const std::string& default_organization() const { return default_organization_; }
  storage::Head head() const { return store_.GetHead(); }

  // Decides, appends and calls `done` once the events are durable (possibly on
  // the store's answer thread). Errors are those of domain::Decide, plus
  // INVALID_ARGUMENT when request_id was used for a different request.
  void Execute(CommandRequest request, CommandCallback done);
  absl::StatusOr<CommandOutcome> ExecuteAndWait(CommandRequest request);

  // Plans, decides and appends every command in one atomic batch (or, with
  // validate_only, decides and writes nothing). A batch that decides no
  // event writes nothing. Errors as Execute; done may run on the writer.
  using BatchCallback = absl::AnyInvocable<void(absl::StatusOr<BatchOutcome>) &&>;
  void ExecuteBatch(BatchRequest request, BatchCallback done);

  // Reads a report file (TEXT or CSV) and brings the year's goals to its
  // content in one batch; the reason of every event names the file and its
  // SHA-256. INVALID_ARGUMENT (with the line) for a malformed file.
  using ImportCallback = absl::AnyInvocable<void(absl::StatusOr<ImportOutcome>) &&>;
  void ImportReport(ImportRequest request, ImportCallback done);
  absl::StatusOr<ImportOutcome> ImportReportAndWait(ImportRequest request);

  // The year's report as CSV, JSON, MARKDOWN or HTML, as of a position
  // (nullopt: now).
  absl::StatusOr<ExportOutcome> ExportReport(std::string_view organization, int fiscal_year,
                                             v1::ReportFormat format,
                                             std::optional<uint64_t> as_of = std::nullopt);

  // The log position an AsOf stands for (the last committed at or before its
  // time); nullopt for now. INVALID_ARGUMENT for a position past the head.
  absl::StatusOr<std::optional<uint64_t>> ResolveAsOf(const AsOf& as_of);

  // NOT_FOUND when the goal does not exist (or did not yet at `as_of`).
  absl::StatusOr<v1::Goal> GetGoal(const domain::GoalName& name,
                                   std::optional<uint64_t> as_of = std::nullopt);
  // The year's view, or its implicit state when nothing was written to it.
  absl::StatusOr<v1::FiscalYear> GetFiscalYear(const domain::FiscalYearName& name);
  // Rolls `request.from_year` over (see domain::PlanRollover) in one batch.
  using RolloverCallback = absl::AnyInvocable<void(absl::StatusOr<BatchOutcome>) &&>;
  void RollOver(v1::RollOverFiscalYearRequest request, std::string organization, std::string actor,
                RolloverCallback done);
  // Ancestors and descendants of a goal across years.
  absl::StatusOr<Lineage> GetLineage(const domain::GoalName& name, std::optional<uint64_t> as_of);
  absl::StatusOr<std::vector<v1::YearOverYearRow>> GetYearOverYear(const domain::GoalName& name,
                                                                   std::optional<uint64_t> as_of);
  absl::StatusOr<std::vector<v1::YearRatingSummary>> GetRatingSummary(
      std::string_view organization, std::string_view department, std::optional<uint64_t> as_of);
  absl::StatusOr<Page<v1::Goal>> ListGoals(const GoalFilter& filter, int page_size,
                                           std::string_view page_token);
  absl::StatusOr<Page<v1::Event>> ListGoalEvents(const domain::GoalName& name, int page_size,
                                                 std::string_view page_token);
  absl::StatusOr<Page<v1::RatingChange>> ListRatingChanges(const RatingChangeFilter& filter,
                                                           int page_size,
                                                           std::string_view page_token);
  absl::StatusOr<Page<v1::Event>> ReadLog(uint64_t start_position, int page_size,
                                          std::string_view page_token);

  // The goal after its first `version` events (all when nullopt); cost grows
  // with the goal's own history only.
  absl::StatusOr<v1::Goal> FoldGoal(const domain::GoalName& name,
                                    std::optional<uint64_t> version = std::nullopt);
  // The goal after its events up to log position `position`; NOT_FOUND when
  // it had none by then. Cost grows with the goal's own history only.
  absl::StatusOr<v1::Goal> FoldGoalAt(const domain::GoalName& name, uint64_t position);

  // Adds or changes a principal (see domain::DecidePrincipal); done runs once
  // the event is durable, possibly on the store's answer thread.
  using PrincipalCallback = absl::AnyInvocable<void(absl::StatusOr<PrincipalOutcome>) &&>;
  void ExecutePrincipal(PrincipalCommand command, PrincipalCallback done);
  absl::StatusOr<PrincipalOutcome> ExecutePrincipalAndWait(PrincipalCommand command);
  absl::StatusOr<std::vector<v1::Principal>> ListPrincipals();

  // The security log: refused calls, apart from the event log.
  absl::Status RecordSecurityEvent(const v1::SecurityEvent& event);
  absl::StatusOr<Page<v1::SecurityEvent>> ListSecurityEvents(const SecurityEventFilter& filter,
                                                             int page_size,
                                                             std::string_view page_token);

  // Verifies the hash chain, then compares every stored view with a rebuild
  // from the log. DATA_LOSS names the first position or goal that differs.
  absl::StatusOr<VerifyReport> Verify();
  // Copies the store to `directory` while writes go on, then opens the copy
  // and verifies it; the report is the copy's. FAILED_PRECONDITION when the
  // directory exists; DATA_LOSS when the copy does not verify.
  absl::StatusOr<VerifyReport> Backup(const std::string& directory);

  // Rewrites every view from the log; returns how many. Run with no writers.
  absl::StatusOr<uint64_t> RebuildViews();

 private:
  void Attempt(CommandRequest request, int attempts_left, CommandCallback done);
  // A command decided against its goal's view (`pending` when set, see
  // PendingViews): the append to submit and the outcome it will answer.
  struct Decision {
    storage::AppendRequest append;
    CommandOutcome outcome;
  };
  absl::StatusOr<Decision> DecideCommand(const CommandRequest& request, const std::string& stream,
                                         const std::string* pending);
  // Appends a decided command; retries it when another write got in first.
  void AppendDecision(CommandRequest request, int attempts_left, Decision decision,
                      const std::string& stream, uint64_t ticket, CommandCallback done);
  // One try of a principal command; retried when a concurrent write got in first.
  void AttemptPrincipal(PrincipalCommand command, int attempts_left, PrincipalCallback done);
  // The goal's view: `pending` when set (see PendingViews), else the stored one.
  absl::StatusOr<std::optional<v1::Goal>> LoadView(const std::string& stream,
                                                   const std::string* pending = nullptr);
  absl::StatusOr<v1::FiscalYear> LoadYear(const domain::FiscalYearName& name);
  absl::StatusOr<CommandOutcome> Replay(const domain::GoalName& goal,
                                        const storage::RequestRecord& record);
  absl::StatusOr<std::vector<v1::Event>> ReadEvents(const std::vector<uint64_t>& positions);
  // A goal folded from its events' records, in order.
  static absl::StatusOr<v1::Goal> Fold(const std::vector<storage::LogRecord>& records);
  void AttemptBatch(std::shared_ptr<BatchRequest> request, int attempts_left, BatchCallback done);
  // A batch decided against its streams' views (as the claim sees them):
  // the append to submit and the outcome it will answer.
  struct BatchDecision {
    storage::AppendRequest append;
    BatchOutcome outcome;
  };
  absl::StatusOr<BatchDecision> DecideBatch(const BatchRequest& request,
                                            const std::vector<CommandRequest>& commands,
                                            const std::vector<std::string>& keys,
                                            PendingViews::Claim& claim);
  // Appends a decided batch; retries it when another write got in first.
  void AppendBatch(std::shared_ptr<BatchRequest> request, int attempts_left, BatchDecision decision,
                   std::vector<std::pair<std::string, uint64_t>> tickets, BatchCallback done);
  // A goal or fiscal year a batch writes to (batch.cc).
  struct BatchStream;
  // Loads the view of a batch's stream: `pending` when set (see PendingViews),
  // else the stored one.
  absl::Status LoadStream(const std::string& key, const CommandRequest& command,
                          const std::string* pending, BatchStream& stream);
  // Every goal of the organization (of `fiscal_year` unless 0), retired too,
  // as of a position (nullopt: now).
  absl::StatusOr<std::vector<v1::Goal>> AllGoals(std::string_view organization, int fiscal_year,
                                                 std::optional<uint64_t> as_of = std::nullopt);

  storage::EventStore& store_;
  const std::string default_organization_;
  const Clock clock_;
  PendingViews pending_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_LEDGER_H_
