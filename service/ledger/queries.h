#ifndef DXLEDGER_SERVICE_LEDGER_QUERIES_H_
#define DXLEDGER_SERVICE_LEDGER_QUERIES_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/ledger.pb.h"
#include "dxledger/v1/principals.pb.h"
#include "service/domain/names.h"
#include "storage/event_store.h"
#include "storage/hash_chain.h"

// The read side: goals, their history and the log, as of now or of any
// earlier point, answered from views, indexes and the goals' own streams,
// never by replaying the log. Thread-safe; reads see every write that has
// been answered.
namespace dxledger::ledger {

struct GoalFilter {
  std::string organization;
  int fiscal_year = 0;  // 0: any
  std::string department;
  std::optional<v1::Rating> rating;
  bool include_retired = false;
  std::optional<uint64_t> as_of;  // a log position; nullopt: now
  // Goals whose title's domain::SearchKey holds this (already a SearchKey).
  std::string title_key;
  std::optional<bool> principal;
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

struct SecurityEventFilter {
  std::string principal, method, code;
  std::optional<absl::Time> start_time, end_time;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
};

class Queries {
 public:
  using Clock = std::function<absl::Time()>;
  // `store` must outlive the queries; `clock` tells what "the future" is.
  Queries(storage::EventStore& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

  storage::Head head() const { return store_.GetHead(); }

  // The log position an AsOf stands for (the last committed at or before
  // its time); nullopt for now. OUT_OF_RANGE for a position past the head
  // or a time in the future: their answers could still change.
  absl::StatusOr<std::optional<uint64_t>> ResolveAsOf(const AsOf& as_of);

  // NOT_FOUND when the goal does not exist (or did not yet at `as_of`).
  absl::StatusOr<v1::Goal> GetGoal(const domain::GoalName& name,
                                   std::optional<uint64_t> as_of = std::nullopt);
  // One page of goals (INVALID_ARGUMENT for a bad size or token).
  absl::StatusOr<Page<v1::Goal>> ListGoals(const GoalFilter& filter, int page_size,
                                           std::string_view page_token);
  // Every goal of the organization (of `fiscal_year` unless 0), retired too.
  absl::StatusOr<std::vector<v1::Goal>> AllGoals(std::string_view organization, int fiscal_year,
                                                 std::optional<uint64_t> as_of = std::nullopt);
  // The goal's events in order; NOT_FOUND for an unknown goal.
  absl::StatusOr<Page<v1::Event>> ListGoalEvents(const domain::GoalName& name, int page_size,
                                                 std::string_view page_token);
  absl::StatusOr<Page<v1::RatingChange>> ListRatingChanges(const RatingChangeFilter& filter,
                                                           int page_size,
                                                           std::string_view page_token);
  // The log from `start_position` on, each event checked against its hash.
  absl::StatusOr<Page<v1::Event>> ReadLog(uint64_t start_position, int page_size,
                                          std::string_view page_token);

  // Visits up to `limit` events from `start_position` on as they are
  // stored, each checked against its own hash (DATA_LOSS), until `visit`
  // returns false; the views are valid during the call only. For streaming
  // the log out without decoding it (see AppendEventBytes).
  absl::Status ScanLog(uint64_t start_position, size_t limit,
                       absl::FunctionRef<bool(const storage::EventView& event)> visit) {
    return storage::ScanEvents(store_, start_position, limit, /*check=*/true, visit);
  }

  // The goal after its first `version` events (all when nullopt), or after
  // its events up to log position `position` (NOT_FOUND when it had none by
  // then). Cost grows with the goal's own history only.
  absl::StatusOr<v1::Goal> FoldGoal(const domain::GoalName& name,
                                    std::optional<uint64_t> version = std::nullopt);
  absl::StatusOr<v1::Goal> FoldGoalAt(const domain::GoalName& name, uint64_t position);

  // The year's view (as of log position `as_of` when given), or its
  // implicit state when nothing was written to it; INVALID_ARGUMENT for a
  // year out of range.
  absl::StatusOr<v1::FiscalYear> GetFiscalYear(const domain::FiscalYearName& name,
                                               std::optional<uint64_t> as_of = std::nullopt);

  // Ancestors and descendants of a goal across years; cost grows with the
  // lineage, not with the log (history.cc, as the next two).
  absl::StatusOr<Lineage> GetLineage(const domain::GoalName& name, std::optional<uint64_t> as_of);
  absl::StatusOr<std::vector<v1::YearOverYearRow>> GetYearOverYear(const domain::GoalName& name,
                                                                   std::optional<uint64_t> as_of);
  absl::StatusOr<std::vector<v1::YearRatingSummary>> GetRatingSummary(
      std::string_view organization, std::string_view department, std::optional<uint64_t> as_of);

  // Principals and the security log (principal_queries.cc).
  absl::StatusOr<std::vector<v1::Principal>> ListPrincipals();
  absl::StatusOr<Page<v1::SecurityEvent>> ListSecurityEvents(const SecurityEventFilter& filter,
                                                             int page_size,
                                                             std::string_view page_token);

 private:
  // Appends the goals of `ids` (of the filter's organization, as of its
  // point) that pass the filter.
  absl::Status AddGoals(const GoalFilter& filter, const std::vector<std::string>& ids,
                        std::vector<v1::Goal>& goals);
  // A stream's records up to log position `position`, in order.
  absl::StatusOr<std::vector<storage::LogRecord>> RecordsUpTo(const std::string& stream,
                                                              uint64_t position);

  storage::EventStore& store_;
  const Clock clock_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_QUERIES_H_
