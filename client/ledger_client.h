#ifndef DXLEDGER_CLIENT_LEDGER_CLIENT_H_
#define DXLEDGER_CLIENT_LEDGER_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/ledger.grpc.pb.h"

// A small synchronous client of LedgerService. Every call sends the bearer
// token and a deadline, and returns the server's status (code and message)
// as an absl::Status. Thread-safe.
namespace dxledger::client {

struct ClientOptions {
  std::string server = "127.0.0.1:7400";  // host:port
  std::string token;                      // bearer token; empty sends none
  absl::Duration timeout = absl::Seconds(60);
  // TLS: the CA (PEM) that signed the server's certificate. A client
  // certificate and key (PEM) identify the caller by mutual TLS instead of a
  // token. Without a CA the connection is plaintext, which is allowed only to
  // a loopback address or when `plaintext` says so.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  bool plaintext = false;
  // Sent as the x-dxledger-organization header, on which a proxy in front
  // of one dxledgerd per organization routes (deploy/nginx). Empty: none.
  std::string organization;
};

// INVALID_ARGUMENT when the options would not give the connection they
// ask for: a client certificate or key without a CA (that would be
// plaintext), one without the other, a TLS file that cannot be read, or no
// CA for a server that is not on loopback without `plaintext`. Every call
// of a client with such options fails with this error, having sent nothing.
absl::Status ValidateTransport(const ClientOptions& options);

// Reads a token file (trailing white space dropped). NOT_FOUND when missing.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

class LedgerClient {
 public:
  explicit LedgerClient(ClientOptions options);

#define DXLEDGER_CLIENT_RPC(Name) \
  absl::StatusOr<v1::Name##Response> Name(const v1::Name##Request& request);
  DXLEDGER_CLIENT_RPC(CreateGoal)
  DXLEDGER_CLIENT_RPC(ReviseGoal)
  DXLEDGER_CLIENT_RPC(SetIndicator)
  DXLEDGER_CLIENT_RPC(RecordIndicatorResult)
  DXLEDGER_CLIENT_RPC(RecordActivity)
  DXLEDGER_CLIENT_RPC(SetRating)
  DXLEDGER_CLIENT_RPC(AddIssue)
  DXLEDGER_CLIENT_RPC(ResolveIssue)
  DXLEDGER_CLIENT_RPC(RetireGoal)
  DXLEDGER_CLIENT_RPC(ProposeChange)
  DXLEDGER_CLIENT_RPC(DecideChange)
  DXLEDGER_CLIENT_RPC(RollOverFiscalYear)
  DXLEDGER_CLIENT_RPC(GetFiscalYear)
  DXLEDGER_CLIENT_RPC(GetLineage)
  DXLEDGER_CLIENT_RPC(GetYearOverYear)
  DXLEDGER_CLIENT_RPC(GetRatingSummary)
  DXLEDGER_CLIENT_RPC(GetGoal)
  DXLEDGER_CLIENT_RPC(ListGoals)
  DXLEDGER_CLIENT_RPC(ListGoalEvents)
  DXLEDGER_CLIENT_RPC(ListRatingChanges)
  DXLEDGER_CLIENT_RPC(ReadLog)
  DXLEDGER_CLIENT_RPC(ImportReport)
  DXLEDGER_CLIENT_RPC(ExportReport)
  DXLEDGER_CLIENT_RPC(AddPrincipal)
  DXLEDGER_CLIENT_RPC(UpdatePrincipal)
  DXLEDGER_CLIENT_RPC(SetPrincipalDisabled)
  DXLEDGER_CLIENT_RPC(RotatePrincipalToken)
  DXLEDGER_CLIENT_RPC(ListPrincipals)
  DXLEDGER_CLIENT_RPC(GetCaller)
  DXLEDGER_CLIENT_RPC(ListSecurityEvents)
  DXLEDGER_CLIENT_RPC(VerifyLog)
  DXLEDGER_CLIENT_RPC(CreateBackup)
  DXLEDGER_CLIENT_RPC(GetCheckpoint)
  DXLEDGER_CLIENT_RPC(GetInclusionProof)
  DXLEDGER_CLIENT_RPC(GetConsistencyProof)
  DXLEDGER_CLIENT_RPC(AddCosignature)
#undef DXLEDGER_CLIENT_RPC

  // Streams events; `on_message` returns false to stop (the call is then
  // cancelled and OK returned). Otherwise returns the stream's final status.
  // No deadline: a subscription lasts as long as it is read.
  absl::Status Subscribe(const v1::SubscribeRequest& request,
                         const std::function<bool(const v1::SubscribeResponse&)>& on_message);

 private:
  template <typename Request, typename Response, typename Method>
  absl::StatusOr<Response> Call(Method method, const Request& request);
  void AddHeaders(grpc::ClientContext& context) const;

  ClientOptions options_;
  absl::Status transport_;  // ValidateTransport(options_)
  std::unique_ptr<v1::LedgerService::Stub> stub_;
};

}  // namespace dxledger::client

#endif  // DXLEDGER_CLIENT_LEDGER_CLIENT_H_
