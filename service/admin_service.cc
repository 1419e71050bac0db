// LedgerService: principals and the security log.
#include <algorithm>
#include <filesystem>

#include "fmt/format.h"
#include "service/domain/principals.h"
#include "service/ledger/codec.h"
#include "service/ledger_service.h"
#include "service/status.h"

namespace dxledger::service {
namespace {

// INVALID_ARGUMENT unless `directory` is an absolute path without "..",
// outside the live data directory (a backup there would be copied into
// the next backup, and could be mistaken for, or overwrite, the store).
absl::Status CheckBackupDirectory(const std::string& directory, const std::string& data_dir) {
  const std::filesystem::path path(directory);
  if (directory.empty() || !path.is_absolute()) {
    return absl::InvalidArgumentError("directory must be an absolute path on the server");
  }
  for (const std::filesystem::path& part : path) {
    if (part == "..") {
      return absl::InvalidArgumentError(fmt::format(
          "directory {} must not contain \"..\": name the directory itself", directory));
    }
  }
  std::error_code target_error, live_error;
  const std::filesystem::path target = std::filesystem::weakly_canonical(path, target_error);
  const std::filesystem::path live = std::filesystem::weakly_canonical(data_dir, live_error);
  if (target_error || live_error) {
    return absl::InternalError(fmt::format("cannot resolve {} against the data directory {}: {}",
                                           directory, data_dir,
                                           (target_error ? target_error : live_error).message()));
  }
  const auto [live_end, target_end] =
      std::mismatch(live.begin(), live.end(), target.begin(), target.end());
  if (live_end == live.end() || (std::next(live_end) == live.end() && live_end->empty())) {
    return absl::InvalidArgumentError(fmt::format(
        "directory {} is inside the data directory {}: put backups on another path, ideally "
        "another disk",
        directory, data_dir));
  }
  return absl::OkStatus();
}

// What the API shows of a principal: never its token hash.
v1::Principal Shown(v1::Principal principal) {
  principal.clear_token_sha256();
  return principal;
}

}  // namespace

template <typename Response>
grpc::ServerUnaryReactor* LedgerService::RunPrincipalCommand(Call call,
                                                             ledger::PrincipalCommand command,
                                                             Response* response) {
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  command.actor = call.principal->principal();
  // A command that issues a token gets it here, once the actor is known: a
  // retry of the same request derives the same one.
  std::string token;
  if constexpr (requires { response->set_token(token); }) {
    token = tokens_.Issue(command.actor, command.method, command.principal, command.request_id);
    if (command.proposal.has_principal_added()) {
      command.proposal.mutable_principal_added()->set_token_sha256(TokenHash(token));
    } else {
      command.proposal.mutable_principal_token_rotated()->set_token_sha256(TokenHash(token));
    }
  }
  grpc::ServerUnaryReactor* reactor = call.context->DefaultReactor();
  ledger_.writer().ExecutePrincipal(std::move(command),
                                    [this, reactor, response, token = std::move(token)](
                                        absl::StatusOr<ledger::PrincipalOutcome> outcome) mutable {
                                      if (outcome.ok()) {
                                        // The registry follows the ledger the moment the event is
                                        // durable.
                                        principals_.Update(outcome->principal);
                                        *response->mutable_principal() = Shown(outcome->principal);
                                        // A replay answers as the first reply did.
                                        if constexpr (requires { response->set_token(token); }) {
                                          response->set_token(std::move(token));
                                        }
                                      }
                                      reactor->Finish(ToGrpcStatus(outcome.status()));
                                    });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::AddPrincipal(grpc::CallbackServerContext* context,
                                                      const v1::AddPrincipalRequest* request,
                                                      v1::AddPrincipalResponse* response) {
  ledger::PrincipalCommand command{
      request->principal(), {}, "", request->request_id(), request->reason(), "AddPrincipal"};
  v1::PrincipalAdded* added = command.proposal.mutable_principal_added();
  added->set_principal(request->principal());
  *added->mutable_roles() = request->roles();
  *added->mutable_departments() = request->departments();
  added->set_certificate_common_name(request->certificate_common_name());
  return RunPrincipalCommand(Call{context, "AddPrincipal", request->principal(), {}},
                             std::move(command), response);
}

grpc::ServerUnaryReactor* LedgerService::UpdatePrincipal(grpc::CallbackServerContext* context,
                                                         const v1::UpdatePrincipalRequest* request,
                                                         v1::UpdatePrincipalResponse* response) {
  ledger::PrincipalCommand command{
      request->principal(), {}, "", request->request_id(), request->reason(), "UpdatePrincipal"};
  v1::PrincipalChanged* changed = command.proposal.mutable_principal_changed();
  if (request->has_roles()) *changed->mutable_roles() = request->roles();
  if (request->has_departments()) *changed->mutable_departments() = request->departments();
  if (request->has_certificate_common_name()) {
    changed->set_certificate_common_name(request->certificate_common_name());
  }
  return RunPrincipalCommand(Call{context, "UpdatePrincipal", request->principal(), {}},
                             std::move(command), response);
}

grpc::ServerUnaryReactor* LedgerService::SetPrincipalDisabled(
    grpc::CallbackServerContext* context, const v1::SetPrincipalDisabledRequest* request,
    v1::SetPrincipalDisabledResponse* response) {
  ledger::PrincipalCommand command{
      request->principal(),  {}, "", request->request_id(), request->reason(),
      "SetPrincipalDisabled"};
  if (request->disabled()) {
    command.proposal.mutable_principal_disabled()->set_reason(request->reason());
  } else {
    command.proposal.mutable_principal_enabled();
  }
  return RunPrincipalCommand(Call{context, "SetPrincipalDisabled", request->principal(), {}},
                             std::move(command), response);
}

grpc::ServerUnaryReactor* LedgerService::RotatePrincipalToken(
    grpc::CallbackServerContext* context, const v1::RotatePrincipalTokenRequest* request,
    v1::RotatePrincipalTokenResponse* response) {
  ledger::PrincipalCommand command{
      request->principal(),  {}, "", request->request_id(), request->reason(),
      "RotatePrincipalToken"};
  command.proposal.mutable_principal_token_rotated();
  return RunPrincipalCommand(Call{context, "RotatePrincipalToken", request->principal(), {}},
                             std::move(command), response);
}

grpc::ServerUnaryReactor* LedgerService::ListPrincipals(grpc::CallbackServerContext* context,
                                                        const v1::ListPrincipalsRequest*,
                                                        v1::ListPrincipalsResponse* response) {
  Call call{context, "ListPrincipals", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  absl::StatusOr<std::vector<v1::Principal>> principals = ledger_.queries().ListPrincipals();
  if (principals.ok()) {
    for (v1::Principal& p : *principals) *response->add_principals() = Shown(std::move(p));
  }
  return Reply(call, principals.status());
}

grpc::ServerUnaryReactor* LedgerService::GetCaller(grpc::CallbackServerContext* context,
                                                   const v1::GetCallerRequest*,
                                                   v1::GetCallerResponse* response) {
  Call call{context, "GetCaller", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  *response->mutable_principal() = Shown(*call.principal);
  return Reply(call, absl::OkStatus());
}

grpc::ServerUnaryReactor* LedgerService::ListSecurityEvents(
    grpc::CallbackServerContext* context, const v1::ListSecurityEventsRequest* request,
    v1::ListSecurityEventsResponse* response) {
  Call call{context, "ListSecurityEvents", "", {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  ledger::SecurityEventFilter filter{
      request->principal(), request->method(), request->code(), {}, {}};
  if (request->has_start_time()) filter.start_time = ledger::ToTime(request->start_time());
  if (request->has_end_time()) filter.end_time = ledger::ToTime(request->end_time());
  absl::StatusOr<ledger::Page<v1::SecurityEvent>> page =
      ledger_.queries().ListSecurityEvents(filter, request->page_size(), request->page_token());
  if (page.ok()) {
    for (v1::SecurityEvent& event : page->items) {
      *response->add_security_events() = std::move(event);
    }
    response->set_next_page_token(std::move(page->next_page_token));
  }
  return Reply(call, page.status());
}

grpc::ServerUnaryReactor* LedgerService::CreateBackup(grpc::CallbackServerContext* context,
                                                      const v1::CreateBackupRequest* request,
                                                      v1::CreateBackupResponse* response) {
  Call call{context, "CreateBackup", request->directory(), {}};
  if (absl::Status s = Admit(call); !s.ok()) return Reply(call, s);
  if (absl::Status s = CheckBackupDirectory(request->directory(), data_dir_); !s.ok()) {
    return Reply(call, s);
  }
  // A backup copies files and reads the whole copy back: minutes for a big
  // store, so it runs as long work, which the server drains when it stops.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  long_work_.Submit([this, reactor, response, directory = request->directory()](bool run) {
    if (!run) {
      reactor->Finish(ToGrpcStatus(absl::UnavailableError(
          "dxledgerd is shutting down: the backup was not started, nothing was written")));
      return;
    }
    absl::StatusOr<ledger::VerifyReport> report = ledger_.maintenance().Backup(directory);
    if (report.ok()) {
      response->set_directory(directory);
      response->set_head_position(report->head.position);
      response->set_head_hash(report->head.hash);
      response->set_events_checked(report->events_checked);
      response->set_views_checked(report->views_checked);
    }
    reactor->Finish(ToGrpcStatus(report.status()));
  });
  return reactor;
}

}  // namespace dxledger::service
