// dxledger tail: the reference consumer of the live event stream.
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>

#include "client/cli/cli.h"
#include "client/cli/trust.h"
#include "proto/notation/fiscal_year.h"

namespace dxledger::cli {
namespace {

struct TailArgs {
  uint64_t from = 1;
  bool follow = false;
  std::string format = "table";
  std::string checkpoint_file;
  std::vector<std::string> types, departments;
  std::string year;
  bool verified = false;
  TrustOptions trust;
};

uint64_t ReadCheckpoint(const std::string& path) {
  std::ifstream in(path);
  uint64_t position = 0;
  in >> position;
  return position;
}

// Written aside and renamed, so a crash never leaves half a number behind.
void WriteCheckpoint(const std::string& path, uint64_t position) {
  const std::string temp = path + ".tmp";
  std::ofstream(temp, std::ios::trunc) << position << "\n";
  std::filesystem::rename(temp, path);
}

void PrintEvent(const v1::Event& event, bool jsonl) {
  if (!jsonl) {
    fmt::print("{}  {}  v{}  {}  {}  {}\n", event.position(), event.goal(), event.version(),
               notation::FormatTime(event.record_time()), event.actor(),
               notation::DescribeEvent(event));
    return;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string line;
  (void)google::protobuf::util::MessageToJsonString(event, &line, options);
  fmt::print("{}\n", line);
}

}  // namespace

void AddTailCommand(CLI::App& app, Cli& cli) {
  auto args = std::make_shared<TailArgs>();
  CLI::App* tail = app.add_subcommand("tail", "print events as they are recorded");
  tail->add_option("--from", args->from, "first position")->capture_default_str();
  tail->add_flag("--follow,-f", args->follow, "keep streaming live events");
  tail->add_option("--format", args->format, "table or jsonl (one JSON object a line)")
      ->check(CLI::IsMember({"table", "jsonl"}))
      ->capture_default_str();
  tail->add_option("--checkpoint-file", args->checkpoint_file,
                   "resume after the position in this file, and keep it current");
  tail->add_option("--type", args->types, "only this payload, e.g. rating_set (repeatable)");
  tail->add_option("--department", args->departments, "only goals of this department");
  tail->add_option("--year", args->year, "only goals of this fiscal year");
  tail->add_flag("--verified", args->verified,
                 "check every event's inclusion in the signed checkpoint that comes with it, "
                 "against --log-key, before printing (events then arrive once a checkpoint "
                 "covers them, about a second after they are recorded)");
  args->trust.AddTo(*tail);
  tail->callback([args, &cli] {
    v1::SubscribeRequest request;
    uint64_t start = args->from;
    if (!args->checkpoint_file.empty() && std::filesystem::exists(args->checkpoint_file)) {
      start = ReadCheckpoint(args->checkpoint_file) + 1;
    }
    request.set_start_position(start);
    for (const std::string& type : args->types) request.add_event_types(type);
    for (const std::string& d : args->departments) request.add_departments(d);
    if (!args->year.empty()) {
      absl::StatusOr<int> year = notation::ParseFiscalYear(args->year);
      if (!year.ok()) {
        cli.exit_code = Fail(year.status());
        return;
      }
      request.set_fiscal_year(*year);
    }
    // Without --follow, stop once everything recorded before now was seen.
    v1::ReadLogRequest head_request;
    head_request.set_page_size(1);
    absl::StatusOr<v1::ReadLogResponse> head = cli.client().ReadLog(head_request);
    if (!head.ok()) {
      cli.exit_code = Fail(head.status());
      return;
    }
    const uint64_t stop_at = head->head_position();
    if (!args->follow && start > stop_at) return;
    std::optional<client::LogVerifier> verifier =
        args->verified ? args->trust.Verifier(cli) : std::nullopt;
    if (args->verified && !verifier) return;
    request.set_with_proofs(args->verified);
    std::string checkpoint_note;  // the last one verified
    tlog::Checkpoint checkpoint;
    uint64_t events_verified = 0;
    absl::Status refused;
    const bool jsonl = args->format == "jsonl";
    absl::Status status = cli.client().Subscribe(request, [&](const v1::SubscribeResponse& m) {
      if (verifier && !m.events().empty()) {
        // A new checkpoint must extend the last one verified (one round
        // trip a checkpoint); each event must be in it.
        if (m.signed_checkpoint() != checkpoint_note) {
          absl::StatusOr<client::VerifiedCheckpoint> verified =
              verifier->Verify(m.signed_checkpoint());
          if (!verified.ok()) {
            refused = verified.status();
            return false;
          }
          checkpoint_note = m.signed_checkpoint();
          checkpoint = verified->checkpoint;
        }
        refused = client::VerifyEvents(m.events(), m.proofs(), checkpoint);
        if (!refused.ok()) return false;
        events_verified += m.events_size();
      }
      for (const v1::Event& event : m.events()) PrintEvent(event, jsonl);
      std::fflush(stdout);
      if (!args->checkpoint_file.empty()) {
        WriteCheckpoint(args->checkpoint_file, m.checkpoint_position());
      }
      return args->follow || m.checkpoint_position() < stop_at;
    });
    if (!refused.ok()) {
      cli.exit_code = Fail(refused);
      return;
    }
    if (!status.ok()) cli.exit_code = Fail(status);
    if (verifier) {
      fmt::print(stderr, "verified: {} events are in the log's checkpoints ({})\n", events_verified,
                 checkpoint.origin);
    }
  });
}

}  // namespace dxledger::cli
