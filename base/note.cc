#include "base/note.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "base/files.h"
#include "base/sha256.h"
#include "fmt/format.h"

namespace dxledger::note {
namespace {

constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";
constexpr std::string_view kDash = "\xe2\x80\x94 ";  // U+2014 and a space

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string_view AsChars(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string Base64(std::string_view bytes) { return absl::Base64Escape(Absl(bytes)); }

bool FromBase64(std::string_view text, std::string& bytes) {
  // Strict: standard alphabet, padded, and nothing a re-encoding would change.
  return absl::Base64Unescape(Absl(text), &bytes) && Base64(bytes) == text;
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '+' || static_cast<unsigned char>(c) <= ' ') return false;
  }
  return true;
}

// name+hex8+base64(type || key), the shape of both key forms after the prefix.
struct KeyParts {
  std::string name;
  uint32_t key_id = 0;
  std::string key;  // type byte and key
};

absl::StatusOr<KeyParts> SplitKey(std::string_view text, std::string_view what) {
  const size_t first = text.find('+');
  const size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  KeyParts parts;
  if (second == std::string_view::npos || second - first != 9) {
    return absl::InvalidArgumentError(
        fmt::format("a {} is name+keyid+key (keyid 8 hex digits)", what));
  }
  parts.name = std::string(text.substr(0, first));
  if (!ValidName(parts.name)) {
    return absl::InvalidArgumentError(
        fmt::format("the {}'s name is empty or holds a space or '+'", what));
  }
  std::string id;
  const std::string_view hex = text.substr(first + 1, 8);
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return absl::InvalidArgumentError(fmt::format("the {}'s key id is not hex", what));
    }
  }
  parts.key_id = static_cast<uint32_t>(std::stoul(std::string(hex), nullptr, 16));
  if (!FromBase64(text.substr(second + 1), parts.key) || parts.key.size() != 33) {
    return absl::InvalidArgumentError(
        fmt::format("the {}'s key is not base64 of a type byte and 32 key bytes", what));
  }
  return parts;
}

PKey PrivateKeyOf(std::span<const uint8_t, 32> seed) {
  return PKey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
              EVP_PKEY_free);
}

bool PublicKeyOf(std::span<const uint8_t, 32> seed, std::array<uint8_t, 32>& public_key) {
  PKey key = PrivateKeyOf(seed);
  size_t length = public_key.size();
  return key != nullptr &&
         EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) == 1 &&
         length == public_key.size();
}

std::string Hex8(uint32_t id) { return fmt::format("{:08x}", id); }

std::string BigEndian32(uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (24 - 8 * i));
  return out;
}

}  // namespace

uint32_t KeyId(std::string_view name, uint8_t type, std::span<const uint8_t, 32> public_key) {
  const char separator[2] = {'\n', static_cast<char>(type)};
  const std::string digest =
      base::Sha256({name, std::string_view(separator, 2), AsChars(public_key)});
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<uint8_t>(digest[i]);
  return id;
}

absl::StatusOr<Signer> LoadOrCreateSigner(const std::string& key_file, std::string_view name,
                                          bool create) {
  absl::StatusOr<std::optional<std::string>> text = base::ReadFileIfExists(key_file);
  if (!text.ok()) return text.status();
  if (text->has_value()) {
    absl::StatusOr<Signer> signer = Signer::FromPrivateKey(**text);
    if (!signer.ok()) {
      return absl::InvalidArgumentError(fmt::format("the key in {} is not usable: {}", key_file,
                                                    std::string(signer.status().message())));
    }
    return signer;
  }
  if (!create) return absl::NotFoundError(fmt::format("no key at {}", key_file));
  absl::StatusOr<Signer> signer = Signer::Generate(name);
  if (!signer.ok()) return signer.status();
  if (absl::Status s = base::WriteFileDurably(key_file, signer->PrivateKey() + "\n", 0600);
      !s.ok()) {
    return s;
  }
  return signer;
}

absl::StatusOr<Signer> Signer::Generate(std::string_view name) {
  if (!ValidName(name)) {
    return absl::InvalidArgumentError(
        fmt::format("key name \"{}\" is empty or holds a space or '+'", name));
  }
  Signer signer;
  signer.name_ = std::string(name);
  if (RAND_bytes(signer.seed_.data(), static_cast<int>(signer.seed_.size())) != 1 ||
      !PublicKeyOf(signer.seed_, signer.public_key_)) {
    return absl::InternalError("OpenSSL could not make an Ed25519 key");
  }
  signer.key_id_ = KeyId(signer.name_, kEd25519, signer.public_key_);
  return signer;
}

absl::StatusOr<Signer> Signer::FromPrivateKey(std::string_view private_key) {
  while (!private_key.empty() && (private_key.back() == '\n' || private_key.back() == '\r')) {
    private_key.remove_suffix(1);
  }
  if (!private_key.starts_with(kPrivatePrefix)) {
    return absl::InvalidArgumentError("a signer key starts with PRIVATE+KEY+");
  }
  absl::StatusOr<KeyParts> parts =
      SplitKey(private_key.substr(kPrivatePrefix.size()), "signer key");
  if (!parts.ok()) return parts.status();
  if (static_cast<uint8_t>(parts->key[0]) != kEd25519) {
    return absl::InvalidArgumentError("the signer key is not an Ed25519 key");
  }
  Signer signer;
  signer.name_ = parts->name;
  std::copy(parts->key.begin() + 1, parts->key.end(), signer.seed_.begin());
  if (!PublicKeyOf(signer.seed_, signer.public_key_)) {
    return absl::InvalidArgumentError("OpenSSL refuses the signer key");
  }
  signer.key_id_ = KeyId(signer.name_, kEd25519, signer.public_key_);
  if (signer.key_id_ != parts->key_id) {
    return absl::InvalidArgumentError("the signer key's id does not match its key");
  }
  return signer;
}

std::string Signer::PrivateKey() const {
  std::string key(1, static_cast<char>(kEd25519));
  key.append(AsChars(seed_));
  return fmt::format("{}{}+{}+{}", kPrivatePrefix, name_, Hex8(key_id_), Base64(key));
}

std::string Signer::VerifierKey() const {
  std::string key(1, static_cast<char>(kEd25519));
  key.append(AsChars(public_key_));
  return fmt::format("{}+{}+{}", name_, Hex8(key_id_), Base64(key));
}

std::string CosignerKey(const Signer& signer) {
  std::string key(1, static_cast<char>(kCosignatureV1));
  key.append(AsChars(signer.public_key()));
  return fmt::format("{}+{}+{}", signer.name(),
                     Hex8(KeyId(signer.name(), kCosignatureV1, signer.public_key())), Base64(key));
}

std::string Signer::Sign(std::string_view message) const {
  PKey key = PrivateKeyOf(seed_);
  MdContext context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  size_t length = signature.size();
  if (key == nullptr || context == nullptr ||
      EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != 64) {
    std::abort();  // a valid Ed25519 key signs; failing here is out of memory
  }
  return signature;
}

std::string Signer::SignNote(std::string_view text) const {
  return FormatNote(Note{std::string(text), {Signature{name_, key_id_, Sign(text)}}});
}

absl::StatusOr<Verifier> Verifier::FromKey(std::string_view verifier_key) {
  absl::StatusOr<KeyParts> parts = SplitKey(verifier_key, "verifier key");
  if (!parts.ok()) return parts.status();
  Verifier verifier;
  verifier.key_ = std::string(verifier_key);
  verifier.name_ = parts->name;
  verifier.key_id_ = parts->key_id;
  verifier.type_ = static_cast<uint8_t>(parts->key[0]);
  if (verifier.type_ != kEd25519 && verifier.type_ != kCosignatureV1) {
    return absl::InvalidArgumentError("the verifier key is neither Ed25519 nor a cosigner's");
  }
  std::copy(parts->key.begin() + 1, parts->key.end(), verifier.public_key_.begin());
  if (KeyId(verifier.name_, verifier.type_, verifier.public_key_) != verifier.key_id_) {
    return absl::InvalidArgumentError("the verifier key's id does not match its key");
  }
  return verifier;
}

absl::StatusOr<Verifier> Verifier::FromCosignerKey(std::string_view verifier_key) {
  absl::StatusOr<Verifier> verifier = FromKey(verifier_key);
  if (verifier.ok() && verifier->type_ != kCosignatureV1) {
    return absl::InvalidArgumentError("the key is not a cosigner's (type 0x04)");
  }
  return verifier;
}

bool Verifier::Verify(std::string_view message, std::string_view signature) const {
  PKey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key_.data(),
                                       public_key_.size()),
           EVP_PKEY_free);
  MdContext context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return key != nullptr && context != nullptr && signature.size() == 64 &&
         EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string SignatureLine(const Signature& signature) {
  return fmt::format("{}{} {}\n", kDash, signature.name,
                     Base64(BigEndian32(signature.key_id) + signature.bytes));
}

std::string FormatNote(const Note& note) {
  std::string out = note.text;
  out.push_back('\n');
  for (const Signature& signature : note.signatures) out.append(SignatureLine(signature));
  return out;
}

absl::StatusOr<Note> ParseNote(std::string_view text) {
  // The text ends at the last blank line; every line after it is a signature.
  const size_t split = text.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError("a note is text, a blank line and signature lines");
  }
  Note note;
  note.text = std::string(text.substr(0, split + 1));
  std::string_view rest = text.substr(split + 2);
  if (rest.empty() || rest.back() != '\n') {
    return absl::InvalidArgumentError("a note's signature lines end in a newline");
  }
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (!line.starts_with(kDash)) {
      return absl::InvalidArgumentError("a signature line starts with an em dash and a space");
    }
    line.remove_prefix(kDash.size());
    const size_t space = line.find(' ');
    std::string bytes;
    if (space == std::string_view::npos || !ValidName(line.substr(0, space)) ||
        !FromBase64(line.substr(space + 1), bytes) || bytes.size() < 5) {
      return absl::InvalidArgumentError(
          "a signature line is the key name and base64 of id and signature");
    }
    Signature signature;
    signature.name = std::string(line.substr(0, space));
    for (int i = 0; i < 4; ++i) {
      signature.key_id = (signature.key_id << 8) | static_cast<uint8_t>(bytes[i]);
    }
    signature.bytes = bytes.substr(4);
    note.signatures.push_back(std::move(signature));
  }
  return note;
}

absl::Status VerifyNote(const Note& note, const Verifier& verifier) {
  for (const Signature& signature : note.signatures) {
    if (signature.name != verifier.name() || signature.key_id != verifier.key_id()) continue;
    if (verifier.type() == kEd25519 && verifier.Verify(note.text, signature.bytes)) {
      return absl::OkStatus();
    }
    return absl::DataLossError(fmt::format(
        "the signature of {} does not verify: the note was altered or not signed by that key",
        verifier.name()));
  }
  return absl::NotFoundError(fmt::format("the note carries no signature of {}", verifier.name()));
}

}  // namespace dxledger::note
