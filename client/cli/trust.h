#ifndef DXLEDGER_CLIENT_CLI_TRUST_H_
#define DXLEDGER_CLIENT_CLI_TRUST_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "client/cli/cli.h"
#include "client/log_verifier.h"

namespace dxledger::cli {

// What the client trusts: the log's verifier key (--log-key or
// DXLEDGER_LOG_KEY) and the state file of what it verified before.
struct TrustOptions {
  std::string log_key;
  std::string state_file;
  bool refresh = false;
  std::vector<std::string> witnesses;  // cosigner keys
  int cosignatures = 0;                // required of them

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
  void AddWitnessOptionsTo(CLI::App& command) {
    command.add_option("--witness", witnesses,
                       "a witness's cosigner key to trust (repeat); see dxledger witness");
    command
        .add_option("--cosignatures", cosignatures,
                    "how many of the --witness keys must have cosigned the checkpoint")
        ->capture_default_str();
  }

  // The pinned key, or a reported error.
  std::optional<note::Verifier> LogKey(Cli& cli) const {
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
    return *key;
  }

  // Checks that `cosignatures` of the pinned witnesses cosigned `note`.
  bool CheckCosignatures(const std::string& note, Cli& cli) const {
    std::vector<note::Verifier> keys;
    for (const std::string& witness : witnesses) {
      absl::StatusOr<note::Verifier> key = note::Verifier::FromCosignerKey(witness);
      if (!key.ok()) {
        cli.exit_code = Fail(absl::InvalidArgumentError(
            fmt::format("--witness {}: {}", witness, std::string(key.status().message()))));
        return false;
      }
      keys.push_back(*key);
    }
    if (cosignatures > static_cast<int>(keys.size())) {
      cli.exit_code = Fail(absl::InvalidArgumentError(
          fmt::format("--cosignatures {} asks for more witnesses than the {} --witness keys given",
                      cosignatures, keys.size())));
      return false;
    }
    absl::StatusOr<int> count = client::CountCosignatures(note, keys);
    if (!count.ok()) {
      cli.exit_code = Fail(count.status());
      return false;
    }
    if (*count < cosignatures) {
      cli.exit_code = Fail(absl::FailedPreconditionError(fmt::format(
          "the checkpoint carries {} of the {} witness cosignatures required: no independent "
          "witness vouches for it yet (retry after the witnesses have seen it)",
          *count, cosignatures)));
      return false;
    }
    return true;
  }

  // The verifier of the pinned key, with its state file; reports and
  // returns nullopt when there is no usable key.
  std::optional<client::LogVerifier> Verifier(Cli& cli) const {
    std::optional<note::Verifier> key = LogKey(cli);
    if (!key) return std::nullopt;
    return std::make_optional<client::LogVerifier>(
        cli.client(), *key, state_file.empty() ? client::DefaultStateFile(*key) : state_file);
  }

  // Verifies the latest checkpoint; reports and returns false on failure.
  std::optional<client::VerifiedCheckpoint> Verify(Cli& cli) const {
    std::optional<client::LogVerifier> verifier = Verifier(cli);
    if (!verifier) return std::nullopt;
    absl::StatusOr<client::VerifiedCheckpoint> verified = verifier->VerifyLatest(refresh);
    if (!verified.ok()) {
      cli.exit_code = Fail(verified.status());
      return std::nullopt;
    }
    if (!CheckCosignatures(verified->note, cli)) return std::nullopt;
    return *std::move(verified);
  }
};

// Reads every page (or only the first, with `one_page`) of a read that
// returns events (or rating changes: `items` says which), with proofs
// against a checkpoint verified just before (a fresh one, so that it covers
// what the read returns), and checks each item with `check` (VerifyEvents,
// VerifyRatingChanges) before anything is printed.
template <typename Request, typename Response, typename Item>
std::optional<Response> VerifiedRead(
    Request request, absl::StatusOr<Response> (client::LedgerClient::*call)(const Request&),
    google::protobuf::RepeatedPtrField<Item>* (Response::*items)(),
    absl::Status (*check)(const google::protobuf::RepeatedPtrField<Item>&,
                          const google::protobuf::RepeatedPtrField<v1::EventProof>&,
                          const tlog::Checkpoint&),
    std::string_view noun, TrustOptions trust, Cli& cli, bool one_page = false) {
  trust.refresh = true;
  std::optional<client::VerifiedCheckpoint> verified = trust.Verify(cli);
  if (!verified) return std::nullopt;
  request.set_proof_tree_size(verified->checkpoint.size);
  Response all;
  for (;;) {
    absl::StatusOr<Response> page = (cli.client().*call)(request);
    absl::Status checked = page.ok()
                               ? check(*((*page).*items)(), page->proofs(), verified->checkpoint)
                               : page.status();
    if (!checked.ok()) {
      cli.exit_code = Fail(checked);
      return std::nullopt;
    }
    for (Item& item : *((*page).*items)()) *((all.*items)()->Add()) = std::move(item);
    if (one_page || page->next_page_token().empty()) break;
    request.set_page_token(page->next_page_token());
  }
  fmt::print(stderr, "verified: {} {} are in the log's checkpoint of {} events ({})\n",
             ((all.*items)())->size(), noun, verified->checkpoint.size,
             verified->checkpoint.origin);
  return all;
}

}  // namespace dxledger::cli

#endif  // DXLEDGER_CLIENT_CLI_TRUST_H_
