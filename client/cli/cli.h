#ifndef DXLEDGER_CLIENT_CLI_CLI_H_
#define DXLEDGER_CLIENT_CLI_CLI_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "client/cli/output.h"
#include "client/ledger_client.h"
#include "fmt/format.h"
#include "proto/notation/event_text.h"

// State shared by the CLI's commands: global options, the client, the exit code.
namespace dxledger::cli {

struct Cli {
  std::string server;
  std::string token_file;
  std::string data_dir;
  std::string format = "table";
  std::string request_id;
  std::string tls_ca, tls_cert, tls_key;
  bool plaintext = false;
  std::string organization;  // routes through a proxy; names goal list's organization
  int exit_code = 0;
  // stdout as it was: what is printed is escaped (client/terminal_text.h),
  // an export written to stdout goes here unchanged.
  FILE* raw_stdout = stdout;

  bool json() const { return format == "json"; }
  // Connects on first use, with the token from --token-file, DXLEDGER_TOKEN or
  // <data-dir>/admin.token, in that order.
  client::LedgerClient& client();
  // --request-id, or a fresh random id so a retried call is not applied twice.
  std::string RequestId() const;

  // Prints `result` (JSON, or with `table`) or its error, setting exit_code.
  template <typename Response>
  void Show(const absl::StatusOr<Response>& result,
            const std::function<void(const Response&)>& table) {
    if (!result.ok()) {
      exit_code = Fail(result.status());
    } else if (json()) {
      PrintJson(*result);
      fmt::print("\n");
    } else {
      table(*result);
    }
  }

 private:
  std::unique_ptr<client::LedgerClient> client_;
};

// Options every command takes: --expected-version, --reason.
struct WriteOptions {
  std::optional<uint64_t> expected_version;
  std::string reason;
  void AddTo(CLI::App& command);
  template <typename Request>
  void ApplyTo(Request& request, const Cli& cli) const {
    if (expected_version) request.set_expected_version(*expected_version);
    request.set_reason(reason);
    request.set_request_id(cli.RequestId());
  }
};

// Prints a command's result: the goal after it and the events it recorded.
template <typename Response>
void PrintCommandResult(const Response& response) {
  PrintGoal(response.goal());
  for (const auto& event : response.events()) {
    fmt::print("{} event {} at position {}: {}\n",
               response.replayed() ? "already recorded:" : "recorded", event.version(),
               event.position(), notation::DescribeEvent(event));
  }
}

// Fetches every page (or only one when the user asked for a page) and
// gathers the items into the first response.
template <typename Request, typename Response, typename Items>
absl::StatusOr<Response> Gather(
    Request request, bool one_page,
    absl::StatusOr<Response> (client::LedgerClient::*call)(const Request&),
    Items* (Response::*items)(), Cli& cli) {
  Response all;
  for (;;) {
    absl::StatusOr<Response> page = (cli.client().*call)(request);
    if (!page.ok() || one_page) return page;
    for (auto& item : *((*page).*items)()) *((all.*items)())->Add() = std::move(item);
    if (page->next_page_token().empty()) return all;
    request.set_page_token(page->next_page_token());
  }
}

void AddGoalCommands(CLI::App& app, Cli& cli);
void AddRecordCommands(CLI::App& app, Cli& cli);
void AddQueryCommands(CLI::App& app, Cli& cli);
void AddReportCommands(CLI::App& app, Cli& cli);
void AddTimeCommands(CLI::App& app, Cli& cli);
void AddAdminCommands(CLI::App& app, Cli& cli);
void AddTailCommand(CLI::App& app, Cli& cli);
void AddTransparencyCommands(CLI::App& app, Cli& cli);

// --as-of: a log position, a date (the end of that day in Japan) or a time.
void AddAsOfOption(CLI::App& command, std::string& as_of);
// Fills `as_of` from the option's text (nothing when empty); false after
// reporting a malformed value.
bool ParseAsOf(const std::string& text, v1::AsOf& as_of, Cli& cli);

}  // namespace dxledger::cli

#endif  // DXLEDGER_CLIENT_CLI_CLI_H_
