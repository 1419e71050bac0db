// Maintenance::Verify and Maintenance::RebuildViews: views, index entries,
// the time index and the stream index are a cache of the log, request
// records and the Merkle tree are bound to it; these prove that (and
// rebuild the cache).
#include <algorithm>
#include <thread>

#include "absl/time/time.h"
#include "fmt/format.h"
#include "service/ledger/log_projection.h"
#include "service/ledger/maintenance.h"
#include "storage/keys.h"

namespace dxledger::ledger {
namespace {

// What the operator can do when a kind of entry no longer follows from the
// log: views, index entries and the time index are rebuilt from it; request
// records and the Merkle tree are not (a fingerprint is not in the log, and
// a tree that differs means the log or the tree was altered).
constexpr std::string_view kRebuild = "rebuild the views";
constexpr std::string_view kRestore = "restore the data directory from a backup";

// Merges the stored entries of `keyspace` (in key order) with the expected
// ones (sorted the same way): DATA_LOSS naming the first entry stored but
// not expected, expected but not stored, or different. `key_of` and `same`
// read an expected entry; `describe` names an entry by its key.
template <typename Entry, typename KeyOf, typename Same, typename Describe>
absl::Status Compare(storage::EventStore& store, storage::Keyspace keyspace,
                     const std::vector<Entry>& expected, KeyOf key_of, Same same, Describe describe,
                     std::string_view remedy, uint64_t& checked) {
  auto mismatch = [&](std::string_view key, std::string_view how) {
    return absl::DataLossError(fmt::format("{} {} the log: {}", describe(key), how, remedy));
  };
  size_t next = 0;
  absl::Status found;
  absl::Status scanned =
      store.Scan(keyspace, "", "", [&](std::string_view key, std::string_view bytes) {
        if (next < expected.size() && std::string_view(key_of(expected[next])) < key) {
          found = mismatch(key_of(expected[next]), "is missing though it follows from");
        } else if (next == expected.size() || key_of(expected[next]) != key) {
          found = mismatch(key, "is stored but does not follow from");
        } else if (!same(expected[next], bytes)) {
          found = mismatch(key, "differs from");
        }
        if (!found.ok()) return false;
        ++next;
        ++checked;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!found.ok()) return found;
  if (next < expected.size()) {
    return mismatch(key_of(expected[next]), "is missing though it follows from");
  }
  return absl::OkStatus();
}

const std::string& KeyOfEntry(const std::pair<std::string, std::string>& entry) {
  return entry.first;
}
bool SameEntry(const std::pair<std::string, std::string>& entry, std::string_view bytes) {
  return entry.second == bytes;
}

// Names a view by its resource name when the log has the stream.
auto DescribeViewIn(const std::vector<ProjectedView>& views) {
  return [&views](std::string_view stream) {
    auto it = std::lower_bound(
        views.begin(), views.end(), stream,
        [](const ProjectedView& view, std::string_view key) { return view.stream < key; });
    if (it != views.end() && it->stream == stream) return fmt::format("the view of {}", it->name);
    return fmt::format("the view of stream {:?}", stream);
  };
}

std::string DescribeIndexEntry(std::string_view key) {
  return fmt::format("the index entry {:?} (goals by year or rating change)", key);
}

// scope '\0' actor '\0' request id
std::string DescribeRequest(std::string_view key) {
  const size_t scope_end = key.find('\0');
  const size_t actor_end = key.find('\0', scope_end + 1);
  if (actor_end == std::string_view::npos) return fmt::format("the request record {:?}", key);
  const std::string_view scope = key.substr(0, scope_end);
  return fmt::format("the record of request id {:?} sent by {} ({})", key.substr(actor_end + 1),
                     key.substr(scope_end + 1, actor_end - scope_end - 1),
                     scope.empty() ? "the server" : scope);
}

std::string DescribeCommitTime(std::string_view key) {
  uint64_t micros = 0;
  if (!storage::keys::ReadBigEndian64(key.substr(1), micros)) {
    return fmt::format("the time-index entry {:?}", key);
  }
  return fmt::format(
      "the time-index entry for {}",
      absl::FormatTime(absl::RFC3339_full, absl::FromUnixMicros(static_cast<int64_t>(micros)),
                       absl::UTCTimeZone()));
}

std::string DescribeTreeRecord(std::string_view key) {
  uint64_t index = 0;
  if (key.size() != 9 || !storage::keys::ReadBigEndian64(key.substr(1), index)) {
    return fmt::format("the Merkle tree's record {:?}", key);
  }
  return fmt::format("the Merkle tree's record at level {} index {}", static_cast<uint8_t>(key[0]),
                     index);
}

// A request record: BE64(first) BE64(last) fingerprint.
bool SameRequest(const ProjectedRequest& request, std::string_view bytes) {
  uint64_t first = 0, last = 0;
  return storage::keys::ReadBigEndian64(bytes, first) &&
         storage::keys::ReadBigEndian64(bytes.substr(8), last) && first == request.first &&
         last == request.last && bytes.size() > 16;
}

}  // namespace

absl::StatusOr<VerifyReport> Maintenance::Verify() {
  // Every check reads the same moment of the store: appends that land while
  // it runs are neither half seen nor mistaken for damage.
  absl::StatusOr<std::unique_ptr<storage::EventStore>> snapshot = store_.Snapshot();
  if (!snapshot.ok()) return snapshot.status();
  storage::EventStore& store = **snapshot;
  // The stream index is scanned on a second core while the log is walked
  // on this one; the two meet in MatchStreamIndex.
  absl::StatusOr<std::vector<storage::HashPrefix>> copies;
  std::thread index_scan(
      [&] { copies = storage::ScanStreamIndex(store, store.GetHead().position, PlaceOfEvent); });
  absl::StatusOr<Projections> rebuilt = ProjectLog(store);
  index_scan.join();
  if (!rebuilt.ok()) return rebuilt.status();
  VerifyReport report{rebuilt->chain.events_checked, rebuilt->chain.head, 0};
  const Projections& p = *rebuilt;
  using storage::Keyspace;
  uint64_t checked = 0;
  // The tree and the request records first: when they differ the log
  // itself may have been altered, and rebuilding the views from it would
  // spread the damage.
  absl::Status compared = Compare(store, Keyspace::kTree, p.tree, KeyOfEntry, SameEntry,
                                  DescribeTreeRecord, kRestore, checked);
  if (compared.ok()) {
    compared = Compare(
        store, Keyspace::kRequests, p.requests,
        [](const ProjectedRequest& r) -> const std::string& { return r.key; }, SameRequest,
        DescribeRequest, kRestore, checked);
  }
  if (compared.ok()) {
    compared = Compare(
        store, Keyspace::kViews, p.views,
        [](const ProjectedView& v) -> const std::string& { return v.stream; },
        [](const ProjectedView& v, std::string_view bytes) { return v.bytes == bytes; },
        DescribeViewIn(p.views), kRebuild, report.views_checked);
  }
  if (compared.ok()) {
    compared = Compare(store, Keyspace::kIndex, p.index, KeyOfEntry, SameEntry, DescribeIndexEntry,
                       kRebuild, checked);
  }
  if (compared.ok()) {
    compared = Compare(store, Keyspace::kCommitTimes, p.commit_times, KeyOfEntry, SameEntry,
                       DescribeCommitTime, kRebuild, checked);
  }
  if (!compared.ok()) return compared;
  if (!copies.ok()) return copies.status();
  if (absl::Status s = storage::MatchStreamIndex(*copies, rebuilt->hashes); !s.ok()) return s;
  absl::StatusOr<storage::SecurityHead> security = store.VerifySecurityLog();
  if (!security.ok()) return security.status();
  report.security_records_checked = security->records;
  return report;
}

absl::StatusOr<uint64_t> Maintenance::RebuildViews() {
  absl::StatusOr<Projections> rebuilt = ProjectLog(store_, /*bound=*/false);
  if (!rebuilt.ok()) return rebuilt.status();
  std::vector<std::pair<std::string, storage::StoredView>> views;
  views.reserve(rebuilt->views.size());
  for (ProjectedView& view : rebuilt->views) {
    views.emplace_back(std::move(view.stream),
                       storage::StoredView{view.version, std::move(view.bytes)});
  }
  if (absl::Status s = store_.ReplaceProjections(views, rebuilt->index, rebuilt->commit_times);
      !s.ok())
    return s;
  return views.size();
}

}  // namespace dxledger::ledger
