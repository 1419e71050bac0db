// Ledger::Verify and Ledger::RebuildViews: the views are a cache of the log,
// and these prove or restore that.
#include <map>

#include "fmt/format.h"
#include "service/domain/goal.h"
#include "service/ledger/codec.h"
#include "service/ledger/ledger.h"
#include "storage/hash_chain.h"

namespace dxledger::ledger {
namespace {

constexpr size_t kLogPage = 4096;

// Folds the whole log, in one pass, into every goal's view keyed by stream.
absl::StatusOr<std::map<std::string, v1::Goal>> FoldAll(storage::EventStore& store) {
  std::map<std::string, v1::Goal> goals;
  for (uint64_t next = 1;;) {
    absl::StatusOr<std::vector<storage::LogRecord>> records = store.ReadLog(next, kLogPage);
    if (!records.ok()) return records.status();
    if (records->empty()) return goals;
    for (const storage::LogRecord& record : *records) {
      absl::StatusOr<v1::Event> event = DecodeEvent(record);
      if (!event.ok()) return event.status();
      absl::StatusOr<domain::GoalName> name = domain::ParseGoalName(event->goal(), "");
      if (!name.ok()) {
        return absl::DataLossError(
            fmt::format("event at position {} names no valid goal", record.position));
      }
      v1::Goal& goal = goals[StreamOf(*name)];
      if (event->version() != goal.version() + 1) {
        return absl::DataLossError(
            fmt::format("event at position {} has version {} but goal {} is at version {}",
                        record.position, event->version(), event->goal(), goal.version()));
      }
      domain::Apply(*event, goal);
    }
    next = records->back().position + 1;
  }
}

}  // namespace

absl::StatusOr<VerifyReport> Ledger::Verify() {
  absl::StatusOr<storage::ChainReport> chain = storage::VerifyChain(store_);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::map<std::string, v1::Goal>> rebuilt = FoldAll(store_);
  if (!rebuilt.ok()) return rebuilt.status();
  VerifyReport report{chain->events_checked, chain->head, 0};
  absl::Status mismatch;
  absl::Status scanned = store_.Scan(
      storage::Keyspace::kViews, "", "", [&](std::string_view stream, std::string_view bytes) {
        auto it = rebuilt->find(std::string(stream));
        if (it == rebuilt->end()) {
          mismatch = absl::DataLossError(
              fmt::format("a view is stored for {} but the log has no events for it", stream));
          return false;
        }
        if (EncodeGoal(it->second) != bytes) {
          mismatch = absl::DataLossError(fmt::format(
              "the stored view of {} differs from its rebuild from the log", it->second.name()));
          return false;
        }
        ++report.views_checked;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!mismatch.ok()) return mismatch;
  if (report.views_checked != rebuilt->size()) {
    return absl::DataLossError(fmt::format("the log has {} goals but only {} views are stored",
                                           rebuilt->size(), report.views_checked));
  }
  return report;
}

absl::StatusOr<uint64_t> Ledger::RebuildViews() {
  absl::StatusOr<std::map<std::string, v1::Goal>> rebuilt = FoldAll(store_);
  if (!rebuilt.ok()) return rebuilt.status();
  std::vector<std::pair<std::string, storage::StoredView>> views;
  for (const auto& [stream, goal] : *rebuilt) {
    views.push_back({stream, storage::StoredView{goal.version(), EncodeGoal(goal)}});
  }
  if (absl::Status s = store_.PutViews(views); !s.ok()) return s;
  return views.size();
}

}  // namespace dxledger::ledger
