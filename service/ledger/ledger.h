#ifndef DXLEDGER_SERVICE_LEDGER_LEDGER_H_
#define DXLEDGER_SERVICE_LEDGER_LEDGER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "service/domain/commands.h"
#include "storage/event_store.h"

// The application layer: runs commands through the domain into the store and
// answers queries from views, indexes and the log. No gRPC here, so tests,
// the importer and the server share it. Thread-safe.
namespace dxledger::ledger {

struct CommandRequest {
  std::string method;  // names the operation for request-id fingerprints
  domain::Command command;
  std::string actor;  // the authenticated principal
  std::string request_id;
  std::string reason;
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
  // the store's writer thread). Errors are those of domain::Decide, plus
  // INVALID_ARGUMENT when request_id was used for a different request.
  void Execute(CommandRequest request, CommandCallback done);
  absl::StatusOr<CommandOutcome> ExecuteAndWait(CommandRequest request);

  // NOT_FOUND when the goal does not exist.
  absl::StatusOr<v1::Goal> GetGoal(const domain::GoalName& name);
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

  // Verifies the hash chain, then compares every stored view with a rebuild
  // from the log. DATA_LOSS names the first position or goal that differs.
  absl::StatusOr<VerifyReport> Verify();
  // Rewrites every view from the log; returns how many. Run with no writers.
  absl::StatusOr<uint64_t> RebuildViews();

 private:
  void Attempt(CommandRequest request, int attempts_left, CommandCallback done);
  absl::StatusOr<std::optional<v1::Goal>> LoadView(const std::string& stream);
  absl::StatusOr<CommandOutcome> Replay(const domain::GoalName& goal,
                                        const storage::RequestRecord& record);
  absl::StatusOr<std::vector<v1::Event>> ReadEvents(const std::vector<uint64_t>& positions);

  storage::EventStore& store_;
  const std::string default_organization_;
  const Clock clock_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_LEDGER_H_
