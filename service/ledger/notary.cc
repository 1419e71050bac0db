#include "service/ledger/notary.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "base/checkpoint.h"
#include "base/files.h"
#include "base/thread_name.h"
#include "fmt/format.h"
#include "storage/log_tree.h"

namespace dxledger::ledger {
namespace {

std::string Message(const absl::Status& status) { return std::string(status.message()); }

constexpr std::string_view kSealTitle = "dxledger security log";

// A note read back from `where`: verified with `verifier`. NOT_FOUND when
// another key signed it; DATA_LOSS when it is not one this key signed.
absl::StatusOr<note::Note> ReadSigned(std::string_view what, std::string_view note_text,
                                      std::string_view where, const note::Verifier& verifier,
                                      std::string_view key_name) {
  absl::StatusOr<note::Note> parsed = note::ParseNote(note_text);
  absl::Status verified = parsed.ok() ? note::VerifyNote(*parsed, verifier) : parsed.status();
  if (verified.code() == absl::StatusCode::kNotFound) return verified;
  if (!verified.ok()) {
    return absl::DataLossError(fmt::format(
        "{} in {} is not one this log's key ({}) signed: {}. Find out who changed it before "
        "serving from this data directory.",
        what, where, key_name, Message(verified)));
  }
  return parsed;
}

}  // namespace

std::string SealText(std::string_view origin, const storage::SecurityHead& head) {
  return fmt::format("{}\n{}\n{}\n{}\n", kSealTitle, origin, head.records,
                     absl::Base64Escape(absl::string_view(head.hash.data(), head.hash.size())));
}

absl::StatusOr<storage::SecurityHead> ParseSealText(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  storage::SecurityHead head;
  if (lines.size() != 4 || !text.ends_with('\n') || lines[0] != kSealTitle ||
      !absl::SimpleAtoi(absl::string_view(lines[2].data(), lines[2].size()), &head.records) ||
      !absl::Base64Unescape(absl::string_view(lines[3].data(), lines[3].size()), &head.hash) ||
      head.hash.size() != storage::kHashBytes) {
    return absl::InvalidArgumentError("not a security-log seal");
  }
  return head;
}

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
    absl::StatusOr<note::Note> parsed =
        ReadSigned("the latest checkpoint", seen.note, seen.where, verifier_, signer_.name());
    // Signed by another key: the store was restored under a new key (a
    // backup does not carry the secret key). Clients that pinned the old
    // key will refuse the new one, which is the check that matters.
    if (parsed.status().code() == absl::StatusCode::kNotFound) continue;
    if (!parsed.ok()) return parsed.status();
    absl::StatusOr<tlog::Checkpoint> checkpoint = tlog::ParseCheckpoint(parsed->text);
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
  absl::StatusOr<std::optional<uint64_t>> sealed = CheckSecurityLogRecovered();
  if (!sealed.ok()) return sealed.status();
  absl::MutexLock lock(&mu_);
  signed_size_ = newest;
  sealed_records_ = sealed->value_or(0);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> Notary::CheckSecurityLogRecovered() {
  std::vector<std::pair<std::string, std::string>> seals;  // where, note
  absl::StatusOr<std::optional<storage::SecuritySeal>> stored = store_.LatestSecuritySeal();
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) seals.emplace_back("the store", (*stored)->note);
  if (!options_.security_seal_file.empty()) {
    absl::StatusOr<std::optional<std::string>> file =
        base::ReadFileIfExists(options_.security_seal_file);
    if (!file.ok()) return file.status();
    if (file->has_value()) seals.emplace_back(options_.security_seal_file, **file);
  }
  const storage::SecurityHead now = store_.GetSecurityHead();
  std::optional<uint64_t> largest;
  for (const auto& [where, text] : seals) {
    absl::StatusOr<note::Note> parsed =
        ReadSigned("the security-log seal", text, where, verifier_, signer_.name());
    if (parsed.status().code() == absl::StatusCode::kNotFound) continue;
    if (!parsed.ok()) return parsed.status();
    absl::StatusOr<storage::SecurityHead> sealed = ParseSealText(parsed->text);
    if (!sealed.ok()) {
      return absl::DataLossError(fmt::format("the security-log seal in {} cannot be read: {}",
                                             where, Message(sealed.status())));
    }
    if (now.records < sealed->records ||
        (now.records == sealed->records && now.hash != sealed->hash)) {
      return absl::DataLossError(fmt::format(
          "the security log holds {} records, but the seal in {} that this log's key signed "
          "covers {}{}: refusals and denials were deleted or changed. Restore the data directory "
          "from a backup (README, \"Back up and restore\"); dxledgerd will not serve a store "
          "whose security log lost records.",
          now.records, where, sealed->records,
          now.records == sealed->records ? " with another chain hash" : ""));
    }
    largest = std::max(largest.value_or(0), sealed->records);
  }
  return largest;
}

absl::Status Notary::SealSecurityLog() {
  absl::MutexLock lock(&mu_);
  return SealIfGrown();
}

absl::Status Notary::SealIfGrown() {
  const storage::SecurityHead head = store_.GetSecurityHead();
  if (head.records <= sealed_records_) return absl::OkStatus();
  storage::SecuritySeal seal{head, signer_.SignNote(SealText(options_.origin, head))};
  // Synced: every record the seal covers is on disk before the file says so.
  if (absl::Status s = store_.RecordSecuritySeal(seal); !s.ok()) return s;
  if (!options_.security_seal_file.empty()) {
    if (absl::Status s = base::WriteFileDurably(options_.security_seal_file, seal.note, 0600);
        !s.ok()) {
      return s;
    }
  }
  sealed_records_ = head.records;
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
  // Refusals recorded since the last seal are sealed on the way out.
  (void)SealSecurityLog();
}

void Notary::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&run_mu_);
      run_cv_.WaitWithTimeout(&run_mu_, options_.interval);
      if (stopping_) return;
    }
    absl::Status outcome;
    {
      absl::MutexLock lock(&mu_);
      // A failure is retried next interval; Latest() reports it to callers.
      if (Grown()) outcome = SignIfGrown().status();
      if (absl::Status sealed = SealIfGrown(); outcome.ok()) outcome = sealed;
    }
    absl::MutexLock lock(&health_mu_);
    signing_ = outcome.ok()
                   ? outcome
                   : absl::UnavailableError(fmt::format("checkpoints are not being signed: {}",
                                                        std::string(outcome.message())));
  }
}

absl::Status Notary::SigningHealth() {
  absl::MutexLock lock(&health_mu_);
  return signing_;
}

}  // namespace dxledger::ledger
