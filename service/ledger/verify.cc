// Maintenance::Verify and Maintenance::RebuildViews: views, index entries
// and the stream index are a cache of the log; these prove (and, for views
// and index entries, restore) that.
#include <algorithm>
#include <array>
#include <map>

#include "fmt/format.h"
#include "service/domain/fiscal_years.h"
#include "service/domain/goal.h"
#include "service/domain/principals.h"
#include "service/ledger/codec.h"
#include "service/ledger/maintenance.h"
#include "service/ledger/projection.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"

namespace dxledger::ledger {
namespace {

constexpr size_t kLogPage = 4096;

// The first 16 bytes of an event's hash: what the stream index's copy of the
// event is held against. A forged copy that hashes right would need a
// 128-bit preimage; keeping 16 bytes, not 32, halves the memory verify needs
// (16 MiB for a million events).
using HashPrefix = std::array<char, 16>;

HashPrefix PrefixOf(std::string_view hash) {
  HashPrefix prefix{};
  std::copy_n(hash.begin(), std::min(hash.size(), prefix.size()), prefix.begin());
  return prefix;
}

// Everything the log projects to, rebuilt in one pass over the log.
struct Projections {
  std::map<std::string, v1::Goal> goals;            // by stream
  std::map<std::string, v1::FiscalYear> years;      // by stream
  std::map<std::string, v1::Principal> principals;  // by stream
  std::map<std::string, std::string> index;

  // Every view, encoded as stored.
  std::map<std::string, std::string> Views() const {
    std::map<std::string, std::string> views;
    for (const auto& [stream, goal] : goals) views[stream] = EncodeGoal(goal);
    for (const auto& [stream, year] : years) views[stream] = EncodeDeterministic(year);
    for (const auto& [stream, p] : principals) views[stream] = EncodeDeterministic(p);
    return views;
  }
};

// Folds a fiscal year's own event into its view.
absl::Status ProjectYear(const v1::Event& event, Projections& projections) {
  absl::StatusOr<domain::FiscalYearName> name = domain::ParseFiscalYearName(event.goal());
  if (!name.ok()) {
    return absl::DataLossError(
        fmt::format("event at position {} names no valid stream", event.position()));
  }
  auto [it, added] = projections.years.try_emplace(StreamOfYear(*name));
  if (added) it->second = domain::ImplicitYear(*name);
  domain::ApplyToYear(event, it->second);
  return absl::OkStatus();
}

// The index entries of one event, with their position suffixes resolved.
void AddIndexEntries(const domain::GoalName& name, const v1::Event& event, const v1::Goal& goal,
                     std::map<std::string, std::string>& index) {
  for (storage::IndexWrite& entry :
       IndexEntries(name.organization, absl::MakeConstSpan(&event, 1), goal)) {
    if (entry.position_suffix) storage::keys::AppendBigEndian64(event.position(), entry.key);
    index[std::move(entry.key)] = std::move(entry.value);
  }
}

// Folds the whole log; with `hashes`, also keeps each event's hash prefix,
// by position - 1.
absl::StatusOr<Projections> Project(storage::EventStore& store,
                                    std::vector<HashPrefix>* hashes = nullptr) {
  Projections projections;
  for (uint64_t next = 1;;) {
    absl::StatusOr<std::vector<storage::LogRecord>> records = store.ReadLog(next, kLogPage);
    if (!records.ok()) return records.status();
    if (records->empty()) return projections;
    for (const storage::LogRecord& record : *records) {
      if (hashes != nullptr) hashes->push_back(PrefixOf(record.hash));
      absl::StatusOr<v1::Event> event = DecodeEvent(record);
      if (!event.ok()) return event.status();
      if (event->goal().starts_with("principals/")) {
        domain::ApplyToPrincipal(*event, projections.principals[event->goal()]);
        continue;
      }
      if (event->goal().find("/fiscalYears/") != std::string::npos) {
        if (absl::Status s = ProjectYear(*event, projections); !s.ok()) return s;
        continue;
      }
      absl::StatusOr<domain::GoalName> name = domain::ParseGoalName(event->goal(), "");
      if (!name.ok()) {
        return absl::DataLossError(
            fmt::format("event at position {} names no valid goal", record.position));
      }
      v1::Goal& goal = projections.goals[StreamOf(*name)];
      if (event->version() != goal.version() + 1) {
        return absl::DataLossError(
            fmt::format("event at position {} has version {} but goal {} is at version {}",
                        record.position, event->version(), event->goal(), goal.version()));
      }
      domain::Apply(*event, goal);
      AddIndexEntries(*name, *event, goal, projections.index);
    }
    next = records->back().position + 1;
  }
}

// DATA_LOSS naming the first stored entry of `keyspace` that is not the
// expected one, or the first expected entry that is missing.
template <typename Expected, typename Same, typename Describe>
absl::Status Compare(storage::EventStore& store, storage::Keyspace keyspace,
                     const Expected& expected, Same same, Describe describe, uint64_t& checked) {
  absl::Status mismatch;
  absl::Status scanned =
      store.Scan(keyspace, "", "", [&](std::string_view key, std::string_view bytes) {
        auto it = expected.find(std::string(key));
        if (it == expected.end() || !same(it->second, bytes)) {
          mismatch = absl::DataLossError(fmt::format(
              "{} {} the log: rebuild the views", describe(key),
              it == expected.end() ? "is stored but does not follow from" : "differs from"));
          return false;
        }
        ++checked;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!mismatch.ok()) return mismatch;
  if (checked != expected.size()) {
    return absl::DataLossError(fmt::format("{} entries follow from the log but only {} are stored",
                                           expected.size(), checked));
  }
  return absl::OkStatus();
}

// The stream whose index holds `event`.
absl::StatusOr<std::string> StreamOfEvent(const v1::Event& event) {
  if (event.goal().starts_with("principals/")) return event.goal();
  if (event.goal().find("/fiscalYears/") != std::string::npos) {
    absl::StatusOr<domain::FiscalYearName> year = domain::ParseFiscalYearName(event.goal());
    if (year.ok()) return StreamOfYear(*year);
  } else if (absl::StatusOr<domain::GoalName> goal = domain::ParseGoalName(event.goal(), "");
             goal.ok()) {
    return StreamOf(*goal);
  }
  return absl::DataLossError(
      fmt::format("event at position {} names no valid stream", event.position()));
}

// The log's record at `position` as the stream index entry holds it: its
// copy, held against the log's hash at that position (`hashes`, from the one
// pass over the log), or for an entry written before the index carried
// copies, the log's record itself.
absl::StatusOr<storage::LogRecord> RecordOfEntry(storage::EventStore& store, uint64_t position,
                                                 std::string_view entry,
                                                 const std::vector<HashPrefix>& hashes) {
  if (entry.size() == 8) return store.ReadEvent(position);
  absl::StatusOr<storage::LogRecord> copy =
      storage::DecodeLogValue(position, entry.substr(8), /*check=*/true);
  if (!copy.ok()) return copy.status();
  if (position == 0 || position > hashes.size() || PrefixOf(copy->hash) != hashes[position - 1]) {
    return absl::DataLossError("the copy is not the log's event");
  }
  return copy;
}

// The stream index is a cache of the log as well: each entry must sit at its
// event's stream and version and carry the log's record of it unaltered, and
// there must be one entry for each of the log's events. One scan, no reads of
// the log: each copy must hash right and match the log's hash.
absl::Status VerifyStreams(storage::EventStore& store, const std::vector<HashPrefix>& hashes) {
  uint64_t checked = 0;
  absl::Status mismatch;
  absl::Status scanned = store.Scan(
      storage::Keyspace::kStreams, "", "", [&](std::string_view key, std::string_view entry) {
        uint64_t position = 0;
        storage::keys::ReadBigEndian64(entry, position);
        absl::StatusOr<storage::LogRecord> record = RecordOfEntry(store, position, entry, hashes);
        absl::StatusOr<v1::Event> event =
            record.ok() ? DecodeEvent(*record) : absl::StatusOr<v1::Event>(record.status());
        absl::StatusOr<std::string> stream =
            event.ok() ? StreamOfEvent(*event) : absl::StatusOr<std::string>(event.status());
        if (!stream.ok() || storage::keys::StreamKey(*stream, event->version()) != key) {
          mismatch = absl::DataLossError(fmt::format(
              "the stream index entry for position {} differs from the log{}", position,
              stream.ok() ? fmt::format(" (event {} of {})", event->version(), *stream) : ""));
          return false;
        }
        ++checked;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!mismatch.ok()) return mismatch;
  if (checked != hashes.size()) {
    return absl::DataLossError(fmt::format(
        "the log holds {} events but the stream index has {} entries", hashes.size(), checked));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VerifyReport> Maintenance::Verify() {
  // Every check reads the same moment of the store: appends that land while
  // it runs are neither half seen nor mistaken for damage.
  absl::StatusOr<std::unique_ptr<storage::EventStore>> snapshot = store_.Snapshot();
  if (!snapshot.ok()) return snapshot.status();
  storage::EventStore& store = **snapshot;
  absl::StatusOr<storage::ChainReport> chain = storage::VerifyChain(store);
  if (!chain.ok()) return chain.status();
  std::vector<HashPrefix> hashes;
  hashes.reserve(chain->events_checked);
  absl::StatusOr<Projections> rebuilt = Project(store, &hashes);
  if (!rebuilt.ok()) return rebuilt.status();
  VerifyReport report{chain->events_checked, chain->head, 0};
  const std::map<std::string, std::string> expected = rebuilt->Views();
  absl::Status views = Compare(
      store, storage::Keyspace::kViews, expected,
      [](const std::string& value, std::string_view bytes) { return value == bytes; },
      [&](std::string_view stream) {
        auto it = rebuilt->goals.find(std::string(stream));
        return fmt::format("the view of {}",
                           it == rebuilt->goals.end() ? std::string(stream) : it->second.name());
      },
      report.views_checked);
  if (!views.ok()) return views;
  uint64_t index_checked = 0;
  absl::Status index = Compare(
      store, storage::Keyspace::kIndex, rebuilt->index,
      [](const std::string& value, std::string_view bytes) { return value == bytes; },
      [](std::string_view) {
        return std::string("an index entry (goals by year or rating change)");
      },
      index_checked);
  if (!index.ok()) return index;
  if (absl::Status streams = VerifyStreams(store, hashes); !streams.ok()) {
    return streams;
  }
  return report;
}

absl::StatusOr<uint64_t> Maintenance::RebuildViews() {
  absl::StatusOr<Projections> rebuilt = Project(store_);
  if (!rebuilt.ok()) return rebuilt.status();
  std::map<std::string, storage::StoredView> views;
  for (const auto& [stream, goal] : rebuilt->goals) {
    views[stream] = storage::StoredView{goal.version(), EncodeGoal(goal)};
  }
  for (const auto& [stream, year] : rebuilt->years) {
    views[stream] = storage::StoredView{year.version(), EncodeDeterministic(year)};
  }
  for (const auto& [stream, principal] : rebuilt->principals) {
    views[stream] = storage::StoredView{principal.version(), EncodeDeterministic(principal)};
  }
  if (absl::Status s = store_.ReplaceProjections(views, rebuilt->index); !s.ok()) return s;
  return views.size();
}

}  // namespace dxledger::ledger
