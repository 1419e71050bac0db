#ifndef DXLEDGER_BASE_CHECKPOINT_H_
#define DXLEDGER_BASE_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/note.h"

// Checkpoints of a transparency log as C2SP specifies them
// (c2sp.org/tlog-checkpoint): the text a log signs as a note,
//   <origin>\n<tree size>\n<base64 root hash>\n[extension lines]
// and witness cosignatures over them (c2sp.org/tlog-cosignature).
namespace dxledger::tlog {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  std::string root;  // 32 bytes
  std::vector<std::string> extensions;
};

std::string FormatCheckpoint(const Checkpoint& checkpoint);
// INVALID_ARGUMENT naming the line that is wrong.
absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text);

// A witness's cosignature of `checkpoint_text` at `unix_seconds`.
note::Signature Cosign(const note::Signer& witness, std::string_view checkpoint_text,
                       uint64_t unix_seconds);
// The time a cosignature by `cosigner` (a type 0x04 key) on `note` states,
// once it verifies. NOT_FOUND when the note carries none by that key;
// DATA_LOSS when it does not verify.
absl::StatusOr<uint64_t> VerifyCosignature(const note::Note& note, const note::Verifier& cosigner);

}  // namespace dxledger::tlog

#endif  // DXLEDGER_BASE_CHECKPOINT_H_
