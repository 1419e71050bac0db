// libFuzzer: request validation. The first byte picks a command request; the
// rest is its wire bytes. Conversion and the domain's decision must refuse
// bad input with a status, never crash.
#include <cstddef>
#include <cstdint>

#include "dxledger/v1/ledger.pb.h"
#include "service/domain/commands.h"
#include "service/domain/goal.h"
#include "service/requests.h"

namespace {

using dxledger::service::RequestScope;

dxledger::domain::CommandContext Context() {
  return dxledger::domain::CommandContext{.actor = "fuzz",
                                          .now = absl::FromUnixSeconds(1700000000),
                                          .request_id = "r1",
                                          .reason = "",
                                          .year = nullptr};
}

// A goal with some history, for commands on an existing goal.
const dxledger::v1::Goal& ExistingGoal() {
  static const dxledger::v1::Goal goal = [] {
    dxledger::v1::CreateGoalRequest create;
    create.set_goal_id("g1");
    create.set_fiscal_year(2021);
    create.add_departments("総務部");
    create.set_title("行政手続のオンライン化");
    create.set_request_id("seed");
    dxledger::v1::Goal view;
    auto command = dxledger::service::ToCommand(create, RequestScope{"fuzz", "050008"});
    if (!command.ok()) return view;
    auto events = dxledger::domain::Decide(nullptr, command->command, Context());
    if (events.ok()) {
      for (const auto& event : *events) dxledger::domain::Apply(event, view);
    }
    return view;
  }();
  return goal;
}

template <typename Request>
void Run(const uint8_t* data, size_t size) {
  Request request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  auto command = dxledger::service::ToCommand(request, RequestScope{"fuzz", "050008"});
  if (!command.ok()) return;
  const dxledger::domain::CommandContext context = Context();
  (void)dxledger::domain::Decide(nullptr, command->command, context);
  (void)dxledger::domain::Decide(&ExistingGoal(), command->command, context);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* body = data + 1;
  const size_t length = size - 1;
  switch (data[0] % 8) {
    case 0:
      Run<dxledger::v1::CreateGoalRequest>(body, length);
      break;
    case 1:
      Run<dxledger::v1::ReviseGoalRequest>(body, length);
      break;
    case 2:
      Run<dxledger::v1::SetIndicatorRequest>(body, length);
      break;
    case 3:
      Run<dxledger::v1::RecordIndicatorResultRequest>(body, length);
      break;
    case 4:
      Run<dxledger::v1::RecordActivityRequest>(body, length);
      break;
    case 5:
      Run<dxledger::v1::SetRatingRequest>(body, length);
      break;
    case 6:
      Run<dxledger::v1::AddIssueRequest>(body, length);
      break;
    default:
      Run<dxledger::v1::ProposeChangeRequest>(body, length);
      break;
  }
  return 0;
}
