#include "base/checkpoint.h"

#include <charconv>

#include "absl/strings/escaping.h"
#include "fmt/format.h"

namespace dxledger::tlog {
namespace {

std::string CosignedMessage(std::string_view checkpoint_text, uint64_t unix_seconds) {
  return fmt::format("cosignature/v1\ntime {}\n{}", unix_seconds, checkpoint_text);
}

}  // namespace

std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  std::string text = fmt::format(
      "{}\n{}\n{}\n", checkpoint.origin, checkpoint.size,
      absl::Base64Escape(absl::string_view(checkpoint.root.data(), checkpoint.root.size())));
  for (const std::string& line : checkpoint.extensions) text.append(line).push_back('\n');
  return text;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      return absl::InvalidArgumentError("a checkpoint's lines end in a newline");
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError("a checkpoint has an origin, a tree size and a root hash");
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.empty())
    return absl::InvalidArgumentError("the checkpoint's origin is empty");
  const std::string_view size = lines[1];
  auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), checkpoint.size);
  if (size.empty() || error != std::errc() || end != size.data() + size.size() ||
      (size.size() > 1 && size[0] == '0')) {
    return absl::InvalidArgumentError("the checkpoint's second line is not a tree size");
  }
  std::string root;
  if (!absl::Base64Unescape(absl::string_view(lines[2].data(), lines[2].size()), &root) ||
      root.size() != 32 ||
      absl::Base64Escape(root) != absl::string_view(lines[2].data(), lines[2].size())) {
    return absl::InvalidArgumentError("the checkpoint's third line is not a base64 SHA-256 hash");
  }
  checkpoint.root = std::move(root);
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return absl::InvalidArgumentError("a checkpoint holds no empty line");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

note::Signature Cosign(const note::Signer& witness, std::string_view checkpoint_text,
                       uint64_t unix_seconds) {
  note::Signature signature;
  signature.name = witness.name();
  signature.key_id = note::KeyId(witness.name(), note::kCosignatureV1, witness.public_key());
  for (int shift = 56; shift >= 0; shift -= 8) {
    signature.bytes.push_back(static_cast<char>(unix_seconds >> shift));
  }
  signature.bytes.append(witness.Sign(CosignedMessage(checkpoint_text, unix_seconds)));
  return signature;
}

absl::StatusOr<uint64_t> VerifyCosignature(const note::Note& note, const note::Verifier& cosigner) {
  for (const note::Signature& signature : note.signatures) {
    if (signature.name != cosigner.name() || signature.key_id != cosigner.key_id()) continue;
    uint64_t seconds = 0;
    if (signature.bytes.size() == 72) {
      for (int i = 0; i < 8; ++i)
        seconds = (seconds << 8) | static_cast<uint8_t>(signature.bytes[i]);
      if (cosigner.type() == note::kCosignatureV1 &&
          cosigner.Verify(CosignedMessage(note.text, seconds), signature.bytes.substr(8))) {
        return seconds;
      }
    }
    return absl::DataLossError(
        fmt::format("the cosignature of witness {} does not verify: the checkpoint was altered",
                    cosigner.name()));
  }
  return absl::NotFoundError(fmt::format("no cosignature of witness {}", cosigner.name()));
}

}  // namespace dxledger::tlog
