// dxledger verify [--remote] | checkpoint | witness
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "client/cli/cli.h"
#include "client/cli/trust.h"
#include "client/log_verifier.h"

namespace dxledger::cli {
namespace {

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
  trust->AddWitnessOptionsTo(*verify);
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
          fmt::print(
              "views intact: {} views match a rebuild from the log, and so do the indexes, "
              "request records and the Merkle tree\n",
              r.views_checked());
          fmt::print("security log intact: {} records chained to its head and seal\n",
                     r.security_records_checked());
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

// One look at the log as a witness: verify its latest checkpoint against
// everything this witness accepted before, keep it, cosign it and hand the
// cosignature to the log.
absl::Status Witness(Cli& cli, client::LogVerifier& verifier, const note::Signer& key) {
  absl::StatusOr<client::VerifiedCheckpoint> verified = verifier.VerifyLatest(false);
  if (!verified.ok()) return verified.status();
  absl::StatusOr<note::Note> note = note::ParseNote(verified->note);
  if (!note.ok()) return note.status();
  const uint64_t now = static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now()));
  note->signatures.push_back(tlog::Cosign(key, note->text, now));
  v1::AddCosignatureRequest request;
  request.set_witness_key(note::CosignerKey(key));
  request.set_cosigned_checkpoint(note::FormatNote(*note));
  absl::StatusOr<v1::AddCosignatureResponse> sent = cli.client().AddCosignature(request);
  if (!sent.ok()) return sent.status();
  fmt::print("cosigned: {} events, root {}\n", verified->checkpoint.size,
             absl::Base64Escape(verified->checkpoint.root));
  std::fflush(stdout);
  return absl::OkStatus();
}

void AddWitness(CLI::App& app, Cli& cli) {
  struct Args {
    TrustOptions trust;
    std::string key_file, name = "witness";
    double interval = 10;
    bool once = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* witness = app.add_subcommand(
      "witness",
      "follow a log's checkpoints, refuse any that does not extend what was seen (exit non-zero: "
      "the alarm), and cosign the rest");
  if (const char* key = std::getenv("DXLEDGER_LOG_KEY")) args->trust.log_key = key;
  witness->add_option("--log-key", args->trust.log_key, "the log's verifier key")->required();
  witness
      ->add_option("--key", args->key_file,
                   "the witness's own signing key (made here when missing; its cosigner key "
                   "is printed for clients to pin)")
      ->required();
  witness->add_option("--name", args->name, "the name of a key made here")->capture_default_str();
  witness
      ->add_option("--log", args->trust.state_file,
                   "append-only file of every checkpoint this witness accepted")
      ->required();
  witness->add_option("--interval", args->interval, "seconds between looks")->capture_default_str();
  witness->add_flag("--once", args->once, "look once and exit");
  witness->callback([&cli, args] {
    std::optional<note::Verifier> log_key = args->trust.LogKey(cli);
    if (!log_key) return;
    absl::StatusOr<note::Signer> key = note::LoadOrCreateSigner(args->key_file, args->name, true);
    if (!key.ok()) {
      cli.exit_code = Fail(key.status());
      return;
    }
    fmt::print("witness cosigner key: {}\n", note::CosignerKey(*key));
    client::LogVerifier verifier(cli.client(), *log_key, args->trust.state_file,
                                 client::LogVerifier::Memory::kAppendOnly, "this witness");
    for (;;) {
      if (absl::Status looked = Witness(cli, verifier, *key); !looked.ok()) {
        cli.exit_code = Fail(looked);
        // A refused checkpoint is the alarm; the server being away is not.
        if (args->once || !absl::IsUnavailable(looked)) return;
        cli.exit_code = 0;
      }
      if (args->once) return;
      absl::SleepFor(absl::Seconds(args->interval));
    }
  });
}

}  // namespace

void AddTransparencyCommands(CLI::App& app, Cli& cli) {
  AddVerify(app, cli);
  AddCheckpoint(app, cli);
  AddWitness(app, cli);
}

}  // namespace dxledger::cli
