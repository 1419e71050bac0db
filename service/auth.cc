#include "service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "base/files.h"
#include "base/sha256.h"
#include "fmt/format.h"

namespace dxledger::service {
namespace {

// Every call hashes its token, so this runs per RPC: no formatting library.
std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * size, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

absl::Status WriteOwnerOnly(const std::string& path, std::string_view content) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    if (!out) return absl::InternalError(fmt::format("cannot write {}", temp));
    std::filesystem::permissions(
        temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    out << content;
    if (!out.flush()) return absl::InternalError(fmt::format("cannot write {}", temp));
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) return absl::InternalError(fmt::format("cannot rename {}: {}", temp, error.message()));
  return absl::OkStatus();
}

}  // namespace

std::string NewToken() {
  unsigned char bytes[32];
  // RAND_bytes fails only when the OS has no entropy source, which leaves no
  // safe way to continue.
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return Hex(bytes, sizeof(bytes));
}

absl::StatusOr<TokenIssuer> TokenIssuer::Open(const std::string& path) {
  absl::StatusOr<std::optional<std::string>> stored = base::ReadFileIfExists(path);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    std::string key(absl::StripAsciiWhitespace(**stored));
    if (key.size() != 64) {
      return absl::FailedPreconditionError(
          fmt::format("{} holds no token key (64 hex digits): restore it, or remove it to make a "
                      "new one (retries of earlier principal requests then fail)",
                      path));
    }
    return TokenIssuer(std::move(key));
  }
  std::string key = NewToken();
  if (absl::Status s = base::WriteFileDurably(path, key + "\n", 0600); !s.ok()) return s;
  return TokenIssuer(std::move(key));
}

std::string TokenIssuer::Issue(std::string_view actor, std::string_view method,
                               std::string_view principal, std::string_view request_id) const {
  if (request_id.empty()) return NewToken();
  // Length-prefixed, so no two requests share a message.
  std::string message;
  for (std::string_view part : {actor, method, principal, request_id}) {
    message += fmt::format("{}:", part.size());
    message.append(part);
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return Hex(mac, length);
}

std::string TokenHash(std::string_view token) {
  const std::string digest = base::Sha256({token});
  return Hex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
}

absl::StatusOr<v1::Role> ParseRole(std::string_view text) {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  const std::string name =
      "ROLE_" + absl::AsciiStrToUpper(absl::string_view(text.data(), text.size()));
  if (v1::Role_Parse(name, &role) && role != v1::ROLE_UNSPECIFIED) return role;
  return absl::InvalidArgumentError(
      fmt::format("role \"{}\" is not one of admin, hq, editor, auditor, integration", text));
}

void Principals::Replace(const std::vector<v1::Principal>& principals) {
  absl::MutexLock lock(&mu_);
  by_name_.clear();
  for (const v1::Principal& principal : principals) {
    by_name_[principal.principal()] = std::make_shared<const v1::Principal>(principal);
  }
}

void Principals::Update(const v1::Principal& principal) {
  absl::MutexLock lock(&mu_);
  by_name_[principal.principal()] = std::make_shared<const v1::Principal>(principal);
}

bool Principals::empty() const {
  absl::MutexLock lock(&mu_);
  return by_name_.empty();
}

absl::StatusOr<PrincipalRef> Principals::ByToken(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "no credentials: send the header \"authorization: Bearer <token>\" or a client "
        "certificate");
  }
  if (!authorization.starts_with(kBearer) || authorization.size() == kBearer.size()) {
    return absl::UnauthenticatedError(
        "malformed authorization header: expected \"Bearer <token>\"");
  }
  const std::string hash = TokenHash(authorization.substr(kBearer.size()));
  absl::MutexLock lock(&mu_);
  // Compare with every principal in constant time, so the time taken does not
  // reveal how much of a hash matched.
  const PrincipalRef* match = nullptr;
  for (const auto& [name, principal] : by_name_) {
    if (principal->token_sha256().size() == hash.size() &&
        CRYPTO_memcmp(principal->token_sha256().data(), hash.data(), hash.size()) == 0) {
      match = &principal;
    }
  }
  if (match == nullptr) return absl::UnauthenticatedError("the bearer token is not valid");
  if ((*match)->disabled()) {
    return absl::UnauthenticatedError(
        fmt::format("principal {} is disabled", (*match)->principal()));
  }
  return *match;
}

absl::StatusOr<PrincipalRef> Principals::ByCertificate(std::string_view common_name) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, principal] : by_name_) {
    if (!common_name.empty() && principal->certificate_common_name() == common_name) {
      if (principal->disabled()) {
        return absl::UnauthenticatedError(fmt::format("principal {} is disabled", name));
      }
      return principal;
    }
  }
  return absl::UnauthenticatedError(fmt::format(
      "the client certificate CN={} is bound to no principal", common_name.substr(0, 80)));
}

absl::StatusOr<std::string> AddPrincipal(ledger::Ledger& ledger, std::string_view actor,
                                         std::string_view name, std::vector<v1::Role> roles,
                                         std::vector<std::string> departments,
                                         std::string_view certificate_common_name) {
  const std::string token = NewToken();
  ledger::PrincipalCommand command;
  command.principal = std::string(name);
  command.actor = std::string(actor);
  command.method = "AddPrincipal";
  v1::PrincipalAdded* added = command.proposal.mutable_principal_added();
  added->set_principal(std::string(name));
  for (v1::Role role : roles) added->add_roles(role);
  for (std::string& department : departments) added->add_departments(std::move(department));
  added->set_token_sha256(TokenHash(token));
  added->set_certificate_common_name(std::string(certificate_common_name));
  absl::StatusOr<ledger::PrincipalOutcome> outcome =
      ledger.writer().ExecutePrincipalAndWait(command);
  if (!outcome.ok()) return outcome.status();
  return token;
}

absl::Status LoadPrincipals(ledger::Ledger& ledger, const std::string& data_dir,
                            Principals& principals) {
  absl::StatusOr<std::vector<v1::Principal>> stored = ledger.queries().ListPrincipals();
  if (!stored.ok()) return stored.status();
  if (stored->empty()) {
    absl::StatusOr<std::string> token =
        AddPrincipal(ledger, "dxledgerd", "admin", {v1::ROLE_ADMIN}, {});
    if (!token.ok()) return token.status();
    if (absl::Status s = WriteOwnerOnly(data_dir + "/admin.token", *token + "\n"); !s.ok()) {
      return s;
    }
    stored = ledger.queries().ListPrincipals();
    if (!stored.ok()) return stored.status();
  }
  principals.Replace(*stored);
  return absl::OkStatus();
}

}  // namespace dxledger::service
