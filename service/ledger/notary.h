#ifndef DXLEDGER_SERVICE_LEDGER_NOTARY_H_
#define DXLEDGER_SERVICE_LEDGER_NOTARY_H_

#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/note.h"
#include "storage/event_store.h"

// Signs checkpoints of the log: the size and Merkle root of the log as C2SP
// tlog-checkpoint text, signed as a note with the log's Ed25519 key. Each is
// kept in the store; the latest is also written, synced, to a file outside
// it, so a store that comes back shorter or different is caught on opening.
// Seals the security log the same way: its record count and chain hash,
// signed as a note of its own (SealText), in the store and a file.
// Thread-safe.
namespace dxledger::ledger {

struct NotaryOptions {
  // The checkpoint's first line: names the log. Default: dxledger/<org>
  std::string origin;
  // A new checkpoint when the log has grown, at most this often. Default: 1 s
  absl::Duration interval = absl::Seconds(1);
  // Where the latest signed checkpoint is written; empty writes none.
  std::string latest_file;
  // Where the latest seal of the security log is written; empty writes none.
  std::string security_seal_file;
};

// The text of a security-log seal (not a tlog checkpoint: the hash is the
// chain's, not a Merkle root):
//   dxledger security log\n<origin>\n<records>\n<base64 chain hash>\n
std::string SealText(std::string_view origin, const storage::SecurityHead& head);
// INVALID_ARGUMENT when `text` is not one.
absl::StatusOr<storage::SecurityHead> ParseSealText(std::string_view text);

class Notary {
 public:
  // `store` must outlive the notary.
  Notary(storage::EventStore& store, note::Signer signer, NotaryOptions options);
  ~Notary() { Stop(); }

  // Whether the log still holds everything the latest checkpoint this key
  // signed covers, unchanged (the store's and the file's), and the security
  // log everything its latest seal covers. DATA_LOSS saying what is missing
  // or different and what to do. A checkpoint or seal another key signed (a
  // store restored under a new key) is not this key's to check.
  absl::Status CheckRecovered();
  // Signs in the background: a checkpoint whenever the log grew, a seal
  // whenever the security log did, each at most once an interval. Stop()
  // seals the security log a last time.
  void Start();
  void Stop();

  // The latest checkpoint, with any cosignatures. With `refresh` (or before
  // the first) one of the log as it is now, signed if the log grew since the
  // last, even within the interval.
  absl::StatusOr<storage::StoredCheckpoint> Latest(bool refresh = false);
  // Keeps a witness's cosignature: `cosigned` is a checkpoint note this log
  // signed, carrying the witness's line, which must verify under
  // `witness_key` (a cosigner key, type 0x04). NOT_FOUND for a checkpoint
  // the log never signed; INVALID_ARGUMENT for a bad key or signature.
  absl::Status AddCosignature(std::string_view witness_key, std::string_view cosigned);

  // The event at `position` as its leaf's bytes, and its audit path in the
  // tree of `tree_size` events; the proof that the tree of `to` events
  // extends the one of `from`. OUT_OF_RANGE past the log's head.
  struct Inclusion {
    std::string leaf;
    std::vector<std::string> hashes;
  };
  absl::StatusOr<Inclusion> ProveInclusion(uint64_t position, uint64_t tree_size);
  // The audit path alone, for a caller that holds the event.
  absl::StatusOr<std::vector<std::string>> AuditPath(uint64_t position, uint64_t tree_size) {
    return store_.InclusionProof(position, tree_size);
  }
  absl::StatusOr<std::vector<std::string>> ProveConsistency(uint64_t from, uint64_t to);

  // Seals the security log now if it grew since the last seal.
  absl::Status SealSecurityLog();

  // OK while the background signer's last round succeeded; else why not
  // (UNAVAILABLE): a store that stopped taking writes, a latest-checkpoint
  // file that cannot be written.
  absl::Status SigningHealth();

  std::string VerifierKey() const { return signer_.VerifierKey(); }
  const std::string& origin() const { return options_.origin; }

 private:
  // Signs the log as it is now if it grew since the latest checkpoint;
  // returns the latest either way.
  absl::StatusOr<storage::StoredCheckpoint> SignIfGrown() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Grown() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !signed_size_ || store_.GetHead().position > *signed_size_;
  }
  absl::Status WriteLatestFile(const std::string& note);
  absl::Status SealIfGrown() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The largest seal this key signed that the security log still reaches.
  absl::StatusOr<std::optional<uint64_t>> CheckSecurityLogRecovered();
  void Run();

  storage::EventStore& store_;
  const note::Signer signer_;
  const note::Verifier verifier_;
  const NotaryOptions options_;

  absl::Mutex mu_;  // one signer at a time
  // The size of the latest checkpoint this key signed; nullopt before one.
  std::optional<uint64_t> signed_size_ ABSL_GUARDED_BY(mu_);
  // The record count of the latest security-log seal.
  uint64_t sealed_records_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Mutex health_mu_;  // not mu_: a round holds that through a synced write
  absl::Status signing_ ABSL_GUARDED_BY(health_mu_);

  absl::Mutex run_mu_;
  absl::CondVar run_cv_;
  bool stopping_ ABSL_GUARDED_BY(run_mu_) = false;
  std::thread thread_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_NOTARY_H_
