#include "client/log_verifier.h"

#include <google/protobuf/util/message_differencer.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "base/files.h"
#include "base/merkle.h"
#include "fmt/format.h"
#include "proto/notation/rating.h"
#include "proto/notation/secrets.h"

namespace dxledger::client {
namespace {

std::string Describe(const tlog::Checkpoint& checkpoint) {
  return fmt::format("size {} root {}", checkpoint.size,
                     absl::Base64Escape(absl::string_view(checkpoint.root)));
}

}  // namespace

std::string DefaultStateFile(const note::Verifier& log_key) {
  std::filesystem::path base;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0') {
    base = state;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    base = std::filesystem::path(home) / ".local" / "state";
  } else {
    base = ".";
  }
  std::string name = log_key.name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return (base / "dxledger" / fmt::format("{}-{:08x}", name, log_key.key_id())).string();
}

absl::StatusOr<tlog::Checkpoint> LogVerifier::Open(std::string_view signed_note) const {
  absl::StatusOr<note::Note> note = note::ParseNote(signed_note);
  if (!note.ok())
    return absl::DataLossError(fmt::format("the checkpoint is not a signed note: {}",
                                           std::string(note.status().message())));
  if (absl::Status s = note::VerifyNote(*note, log_key_); !s.ok()) {
    return absl::DataLossError(fmt::format("the checkpoint is not signed by the pinned key {}: {}",
                                           log_key_.key(), std::string(s.message())));
  }
  absl::StatusOr<tlog::Checkpoint> checkpoint = tlog::ParseCheckpoint(note->text);
  if (!checkpoint.ok()) {
    return absl::DataLossError(fmt::format("the signed checkpoint is malformed: {}",
                                           std::string(checkpoint.status().message())));
  }
  return checkpoint;
}

absl::StatusOr<VerifiedCheckpoint> LogVerifier::VerifyLatest(bool refresh) {
  v1::GetCheckpointRequest request;
  request.set_refresh(refresh);
  absl::StatusOr<v1::GetCheckpointResponse> response = client_.GetCheckpoint(request);
  if (!response.ok()) return response.status();
  return Verify(std::move(*response->mutable_signed_checkpoint()));
}

absl::StatusOr<VerifiedCheckpoint> LogVerifier::Verify(std::string signed_note) {
  VerifiedCheckpoint verified;
  verified.note = std::move(signed_note);
  absl::StatusOr<tlog::Checkpoint> latest = Open(verified.note);
  if (!latest.ok()) return latest.status();
  verified.checkpoint = *latest;

  absl::StatusOr<std::optional<std::string>> state = Recall();
  if (!state.ok()) return state.status();
  if (state->has_value()) {
    absl::StatusOr<tlog::Checkpoint> seen = Open(**state);
    if (!seen.ok()) {
      return absl::FailedPreconditionError(
          fmt::format("the file {} does not hold a checkpoint of this log: {}", file_,
                      std::string(seen.status().message())));
    }
    verified.previous_size = seen->size;
    if (latest->size < seen->size) {
      return absl::DataLossError(fmt::format(
          "the log rolled back: it presents {} but {} verified {} before (kept in {}). Do not "
          "trust this server; keep both checkpoints as evidence.",
          Describe(*latest), who_, Describe(*seen), file_));
    }
    std::vector<std::string> proof;
    if (seen->size > 0 && latest->size > seen->size) {
      v1::GetConsistencyProofRequest consistency;
      consistency.set_from_tree_size(seen->size);
      consistency.set_to_tree_size(latest->size);
      absl::StatusOr<v1::GetConsistencyProofResponse> answer =
          client_.GetConsistencyProof(consistency);
      if (!answer.ok()) return answer.status();
      proof.assign(answer->hashes().begin(), answer->hashes().end());
    }
    if (absl::Status s =
            merkle::VerifyConsistency(seen->size, latest->size, seen->root, latest->root, proof);
        !s.ok()) {
      return absl::DataLossError(fmt::format(
          "the log forked: its checkpoint {} does not extend {} that {} verified before (kept "
          "in {}): {}. Do not trust this server; keep both checkpoints as evidence.",
          Describe(*latest), Describe(*seen), who_, file_, std::string(s.message())));
    }
  }
  if (absl::Status s = Remember(verified); !s.ok()) return s;
  return verified;
}

namespace {

// An append-only file of checkpoints: each one framed as
// "checkpoint <bytes>\n" and then its note.
constexpr std::string_view kFrame = "checkpoint ";

}  // namespace

absl::StatusOr<std::optional<std::string>> LogVerifier::Recall() const {
  absl::StatusOr<std::optional<std::string>> bytes = base::ReadFileIfExists(file_);
  if (!bytes.ok() || !bytes->has_value() || memory_ == Memory::kStateFile) return bytes;
  std::string_view rest = **bytes;
  std::optional<std::string> last;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    size_t length = 0;
    if (!rest.starts_with(kFrame) || end == std::string_view::npos ||
        std::from_chars(rest.data() + kFrame.size(), rest.data() + end, length).ptr !=
            rest.data() + end ||
        rest.size() - end - 1 < length) {
      return absl::DataLossError(fmt::format("the append-only file {} is damaged after {} bytes",
                                             file_, (*bytes)->size() - rest.size()));
    }
    last = std::string(rest.substr(end + 1, length));
    rest.remove_prefix(end + 1 + length);
  }
  return last;
}

absl::Status LogVerifier::Remember(const VerifiedCheckpoint& verified) const {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(file_).parent_path(), error);
  if (memory_ == Memory::kStateFile) return base::WriteFileDurably(file_, verified.note, 0600);
  if (verified.previous_size == verified.checkpoint.size && verified.previous_size != 0) {
    return absl::OkStatus();  // seen already
  }
  return base::AppendFileDurably(
      file_, fmt::format("{}{}\n{}", kFrame, verified.note.size(), verified.note), 0600);
}

namespace {

// The event at `position` as the verified log holds it: `proofs[next]` must
// be its proof, in the checkpoint's tree. `what` names it in messages.
// The event the log holds at `position`, proved by the next proof; nullopt
// when the proof withholds the leaf (a token event, to a caller who is not
// an admin): then only its inclusion is proved.
absl::StatusOr<std::optional<v1::Event>> EventInLog(
    uint64_t position, std::string_view what,
    const google::protobuf::RepeatedPtrField<v1::EventProof>& proofs, int& next,
    const tlog::Checkpoint& checkpoint) {
  if (position > checkpoint.size) {
    return absl::FailedPreconditionError(
        fmt::format("{} {} is newer than the verified checkpoint ({} events); run again", what,
                    position, checkpoint.size));
  }
  if (next == proofs.size() || proofs[next].position() != position) {
    return absl::DataLossError(fmt::format("the server gave no proof for {} {}", what, position));
  }
  const v1::EventProof& proof = proofs[next++];
  const std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
  std::string big_endian(8, '\0');
  for (int i = 0; i < 8; ++i) big_endian[i] = static_cast<char>(position >> (56 - 8 * i));
  const bool withheld = proof.leaf().empty() && !proof.leaf_hash().empty();
  if (proof.tree_size() != checkpoint.size ||
      (!withheld && !proof.leaf().starts_with(big_endian))) {
    return absl::DataLossError(
        fmt::format("the proof of {} {} is for another event or tree", what, position));
  }
  const std::string leaf_hash = withheld ? proof.leaf_hash() : merkle::LeafHash(proof.leaf());
  if (absl::Status s = merkle::VerifyInclusion(position - 1, checkpoint.size, leaf_hash, hashes,
                                               checkpoint.root);
      !s.ok()) {
    return absl::DataLossError(fmt::format("{} {} is not in the verified log ({}): {}", what,
                                           position, Describe(checkpoint),
                                           std::string(s.message())));
  }
  if (withheld) return std::nullopt;
  v1::Event stored;
  if (!stored.ParseFromArray(proof.leaf().data() + 8, static_cast<int>(proof.leaf().size() - 8))) {
    return absl::DataLossError(fmt::format("the leaf of {} {} is not an event", what, position));
  }
  stored.set_position(position);
  return stored;
}

}  // namespace

absl::Status VerifyEvents(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                          const google::protobuf::RepeatedPtrField<v1::EventProof>& proofs,
                          const tlog::Checkpoint& checkpoint) {
  int next = 0;
  for (const v1::Event& event : events) {
    absl::StatusOr<std::optional<v1::Event>> stored =
        EventInLog(event.position(), "event", proofs, next, checkpoint);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      // In the log, but its bytes were withheld: only a token event, shown
      // without its token hash, may be.
      if (!notation::IsRedacted(event)) {
        return absl::DataLossError(fmt::format(
            "the server withheld the bytes of event {}, which it shows as no principal's token "
            "event: it may have altered it",
            event.position()));
      }
      continue;
    }
    v1::Event& held = **stored;
    held.set_prev_hash(event.prev_hash());
    held.set_hash(event.hash());
    if (!google::protobuf::util::MessageDifferencer::Equals(held, event)) {
      return absl::DataLossError(fmt::format(
          "event {} as served differs from the event the verified log holds: the server altered "
          "it",
          event.position()));
    }
  }
  return absl::OkStatus();
}

absl::Status VerifyRatingChanges(
    const google::protobuf::RepeatedPtrField<v1::RatingChange>& changes,
    const google::protobuf::RepeatedPtrField<v1::EventProof>& proofs,
    const tlog::Checkpoint& checkpoint) {
  int next = 0;
  for (const v1::RatingChange& change : changes) {
    absl::StatusOr<std::optional<v1::Event>> held =
        EventInLog(change.position(), "the rating change at position", proofs, next, checkpoint);
    if (!held.ok()) return held.status();
    if (!held->has_value()) {
      return absl::DataLossError(fmt::format(
          "the server withheld the event of the rating change at position {}", change.position()));
    }
    const std::optional<v1::Event>& event = *held;
    v1::RatingChange served = change;
    served.clear_fiscal_year();
    served.clear_departments();
    v1::RatingChange recorded;
    notation::SetRecordedChange(*event, recorded);
    if (!event->has_rating_set() ||
        !google::protobuf::util::MessageDifferencer::Equals(recorded, served)) {
      return absl::DataLossError(fmt::format(
          "the rating change at position {} as served differs from the event the verified log "
          "holds there: the server altered it",
          change.position()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CountCosignatures(std::string_view signed_note,
                                      const std::vector<note::Verifier>& witnesses) {
  absl::StatusOr<note::Note> note = note::ParseNote(signed_note);
  if (!note.ok()) return note.status();
  int count = 0;
  for (const note::Verifier& witness : witnesses) {
    absl::StatusOr<uint64_t> time = tlog::VerifyCosignature(*note, witness);
    if (time.ok()) {
      ++count;
    } else if (!absl::IsNotFound(time.status())) {
      return time.status();
    }
  }
  return count;
}

}  // namespace dxledger::client
