#ifndef DXLEDGER_STORAGE_EVENT_STORE_H_
#define DXLEDGER_STORAGE_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

// The event log as bytes: an append-only, hash-chained log of opaque event
// bodies, per-stream indexes, the current view of each stream, idempotency
// records and secondary index entries. It knows nothing of goals or ratings.
namespace dxledger::storage {

inline constexpr size_t kHashBytes = 32;

// Events appended to one stream, with the stream's view after them.
struct StreamWrite {
  std::string stream;         // opaque, no '\0'
  uint64_t expected_version;  // the stream's version now; 0 when it must not exist
  std::vector<std::string> events;
  std::string view;
};

// Names one event of an AppendRequest: streams[stream].events[event].
struct EventRef {
  size_t stream = 0;
  size_t event = 0;
};

struct IndexWrite {
  std::string key;
  std::string value;
  // When set, the key is suffixed with that event's big-endian position, so
  // entries sort in log order.
  std::optional<EventRef> position_suffix;
};

// Everything one command writes; applied all together or not at all.
struct AppendRequest {
  std::vector<StreamWrite> streams;
  std::vector<IndexWrite> index;
  std::string request_key;          // empty: no idempotency record
  std::string request_fingerprint;  // what the request key was used for
  // The record time the events carry (Unix micros). Record times never go
  // back in log order: an append whose time is before the last one stored
  // is refused with ABORTED (decide again with a later time). 0: the store
  // records its own clock for the time index.
  int64_t record_micros = 0;
};

struct AppendResult {
  uint64_t first_position = 0;      // events get consecutive positions from here
  std::string prev_hash;            // hash of the event before the first
  std::vector<std::string> hashes;  // one per event, in request order
};

struct LogRecord {
  uint64_t position = 0;
  std::string prev_hash;
  std::string hash;
  std::string body;
};

struct StoredView {
  uint64_t version = 0;
  std::string bytes;
};

struct RequestRecord {
  std::string fingerprint;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
};

// A signed checkpoint of the log (a note, opaque here) and the tree size it
// covers.
struct StoredCheckpoint {
  uint64_t size = 0;
  std::string note;
};

// The security log's chain (storage/security_log.h): how many records it
// holds and the hash of the last.
struct SecurityHead {
  uint64_t records = 0;
  std::string hash = std::string(kHashBytes, '\0');
  bool operator==(const SecurityHead&) const = default;
};

// A security head, signed (the note is opaque here).
struct SecuritySeal {
  SecurityHead head;
  std::string note;
};

struct Head {
  uint64_t position = 0;
  std::string hash = std::string(kHashBytes, '\0');
  // The record time of the last event (Unix micros): a new append's time
  // must not be before it. Not kept by snapshots.
  int64_t record_micros = 0;
};

// What Scan reads: the log (BE64 position -> the record as stored; for
// storage's own checks), views, index entries, the security log, the
// stream index, and, for verify, request records, the Merkle tree's
// records and the time index (keys as keys.h spells them).
enum class Keyspace { kLog, kViews, kIndex, kSecurity, kStreams, kRequests, kTree, kCommitTimes };

// Thread-safe. Reads see every append whose callback has run.
// One group commit, as the writer saw it.
struct CommitStats {
  bool ok = true;            // the backend write succeeded
  size_t appends = 0;        // appends in the batch
  size_t events = 0;         // events those appends wrote
  size_t bytes = 0;          // keys and values written
  bool synced = false;       // the write waited for the WAL to reach the disk
  int64_t write_micros = 0;  // the backend write (and its sync)
  // How far the system clock read behind the log's last record time when
  // the batch was planned (a clock stepped back); 0 when it did not. The
  // batch's record times stay at the log's last.
  int64_t clock_behind_micros = 0;
};

class EventStore {
 public:
  using AppendCallback = absl::AnyInvocable<void(absl::StatusOr<AppendResult>) &&>;
  using ScanVisitor = absl::FunctionRef<bool(std::string_view key, std::string_view value)>;

  virtual ~EventStore() = default;

  // Appends atomically and calls `done` once the write is durable (or with
  // the error), on the store's answer thread, in submission order. ABORTED when a stream is not at
  // its expected version; ALREADY_EXISTS when request_key was used before;
  // INVALID_ARGUMENT for a malformed request. Concurrent appends share one
  // WAL sync (group commit).
  virtual void Append(AppendRequest request, AppendCallback done) = 0;

  // Append, waiting for the result. Must not be called from a callback.
  absl::StatusOr<AppendResult> AppendAndWait(AppendRequest request);

  virtual Head GetHead() = 0;

  // Called on the writer thread after every batch write, good or failed (so
  // it must be quick); set once, before appends start.
  virtual void SetCommitListener(std::function<void(const CommitStats&)> listener) = 0;

  // OK while writes can reach the disk; UNAVAILABLE, saying why, after one
  // failed there: every append is refused until ResumeWrites or a reopen.
  virtual absl::Status WriteHealth() { return absl::OkStatus(); }
  // Takes appends again after a full disk, once space is back. OK when
  // appends go on; FAILED_PRECONDITION for a failure only a reopen clears;
  // UNAVAILABLE when resuming failed.
  virtual absl::Status ResumeWrites() { return absl::OkStatus(); }

  // Approximate bytes the store holds on disk and in memory tables.
  virtual uint64_t ApproximateBytes() = 0;

  // The head position as of `unix_micros`: the last position whose record
  // time is at or before that time (0 when none is).
  virtual absl::StatusOr<uint64_t> PositionAt(int64_t unix_micros) = 0;

  // nullopt when the stream has no events.
  virtual absl::StatusOr<std::optional<StoredView>> ReadView(std::string_view stream) = 0;
  virtual absl::StatusOr<std::optional<RequestRecord>> ReadRequest(std::string_view key) = 0;
  // The views of several streams at once, in order (nullopt for a stream
  // with no events): one batched read.
  virtual absl::StatusOr<std::vector<std::optional<StoredView>>> ReadViews(
      std::span<const std::string> streams) = 0;

  // NOT_FOUND past the head; DATA_LOSS when the record fails its own hash.
  virtual absl::StatusOr<LogRecord> ReadEvent(uint64_t position) = 0;
  // Up to `limit` records from `from` on, each checked against its own hash
  // (DATA_LOSS) unless `check` is false.
  virtual absl::StatusOr<std::vector<LogRecord>> ReadLog(uint64_t from, size_t limit,
                                                         bool check = true) = 0;
  // Up to `limit` of the stream's events with version >= from_version, in
  // order, each checked against its own hash (DATA_LOSS). Read from the
  // stream index's copies; an entry written before they existed (a position
  // only) is read from the log.
  virtual absl::StatusOr<std::vector<LogRecord>> ReadStream(std::string_view stream,
                                                            uint64_t from_version,
                                                            size_t limit) = 0;
  // The Merkle tree over the log (storage/log_tree.h: leaf i is position
  // i + 1): its root at `size` events, the inclusion proof of the event at
  // `position` in the tree of `size` events, and the proof that the tree of
  // `size` events extends the one of `old_size`. O(log n) point reads each.
  // OUT_OF_RANGE past the head; INVALID_ARGUMENT for a position or an old
  // size the tree does not hold.
  virtual absl::StatusOr<std::string> TreeRoot(uint64_t size) = 0;
  virtual absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                                  uint64_t size) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                                    uint64_t size) = 0;

  // Signed checkpoints by tree size, apart from the log; the write is synced.
  // Recording a size again replaces its note (to add cosignatures).
  virtual absl::Status RecordCheckpoint(const StoredCheckpoint& checkpoint) = 0;
  // The checkpoint of the largest size, or the one of `size`; nullopt when
  // there is none.
  virtual absl::StatusOr<std::optional<StoredCheckpoint>> LatestCheckpoint() = 0;
  virtual absl::StatusOr<std::optional<StoredCheckpoint>> CheckpointAt(uint64_t size) = 0;

  // Visits keys with `prefix`, from `start` (inclusive) on, until the visitor
  // returns false. Security records are keyed by time (see RecordSecurityEvent).
  virtual absl::Status Scan(Keyspace keyspace, std::string_view prefix, std::string_view start,
                            ScanVisitor visitor) = 0;

  // Appends a record to the security log, its own hash chain apart from the
  // event log, keyed by time (BE64 Unix micros, then a sequence number; a
  // time before the last record's is recorded as the last's). Not synced: a
  // refusal is recorded best-effort and never slows writers.
  virtual absl::Status RecordSecurityEvent(int64_t unix_micros, std::string record) = 0;
  virtual SecurityHead GetSecurityHead() = 0;
  // Keeps the latest seal of the security log; synced, so every record it
  // covers is durable once it returns.
  virtual absl::Status RecordSecuritySeal(const SecuritySeal& seal) = 0;
  virtual absl::StatusOr<std::optional<SecuritySeal>> LatestSecuritySeal() = 0;
  // Walks the security log's chain: DATA_LOSS naming the first record whose
  // link is broken, a head the records do not reach, or a seal the chain
  // does not pass through.
  virtual absl::StatusOr<SecurityHead> VerifySecurityLog() = 0;

  // Writes a consistent copy of the whole store into `directory` (which must
  // not exist) while appends go on, and opens it (synced, like the store it
  // copies). UNIMPLEMENTED for the memory store.
  virtual absl::StatusOr<std::unique_ptr<EventStore>> Checkpoint(const std::string& directory) = 0;
  // The store at one point in time, read-only, for reads that must agree
  // with each other while appends go on (verify). It must not outlive this
  // store.
  virtual absl::StatusOr<std::unique_ptr<EventStore>> Snapshot() = 0;

  // Makes the views, index entries and time index exactly these (a rebuild
  // from the log), each sorted by key (the time index's as keys.h spells
  // them): writes them and erases every other. Never touches the log. Only
  // while no append runs.
  virtual absl::Status ReplaceProjections(
      const std::vector<std::pair<std::string, StoredView>>& views,
      const std::vector<std::pair<std::string, std::string>>& index,
      const std::vector<std::pair<std::string, std::string>>& commit_times) = 0;
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_EVENT_STORE_H_
