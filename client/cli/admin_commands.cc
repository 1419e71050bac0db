// dxledger principal add | update | disable | enable | rotate-token | list;
// dxledger security log
#include "absl/strings/ascii.h"
#include "client/cli/cli.h"

namespace dxledger::cli {
namespace {

bool ParseRoles(const std::vector<std::string>& names, v1::RoleList& roles, Cli& cli) {
  for (const std::string& name : names) {
    v1::Role role = v1::ROLE_UNSPECIFIED;
    if (!v1::Role_Parse("ROLE_" + absl::AsciiStrToUpper(name), &role) ||
        role == v1::ROLE_UNSPECIFIED) {
      cli.exit_code = Fail(absl::InvalidArgumentError(
          "role \"" + name + "\" is not one of admin, hq, editor, auditor, integration"));
      return false;
    }
    roles.add_roles(role);
  }
  return true;
}

void PrintPrincipal(const v1::Principal& p) {
  std::string roles, departments;
  for (int role : p.roles()) {
    roles += (roles.empty() ? "" : ",") + absl::AsciiStrToLower(v1::Role_Name(role).substr(5));
  }
  for (const std::string& d : p.departments()) departments += (departments.empty() ? "" : "・") + d;
  fmt::print(
      "{}  roles {}  departments {}{}{}\n", p.principal(), roles,
      departments.empty() ? "-" : departments,
      p.certificate_common_name().empty() ? "" : "  certificate CN=" + p.certificate_common_name(),
      p.disabled() ? "  DISABLED" : "");
}

template <typename Response>
void PrintWithToken(const Response& r) {
  PrintPrincipal(r.principal());
  if (!r.token().empty()) fmt::print("token (shown once): {}\n", r.token());
}

void AddPrincipalCommands(CLI::App& app, Cli& cli) {
  CLI::App* principal = app.add_subcommand("principal", "who may do what (admin)");
  principal->require_subcommand(1);

  struct Args {
    std::string name, common_name, reason;
    std::vector<std::string> roles, departments;
  };
  auto add_args = std::make_shared<Args>();
  CLI::App* add = principal->add_subcommand("add", "add a principal; prints its token once");
  add->add_option("NAME", add_args->name, "principal name")->required();
  add->add_option("--role", add_args->roles, "admin, hq, editor, auditor, integration")->required();
  add->add_option("--department", add_args->departments, "an editor's department (repeatable)");
  add->add_option("--certificate-cn", add_args->common_name, "bind a client certificate");
  add->add_option("--reason", add_args->reason, "why");
  add->callback([add_args, &cli] {
    v1::AddPrincipalRequest request;
    request.set_principal(add_args->name);
    v1::RoleList roles;
    if (!ParseRoles(add_args->roles, roles, cli)) return;
    *request.mutable_roles() = roles.roles();
    for (const std::string& d : add_args->departments) request.add_departments(d);
    request.set_certificate_common_name(add_args->common_name);
    request.set_reason(add_args->reason);
    request.set_request_id(cli.RequestId());
    cli.Show<v1::AddPrincipalResponse>(cli.client().AddPrincipal(request),
                                       PrintWithToken<v1::AddPrincipalResponse>);
  });

  auto update_args = std::make_shared<Args>();
  CLI::App* update = principal->add_subcommand("update", "change roles or departments");
  update->add_option("NAME", update_args->name, "principal name")->required();
  update->add_option("--role", update_args->roles, "the new roles (all of them)");
  update->add_option("--department", update_args->departments, "the new departments (all)");
  update->add_option("--reason", update_args->reason, "why");
  update->callback([update_args, &cli] {
    v1::UpdatePrincipalRequest request;
    request.set_principal(update_args->name);
    if (!update_args->roles.empty() &&
        !ParseRoles(update_args->roles, *request.mutable_roles(), cli)) {
      return;
    }
    for (const std::string& d : update_args->departments) {
      request.mutable_departments()->add_names(d);
    }
    request.set_reason(update_args->reason);
    request.set_request_id(cli.RequestId());
    cli.Show<v1::UpdatePrincipalResponse>(
        cli.client().UpdatePrincipal(request),
        [](const v1::UpdatePrincipalResponse& r) { PrintPrincipal(r.principal()); });
  });

  for (bool disable : {true, false}) {
    auto args = std::make_shared<Args>();
    CLI::App* command = principal->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "stop a principal's access at once" : "restore a principal's access");
    command->add_option("NAME", args->name, "principal name")->required();
    command->add_option("--reason", args->reason, "why");
    command->callback([args, disable, &cli] {
      v1::SetPrincipalDisabledRequest request;
      request.set_principal(args->name);
      request.set_disabled(disable);
      request.set_reason(args->reason);
      request.set_request_id(cli.RequestId());
      cli.Show<v1::SetPrincipalDisabledResponse>(
          cli.client().SetPrincipalDisabled(request),
          [](const v1::SetPrincipalDisabledResponse& r) { PrintPrincipal(r.principal()); });
    });
  }

  auto rotate_args = std::make_shared<Args>();
  CLI::App* rotate = principal->add_subcommand("rotate-token", "issue a new token; the old stops");
  rotate->add_option("NAME", rotate_args->name, "principal name")->required();
  rotate->callback([rotate_args, &cli] {
    v1::RotatePrincipalTokenRequest request;
    request.set_principal(rotate_args->name);
    request.set_request_id(cli.RequestId());
    cli.Show<v1::RotatePrincipalTokenResponse>(cli.client().RotatePrincipalToken(request),
                                               PrintWithToken<v1::RotatePrincipalTokenResponse>);
  });

  CLI::App* list = principal->add_subcommand("list", "the principals");
  list->callback([&cli] {
    cli.Show<v1::ListPrincipalsResponse>(cli.client().ListPrincipals(v1::ListPrincipalsRequest()),
                                         [](const v1::ListPrincipalsResponse& r) {
                                           for (const v1::Principal& p : r.principals())
                                             PrintPrincipal(p);
                                         });
  });
}

void AddSecurityCommands(CLI::App& app, Cli& cli) {
  struct Args {
    std::string principal, method, code;
  };
  auto args = std::make_shared<Args>();
  CLI::App* security = app.add_subcommand("security", "the security log (admin, auditor)");
  security->require_subcommand(1);
  CLI::App* log = security->add_subcommand("log", "refused calls, oldest first");
  log->add_option("--principal", args->principal, "only this principal's");
  log->add_option("--method", args->method, "only calls whose method contains this");
  log->add_option("--code", args->code, "UNAUTHENTICATED or PERMISSION_DENIED");
  log->callback([args, &cli] {
    v1::ListSecurityEventsRequest request;
    request.set_principal(args->principal);
    request.set_method(args->method);
    request.set_code(args->code);
    cli.Show<v1::ListSecurityEventsResponse>(
        Gather(request, false, &client::LedgerClient::ListSecurityEvents,
               &v1::ListSecurityEventsResponse::mutable_security_events, cli),
        [](const v1::ListSecurityEventsResponse& r) {
          for (const v1::SecurityEvent& e : r.security_events()) {
            fmt::print("{}  {}  {}  {}  {}  {}: {}{}\n", notation::FormatTime(e.event_time()),
                       e.principal().empty() ? "-" : e.principal(), e.peer(),
                       e.method().substr(e.method().rfind('/') + 1),
                       e.target().empty() ? "-" : e.target(), e.code(), e.reason(),
                       e.unrecorded_before() == 0
                           ? ""
                           : fmt::format(" (after {} more from this peer, not recorded: over "
                                         "the rate limit)",
                                         e.unrecorded_before()));
          }
        });
  });
}

void AddBackupCommands(CLI::App& app, Cli& cli) {
  auto directory = std::make_shared<std::string>();
  CLI::App* backup = app.add_subcommand("backup", "online backups (admin)");
  backup->require_subcommand(1);
  CLI::App* create = backup->add_subcommand(
      "create", "copy the store on the server while writes go on, and verify the copy");
  create->add_option("DIRECTORY", *directory, "a new directory on the server (absolute path)")
      ->required();
  create->callback([directory, &cli] {
    v1::CreateBackupRequest request;
    request.set_directory(*directory);
    cli.Show<v1::CreateBackupResponse>(
        cli.client().CreateBackup(request), [](const v1::CreateBackupResponse& r) {
          fmt::print("backup in {}: {} events and {} views verified, head position {}\n",
                     r.directory(), r.events_checked(), r.views_checked(), r.head_position());
        });
  });
}

}  // namespace

void AddAdminCommands(CLI::App& app, Cli& cli) {
  AddPrincipalCommands(app, cli);
  AddSecurityCommands(app, cli);
  AddBackupCommands(app, cli);
}

}  // namespace dxledger::cli
