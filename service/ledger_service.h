#ifndef DXLEDGER_SERVICE_LEDGER_SERVICE_H_
#define DXLEDGER_SERVICE_LEDGER_SERVICE_H_

#include "dxledger/v1/ledger.grpc.pb.h"
#include "service/auth.h"
#include "service/ledger/ledger.h"

// The gRPC face of the ledger. Handlers authenticate, convert, call the
// ledger and finish; commands finish from the store's writer once durable,
// so no gRPC thread ever waits for an fsync. Thread-safe.
namespace dxledger::service {

class LedgerService final : public v1::LedgerService::CallbackService {
 public:
  // Both must outlive the service.
  LedgerService(ledger::Ledger& ledger, const PrincipalRegistry& principals);

#define DXLEDGER_RPC(Name)                                                                       \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* context,                           \
                                 const v1::Name##Request* request, v1::Name##Response* response) \
      override;
  DXLEDGER_RPC(CreateGoal)
  DXLEDGER_RPC(ReviseGoal)
  DXLEDGER_RPC(SetIndicator)
  DXLEDGER_RPC(RecordIndicatorResult)
  DXLEDGER_RPC(RecordActivity)
  DXLEDGER_RPC(SetRating)
  DXLEDGER_RPC(AddIssue)
  DXLEDGER_RPC(ResolveIssue)
  DXLEDGER_RPC(RetireGoal)
  DXLEDGER_RPC(ProposeChange)
  DXLEDGER_RPC(DecideChange)
  DXLEDGER_RPC(RollOverFiscalYear)
  DXLEDGER_RPC(GetFiscalYear)
  DXLEDGER_RPC(GetLineage)
  DXLEDGER_RPC(GetYearOverYear)
  DXLEDGER_RPC(GetRatingSummary)
  DXLEDGER_RPC(GetGoal)
  DXLEDGER_RPC(ListGoals)
  DXLEDGER_RPC(ListGoalEvents)
  DXLEDGER_RPC(ListRatingChanges)
  DXLEDGER_RPC(ReadLog)
  DXLEDGER_RPC(ImportReport)
  DXLEDGER_RPC(ExportReport)
  DXLEDGER_RPC(VerifyLog)
#undef DXLEDGER_RPC

 private:
  // Authorizes, converts and executes a command; finishes when it is durable.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* RunCommand(grpc::CallbackServerContext* context, const Request& request,
                                       Response* response, absl::StatusOr<Principal> principal);
  // AuthorizeWrite, and PERMISSION_DENIED unless the principal holds hq.
  absl::StatusOr<Principal> AuthorizeHq(grpc::CallbackServerContext* context,
                                        std::string_view action) const;
  // The log position of an as_of (nullopt: now).
  absl::StatusOr<std::optional<uint64_t>> Resolve(const v1::AsOf& as_of);
  absl::StatusOr<Principal> Authenticate(grpc::CallbackServerContext* context) const;
  // Authenticate, then PERMISSION_DENIED unless the principal may write.
  absl::StatusOr<Principal> AuthorizeWrite(grpc::CallbackServerContext* context) const;

  ledger::Ledger& ledger_;
  const PrincipalRegistry& principals_;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_LEDGER_SERVICE_H_
