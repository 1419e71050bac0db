#ifndef DXLEDGER_SERVICE_LEDGER_SERVICE_H_
#define DXLEDGER_SERVICE_LEDGER_SERVICE_H_

#include <atomic>
#include <optional>
#include <string>

#include "dxledger/v1/ledger.grpc.pb.h"
#include "service/auth.h"
#include "service/ledger/ledger.h"
#include "service/ledger/notary.h"
#include "service/long_work.h"
#include "service/peer.h"
#include "service/refusal_limiter.h"
#include "service/subscriptions.h"

// The gRPC face of the ledger. Every handler admits the caller (identity,
// then the role table of authorize.h), converts, calls the ledger and
// replies; commands reply from the store's writer once durable, so no gRPC
// thread waits for an fsync. Every refusal (UNAUTHENTICATED or
// PERMISSION_DENIED) goes to the security log on its way out. Thread-safe.
namespace dxledger::service {

class LedgerService final : public v1::LedgerService::CallbackService {
 public:
  // All three must outlive the service.
  LedgerService(ledger::Ledger& ledger, Principals& principals, SubscriptionHub& hub,
                ledger::Notary& notary, TokenIssuer tokens, LongWork& long_work,
                std::string data_dir, TrustedProxies proxies = {},
                RefusalLimits refusal_limits = {});

  // Refusals left out of the security log by its per-peer rate limit.
  uint64_t unrecorded_refusals() const { return refusals_.suppressed(); }

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
  DXLEDGER_RPC(GetGoal)
  DXLEDGER_RPC(ListGoals)
  DXLEDGER_RPC(ListGoalEvents)
  DXLEDGER_RPC(ListRatingChanges)
  DXLEDGER_RPC(ReadLog)
  DXLEDGER_RPC(ImportReport)
  DXLEDGER_RPC(ExportReport)
  DXLEDGER_RPC(GetLineage)
  DXLEDGER_RPC(GetYearOverYear)
  DXLEDGER_RPC(GetRatingSummary)
  DXLEDGER_RPC(AddPrincipal)
  DXLEDGER_RPC(UpdatePrincipal)
  DXLEDGER_RPC(SetPrincipalDisabled)
  DXLEDGER_RPC(RotatePrincipalToken)
  DXLEDGER_RPC(ListPrincipals)
  DXLEDGER_RPC(GetCaller)
  DXLEDGER_RPC(ListSecurityEvents)
  DXLEDGER_RPC(VerifyLog)
  DXLEDGER_RPC(CreateBackup)
  DXLEDGER_RPC(GetCheckpoint)
  DXLEDGER_RPC(GetInclusionProof)
  DXLEDGER_RPC(GetConsistencyProof)
  DXLEDGER_RPC(AddCosignature)
#undef DXLEDGER_RPC
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;

  // From now on every call is refused with UNAVAILABLE (the server is
  // draining before it stops).
  void SetDraining() { draining_.store(true, std::memory_order_relaxed); }

 private:
  // One call as it is handled: what the security log records of a refusal.
  struct Call {
    grpc::CallbackServerContext* context;
    std::string_view rpc;
    std::string target;
    PrincipalRef principal;  // set once admitted
  };

  // Identifies the caller (a verified client certificate, else the bearer
  // token) and checks the role table.
  absl::Status Admit(Call& call) const;
  // Finishes the call with `status`, recording it first when it is a refusal.
  grpc::ServerUnaryReactor* Reply(const Call& call, const absl::Status& status);
  void Refused(const Call& call, const absl::Status& status);
  // Runs a goal command: admits, converts, scopes editors to their
  // departments, executes, and replies once durable.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* RunCommand(Call call, const Request& request, Response* response);
  // Runs a principal command and updates the registry once it is durable.
  template <typename Response>
  grpc::ServerUnaryReactor* RunPrincipalCommand(Call call, ledger::PrincipalCommand command,
                                                Response* response);
  // The log position of an as_of (nullopt: now).
  absl::StatusOr<std::optional<uint64_t>> Resolve(const v1::AsOf& as_of);
  absl::StatusOr<std::string> Organization(std::string_view parent) const;
  // The inclusion proofs of the events (or rating changes: any message with
  // a log position) at or below `tree_size` in that tree (none when it is
  // 0): verifying a read costs no round trip an event.
  template <typename Positioned>
  absl::Status AddProofs(const google::protobuf::RepeatedPtrField<Positioned>& items,
                         uint64_t tree_size,
                         google::protobuf::RepeatedPtrField<v1::EventProof>* proofs) {
    for (const Positioned& item : items) {
      if (tree_size == 0) break;
      if (absl::Status s = AddProof(item.position(), tree_size, proofs); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // Whether the caller sees principals' token hashes: admins only.
  static bool SeesSecrets(const Call& call);
  // For a caller who does not: clears the token hashes in `events`, and
  // gives their proofs the leaf's hash instead of its bytes.
  static void WithholdSecrets(const Call& call,
                              google::protobuf::RepeatedPtrField<v1::Event>& events,
                              google::protobuf::RepeatedPtrField<v1::EventProof>& proofs);
  // The proof of the event at `position`, when it is in the tree.
  absl::Status AddProof(uint64_t position, uint64_t tree_size,
                        google::protobuf::RepeatedPtrField<v1::EventProof>* proofs);

  ledger::Ledger& ledger_;
  Principals& principals_;
  SubscriptionHub& hub_;
  ledger::Notary& notary_;
  const TokenIssuer tokens_;
  LongWork& long_work_;
  const std::string data_dir_;  // no backup may go inside it
  const TrustedProxies proxies_;
  RefusalLimiter refusals_;
  std::atomic<bool> draining_{false};
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_LEDGER_SERVICE_H_
