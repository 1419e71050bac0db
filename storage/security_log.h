#ifndef DXLEDGER_STORAGE_SECURITY_LOG_H_
#define DXLEDGER_STORAGE_SECURITY_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/event_store.h"
#include "storage/kv.h"

// The security log (refused requests, denied permissions) as a hash chain of
// its own, apart from the event log:
//   security: BE64(micros) BE64(sequence) -> prev_hash(32) record
//   meta:     "s"  -> BE64(records) hash(32)        the chain's head
//   meta:     "ss" -> BE64(records) hash(32) note   the latest seal
// A record's hash is SHA-256(prev_hash || key || record); times never go
// back in key order, so key order is chain order. A record removed, changed
// or reordered breaks the chain; records cut from the end no longer reach
// the head, or, with the head rolled back too, fall short of the seal: the
// head signed as a note and also kept outside the store (ledger::Notary).
namespace dxledger::storage {

// Reads and checks the chain in `kv`: DATA_LOSS naming the first record
// whose link is broken, a head the records do not reach, or a seal the
// chain does not pass through. Returns the head.
absl::StatusOr<SecurityHead> VerifySecurityChain(KvBackend& kv);
absl::StatusOr<std::optional<SecuritySeal>> ReadSecuritySeal(KvBackend& kv);

// Appends to the chain. Thread-safe.
class SecurityLog {
 public:
  // Reads the head; `kv` must outlive this. Records written before the
  // chain existed (no head) are chained on opening, in key order.
  static absl::StatusOr<std::unique_ptr<SecurityLog>> Open(KvBackend& kv);

  // Not synced: a refusal is recorded best-effort and never slows writers.
  // A time before the last record's is recorded as the last's.
  absl::Status Record(int64_t unix_micros, std::string_view record);
  SecurityHead head() const;
  // Keeps a seal of the chain's first `seal.head.records` records; synced,
  // so every record it covers is durable once it returns.
  absl::Status RecordSeal(const SecuritySeal& seal);

 private:
  SecurityLog(KvBackend& kv, SecurityHead head, uint64_t last_micros)
      : kv_(kv), head_(std::move(head)), last_micros_(last_micros) {}

  KvBackend& kv_;
  mutable absl::Mutex mu_;  // one record at a time: each links to the one before
  SecurityHead head_ ABSL_GUARDED_BY(mu_);
  uint64_t last_micros_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_SECURITY_LOG_H_
