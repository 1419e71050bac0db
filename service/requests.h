#ifndef DXLEDGER_SERVICE_REQUESTS_H_
#define DXLEDGER_SERVICE_REQUESTS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "dxledger/v1/ledger.pb.h"
#include "service/ledger/ledger.h"

// Command RPC requests become ledger commands here; the actor is always the
// authenticated principal's name, never anything from the request.
namespace dxledger::service {

struct RequestScope {
  std::string_view actor;
  std::string_view default_organization;
};

absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::CreateGoalRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::ReviseGoalRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::SetIndicatorRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::RecordIndicatorResultRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::RecordActivityRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::SetRatingRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::AddIssueRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::ResolveIssueRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::RetireGoalRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::ProposeChangeRequest& request,
                                                 const RequestScope& scope);
absl::StatusOr<ledger::CommandRequest> ToCommand(const v1::DecideChangeRequest& request,
                                                 const RequestScope& scope);

// A goal id for CreateGoal without one: derived from the request id when
// there is one (so a retry names the same goal), random otherwise.
std::string NewGoalId(int fiscal_year, std::string_view actor, std::string_view request_id);

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_REQUESTS_H_
