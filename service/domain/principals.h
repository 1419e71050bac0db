#ifndef DXLEDGER_SERVICE_DOMAIN_PRINCIPALS_H_
#define DXLEDGER_SERVICE_DOMAIN_PRINCIPALS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/principals.pb.h"
#include "service/domain/commands.h"

// Principals as streams of their own (principals/{name}): who they are, what
// they may do and in which departments, and whether they are enabled. Every
// change is an event with its actor.
namespace dxledger::domain {

// principals/{principal}
std::string PrincipalStreamName(std::string_view principal);

// INVALID_ARGUMENT unless 1-64 of [a-z0-9._-].
absl::Status ValidatePrincipalName(std::string_view principal);

bool HasRole(const v1::Principal& principal, v1::Role role);
// True when the goal has one of the principal's departments among its owners.
bool InScope(const v1::Principal& principal, const v1::Goal& goal);

void ApplyToPrincipal(const v1::Event& event, v1::Principal& principal);

// Validates a principal event (one payload set) against the principal's view
// (nullptr when new) and fills its envelope. ALREADY_EXISTS when adding an
// existing principal; NOT_FOUND when changing a missing one;
// INVALID_ARGUMENT for bad roles, departments or token hashes.
absl::StatusOr<v1::Event> DecidePrincipal(const v1::Principal* current, std::string_view principal,
                                          v1::Event proposal, const CommandContext& context);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_PRINCIPALS_H_
