#include "tests/bench/raw_rocksdb.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "base/sha256.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/rocksdb_kv.h"

namespace dxledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

void Check(const rocksdb::Status& status) {
  if (!status.ok()) throw std::runtime_error(status.ToString());
}

}  // namespace

double RawSyncBatches(const std::string& dir, int batch, size_t value_bytes,
                      absl::Duration duration) {
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::Open(options, dir, &raw));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write;
  write.sync = true;
  const std::string value(value_bytes, 'v');
  uint64_t key = 0, events = 0;
  const Clock::time_point began = Clock::now();
  const Clock::time_point end = began + absl::ToChronoNanoseconds(duration);
  while (Clock::now() < end) {
    rocksdb::WriteBatch writes;
    for (int i = 0; i < batch; ++i) {
      char bytes[8];
      for (int b = 0; b < 8; ++b) bytes[b] = static_cast<char>(key >> (56 - 8 * b));
      ++key;
      Check(writes.Put(rocksdb::Slice(bytes, 8), value));
    }
    Check(db->Write(write, &writes));
    events += batch;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  Check(db->Close());
  db.reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(events) / seconds;
}

double RawLogScan(const std::string& db_path, uint64_t* entries, bool hash) {
  std::vector<std::string> families;
  Check(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &families));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), db_path, descriptors, &handles, &raw));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* log = nullptr;
  for (size_t i = 0; i < families.size(); ++i) {
    if (families[i] == "log") log = handles[i];
  }
  if (log == nullptr) throw std::runtime_error("no log column family in " + db_path);
  const Clock::time_point began = Clock::now();
  uint64_t count = 0, bytes = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), log));
  char digest[base::kSha256Bytes];
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++count;
    const rocksdb::Slice value = it->value();
    bytes += value.size();
    if (hash && value.size() >= 64) {
      base::Sha256({std::string_view(value.data(), 32), it->key().ToStringView(),
                    std::string_view(value.data() + 64, value.size() - 64)},
                   digest);
      bytes += static_cast<unsigned char>(digest[0]);
    }
  }
  Check(it->status());
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  it.reset();
  for (rocksdb::ColumnFamilyHandle* handle : handles) Check(db->DestroyColumnFamilyHandle(handle));
  *entries = count;
  if (bytes == 0 && count > 0) throw std::runtime_error("the log's values are empty");
  return static_cast<double>(count) / seconds;
}

void Settle(const std::string& db_path) {
  // With the store's own options: a compaction with RocksDB's defaults would
  // rewrite every table without the store's bloom filters.
  absl::StatusOr<std::unique_ptr<storage::RocksDbKv>> kv = storage::RocksDbKv::Open(db_path, {});
  if (!kv.ok()) throw std::runtime_error(kv.status().ToString());
  if (absl::Status s = (*kv)->CompactAll(); !s.ok()) throw std::runtime_error(s.ToString());
}

}  // namespace dxledger::bench
