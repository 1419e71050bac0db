#include "service/ledger/notary.h"

#include "base/checkpoint.h"
#include "base/files.h"
#include "base/thread_name.h"
#include "fmt/format.h"
#include "storage/log_tree.h"

namespace dxledger::ledger {
namespace {

std::string Message(const absl::Status& status) { return std::string(status.message()); }

}  // namespace

Notary::Notary(storage::EventStore& store, note::Signer signer, NotaryOptions options)
    : store_(store),
      signer_(std::move(signer)),
      verifier_(*note::Verifier::FromKey(signer_.VerifierKey())),
      options_(std::move(options)) {}

absl::Status Notary::CheckRecovered() {
  struct Seen {
    std::string where;
    std::string note;
  };
  std::vector<Seen> latest;
  absl::StatusOr<std::optional<storage::StoredCheckpoint>> stored = store_.LatestCheckpoint();
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) latest.push_back({"the store", (*stored)->note});
  if (!options_.latest_file.empty()) {
    absl::StatusOr<std::optional<std::string>> file = base::ReadFileIfExists(options_.latest_file);
    if (!file.ok()) return file.status();
    if (file->has_value()) latest.push_back({options_.latest_file, **file});
  }
  const uint64_t head = store_.GetHead().position;
  std::optional<uint64_t> newest;
  for (const Seen& seen : latest) {
    absl::StatusOr<note::Note> parsed = note::ParseNote(seen.note);
    absl::Status verified = parsed.ok() ? note::VerifyNote(*parsed, verifier_) : parsed.status();
    // Signed by another key: the store was restored under a new key (a
    // backup does not carry the secret key). Clients that pinned the old
    // key will refuse the new one, which is the check that matters.
    if (verified.code() == absl::StatusCode::kNotFound) continue;
    absl::StatusOr<tlog::Checkpoint> checkpoint =
        verified.ok() ? tlog::ParseCheckpoint(parsed->text) : verified;
    if (!checkpoint.ok()) {
      return absl::DataLossError(fmt::format(
          "the latest checkpoint in {} is not one this log's key ({}) signed: {}. Find out who "
          "changed it before serving from this data directory.",
          seen.where, signer_.name(), Message(checkpoint.status())));
    }
    if (checkpoint->size > head) {
      return absl::DataLossError(fmt::format(
          "the log holds {} events, but the checkpoint in {} that this log signed covers {}: "
          "events {} to {} were acknowledged and are gone. Restore the data directory from a "
          "backup taken after that checkpoint (README, \"Back up and restore\"); dxledgerd will "
          "not serve "
          "a log that lost history.",
          head, seen.where, checkpoint->size, head + 1, checkpoint->size));
    }
    absl::StatusOr<std::string> root = store_.TreeRoot(checkpoint->size);
    if (!root.ok()) return root.status();
    if (*root != checkpoint->root) {
      return absl::DataLossError(fmt::format(
          "the log's first {} events no longer have the root that the checkpoint in {} signed: "
          "history was rewritten. Restore the data directory from a backup (see README, "
          "\"Backups\"); dxledgerd will not serve a rewritten log.",
          checkpoint->size, seen.where));
    }
    newest = std::max(newest.value_or(0), checkpoint->size);
  }
  absl::MutexLock lock(&mu_);
  signed_size_ = newest;
  return absl::OkStatus();
}

absl::StatusOr<storage::StoredCheckpoint> Notary::SignIfGrown() {
  if (!Grown()) {
    absl::StatusOr<std::optional<storage::StoredCheckpoint>> latest = store_.LatestCheckpoint();
    if (!latest.ok()) return latest.status();
    if (latest->has_value()) return **std::move(latest);
    // Only in the file, not in the store: sign again, so that both hold it.
  }
  const uint64_t size = store_.GetHead().position;
  absl::StatusOr<std::string> root = store_.TreeRoot(size);
  if (!root.ok()) return root.status();
  const std::string text = tlog::FormatCheckpoint({options_.origin, size, *root, {}});
  storage::StoredCheckpoint checkpoint{size, signer_.SignNote(text)};
  if (absl::Status s = store_.RecordCheckpoint(checkpoint); !s.ok()) return s;
  if (!options_.latest_file.empty()) {
    if (absl::Status s = WriteLatestFile(checkpoint.note); !s.ok()) return s;
  }
  signed_size_ = size;
  return checkpoint;
}

absl::Status Notary::WriteLatestFile(const std::string& note) {
  return base::WriteFileDurably(options_.latest_file, note, 0600);
}

absl::StatusOr<storage::StoredCheckpoint> Notary::Latest(bool refresh) {
  absl::MutexLock lock(&mu_);
  if (refresh || !signed_size_) return SignIfGrown();
  absl::StatusOr<std::optional<storage::StoredCheckpoint>> latest = store_.LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  if (!latest->has_value()) return SignIfGrown();
  return **std::move(latest);
}

absl::Status Notary::AddCosignature(std::string_view witness_key, std::string_view cosigned) {
  absl::StatusOr<note::Verifier> witness = note::Verifier::FromCosignerKey(witness_key);
  if (!witness.ok()) {
    return absl::InvalidArgumentError(fmt::format("witness key: {}", Message(witness.status())));
  }
  absl::StatusOr<note::Note> note = note::ParseNote(cosigned);
  if (!note.ok()) return absl::InvalidArgumentError(Message(note.status()));
  absl::StatusOr<tlog::Checkpoint> checkpoint = tlog::ParseCheckpoint(note->text);
  if (!checkpoint.ok()) return absl::InvalidArgumentError(Message(checkpoint.status()));
  absl::StatusOr<uint64_t> time = tlog::VerifyCosignature(*note, *witness);
  if (!time.ok()) {
    return absl::InvalidArgumentError(fmt::format("{}", Message(time.status())));
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<storage::StoredCheckpoint>> stored =
      store_.CheckpointAt(checkpoint->size);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<note::Note> ours =
      stored->has_value() ? note::ParseNote((*stored)->note) : absl::NotFoundError("");
  if (!ours.ok() || ours->text != note->text) {
    return absl::NotFoundError(
        fmt::format("this log signed no checkpoint of size {} with that text", checkpoint->size));
  }
  // One cosignature a witness key: a newer one replaces the older.
  std::erase_if(ours->signatures, [&](const note::Signature& s) {
    return s.name == witness->name() && s.key_id == witness->key_id();
  });
  for (const note::Signature& s : note->signatures) {
    if (s.name == witness->name() && s.key_id == witness->key_id()) ours->signatures.push_back(s);
  }
  return store_.RecordCheckpoint({checkpoint->size, note::FormatNote(*ours)});
}

absl::StatusOr<Notary::Inclusion> Notary::ProveInclusion(uint64_t position, uint64_t tree_size) {
  absl::StatusOr<std::vector<std::string>> hashes = store_.InclusionProof(position, tree_size);
  if (!hashes.ok()) return hashes.status();
  absl::StatusOr<storage::LogRecord> record = store_.ReadEvent(position);
  if (!record.ok()) return record.status();
  return Inclusion{storage::LeafBytes(position, record->body), *std::move(hashes)};
}

absl::StatusOr<std::vector<std::string>> Notary::ProveConsistency(uint64_t from, uint64_t to) {
  return store_.ConsistencyProof(from, to);
}

void Notary::Start() {
  thread_ = std::thread([this] { Run(); });
  base::NameThread(thread_, "dxl-notary");
}

void Notary::Stop() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&run_mu_);
    stopping_ = true;
    run_cv_.Signal();
  }
  thread_.join();
}

void Notary::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&run_mu_);
      run_cv_.WaitWithTimeout(&run_mu_, options_.interval);
      if (stopping_) return;
    }
    absl::MutexLock lock(&mu_);
    // A failure is retried next interval; Latest() reports it to callers.
    if (Grown()) (void)SignIfGrown();
  }
}

}  // namespace dxledger::ledger
