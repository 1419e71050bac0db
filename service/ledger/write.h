#ifndef DXLEDGER_SERVICE_LEDGER_WRITE_H_
#define DXLEDGER_SERVICE_LEDGER_WRITE_H_

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/principals.pb.h"
#include "service/domain/commands.h"
#include "service/domain/fiscal_years.h"

// What a write is: commands on the streams of goals, fiscal years and
// principals, appended together or not at all; and what it answers. A
// single command is a write of one.
namespace dxledger::ledger {

// A command on a goal's stream.
struct GoalCommand {
  domain::Command command;
  // When set, called with the goal's view (an existing goal only) before
  // deciding; its error is the command's, and nothing is written.
  std::function<absl::Status(const v1::Goal&)> authorize;
};

// A command on a principal's stream (see domain::DecidePrincipal).
struct PrincipalChange {
  std::string principal;  // the name
  v1::Event proposal;     // one principal payload
};

using StreamCommand = std::variant<GoalCommand, domain::YearCommand, PrincipalChange>;

// A stream's view after a write.
using StreamView = std::variant<v1::Goal, v1::FiscalYear, v1::Principal>;

struct WriteRequest {
  std::string method;  // the operation: part of the fingerprint
  // Scopes the request id: the organization, or empty for principals,
  // which are the server's.
  std::string scope;
  std::string actor;  // the authenticated principal
  std::string request_id;
  std::string reason;  // on every event
  // What request_id stands for. Empty: derived from the method, the
  // commands and the reason. Required with a plan, whose commands depend on
  // the state they were planned against.
  std::string fingerprint;
  // Decide, answer what would be written, write nothing.
  bool validate_only = false;
  // The commands, decided in order...
  std::vector<StreamCommand> commands;
  // ...or, when set, a plan that makes them against the current views; it
  // runs again when a concurrent write got in first. A planned write's
  // refusals name the goal they concern.
  std::function<absl::StatusOr<std::vector<StreamCommand>>()> plan;
};

struct WriteOutcome {
  std::vector<v1::Event> events;  // in log order, positioned and hashed
  // Each stream's view after the write, in the order the commands first
  // named them. A replay has it only for a write of one command.
  std::vector<StreamView> views;
  bool replayed = false;  // request_id seen before: the original result
};

// One goal command, as the service and tests send it: a write of one.
struct CommandRequest {
  std::string method;
  domain::Command command;
  std::string actor;
  std::string request_id;
  std::string reason;
  std::function<absl::Status(const v1::Goal&)> authorize;  // see GoalCommand
};

struct CommandOutcome {
  v1::Goal goal;  // after the command
  std::vector<v1::Event> events;
  bool replayed = false;
};

// One principal command: a write of one on the server's scope.
struct PrincipalCommand {
  std::string principal;  // the name
  v1::Event proposal;     // one principal payload
  std::string actor;
  std::string request_id;
  std::string reason;
  std::string method;  // the operation: part of the fingerprint
};

struct PrincipalOutcome {
  v1::Principal principal;  // after the command
  std::vector<v1::Event> events;
  bool replayed = false;
};

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_WRITE_H_
