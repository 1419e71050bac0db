#include "client/ledger_client.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "fmt/format.h"

namespace dxledger::client {
namespace {

// The client's one place a grpc::Status becomes an absl::Status.
absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read token file " + path);
  std::stringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  return token;
}

namespace {

std::string ReadOrEmpty(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// The host of a gRPC target ("host:port", "[v6]:port", "dns:///host:port").
std::string_view TargetHost(std::string_view target) {
  if (const size_t scheme = target.find(":///"); scheme != std::string_view::npos) {
    target.remove_prefix(scheme + 4);
  }
  if (target.starts_with("[")) return target.substr(1, target.find(']') - 1);
  return target.substr(0, target.rfind(':'));
}

bool IsLoopback(std::string_view target) {
  if (target.starts_with("unix:")) return true;
  const std::string_view host = TargetHost(target);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::shared_ptr<grpc::ChannelCredentials> Credentials(const ClientOptions& options) {
  if (options.tls_ca_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadOrEmpty(options.tls_ca_file);
  ssl.pem_cert_chain = ReadOrEmpty(options.tls_cert_file);
  ssl.pem_private_key = ReadOrEmpty(options.tls_key_file);
  return grpc::SslCredentials(ssl);
}

// The largest reply the client accepts. gRPC's default, 4 MiB, is below what
// legitimate replies take: an import's reply echoes the rows of a file the
// server accepts at up to 4 MiB, besides a MiB of the events it wrote. A
// client refusing the reply of a write that happened would report a failure
// for a success.
constexpr int kMaxReplyBytes = 64 << 20;

std::shared_ptr<grpc::Channel> OpenChannel(const ClientOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(kMaxReplyBytes);
  return grpc::CreateCustomChannel(options.server, Credentials(options), arguments);
}

}  // namespace

absl::Status ValidateTransport(const ClientOptions& options) {
  if ((!options.tls_cert_file.empty() || !options.tls_key_file.empty()) &&
      options.tls_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate or key needs --tls-ca (the CA of the server's certificate): without "
        "it the connection would be plaintext");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  for (const std::string* file :
       {&options.tls_ca_file, &options.tls_cert_file, &options.tls_key_file}) {
    if (!file->empty() && ReadOrEmpty(*file).empty()) {
      return absl::InvalidArgumentError(
          fmt::format("cannot read the TLS file {} (missing, unreadable or empty)", *file));
    }
  }
  if (options.tls_ca_file.empty() && !options.plaintext && !IsLoopback(options.server)) {
    return absl::InvalidArgumentError(fmt::format(
        "{} is not on this machine: give --tls-ca (the CA of the server's certificate), or "
        "--plaintext if the network is trusted",
        options.server));
  }
  return absl::OkStatus();
}

LedgerClient::LedgerClient(ClientOptions options)
    : options_(std::move(options)),
      transport_(ValidateTransport(options_)),
      stub_(v1::LedgerService::NewStub(
          transport_.ok()
              ? OpenChannel(options_)
              : grpc::CreateChannel("unix:/nonexistent", grpc::InsecureChannelCredentials()))) {}

void LedgerClient::AddHeaders(grpc::ClientContext& context) const {
  if (!options_.token.empty()) context.AddMetadata("authorization", "Bearer " + options_.token);
  if (!options_.organization.empty()) {
    context.AddMetadata("x-dxledger-organization", options_.organization);
  }
}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> LedgerClient::Call(Method method, const Request& request) {
  if (!transport_.ok()) return transport_;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  AddHeaders(context);
  Response response;
  grpc::Status status = (stub_.get()->*method)(&context, request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response;
}

absl::Status LedgerClient::Subscribe(
    const v1::SubscribeRequest& request,
    const std::function<bool(const v1::SubscribeResponse&)>& on_message) {
  if (!transport_.ok()) return transport_;
  grpc::ClientContext context;
  AddHeaders(context);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub_->Subscribe(&context, request);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    if (!on_message(message)) {
      context.TryCancel();
      reader->Finish().IgnoreError();
      return absl::OkStatus();
    }
  }
  return FromGrpc(reader->Finish());
}

#define DXLEDGER_CLIENT_RPC(Name)                                                                \
  absl::StatusOr<v1::Name##Response> LedgerClient::Name(const v1::Name##Request& request) {      \
    return Call<v1::Name##Request, v1::Name##Response>(&v1::LedgerService::Stub::Name, request); \
  }
DXLEDGER_CLIENT_RPC(GetCheckpoint)
DXLEDGER_CLIENT_RPC(GetInclusionProof)
DXLEDGER_CLIENT_RPC(GetConsistencyProof)
DXLEDGER_CLIENT_RPC(AddCosignature)
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
#undef DXLEDGER_CLIENT_RPC

}  // namespace dxledger::client
