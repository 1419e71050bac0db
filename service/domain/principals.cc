#include "service/domain/principals.h"

#include <algorithm>
#include <set>

#include "fmt/format.h"
#include "service/domain/goal.h"
#include "service/domain/limits.h"
#include "service/domain/text.h"

namespace dxledger::domain {
namespace {

absl::Status ValidateRoles(const google::protobuf::RepeatedField<int>& roles) {
  if (roles.empty()) return absl::InvalidArgumentError("roles: at least one role is required");
  for (int role : roles) {
    if (role == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(role)) {
      return absl::InvalidArgumentError(
          fmt::format("roles: {} is not one of admin, hq, editor, auditor, integration", role));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDepartmentNames(const google::protobuf::RepeatedPtrField<std::string>& names) {
  if (static_cast<size_t>(names.size()) > kMaxDepartments) {
    return absl::InvalidArgumentError(
        fmt::format("departments: at most {} are allowed", kMaxDepartments));
  }
  for (const std::string& name : names) {
    if (absl::Status s = ValidateText("departments", name, kMaxDepartmentBytes, true, Lines::kOne);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTokenHash(std::string_view hash) {
  const bool ok = hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == hash.npos;
  return ok ? absl::OkStatus()
            : absl::InvalidArgumentError("token_sha256 must be 64 lower-case hex digits");
}

// An editor edits only its departments' goals, so it needs at least one.
absl::Status CheckEditorScope(const google::protobuf::RepeatedField<int>& roles,
                              const google::protobuf::RepeatedPtrField<std::string>& departments) {
  const bool editor = std::find(roles.begin(), roles.end(), v1::ROLE_EDITOR) != roles.end();
  if (editor && departments.empty()) {
    return absl::InvalidArgumentError("an editor needs at least one department");
  }
  return absl::OkStatus();
}

absl::Status DecideChange(const v1::Principal& current, const v1::PrincipalChanged& changed) {
  if (!changed.has_roles() && !changed.has_departments() &&
      !changed.has_certificate_common_name()) {
    return absl::InvalidArgumentError("the change must set roles, departments or a certificate");
  }
  if (changed.has_roles()) {
    if (absl::Status s = ValidateRoles(changed.roles().roles()); !s.ok()) return s;
  }
  if (changed.has_departments()) {
    if (absl::Status s = ValidateDepartmentNames(changed.departments().names()); !s.ok()) return s;
  }
  google::protobuf::RepeatedField<int> roles =
      changed.has_roles() ? changed.roles().roles() : current.roles();
  return CheckEditorScope(
      roles, changed.has_departments() ? changed.departments().names() : current.departments());
}

}  // namespace

std::string PrincipalStreamName(std::string_view principal) {
  return fmt::format("principals/{}", principal);
}

absl::Status ValidatePrincipalName(std::string_view principal) {
  const bool ok = !principal.empty() && principal.size() <= 64 &&
                  principal.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") ==
                      std::string_view::npos;
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format(
      "principal \"{}\" must be 1-64 of a-z, 0-9, '.', '_' and '-'", principal.substr(0, 80)));
}

bool HasRole(const v1::Principal& principal, v1::Role role) {
  return std::find(principal.roles().begin(), principal.roles().end(), role) !=
         principal.roles().end();
}

bool InScope(const v1::Principal& principal, const v1::Goal& goal) {
  return std::any_of(principal.departments().begin(), principal.departments().end(),
                     [&](const std::string& department) { return OwnedBy(goal, department); });
}

void ApplyToPrincipal(const v1::Event& event, v1::Principal& principal) {
  switch (event.payload_case()) {
    case v1::Event::kPrincipalAdded: {
      const v1::PrincipalAdded& added = event.principal_added();
      principal.set_name(event.goal());
      principal.set_principal(added.principal());
      *principal.mutable_roles() = added.roles();
      *principal.mutable_departments() = added.departments();
      principal.set_certificate_common_name(added.certificate_common_name());
      principal.set_token_sha256(added.token_sha256());
      principal.set_has_token(!added.token_sha256().empty());
      *principal.mutable_token_rotate_time() = event.record_time();
      break;
    }
    case v1::Event::kPrincipalChanged: {
      const v1::PrincipalChanged& changed = event.principal_changed();
      if (changed.has_roles()) *principal.mutable_roles() = changed.roles().roles();
      if (changed.has_departments())
        *principal.mutable_departments() = changed.departments().names();
      if (changed.has_certificate_common_name()) {
        principal.set_certificate_common_name(changed.certificate_common_name());
      }
      break;
    }
    case v1::Event::kPrincipalTokenRotated:
      principal.set_token_sha256(event.principal_token_rotated().token_sha256());
      principal.set_has_token(true);
      *principal.mutable_token_rotate_time() = event.record_time();
      break;
    case v1::Event::kPrincipalDisabled:
      principal.set_disabled(true);
      break;
    case v1::Event::kPrincipalEnabled:
      principal.set_disabled(false);
      break;
    // Goal and fiscal-year events never reach a principal (see StreamKindOf).
    case v1::Event::kGoalCreated:
    case v1::Event::kGoalRevised:
    case v1::Event::kIndicatorSet:
    case v1::Event::kIndicatorResultRecorded:
    case v1::Event::kActivityRecorded:
    case v1::Event::kRatingSet:
    case v1::Event::kIssueAdded:
    case v1::Event::kIssueResolved:
    case v1::Event::kGoalRetired:
    case v1::Event::kGoalCarriedOver:
    case v1::Event::kChangeProposed:
    case v1::Event::kChangeDecided:
    case v1::Event::kFiscalYearRolledOver:
    case v1::Event::kFiscalYearOpened:
    case v1::Event::kFiscalYearNextStepsSet:
    case v1::Event::PAYLOAD_NOT_SET:
      break;
  }
  principal.set_version(event.version());
}

absl::StatusOr<v1::Event> DecidePrincipal(const v1::Principal* current, std::string_view principal,
                                          v1::Event proposal, const CommandContext& context) {
  if (absl::Status s = ValidatePrincipalName(principal); !s.ok()) return s;
  if (absl::Status s = ValidateContext(context); !s.ok()) return s;
  if (proposal.has_principal_added()) {
    if (current != nullptr) {
      return absl::AlreadyExistsError(fmt::format("principal {} already exists", principal));
    }
    const v1::PrincipalAdded& added = proposal.principal_added();
    absl::Status s = ValidateRoles(added.roles());
    if (s.ok()) s = ValidateDepartmentNames(added.departments());
    if (s.ok()) s = CheckEditorScope(added.roles(), added.departments());
    if (s.ok() && !added.token_sha256().empty()) s = ValidateTokenHash(added.token_sha256());
    if (!s.ok()) return s;
  } else {
    if (current == nullptr) {
      return absl::NotFoundError(fmt::format("principal {} not found", principal));
    }
    absl::Status s;
    if (proposal.has_principal_changed()) {
      s = DecideChange(*current, proposal.principal_changed());
    } else if (proposal.has_principal_token_rotated()) {
      s = ValidateTokenHash(proposal.principal_token_rotated().token_sha256());
    } else if (proposal.has_principal_disabled()) {
      s = ValidateText("reason", proposal.principal_disabled().reason(), kMaxReasonBytes, false);
    } else if (!proposal.has_principal_enabled()) {
      s = absl::InvalidArgumentError("the command carries no principal change");
    }
    if (!s.ok()) return s;
  }
  FillEnvelope(PrincipalStreamName(principal), current ? current->version() + 1 : 1, context,
               proposal);
  return proposal;
}

}  // namespace dxledger::domain
