#include "storage/log_store.h"

#include <algorithm>
#include <future>

#include "base/thread_name.h"
#include "fmt/format.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"
#include "storage/log_tree.h"

namespace dxledger::storage {

absl::StatusOr<AppendResult> EventStore::AppendAndWait(AppendRequest request) {
  std::promise<absl::StatusOr<AppendResult>> promise;
  std::future<absl::StatusOr<AppendResult>> future = promise.get_future();
  Append(std::move(request),
         [&promise](absl::StatusOr<AppendResult> result) { promise.set_value(std::move(result)); });
  return future.get();
}

namespace {

absl::StatusOr<Head> ReadHead(KvBackend& kv) {
  absl::StatusOr<std::optional<std::string>> value = kv.Get(Family::kMeta, keys::kHeadKey);
  if (!value.ok()) return value.status();
  Head head;
  if (value->has_value()) {
    const std::string& bytes = **value;
    if (bytes.size() != 8 + kHashBytes || !keys::ReadBigEndian64(bytes, head.position)) {
      return absl::DataLossError("the log's head record is malformed");
    }
    head.hash = bytes.substr(8);
  }
  // The last record time: the newest entry of the time index.
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> last =
      kv.Floor(Family::kMeta, keys::kCommitTimePrefix, keys::CommitTimeKey(UINT64_MAX));
  if (!last.ok()) return last.status();
  uint64_t micros = 0;
  if (last->has_value() &&
      !keys::ReadBigEndian64(std::string_view((*last)->first).substr(1), micros)) {
    return absl::DataLossError("a commit-time record's key is malformed");
  }
  head.record_micros = static_cast<int64_t>(micros);
  return head;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(std::unique_ptr<KvBackend> kv, bool sync) {
  absl::StatusOr<Head> head = ReadHead(*kv);
  if (!head.ok()) return head.status();
  absl::StatusOr<LogTree> tree = OpenTree(*kv, head->position);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::unique_ptr<SecurityLog>> security = SecurityLog::Open(*kv);
  if (!security.ok()) return security.status();
  return std::unique_ptr<LogStore>(
      new LogStore(std::move(kv), *std::move(security), *std::move(head), *std::move(tree), sync));
}

absl::StatusOr<std::unique_ptr<EventStore>> LogStore::Checkpoint(const std::string& directory) {
  absl::StatusOr<std::unique_ptr<KvBackend>> copy = kv_->Checkpoint(directory);
  if (!copy.ok()) return copy.status();
  absl::StatusOr<std::unique_ptr<LogStore>> store = Open(*std::move(copy), /*sync=*/true);
  if (!store.ok()) return store.status();
  return std::unique_ptr<EventStore>(*std::move(store));
}

absl::StatusOr<std::unique_ptr<EventStore>> LogStore::Snapshot() {
  std::unique_ptr<KvBackend> kv = kv_->Snapshot();
  absl::StatusOr<Head> head = ReadHead(*kv);
  if (!head.ok()) return head.status();
  absl::StatusOr<std::unique_ptr<SecurityLog>> security = SecurityLog::Open(*kv);
  if (!security.ok()) return security.status();
  return std::unique_ptr<EventStore>(
      new LogStore(std::move(kv), *std::move(security), *std::move(head)));
}

LogStore::LogStore(std::unique_ptr<KvBackend> kv, std::unique_ptr<SecurityLog> security, Head head,
                   LogTree tree, bool sync)
    : kv_(std::move(kv)),
      security_(std::move(security)),
      writer_(std::make_unique<GroupCommitWriter>(*kv_, std::move(head), std::move(tree), sync)) {}

LogStore::LogStore(std::unique_ptr<KvBackend> kv, std::unique_ptr<SecurityLog> security, Head head)
    : kv_(std::move(kv)), security_(std::move(security)), snapshot_head_(std::move(head)) {}

// Closed before it is destroyed: an answer may still append through this
// store (a retry) while the writer drains.
LogStore::~LogStore() {
  stop_warming_ = true;
  (void)WaitProofsWarm();
  if (writer_ != nullptr) writer_->Close();
}

void LogStore::StartWarmingProofs(std::function<void(const absl::Status&)> done) {
  if (warmer_.joinable()) return;
  warmer_ = std::thread([this, size = GetHead().position, done = std::move(done)] {
    warmed_ = FillNodeCache(*kv_, size, tree_nodes_, stop_warming_);
    if (done) done(warmed_);
  });
  base::NameThread(warmer_, "dxl-proof-warm");
}

absl::Status LogStore::WaitProofsWarm() {
  if (warmer_.joinable()) warmer_.join();
  return warmed_;
}

void LogStore::Append(AppendRequest request, AppendCallback done) {
  if (writer_ == nullptr) {
    return std::move(done)(absl::FailedPreconditionError("a snapshot of the store is read-only"));
  }
  writer_->Submit(std::move(request), std::move(done));
}

Head LogStore::GetHead() { return writer_ != nullptr ? writer_->head() : snapshot_head_; }

absl::StatusOr<uint64_t> LogStore::PositionAt(int64_t unix_micros) {
  if (unix_micros < 0) return 0;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> entry =
      kv_->Floor(Family::kMeta, keys::kCommitTimePrefix,
                 keys::CommitTimeKey(static_cast<uint64_t>(unix_micros)));
  if (!entry.ok()) return entry.status();
  uint64_t position = 0;
  if (entry->has_value() && !keys::ReadBigEndian64((*entry)->second, position)) {
    return absl::DataLossError("a commit-time record is malformed");
  }
  return position;
}

absl::StatusOr<std::optional<StoredView>> LogStore::ReadView(std::string_view stream) {
  absl::StatusOr<std::optional<std::string>> value = kv_->Get(Family::kViews, stream);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  StoredView view;
  if (!keys::ReadBigEndian64(**value, view.version)) {
    return absl::DataLossError(fmt::format("view of {} is truncated", stream));
  }
  (*value)->erase(0, 8);  // the version, read above
  view.bytes = **std::move(value);
  return view;
}

absl::StatusOr<std::vector<std::optional<StoredView>>> LogStore::ReadViews(
    std::span<const std::string> streams) {
  absl::StatusOr<std::vector<std::optional<std::string>>> values =
      kv_->MultiGet(Family::kViews, streams);
  if (!values.ok()) return values.status();
  std::vector<std::optional<StoredView>> views(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    std::optional<std::string>& value = (*values)[i];
    if (!value.has_value()) continue;
    StoredView& view = views[i].emplace();
    if (!keys::ReadBigEndian64(*value, view.version)) {
      return absl::DataLossError(fmt::format("view of {} is truncated", streams[i]));
    }
    value->erase(0, 8);
    view.bytes = *std::move(value);
  }
  return views;
}

absl::StatusOr<std::optional<RequestRecord>> LogStore::ReadRequest(std::string_view key) {
  absl::StatusOr<std::optional<std::string>> value = kv_->Get(Family::kRequests, key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  RequestRecord record;
  const std::string& bytes = **value;
  if (!keys::ReadBigEndian64(bytes, record.first_position) ||
      !keys::ReadBigEndian64(std::string_view(bytes).substr(8), record.last_position)) {
    return absl::DataLossError("request record is truncated");
  }
  record.fingerprint = bytes.substr(16);
  return record;
}

absl::StatusOr<LogRecord> LogStore::ReadEvent(uint64_t position) {
  absl::StatusOr<std::optional<std::string>> value =
      kv_->Get(Family::kLog, keys::BigEndian64(position));
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::NotFoundError(fmt::format("no event at position {}", position));
  }
  return DecodeLogValue(position, **value, /*check=*/true);
}

absl::StatusOr<std::vector<LogRecord>> LogStore::ReadLog(uint64_t from, size_t limit, bool check) {
  std::vector<LogRecord> records;
  if (limit == 0) return records;
  absl::Status error;
  absl::Status scanned = kv_->Scan(
      Family::kLog, "", keys::BigEndian64(from), [&](std::string_view key, std::string_view value) {
        uint64_t position = 0;
        if (!keys::ReadBigEndian64(key, position) || key.size() != 8) {
          error = absl::DataLossError("malformed key in the log");
          return false;
        }
        absl::StatusOr<LogRecord> record = DecodeLogValue(position, value, check);
        if (!record.ok()) {
          error = record.status();
          return false;
        }
        records.push_back(*std::move(record));
        return records.size() < limit;
      });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  return records;
}

absl::StatusOr<std::vector<LogRecord>> LogStore::ReadStream(std::string_view stream,
                                                            uint64_t from_version, size_t limit) {
  std::vector<LogRecord> records;
  if (limit == 0) return records;
  std::vector<size_t> legacy;  // entries holding only a position
  absl::Status error;
  absl::Status scanned = kv_->Scan(
      Family::kStreams, keys::StreamPrefix(stream), keys::StreamKey(stream, from_version),
      [&](std::string_view, std::string_view value) {
        uint64_t position = 0;
        if (!keys::ReadBigEndian64(value, position)) {
          error =
              absl::DataLossError(fmt::format("an index entry of stream {} is malformed", stream));
          return false;
        }
        if (value.size() == 8) {
          legacy.push_back(records.size());
          records.emplace_back().position = position;
        } else {
          absl::StatusOr<LogRecord> record =
              DecodeLogValue(position, value.substr(8), /*check=*/true);
          if (!record.ok()) {
            error = record.status();
            return false;
          }
          records.push_back(*std::move(record));
        }
        return records.size() < limit;
      });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  for (size_t i : legacy) {
    absl::StatusOr<LogRecord> record = ReadEvent(records[i].position);
    if (!record.ok()) return record.status();
    records[i] = *std::move(record);
  }
  return records;
}

absl::Status LogStore::CheckTreeSize(uint64_t size) {
  const uint64_t head = GetHead().position;
  if (size > head) {
    return absl::OutOfRangeError(
        fmt::format("the log holds {} events; there is no tree of {}", head, size));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> LogStore::ReadNodes(std::span<const merkle::Node> nodes,
                                                             uint64_t size) {
  return ReadTreeNodes(*kv_, nodes, size, &tree_nodes_);
}

absl::StatusOr<std::shared_ptr<const merkle::BorderFolds>> LogStore::BorderAt(uint64_t size) {
  {
    absl::MutexLock lock(&border_mu_);
    if (border_ != nullptr && border_->size() == size) return border_;
  }
  absl::StatusOr<merkle::BorderFolds> made = merkle::BorderFolds::Of(
      size, [this, size](std::span<const merkle::Node> n) { return ReadNodes(n, size); });
  if (!made.ok()) return made.status();
  auto border = std::make_shared<const merkle::BorderFolds>(*std::move(made));
  absl::MutexLock lock(&border_mu_);
  if (border_ == nullptr || border_->size() < size) border_ = border;
  return border;
}

absl::StatusOr<std::string> LogStore::TreeRoot(uint64_t size) {
  if (absl::Status s = CheckTreeSize(size); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const merkle::BorderFolds>> border = BorderAt(size);
  if (!border.ok()) return border.status();
  return (*border)->root();
}

absl::StatusOr<std::vector<std::string>> LogStore::InclusionProof(uint64_t position,
                                                                  uint64_t size) {
  if (absl::Status s = CheckTreeSize(size); !s.ok()) return s;
  if (position == 0 || position > size) {
    return absl::InvalidArgumentError(
        fmt::format("position {} is not in the tree of {} events", position, size));
  }
  absl::StatusOr<std::shared_ptr<const merkle::BorderFolds>> border = BorderAt(size);
  if (!border.ok()) return border.status();
  return merkle::InclusionProof(
      position - 1, size,
      [this, size](std::span<const merkle::Node> n) { return ReadNodes(n, size); }, border->get());
}

absl::StatusOr<std::vector<std::string>> LogStore::ConsistencyProof(uint64_t old_size,
                                                                    uint64_t size) {
  if (absl::Status s = CheckTreeSize(size); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const merkle::BorderFolds>> border = BorderAt(size);
  if (!border.ok()) return border.status();
  return merkle::ConsistencyProof(
      old_size, size, [this, size](std::span<const merkle::Node> n) { return ReadNodes(n, size); },
      border->get());
}

namespace {

std::string CheckpointKey(uint64_t size) {
  std::string key(keys::kCheckpointPrefix);
  keys::AppendBigEndian64(size, key);
  return key;
}

}  // namespace

absl::Status LogStore::RecordCheckpoint(const StoredCheckpoint& checkpoint) {
  Put put{Family::kMeta, CheckpointKey(checkpoint.size), checkpoint.note};
  return kv_->Write({&put, 1}, /*sync=*/true);
}

absl::StatusOr<std::optional<StoredCheckpoint>> LogStore::LatestCheckpoint() {
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> entry =
      kv_->Floor(Family::kMeta, keys::kCheckpointPrefix, CheckpointKey(UINT64_MAX));
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) return std::nullopt;
  StoredCheckpoint checkpoint;
  if ((*entry)->first.size() != 9 ||
      !keys::ReadBigEndian64(std::string_view((*entry)->first).substr(1), checkpoint.size)) {
    return absl::DataLossError("a checkpoint record's key is malformed");
  }
  checkpoint.note = std::move((*entry)->second);
  return checkpoint;
}

absl::StatusOr<std::optional<StoredCheckpoint>> LogStore::CheckpointAt(uint64_t size) {
  absl::StatusOr<std::optional<std::string>> note = kv_->Get(Family::kMeta, CheckpointKey(size));
  if (!note.ok()) return note.status();
  if (!note->has_value()) return std::nullopt;
  return StoredCheckpoint{size, **std::move(note)};
}

absl::Status LogStore::RecordSecurityEvent(int64_t unix_micros, std::string record) {
  return security_->Record(unix_micros, record);
}

absl::Status LogStore::Scan(Keyspace keyspace, std::string_view prefix, std::string_view start,
                            ScanVisitor visitor) {
  Family family = Family::kLog;
  switch (keyspace) {
    case Keyspace::kLog:
      family = Family::kLog;
      break;
    case Keyspace::kViews:
      family = Family::kViews;
      break;
    case Keyspace::kIndex:
      family = Family::kIndex;
      break;
    case Keyspace::kSecurity:
      family = Family::kSecurity;
      break;
    case Keyspace::kStreams:
      family = Family::kStreams;
      break;
    case Keyspace::kRequests:
      family = Family::kRequests;
      break;
    case Keyspace::kTree:
      family = Family::kTree;
      break;
    case Keyspace::kCommitTimes: {
      // The time index shares the meta family: its keys keep their "t".
      const std::string within = std::string(keys::kCommitTimePrefix).append(prefix);
      return kv_->Scan(Family::kMeta, within, std::max<std::string_view>(start, within), visitor);
    }
  }
  // Views are stored behind their version, security records behind their
  // chain link; callers see the bytes behind.
  size_t behind = 0;
  if (keyspace == Keyspace::kViews) behind = 8;
  if (keyspace == Keyspace::kSecurity) behind = kHashBytes;
  if (behind == 0) return kv_->Scan(family, prefix, start, visitor);
  return kv_->Scan(family, prefix, start, [&](std::string_view key, std::string_view value) {
    return visitor(key, value.size() >= behind ? value.substr(behind) : std::string_view());
  });
}

absl::Status LogStore::ReplaceProjections(
    const std::vector<std::pair<std::string, StoredView>>& views,
    const std::vector<std::pair<std::string, std::string>>& index,
    const std::vector<std::pair<std::string, std::string>>& commit_times) {
  // The time index shares the meta family: its entries are swapped in one
  // write, the rest of the family untouched.
  std::vector<Put> times;
  absl::Status scanned = kv_->Scan(Family::kMeta, keys::kCommitTimePrefix, "",
                                   [&](std::string_view key, std::string_view) {
                                     times.push_back({Family::kMeta, std::string(key), "", true});
                                     return true;
                                   });
  if (!scanned.ok()) return scanned;
  for (const auto& [key, value] : commit_times) times.push_back({Family::kMeta, key, value});
  if (absl::Status s = kv_->Write(times, /*sync=*/true); !s.ok()) return s;
  KvBackend::SortedEntries stored_views;
  stored_views.reserve(views.size());
  for (const auto& [stream, view] : views) {
    std::string value;
    value.reserve(8 + view.bytes.size());
    keys::AppendBigEndian64(view.version, value);
    value.append(view.bytes);
    stored_views.emplace_back(stream, std::move(value));
  }
  const std::pair<Family, const KvBackend::SortedEntries*> families[] = {
      {Family::kViews, &stored_views}, {Family::kIndex, &index}};
  return kv_->ReplaceFamilies(families);
}

}  // namespace dxledger::storage
