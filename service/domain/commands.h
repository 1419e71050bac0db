#ifndef DXLEDGER_SERVICE_DOMAIN_COMMANDS_H_
#define DXLEDGER_SERVICE_DOMAIN_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "service/domain/names.h"

// Commands become events here: Decide validates a proposed change against
// the goal's current view and returns the events to append, or the error to
// give the caller. Pure and thread-compatible; it reads no clock and no disk.
namespace dxledger::domain {

struct Command {
  GoalName goal;
  // When set, the goal's version must equal it (ABORTED otherwise).
  std::optional<uint64_t> expected_version;
  // Exactly one payload is set; the envelope fields are ignored.
  v1::Event proposal;
};

// Who and when, as the server knows it; copied onto every event.
struct CommandContext {
  std::string actor;
  absl::Time now;
  std::string request_id;
  std::string reason;
  // The goal's fiscal year (for a new goal, the year it is created in);
  // nullptr means open. In a closed year no goal is created, and every other
  // change is recorded as a post-close correction.
  const v1::FiscalYear* year = nullptr;
};

// `current` is the goal's view, or nullptr when the goal does not exist.
// Returns the events (envelope filled, versions numbered from the current
// version; an accepted change decision also returns the changes it makes)
// or: INVALID_ARGUMENT naming the field; NOT_FOUND for an unknown goal,
// indicator, issue or proposal; ALREADY_EXISTS when creating an existing
// goal; FAILED_PRECONDITION for a retired goal, a resolved issue, a decided
// proposal or a goal created in a closed year; ABORTED when expected_version
// does not match (the message names the current version).
absl::StatusOr<std::vector<v1::Event>> Decide(const v1::Goal* current, const Command& command,
                                              const CommandContext& context);

// INVALID_ARGUMENT when the request id or reason is malformed.
absl::Status ValidateContext(const CommandContext& context);

// Sets the envelope the server owns: stream, version, actor, time, request
// id and reason; clears position and hashes, which the log supplies.
void FillEnvelope(std::string stream, uint64_t version, const CommandContext& context,
                  v1::Event& event);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_COMMANDS_H_
