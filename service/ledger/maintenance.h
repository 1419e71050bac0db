#ifndef DXLEDGER_SERVICE_LEDGER_MAINTENANCE_H_
#define DXLEDGER_SERVICE_LEDGER_MAINTENANCE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "storage/event_store.h"

// What operators and auditors run over the whole store: verify it, rebuild
// its views from the log, back it up. Thread-safe, but RebuildViews must run
// with no writers.
namespace dxledger::ledger {

struct VerifyReport {
  uint64_t events_checked = 0;
  storage::Head head;
  uint64_t views_checked = 0;
  uint64_t security_records_checked = 0;
};

class Maintenance {
 public:
  // `store` must outlive this.
  explicit Maintenance(storage::EventStore& store) : store_(store) {}

  // Verifies the hash chain; that every stored view, index entry and
  // time-index entry is what the log projects to; that each request record
  // covers exactly the events sent with its id; that the Merkle tree's
  // records are those of the log; that the stream index holds the log's
  // events unaltered; and the security log's chain; all on one snapshot. DATA_LOSS names the first
  // position, goal or entry that differs, and what to do.
  absl::StatusOr<VerifyReport> Verify();

  // Rewrites every view, index entry and time-index entry from the log;
  // returns how many views. Run with no writers.
  absl::StatusOr<uint64_t> RebuildViews();

  // Copies the store to `directory` (absolute, not existing) while writes go
  // on, then verifies the copy; the report is the copy's. INVALID_ARGUMENT
  // for a relative path; ALREADY_EXISTS when the directory exists;
  // DATA_LOSS when the copy does not verify.
  absl::StatusOr<VerifyReport> Backup(const std::string& directory);

 private:
  storage::EventStore& store_;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_MAINTENANCE_H_
