#ifndef DXLEDGER_BASE_NOTE_H_
#define DXLEDGER_BASE_NOTE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

// Signed notes as C2SP specifies them (c2sp.org/signed-note), the form Go's
// checksum database and transparency-log witnesses use, with Ed25519 keys
// (OpenSSL 3). A note is its text (ending in a newline), a blank line, and
// one line per signature:
//   — <key name> base64(key id (4 bytes) || signature)
// Keys are written as Go's golang.org/x/mod/sumdb/note writes them:
//   verifier: <name>+<key id, 8 hex digits>+base64(0x01 || public key)
//   signer:   PRIVATE+KEY+<name>+<key id>+base64(0x01 || private seed)
namespace dxledger::note {

inline constexpr uint8_t kEd25519 = 0x01;
// c2sp.org/tlog-cosignature: a witness's timestamped signature.
inline constexpr uint8_t kCosignatureV1 = 0x04;

class Signer {
 public:
  // A new key named `name` (no spaces, no '+').
  static absl::StatusOr<Signer> Generate(std::string_view name);
  // From the signer-key form. INVALID_ARGUMENT naming what is wrong.
  static absl::StatusOr<Signer> FromPrivateKey(std::string_view private_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  std::string PrivateKey() const;   // the signer-key form, a secret
  std::string VerifierKey() const;  // the verifier-key form, public
  // The note: `text` (which must end in a newline), a blank line and this
  // key's signature line.
  std::string SignNote(std::string_view text) const;
  // An Ed25519 signature of `message`.
  std::string Sign(std::string_view message) const;
  std::span<const uint8_t, 32> public_key() const { return public_key_; }

 private:
  std::string name_;
  uint32_t key_id_ = 0;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 32> public_key_{};
};

class Verifier {
 public:
  // From the verifier-key form. INVALID_ARGUMENT naming what is wrong.
  static absl::StatusOr<Verifier> FromKey(std::string_view verifier_key);
  // A cosigner's key as a witness publishes it (c2sp.org/tlog-cosignature):
  // the same form with key type 0x04.
  static absl::StatusOr<Verifier> FromCosignerKey(std::string_view verifier_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  uint8_t type() const { return type_; }
  bool Verify(std::string_view message, std::string_view signature) const;
  const std::string& key() const { return key_; }

 private:
  std::string key_;  // as given
  std::string name_;
  uint32_t key_id_ = 0;
  uint8_t type_ = kEd25519;
  std::array<uint8_t, 32> public_key_{};
};

// A signing key kept in a file in the signer form: read from `key_file`
// when it exists; otherwise made (named `name`) and written there,
// owner-only, when `create` (NOT_FOUND when not).
absl::StatusOr<Signer> LoadOrCreateSigner(const std::string& key_file, std::string_view name,
                                          bool create);

// The key id of a key: the first 4 bytes of SHA-256(name || '\n' || type ||
// public key), big-endian.
uint32_t KeyId(std::string_view name, uint8_t type, std::span<const uint8_t, 32> public_key);
// A cosigner's verifier key for the same key pair as `signer`.
std::string CosignerKey(const Signer& signer);

struct Signature {
  std::string name;
  uint32_t key_id = 0;
  std::string bytes;  // what follows the key id
};

struct Note {
  std::string text;
  std::vector<Signature> signatures;
};

// Splits a note into its text and signature lines. INVALID_ARGUMENT when it
// is not a well-formed note.
absl::StatusOr<Note> ParseNote(std::string_view note);
// The note again, with signature lines in the order given.
std::string FormatNote(const Note& note);
std::string SignatureLine(const Signature& signature);

// Checks that `note` carries a signature by `verifier` (an Ed25519 key,
// found by name and key id) over its text. NOT_FOUND when it carries none;
// DATA_LOSS when the one it carries does not verify.
absl::Status VerifyNote(const Note& note, const Verifier& verifier);

}  // namespace dxledger::note

#endif  // DXLEDGER_BASE_NOTE_H_
