// Maintenance::Verify and Maintenance::RebuildViews: views, index entries
// and the stream index are a cache of the log; these prove (and, for views
// and index entries, restore) that.
#include <thread>

#include "fmt/format.h"
#include "service/ledger/log_projection.h"
#include "service/ledger/maintenance.h"

namespace dxledger::ledger {
namespace {

absl::Status Mismatch(std::string_view what, std::string_view how) {
  return absl::DataLossError(fmt::format("{} {} the log: rebuild the views", what, how));
}

// Merges the stored entries of `keyspace` (in key order) with the expected
// ones (sorted the same way): DATA_LOSS naming the first entry stored but
// not expected, expected but not stored, or different. `key_of`, `bytes_of`
// and `describe` read an expected entry.
template <typename Entry, typename KeyOf, typename BytesOf, typename Describe>
absl::Status Compare(storage::EventStore& store, storage::Keyspace keyspace,
                     const std::vector<Entry>& expected, KeyOf key_of, BytesOf bytes_of,
                     Describe describe, uint64_t& checked) {
  size_t next = 0;
  absl::Status mismatch;
  absl::Status scanned =
      store.Scan(keyspace, "", "", [&](std::string_view key, std::string_view bytes) {
        if (next < expected.size() && std::string_view(key_of(expected[next])) < key) {
          mismatch = Mismatch(describe(expected[next], key_of(expected[next])),
                              "is missing though it follows from");
        } else if (next == expected.size() || key_of(expected[next]) != key) {
          mismatch = Mismatch(fmt::format("{} entry {:?}", describe.kind, key),
                              "is stored but does not follow from");
        } else if (bytes_of(expected[next]) != bytes) {
          mismatch = Mismatch(describe(expected[next], key), "differs from");
        }
        if (!mismatch.ok()) return false;
        ++next;
        ++checked;
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!mismatch.ok()) return mismatch;
  if (next < expected.size()) {
    return Mismatch(describe(expected[next], key_of(expected[next])),
                    "is missing though it follows from");
  }
  return absl::OkStatus();
}

struct DescribeView {
  const char* kind = "a view";
  std::string operator()(const ProjectedView& view, std::string_view) const {
    return fmt::format("the view of {}", view.name);
  }
};

struct DescribeIndexEntry {
  const char* kind = "an index";
  std::string operator()(const std::pair<std::string, std::string>&, std::string_view) const {
    return "an index entry (goals by year or rating change)";
  }
};

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
  absl::Status views = Compare(
      store, storage::Keyspace::kViews, rebuilt->views,
      [](const ProjectedView& v) -> const std::string& { return v.stream; },
      [](const ProjectedView& v) -> const std::string& { return v.bytes; }, DescribeView{},
      report.views_checked);
  if (!views.ok()) return views;
  uint64_t index_checked = 0;
  absl::Status index = Compare(
      store, storage::Keyspace::kIndex, rebuilt->index,
      [](const auto& entry) -> const std::string& { return entry.first; },
      [](const auto& entry) -> const std::string& { return entry.second; }, DescribeIndexEntry{},
      index_checked);
  if (!index.ok()) return index;
  if (!copies.ok()) return copies.status();
  if (absl::Status s = storage::MatchStreamIndex(*copies, rebuilt->hashes); !s.ok()) return s;
  return report;
}

absl::StatusOr<uint64_t> Maintenance::RebuildViews() {
  absl::StatusOr<Projections> rebuilt = ProjectLog(store_);
  if (!rebuilt.ok()) return rebuilt.status();
  std::vector<std::pair<std::string, storage::StoredView>> views;
  views.reserve(rebuilt->views.size());
  for (ProjectedView& view : rebuilt->views) {
    views.emplace_back(std::move(view.stream),
                       storage::StoredView{view.version, std::move(view.bytes)});
  }
  if (absl::Status s = store_.ReplaceProjections(views, rebuilt->index); !s.ok()) return s;
  return views.size();
}

}  // namespace dxledger::ledger
