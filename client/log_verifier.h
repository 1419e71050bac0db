#ifndef DXLEDGER_CLIENT_LOG_VERIFIER_H_
#define DXLEDGER_CLIENT_LOG_VERIFIER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/checkpoint.h"
#include "base/note.h"
#include "client/ledger_client.h"

// Checks a log from outside, trusting only the log's public key and what
// was seen before: the latest checkpoint must carry a valid signature of
// the pinned key and extend (RFC 9162 consistency) the last checkpoint
// verified, which a file keeps. A client keeps only the last one (a state
// file); a witness keeps every one it accepted (an append-only file).
namespace dxledger::client {

struct VerifiedCheckpoint {
  tlog::Checkpoint checkpoint;
  std::string note;
  uint64_t previous_size = 0;  // what the file held; 0 when nothing
};

class LogVerifier {
 public:
  enum class Memory { kStateFile, kAppendOnly };

  // `client` must outlive this. `who` names the one that verified before in
  // errors ("this client", "this witness").
  LogVerifier(LedgerClient& client, note::Verifier log_key, std::string file,
              Memory memory = Memory::kStateFile, std::string who = "this client")
      : client_(client),
        log_key_(std::move(log_key)),
        file_(std::move(file)),
        memory_(memory),
        who_(std::move(who)) {}

  // Fetches the latest checkpoint (signing a fresh one when `refresh`),
  // verifies it and, once it holds, keeps it in the file. DATA_LOSS on a
  // bad signature, a fork or a rollback, naming both checkpoints; the file
  // then keeps the old one.
  absl::StatusOr<VerifiedCheckpoint> VerifyLatest(bool refresh);
  // The same for a checkpoint note the server sent with something else (a
  // subscription's message).
  absl::StatusOr<VerifiedCheckpoint> Verify(std::string signed_note);

 private:
  absl::StatusOr<tlog::Checkpoint> Open(std::string_view signed_note) const;
  // The last checkpoint note the file holds; nullopt when none.
  absl::StatusOr<std::optional<std::string>> Recall() const;
  absl::Status Remember(const VerifiedCheckpoint& verified) const;

  LedgerClient& client_;
  const note::Verifier log_key_;
  const std::string file_;
  const Memory memory_;
  const std::string who_;
};

// Checks events as a read served them against a verified checkpoint: each
// has a proof whose leaf is its position and stored bytes, the leaf is in
// the checkpoint's tree, and the bytes are the event served. A token event
// served to a caller who is not an admin comes without its token hash and
// with only its leaf's hash: its inclusion is checked, its bytes cannot be.
// DATA_LOSS naming the first event that fails (a withheld leaf of any other
// event fails); FAILED_PRECONDITION for one newer than the checkpoint.
absl::Status VerifyEvents(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                          const google::protobuf::RepeatedPtrField<v1::EventProof>& proofs,
                          const tlog::Checkpoint& checkpoint);

// The same for rating changes: each has the proof of the event at its
// position, and says what that event records (who, when, which rating
// before and after, why). Its fiscal year and departments are the goal's
// at the time, which `history --verified` proves event by event.
absl::Status VerifyRatingChanges(
    const google::protobuf::RepeatedPtrField<v1::RatingChange>& changes,
    const google::protobuf::RepeatedPtrField<v1::EventProof>& proofs,
    const tlog::Checkpoint& checkpoint);

// How many of `witnesses` (cosigner keys) cosigned `signed_note`. DATA_LOSS
// when a cosignature by one of them is there but does not verify.
absl::StatusOr<int> CountCosignatures(std::string_view signed_note,
                                      const std::vector<note::Verifier>& witnesses);

// ~/.local/state/dxledger/<key name>-<key id> ($XDG_STATE_HOME when set):
// one state file per log key and user.
std::string DefaultStateFile(const note::Verifier& log_key);

}  // namespace dxledger::client

#endif  // DXLEDGER_CLIENT_LOG_VERIFIER_H_
