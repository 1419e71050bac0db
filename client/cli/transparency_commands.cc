// dxledger verify [--remote] | checkpoint
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "client/cli/cli.h"
#include "client/log_verifier.h"

namespace dxledger::cli {
namespace {

// What the client trusts: the log's verifier key (--log-key or
// DXLEDGER_LOG_KEY) and the state file of what it verified before.
struct TrustOptions {
  std::string log_key;
  std::string state_file;
  bool refresh = false;

  void AddTo(CLI::App& command) {
    if (const char* key = std::getenv("DXLEDGER_LOG_KEY")) log_key = key;
    command.add_option("--log-key", log_key,
                       "the log's verifier key to trust, as dxledgerd prints it at start (env "
                       "DXLEDGER_LOG_KEY)");
    command.add_option("--state-file", state_file,
                       "where the last verified checkpoint is kept (default: "
                       "~/.local/state/dxledger/<key name>-<key id>)");
    command.add_flag("--refresh", refresh, "have the server sign a checkpoint of the log now");
  }

  // Verifies the latest checkpoint; reports and returns false on failure.
  std::optional<client::VerifiedCheckpoint> Verify(Cli& cli) const {
    if (log_key.empty()) {
      cli.exit_code = Fail(absl::InvalidArgumentError(
          "pin the log's verifier key with --log-key or DXLEDGER_LOG_KEY (dxledgerd prints it at "
          "start as \"verifier key\"); a key taken from the server proves nothing"));
      return std::nullopt;
    }
    absl::StatusOr<note::Verifier> key = note::Verifier::FromKey(log_key);
    if (!key.ok()) {
      cli.exit_code = Fail(absl::InvalidArgumentError(
          fmt::format("--log-key: {}", std::string(key.status().message()))));
      return std::nullopt;
    }
    client::LogVerifier verifier(cli.client(), *key,
                                 state_file.empty() ? client::DefaultStateFile(*key) : state_file);
    absl::StatusOr<client::VerifiedCheckpoint> verified = verifier.VerifyLatest(refresh);
    if (!verified.ok()) {
      cli.exit_code = Fail(verified.status());
      return std::nullopt;
    }
    return *std::move(verified);
  }
};

void AddVerify(CLI::App& app, Cli& cli) {
  auto trust = std::make_shared<TrustOptions>();
  auto remote = std::make_shared<bool>(false);
  CLI::App* verify = app.add_subcommand(
      "verify",
      "verify the log: on the server (hash chain, views), or with --remote here, trusting only "
      "the log's key and the last checkpoint this client verified");
  verify->add_flag("--remote", *remote,
                   "check the signed checkpoint and its consistency with the last one verified");
  trust->AddTo(*verify);
  verify->callback([&cli, trust, remote] {
    if (*remote) {
      std::optional<client::VerifiedCheckpoint> verified = trust->Verify(cli);
      if (!verified) return;
      if (cli.json()) {
        fmt::print("{{\"treeSize\":{},\"previousSize\":{},\"rootHash\":\"{}\"}}\n",
                   verified->checkpoint.size, verified->previous_size,
                   absl::Base64Escape(verified->checkpoint.root));
        return;
      }
      fmt::print("checkpoint verified: {} events, root {}, signed by {}\n",
                 verified->checkpoint.size, absl::Base64Escape(verified->checkpoint.root),
                 verified->checkpoint.origin);
      if (verified->previous_size == 0) {
        fmt::print("first checkpoint this client has seen of this log: kept as the baseline\n");
      } else {
        fmt::print("consistent with the checkpoint of {} events verified before\n",
                   verified->previous_size);
      }
      return;
    }
    cli.Show<v1::VerifyLogResponse>(
        cli.client().VerifyLog(v1::VerifyLogRequest()), [](const v1::VerifyLogResponse& r) {
          fmt::print("log intact: {} events verified, head position {}, head hash {}\n",
                     r.events_checked(), r.head_position(), absl::BytesToHexString(r.head_hash()));
          fmt::print("views intact: {} goal views match a rebuild from the log\n",
                     r.views_checked());
        });
  });
}

void AddCheckpoint(CLI::App& app, Cli& cli) {
  auto refresh = std::make_shared<bool>(false);
  CLI::App* checkpoint = app.add_subcommand(
      "checkpoint", "the log's latest signed checkpoint, as the server gives it");
  checkpoint->add_flag("--refresh", *refresh, "have the server sign one of the log now");
  checkpoint->callback([&cli, refresh] {
    v1::GetCheckpointRequest request;
    request.set_refresh(*refresh);
    cli.Show<v1::GetCheckpointResponse>(
        cli.client().GetCheckpoint(request),
        [](const v1::GetCheckpointResponse& r) { fmt::print("{}", r.signed_checkpoint()); });
  });
}

}  // namespace

void AddTransparencyCommands(CLI::App& app, Cli& cli) {
  AddVerify(app, cli);
  AddCheckpoint(app, cli);
}

}  // namespace dxledger::cli
