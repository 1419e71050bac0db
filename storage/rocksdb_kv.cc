#include "storage/rocksdb_kv.h"

#include <filesystem>
#include <vector>

#include "fmt/format.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace dxledger::storage {
namespace {

constexpr const char* kFamilyNames[] = {"log",   "streams", "views",    "requests",
                                        "index", "meta",    "security", "tree"};
static_assert(std::size(kFamilyNames) == kFamilyCount, "one column family a Family");

rocksdb::ColumnFamilyOptions FamilyOptions(Family family, const RocksDbOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point reads (events by position, views, request ids) dominate; scans use
  // bounded iterators and do not need the filter.
  // The tree's records are only read where they exist (a proof asks for the
  // nodes the tree's size says are there), so a filter would be a block
  // read that always answers "maybe".
  if (family != Family::kIndex && family != Family::kSecurity && family != Family::kTree) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(options.bloom_bits_per_key));
  }
  // Index and filter blocks live in the (bounded) block cache, partitioned
  // into 4 KiB pieces under a small pinned top level: a read loads the piece
  // it needs, never a whole file's index (hundreds of KiB once the log holds
  // a million events). The newest files' stay pinned, so a point read costs
  // no extra block loads.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = table.filter_policy != nullptr;
  table.metadata_block_size = 4096;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  if (family == Family::kTree) {
    // Hashes do not compress: reading them back should not try to.
    cf.compression = rocksdb::kNoCompression;
    // A proof reads a record at a random place in the tree: every index
    // partition stays in the cache (a few hundred KiB at a million events).
    table.metadata_cache_options.partition_pinning = rocksdb::PinningTier::kAll;
    // A point read finds its record in a data block by a hash, not a binary
    // search and a walk of up to 16 entries (a record a restart point).
    table.block_restart_interval = 1;
    table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = options.memtable_bytes;
  cf.max_write_buffer_number = 2;
  // Views and request ids are read before most appends, and a new goal or a
  // new request id is a miss: a bloom filter over the memtable's keys answers
  // it without walking the skip list.
  if (family == Family::kViews || family == Family::kRequests) {
    cf.memtable_prefix_bloom_size_ratio = 0.02;
    cf.memtable_whole_key_filtering = true;
  }
  return cf;
}

// The smallest key greater than every key with `prefix`; empty when none is.
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) != 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

// A flush or compaction that failed on the disk stops writes at once,
// before the next write finds out.
class FenceOnBackgroundError : public rocksdb::EventListener {
 public:
  explicit FenceOnBackgroundError(std::shared_ptr<WriteFence> fence) : fence_(std::move(fence)) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error == nullptr || !WriteFence::Stops(*error)) return;
    (void)fence_->Stop(*error, Doing(reason));
  }

 private:
  static std::string_view Doing(rocksdb::BackgroundErrorReason reason) {
    switch (reason) {
      case rocksdb::BackgroundErrorReason::kFlush:
      case rocksdb::BackgroundErrorReason::kFlushNoWAL:
        return "a flush of written data to a table file";
      case rocksdb::BackgroundErrorReason::kCompaction:
        return "a compaction";
      case rocksdb::BackgroundErrorReason::kManifestWrite:
      case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
        return "a write of the store's manifest";
      default:
        return "a write";
    }
  }
  const std::shared_ptr<WriteFence> fence_;
};

}  // namespace

absl::Status FromRocksDb(const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  std::string message = fmt::format("storage: {}", status.ToString());
  // A miss the caller expects (a key not there) never comes here: reads
  // answer nullopt for it. Every other NotFound or InvalidArgument from the
  // backend is the server's own fault (a missing file, options it refused),
  // and a client would read those codes as "unknown goal" or "bad input".
  if (status.IsNoSpace()) {
    // Past the server's own reserve check (another process filled the
    // disk): nothing was written; retry once space is freed.
    return absl::UnavailableError(fmt::format(
        "the disk is full: nothing was written; retry once space is freed ({})", message));
  }
  switch (status.code()) {
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
      return absl::UnavailableError(message);
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::unique_ptr<RocksDbKv>> RocksDbKv::Open(const std::string& path,
                                                           const RocksDbOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.db_write_buffer_size = options.total_memtable_bytes;
  // Opening must not grow with the store: do not read every table file's
  // properties (compaction statistics) or stat every file's size.
  db_options.skip_stats_update_on_db_open = true;
  db_options.skip_checking_sst_file_sizes_on_db_open = true;
  // A torn record at the end of the write-ahead log is a write that was
  // never acknowledged (a crash while writing it): dropped. A damaged
  // record anywhere else refuses the open. RocksDB's default, point-in-time
  // recovery, would instead drop every record after it: acknowledged,
  // synced writes lost without a word.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  auto fence = std::make_shared<WriteFence>();
  db_options.listeners.push_back(std::make_shared<FenceOnBackgroundError>(fence));
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < kFamilyCount; ++i) {
    descriptors.emplace_back(kFamilyNames[i],
                             FamilyOptions(static_cast<Family>(i), options, cache));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  if (status.IsCorruption()) {
    return absl::DataLossError(fmt::format(
        "the store in {} is damaged and was not opened ({}): acknowledged events would be lost. "
        "Restore the data directory from a backup (README, \"Back up and restore\"); keep the "
        "damaged "
        "copy for investigation.",
        path, status.ToString()));
  }
  if (!status.ok()) return FromRocksDb(status);
  std::unique_ptr<RocksDbKv> kv(new RocksDbKv(path, options, std::move(fence)));
  kv->db_.reset(db);
  // handles[0] is the default family, which we do not use.
  for (int i = 0; i < kFamilyCount; ++i) kv->families_[i] = handles[i + 1];
  kv->db_->DestroyColumnFamilyHandle(handles[0]);
  return kv;
}

RocksDbKv::~RocksDbKv() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : families_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  db_->Close().PermitUncheckedError();
}

namespace {

absl::StatusOr<std::optional<std::string>> GetFrom(rocksdb::DB& db,
                                                   rocksdb::ColumnFamilyHandle* family,
                                                   const rocksdb::ReadOptions& read,
                                                   std::string_view key) {
  std::string value;
  rocksdb::Status status = db.Get(read, family, rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocksDb(status);
  return value;
}

absl::StatusOr<std::vector<std::optional<std::string>>> MultiGetFrom(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const rocksdb::ReadOptions& read,
    std::span<const std::string> keys) {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> pinned(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db.MultiGet(read, family, keys.size(), slices.data(), pinned.data(), statuses.data());
  std::vector<std::optional<std::string>> values(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocksDb(statuses[i]);
    values[i].emplace(pinned[i].data(), pinned[i].size());
  }
  return values;
}

absl::Status ScanFrom(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                      rocksdb::ReadOptions read, std::string_view prefix, std::string_view start,
                      absl::FunctionRef<bool(std::string_view, std::string_view)> visit) {
  const std::string end = PrefixEnd(prefix);
  rocksdb::Slice upper(end);
  if (!end.empty()) read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read, family));
  const std::string_view from = std::max(start, prefix);
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next()) {
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocksDb(it->status());
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> FloorFrom(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const rocksdb::ReadOptions& read,
    std::string_view prefix, std::string_view key) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read, family));
  it->SeekForPrev(rocksdb::Slice(key.data(), key.size()));
  if (!it->status().ok()) return FromRocksDb(it->status());
  if (!it->Valid() || !it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
    return std::nullopt;
  }
  return std::pair(it->key().ToString(), it->value().ToString());
}

// The store as it was when the snapshot was taken: reads only. It must not
// outlive the RocksDbKv it was taken from.
class SnapshotKv : public KvBackend {
 public:
  using Families = std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount>;

  SnapshotKv(rocksdb::DB& db, const Families& families)
      : SnapshotKv(db, families,
                   std::shared_ptr<const rocksdb::Snapshot>(
                       db.GetSnapshot(), [&db](const rocksdb::Snapshot* snapshot) {
                         db.ReleaseSnapshot(snapshot);
                       })) {}

  absl::StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) override {
    return GetFrom(db_, families_[static_cast<int>(family)], read_, key);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Family family, std::span<const std::string> keys) override {
    return MultiGetFrom(db_, families_[static_cast<int>(family)], read_, keys);
  }
  absl::Status Scan(Family family, std::string_view prefix, std::string_view start,
                    absl::FunctionRef<bool(std::string_view, std::string_view)> visit) override {
    return ScanFrom(db_, families_[static_cast<int>(family)], read_, prefix, start, visit);
  }
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Floor(
      Family family, std::string_view prefix, std::string_view key) override {
    return FloorFrom(db_, families_[static_cast<int>(family)], read_, prefix, key);
  }
  absl::Status Write(std::span<const Put>, bool) override {
    return absl::FailedPreconditionError("a snapshot of the store is read-only");
  }
  absl::Status ReplaceFamilies(std::span<const std::pair<Family, const SortedEntries*>>) override {
    return absl::FailedPreconditionError("a snapshot of the store is read-only");
  }
  absl::StatusOr<std::unique_ptr<KvBackend>> Checkpoint(const std::string&) override {
    return absl::FailedPreconditionError("back up the store, not a snapshot of it");
  }
  uint64_t ApproximateBytes() override { return 0; }
  // The same moment again.
  std::unique_ptr<KvBackend> Snapshot() override {
    return std::unique_ptr<KvBackend>(new SnapshotKv(db_, families_, snapshot_));
  }

 private:
  SnapshotKv(rocksdb::DB& db, const Families& families,
             std::shared_ptr<const rocksdb::Snapshot> snapshot)
      : db_(db), families_(families), snapshot_(std::move(snapshot)) {
    read_.snapshot = snapshot_.get();
  }

  rocksdb::DB& db_;
  const Families families_;
  const std::shared_ptr<const rocksdb::Snapshot> snapshot_;  // released with its last holder
  rocksdb::ReadOptions read_;
};

}  // namespace

absl::StatusOr<std::optional<std::string>> RocksDbKv::Get(Family family, std::string_view key) {
  return GetFrom(*db_, families_[static_cast<int>(family)], rocksdb::ReadOptions(), key);
}

absl::StatusOr<std::vector<std::optional<std::string>>> RocksDbKv::MultiGet(
    Family family, std::span<const std::string> keys) {
  return MultiGetFrom(*db_, families_[static_cast<int>(family)], rocksdb::ReadOptions(), keys);
}

absl::Status RocksDbKv::Scan(Family family, std::string_view prefix, std::string_view start,
                             absl::FunctionRef<bool(std::string_view, std::string_view)> visit) {
  return ScanFrom(*db_, families_[static_cast<int>(family)], rocksdb::ReadOptions(), prefix, start,
                  visit);
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> RocksDbKv::Floor(
    Family family, std::string_view prefix, std::string_view key) {
  return FloorFrom(*db_, families_[static_cast<int>(family)], rocksdb::ReadOptions(), prefix, key);
}

std::unique_ptr<KvBackend> RocksDbKv::Snapshot() {
  return std::make_unique<SnapshotKv>(*db_, families_);
}

absl::StatusOr<std::unique_ptr<KvBackend>> RocksDbKv::Checkpoint(const std::string& directory) {
  rocksdb::Checkpoint* raw = nullptr;
  if (absl::Status s = FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw)); !s.ok()) return s;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flushing first makes the copy hard links of SST files plus a short WAL.
  if (absl::Status s = FromRocksDb(checkpoint->CreateCheckpoint(directory)); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<RocksDbKv>> copy = Open(directory, options_);
  if (!copy.ok()) return copy.status();
  return std::unique_ptr<KvBackend>(*std::move(copy));
}

absl::Status RocksDbKv::CompactAll() {
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    rocksdb::Status status =
        db_->CompactRange(rocksdb::CompactRangeOptions(), family, nullptr, nullptr);
    if (!status.ok()) return FromRocksDb(status);
  }
  return absl::OkStatus();
}

uint64_t RocksDbKv::ApproximateBytes() {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* family : families_) {
    for (const char* property :
         {"rocksdb.total-sst-files-size", "rocksdb.cur-size-all-mem-tables"}) {
      uint64_t value = 0;
      if (db_->GetIntProperty(family, property, &value)) total += value;
    }
  }
  return total;
}

absl::Status RocksDbKv::WriteReplacement(Family family, const SortedEntries& entries,
                                         const std::string& file, bool& written) {
  rocksdb::ColumnFamilyHandle* handle = families_[static_cast<int>(family)];
  rocksdb::Options options(rocksdb::DBOptions(), db_->GetOptions(handle));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, handle);
  if (absl::Status s = FromRocksDb(writer.Open(file)); !s.ok()) return s;
  // One merge of what the family holds with what it should: a key held
  // and not wanted gets a deletion, in key order with the rest.
  std::unique_ptr<rocksdb::Iterator> held(db_->NewIterator(rocksdb::ReadOptions(), handle));
  held->SeekToFirst();
  size_t written_entries = 0;
  rocksdb::Status status;
  for (const auto& [key, value] : entries) {
    for (; status.ok() && held->Valid() && held->key().compare(key) < 0; held->Next()) {
      status = writer.Delete(held->key());
      ++written_entries;
    }
    if (held->Valid() && held->key() == key) held->Next();
    if (status.ok()) status = writer.Put(key, value);
    ++written_entries;
    if (!status.ok()) break;
  }
  for (; status.ok() && held->Valid(); held->Next()) {
    status = writer.Delete(held->key());
    ++written_entries;
  }
  if (status.ok()) status = held->status();
  if (!status.ok()) return FromRocksDb(status);
  written = written_entries > 0;
  if (!written) return absl::OkStatus();
  return FromRocksDb(writer.Finish());
}

absl::Status RocksDbKv::ReplaceFamilies(
    std::span<const std::pair<Family, const SortedEntries*>> families) {
  if (absl::Status fenced = fence_->Check(); !fenced.ok()) return fenced;
  std::vector<rocksdb::IngestExternalFileArg> ingest;
  std::vector<std::string> files;
  absl::Status status;
  for (const auto& [family, entries] : families) {
    const std::string file =
        fmt::format("{}/replace-{}.sst", path_, kFamilyNames[static_cast<int>(family)]);
    bool written = false;
    status = WriteReplacement(family, *entries, file, written);
    if (!status.ok()) break;
    if (!written) continue;
    files.push_back(file);
    rocksdb::IngestExternalFileArg& arg = ingest.emplace_back();
    arg.column_family = families_[static_cast<int>(family)];
    arg.external_files = {file};
    arg.options.move_files = true;
  }
  if (status.ok() && !ingest.empty()) {
    const rocksdb::Status ingested = db_->IngestExternalFiles(ingest);
    status =
        WriteFence::Stops(ingested) ? fence_->Stop(ingested, "a bulk load") : FromRocksDb(ingested);
  }
  // Ingested files were moved into the database; what is left is litter.
  for (const std::string& file : files) std::filesystem::remove(file);
  return status;
}

absl::Status RocksDbKv::Write(std::span<const Put> puts, bool sync) {
  if (fence_->stopped()) return fence_->Check();
  rocksdb::WriteBatch batch;
  for (const Put& put : puts) {
    rocksdb::ColumnFamilyHandle* family = families_[static_cast<int>(put.family)];
    rocksdb::Status status =
        put.erase ? batch.Delete(family, put.key) : batch.Put(family, put.key, put.value);
    if (!status.ok()) return FromRocksDb(status);
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  const rocksdb::Status written = db_->Write(options, &batch);
  if (written.ok()) fence_->Succeeded();
  if (WriteFence::Stops(written))
    return fence_->Stop(written, sync ? "a write or its sync" : "a write");
  return FromRocksDb(written);
}

absl::Status RocksDbKv::ResumeWrites() {
  absl::MutexLock lock(&resume_mu_);
  absl::Status fenced = fence_->Check();
  if (fenced.ok()) return fenced;
  if (!fence_->stopped_for_space()) return absl::FailedPreconditionError(fenced.message());
  // RocksDB's resume flushes what the memtables hold and starts a new WAL,
  // so nothing is written through the file that failed.
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    return absl::UnavailableError(
        fmt::format("{}; resuming failed: {}", std::string(fenced.message()), resumed.ToString()));
  }
  fence_->Lift();
  return absl::OkStatus();
}

}  // namespace dxledger::storage
