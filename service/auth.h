#ifndef DXLEDGER_SERVICE_AUTH_H_
#define DXLEDGER_SERVICE_AUTH_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

// Who is calling. Principals live in a JSON file that holds only SHA-256
// hashes of their bearer tokens, with each principal's roles and departments.
namespace dxledger::service {

enum class Role { kAdmin, kHq, kEditor, kAuditor, kIntegration };

struct Principal {
  std::string name;
  std::set<Role> roles;
  std::vector<std::string> departments;
  std::string token_sha256;  // lower-case hex
  bool disabled = false;

  // Roles that may append goal events.
  bool CanWrite() const;
};

absl::StatusOr<Role> ParseRole(std::string_view text);
std::string_view RoleName(Role role);

// A fresh random bearer token (64 hex characters).
std::string NewToken();
std::string TokenHash(std::string_view token);  // lower-case hex SHA-256

// Immutable once loaded; thread-safe.
class PrincipalRegistry {
 public:
  // NOT_FOUND when the file does not exist; INVALID_ARGUMENT when malformed.
  static absl::StatusOr<PrincipalRegistry> Load(const std::string& path);
  absl::Status Save(const std::string& path) const;  // owner-only permissions

  // INVALID_ARGUMENT for a name that is taken or malformed.
  absl::Status Add(Principal principal);

  // Checks an `authorization` header value ("Bearer <token>"). UNAUTHENTICATED
  // when it is missing, malformed, unknown or disabled; the message never
  // contains the token.
  absl::StatusOr<Principal> Authenticate(std::string_view authorization) const;

  bool empty() const { return by_name_.empty(); }

 private:
  std::map<std::string, Principal, std::less<>> by_name_;
};

// On first start: when `<data_dir>/principals.json` does not exist, creates it
// with an `admin` principal and writes the admin token to
// `<data_dir>/admin.token` (mode 0600). Returns the registry either way.
absl::StatusOr<PrincipalRegistry> LoadOrInitializePrincipals(const std::string& data_dir);

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_AUTH_H_
