#include "service/authorize.h"

#include <algorithm>
#include <map>

#include "dxledger/v1/access.pb.h"
#include "dxledger/v1/ledger.pb.h"
#include "fmt/format.h"
#include "service/domain/principals.h"

namespace dxledger::service {
namespace {

// The rules of LedgerService's methods, by method name, as ledger.proto
// declares them.
const std::map<std::string, v1::Access, std::less<>>& Rules() {
  static const auto* rules = [] {
    auto* table = new std::map<std::string, v1::Access, std::less<>>();
    const google::protobuf::ServiceDescriptor& service = LedgerServiceDescriptor();
    for (int i = 0; i < service.method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service.method(i);
      if (method->options().HasExtension(v1::access)) {
        (*table)[method->name()] = method->options().GetExtension(v1::access);
      }
    }
    return table;
  }();
  return *rules;
}

std::string RoleNames(const google::protobuf::RepeatedField<int>& roles) {
  std::string names;
  for (int role : roles) {
    std::string name = v1::Role_Name(role).substr(5);  // ROLE_HQ → HQ
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    names += (names.empty() ? "" : ", ") + name;
  }
  return names;
}

}  // namespace

const google::protobuf::ServiceDescriptor& LedgerServiceDescriptor() {
  return *v1::CreateGoalRequest::descriptor()->file()->FindServiceByName("LedgerService");
}

absl::Status CheckEveryMethodHasARule(const google::protobuf::ServiceDescriptor& service) {
  for (int i = 0; i < service.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service.method(i);
    if (!method.options().HasExtension(v1::access) ||
        method.options().GetExtension(v1::access).roles().empty()) {
      return absl::FailedPreconditionError(fmt::format(
          "{} declares no roles: give it option (access) = {{roles: [...]}} in its .proto",
          method.full_name()));
    }
  }
  return absl::OkStatus();
}

absl::Status AllowCall(const v1::Principal& principal, std::string_view rpc) {
  auto it = Rules().find(rpc);
  if (it == Rules().end()) {
    return absl::InternalError(fmt::format("no authorization rule for {}", rpc));
  }
  for (int role : it->second.roles()) {
    if (domain::HasRole(principal, static_cast<v1::Role>(role))) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      fmt::format("principal {} may not call {}: it needs the role {}", principal.principal(), rpc,
                  RoleNames(it->second.roles())));
}

bool ScopedToDepartments(std::string_view rpc) {
  auto it = Rules().find(rpc);
  return it != Rules().end() && it->second.department_scope();
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
