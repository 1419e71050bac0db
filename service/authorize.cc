#include "service/authorize.h"

#include <algorithm>
#include <map>
#include <vector>

#include "fmt/format.h"
#include "service/domain/principals.h"

namespace dxledger::service {
namespace {

struct Rule {
  std::vector<v1::Role> roles;
  bool department_scope = false;
};

const std::vector<v1::Role> kEveryone = {v1::ROLE_ADMIN, v1::ROLE_HQ, v1::ROLE_EDITOR,
                                         v1::ROLE_AUDITOR, v1::ROLE_INTEGRATION};

const std::map<std::string_view, Rule>& Rules() {
  static const auto* rules = new std::map<std::string_view, Rule>{
      // HQ shapes the goals; it does not rate them.
      {"CreateGoal", {{v1::ROLE_HQ}}},
      {"ReviseGoal", {{v1::ROLE_HQ}}},
      {"RetireGoal", {{v1::ROLE_HQ}}},
      {"RollOverFiscalYear", {{v1::ROLE_HQ}}},
      {"DecideChange", {{v1::ROLE_HQ}}},
      {"ImportReport", {{v1::ROLE_HQ}}},
      // Departments record their own goals' progress.
      {"SetIndicator", {{v1::ROLE_EDITOR}, true}},
      {"RecordIndicatorResult", {{v1::ROLE_EDITOR}, true}},
      {"RecordActivity", {{v1::ROLE_EDITOR}, true}},
      {"SetRating", {{v1::ROLE_EDITOR}, true}},
      {"AddIssue", {{v1::ROLE_EDITOR}, true}},
      {"ResolveIssue", {{v1::ROLE_EDITOR}, true}},
      {"ProposeChange", {{v1::ROLE_EDITOR}, true}},
      // Everyone reads.
      {"GetGoal", {kEveryone}},
      {"ListGoals", {kEveryone}},
      {"ListGoalEvents", {kEveryone}},
      {"ListRatingChanges", {kEveryone}},
      {"ReadLog", {kEveryone}},
      {"ExportReport", {kEveryone}},
      {"GetFiscalYear", {kEveryone}},
      {"GetLineage", {kEveryone}},
      {"GetYearOverYear", {kEveryone}},
      {"GetRatingSummary", {kEveryone}},
      {"VerifyLog", {kEveryone}},
      {"Subscribe", {kEveryone}},
      // Principals are the admin's; the security log is for admins and auditors.
      {"AddPrincipal", {{v1::ROLE_ADMIN}}},
      {"UpdatePrincipal", {{v1::ROLE_ADMIN}}},
      {"SetPrincipalDisabled", {{v1::ROLE_ADMIN}}},
      {"RotatePrincipalToken", {{v1::ROLE_ADMIN}}},
      {"ListPrincipals", {{v1::ROLE_ADMIN, v1::ROLE_AUDITOR}}},
      {"ListSecurityEvents", {{v1::ROLE_ADMIN, v1::ROLE_AUDITOR}}},
      {"CreateBackup", {{v1::ROLE_ADMIN}}},
  };
  return *rules;
}

std::string RoleNames(const std::vector<v1::Role>& roles) {
  std::string names;
  for (v1::Role role : roles) {
    std::string name = v1::Role_Name(role).substr(5);  // ROLE_HQ → HQ
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

}  // namespace

absl::Status AllowCall(const v1::Principal& principal, std::string_view rpc) {
  auto it = Rules().find(rpc);
  if (it == Rules().end()) {
    return absl::InternalError(fmt::format("no authorization rule for {}", rpc));
  }
  for (v1::Role role : it->second.roles) {
    if (domain::HasRole(principal, role)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      fmt::format("principal {} may not call {}: it needs the role {}", principal.principal(), rpc,
                  RoleNames(it->second.roles)));
}

bool ScopedToDepartments(std::string_view rpc) {
  auto it = Rules().find(rpc);
  return it != Rules().end() && it->second.department_scope;
}

absl::Status AllowGoal(const v1::Principal& principal, const v1::Goal& goal, std::string_view rpc) {
  if (domain::InScope(principal, goal)) return absl::OkStatus();
  std::string departments;
  for (const std::string& d : goal.departments())
    departments += (departments.empty() ? "" : "・") + d;
  return absl::PermissionDeniedError(fmt::format(
      "principal {} may not call {} on {}: the goal belongs to {}, not to its departments",
      principal.principal(), rpc, goal.name(), departments));
}

}  // namespace dxledger::service
