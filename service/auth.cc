#include "service/auth.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace dxledger::service {
namespace {

constexpr std::pair<Role, std::string_view> kRoles[] = {{Role::kAdmin, "admin"},
                                                        {Role::kHq, "hq"},
                                                        {Role::kEditor, "editor"},
                                                        {Role::kAuditor, "auditor"},
                                                        {Role::kIntegration, "integration"}};

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string out;
  out.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
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

bool Principal::CanWrite() const {
  return roles.contains(Role::kAdmin) || roles.contains(Role::kHq) || roles.contains(Role::kEditor);
}

absl::StatusOr<Role> ParseRole(std::string_view text) {
  for (const auto& [role, name] : kRoles) {
    if (name == text) return role;
  }
  return absl::InvalidArgumentError(
      fmt::format("role \"{}\" is not one of admin, hq, editor, auditor, integration", text));
}

std::string_view RoleName(Role role) {
  for (const auto& [r, name] : kRoles) {
    if (r == role) return name;
  }
  return "unknown";
}

std::string NewToken() {
  unsigned char bytes[32];
  // RAND_bytes fails only when the OS has no entropy source, which leaves no
  // safe way to continue.
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return Hex(bytes, sizeof(bytes));
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return Hex(digest, sizeof(digest));
}

absl::StatusOr<PrincipalRegistry> PrincipalRegistry::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(fmt::format("principals file {} not found", path));
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.contains("principals") || !json["principals"].is_array()) {
    return absl::InvalidArgumentError(
        fmt::format("principals file {} is not JSON of the form {{\"principals\": [...]}}", path));
  }
  PrincipalRegistry registry;
  for (const nlohmann::json& entry : json["principals"]) {
    if (!entry.is_object() || !entry.value("name", nlohmann::json()).is_string() ||
        !entry.value("token_sha256", nlohmann::json()).is_string()) {
      return absl::InvalidArgumentError(
          fmt::format("principals file {}: every principal needs a name and token_sha256", path));
    }
    Principal principal;
    principal.name = entry["name"].get<std::string>();
    principal.token_sha256 = entry["token_sha256"].get<std::string>();
    principal.disabled = entry.value("disabled", false);
    for (const auto& role : entry.value("roles", nlohmann::json::array())) {
      absl::StatusOr<Role> parsed = ParseRole(role.is_string() ? role.get<std::string>() : "");
      if (!parsed.ok()) return parsed.status();
      principal.roles.insert(*parsed);
    }
    for (const auto& department : entry.value("departments", nlohmann::json::array())) {
      if (department.is_string()) principal.departments.push_back(department.get<std::string>());
    }
    if (absl::Status s = registry.Add(std::move(principal)); !s.ok()) return s;
  }
  return registry;
}

absl::Status PrincipalRegistry::Save(const std::string& path) const {
  nlohmann::json principals = nlohmann::json::array();
  for (const auto& [name, principal] : by_name_) {
    nlohmann::json roles = nlohmann::json::array();
    for (Role role : principal.roles) roles.push_back(std::string(RoleName(role)));
    principals.push_back({{"name", name},
                          {"token_sha256", principal.token_sha256},
                          {"roles", roles},
                          {"departments", principal.departments},
                          {"disabled", principal.disabled}});
  }
  return WriteOwnerOnly(path, nlohmann::json{{"principals", principals}}.dump(2) + "\n");
}

absl::Status PrincipalRegistry::Add(Principal principal) {
  if (principal.name.empty() || principal.name.size() > 64 ||
      principal.name.find_first_of(" \t\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(fmt::format(
        "principal name \"{}\" must be 1-64 characters without spaces", principal.name));
  }
  if (by_name_.contains(principal.name)) {
    return absl::InvalidArgumentError(fmt::format("principal {} already exists", principal.name));
  }
  by_name_.emplace(principal.name, std::move(principal));
  return absl::OkStatus();
}

absl::StatusOr<Principal> PrincipalRegistry::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return absl::UnauthenticatedError(
        "no credentials: send the header \"authorization: Bearer <token>\"");
  }
  if (!authorization.starts_with(kBearer) || authorization.size() == kBearer.size()) {
    return absl::UnauthenticatedError(
        "malformed authorization header: expected \"Bearer <token>\"");
  }
  const std::string hash = TokenHash(authorization.substr(kBearer.size()));
  // Compare against every principal in constant time per comparison, so the
  // time taken does not reveal how much of a hash matched.
  const Principal* match = nullptr;
  for (const auto& [name, principal] : by_name_) {
    if (principal.token_sha256.size() == hash.size() &&
        CRYPTO_memcmp(principal.token_sha256.data(), hash.data(), hash.size()) == 0) {
      match = &principal;
    }
  }
  if (match == nullptr) return absl::UnauthenticatedError("the bearer token is not valid");
  if (match->disabled) return absl::UnauthenticatedError("the principal is disabled");
  return *match;
}

absl::StatusOr<PrincipalRegistry> LoadOrInitializePrincipals(const std::string& data_dir) {
  const std::string path = data_dir + "/principals.json";
  absl::StatusOr<PrincipalRegistry> loaded = PrincipalRegistry::Load(path);
  if (!absl::IsNotFound(loaded.status())) return loaded;
  PrincipalRegistry registry;
  const std::string token = NewToken();
  Principal admin{"admin", {Role::kAdmin}, {}, TokenHash(token), false};
  if (absl::Status s = registry.Add(std::move(admin)); !s.ok()) return s;
  if (absl::Status s = WriteOwnerOnly(data_dir + "/admin.token", token + "\n"); !s.ok()) return s;
  if (absl::Status s = registry.Save(path); !s.ok()) return s;
  return registry;
}

}  // namespace dxledger::service
