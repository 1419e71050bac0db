// dxledger: the command-line client of dxledgerd.
#include <openssl/rand.h>

#include <cstdlib>
#include <filesystem>

#include "client/cli/cli.h"
#include "client/terminal_text.h"
#include "fmt/format.h"

namespace dxledger::cli {

client::LedgerClient& Cli::client() {
  if (client_ != nullptr) return *client_;
  client::ClientOptions options;
  options.server = server;
  options.tls_ca_file = tls_ca;
  options.tls_cert_file = tls_cert;
  options.tls_key_file = tls_key;
  options.plaintext = plaintext;
  options.organization = organization;
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = client::ReadTokenFile(token_file);
    if (token.ok())
      options.token = *token;
    else
      fmt::print(stderr, "dxledger: {}\n", std::string(token.status().message()));
  } else if (const char* env = std::getenv("DXLEDGER_TOKEN"); env != nullptr && *env != '\0') {
    options.token = env;
  } else if (!data_dir.empty()) {
    absl::StatusOr<std::string> token = client::ReadTokenFile(data_dir + "/admin.token");
    if (token.ok())
      options.token = *token;
    else
      fmt::print(stderr, "dxledger: {}\n", std::string(token.status().message()));
  }
  client_ = std::make_unique<client::LedgerClient>(options);
  return *client_;
}

std::string Cli::RequestId() const {
  if (!request_id.empty()) return request_id;
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return "";
  std::string id = "cli-";
  for (unsigned char b : bytes) id += fmt::format("{:02x}", b);
  return id;
}

void WriteOptions::AddTo(CLI::App& command) {
  command.add_option("--expected-version", expected_version,
                     "refuse (ABORTED) unless the goal is at this version");
  command.add_option("--reason", reason, "why the change is made; kept on the event");
}

}  // namespace dxledger::cli

int main(int argc, char** argv) {
  using dxledger::cli::Cli;
  CLI::App app{"dxledger: the command-line client of the DX goal ledger"};
  app.fallthrough();
  app.require_subcommand(1);
  Cli cli;
  cli.raw_stdout = dxledger::client::EscapeStandardStreams();
  const char* server = std::getenv("DXLEDGER_SERVER");
  cli.server = server != nullptr ? server : "127.0.0.1:7400";
  app.add_option("--server", cli.server, "dxledgerd address host:port (env DXLEDGER_SERVER)")
      ->capture_default_str();
  if (const char* organization = std::getenv("DXLEDGER_ORGANIZATION")) {
    cli.organization = organization;
  }
  app.add_option("--organization", cli.organization,
                 "local-government code: sent as x-dxledger-organization for a proxy to route "
                 "on, and the organization goal list lists (env DXLEDGER_ORGANIZATION)");
  app.add_option("--token-file", cli.token_file, "file holding the bearer token");
  app.add_option("--data-dir", cli.data_dir, "server data directory: use its admin.token");
  app.add_option("--format", cli.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--request-id", cli.request_id, "idempotency key (default: a fresh one)");
  app.add_option("--tls-ca", cli.tls_ca, "CA of the server's certificate (PEM): use TLS");
  app.add_option("--tls-cert", cli.tls_cert, "client certificate (PEM) for mutual TLS");
  app.add_option("--tls-key", cli.tls_key, "client private key (PEM) for mutual TLS");
  app.add_flag("--plaintext", cli.plaintext,
               "talk plaintext to a server not on loopback (a trusted network only)");
  dxledger::cli::AddGoalCommands(app, cli);
  dxledger::cli::AddRecordCommands(app, cli);
  dxledger::cli::AddQueryCommands(app, cli);
  dxledger::cli::AddReportCommands(app, cli);
  dxledger::cli::AddTimeCommands(app, cli);
  dxledger::cli::AddAdminCommands(app, cli);
  dxledger::cli::AddTransparencyCommands(app, cli);
  dxledger::cli::AddTailCommand(app, cli);
  CLI11_PARSE(app, argc, argv);
  return cli.exit_code;
}
