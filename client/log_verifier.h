#ifndef DXLEDGER_CLIENT_LOG_VERIFIER_H_
#define DXLEDGER_CLIENT_LOG_VERIFIER_H_

#include <string>

#include "absl/status/statusor.h"
#include "base/checkpoint.h"
#include "base/note.h"
#include "client/ledger_client.h"

// Checks a log from outside, trusting only the log's public key and what
// this client saw before: the latest checkpoint must carry a valid signature
// of the pinned key and extend (RFC 9162 consistency) the last checkpoint
// this client verified, which a state file keeps.
namespace dxledger::client {

struct VerifiedCheckpoint {
  tlog::Checkpoint checkpoint;
  std::string note;
  uint64_t previous_size = 0;  // what the state file held; 0 when nothing
};

class LogVerifier {
 public:
  // `client` must outlive this.
  LogVerifier(LedgerClient& client, note::Verifier log_key, std::string state_file)
      : client_(client), log_key_(std::move(log_key)), state_file_(std::move(state_file)) {}

  // Fetches the latest checkpoint (signing a fresh one when `refresh`),
  // verifies it and, once it holds, keeps it in the state file.
  // DATA_LOSS on a bad signature, a fork or a rollback, naming both
  // checkpoints; the state file then keeps the old one.
  absl::StatusOr<VerifiedCheckpoint> VerifyLatest(bool refresh);

 private:
  absl::StatusOr<tlog::Checkpoint> Open(std::string_view signed_note) const;

  LedgerClient& client_;
  const note::Verifier log_key_;
  const std::string state_file_;
};

// ~/.local/state/dxledger/<key name>-<key id> ($XDG_STATE_HOME when set):
// one state file per log key and user.
std::string DefaultStateFile(const note::Verifier& log_key);

}  // namespace dxledger::client

#endif  // DXLEDGER_CLIENT_LOG_VERIFIER_H_
