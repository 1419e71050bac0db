// dxledger history | audit ratings | log
#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "client/cli/cli.h"
#include "client/cli/trust.h"
#include "proto/notation/fiscal_year.h"

namespace dxledger::cli {
namespace {

// Parses 2022-03-31 (UTC midnight) or RFC 3339 (2022-03-31T09:00:00+09:00).
bool ParseTimestamp(const std::string& text, google::protobuf::Timestamp& out, Cli& cli) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error) &&
      !absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    cli.exit_code = Fail(absl::InvalidArgumentError(
        "time \"" + text + "\" is not YYYY-MM-DD or RFC 3339 (2022-03-31T09:00:00+09:00)"));
    return false;
  }
  out.set_seconds(absl::ToUnixSeconds(time));
  return true;
}

void AddHistory(CLI::App& app, Cli& cli) {
  auto name = std::make_shared<std::string>();
  auto trust = std::make_shared<TrustOptions>();
  auto verified = std::make_shared<bool>(false);
  CLI::App* history = app.add_subcommand("history", "a goal's events, oldest first");
  history->add_option("GOAL", *name, "goal")->required();
  history->add_flag("--verified", *verified,
                    "check every event's inclusion in a checkpoint verified against --log-key "
                    "before printing");
  trust->AddTo(*history);
  history->callback([name, trust, verified, &cli] {
    v1::ListGoalEventsRequest request;
    request.set_name(*name);
    const auto print = [](const v1::ListGoalEventsResponse& r) {
      PrintEventTable({r.events().begin(), r.events().end()});
    };
    if (*verified) {
      std::optional<v1::ListGoalEventsResponse> read =
          VerifiedRead(request, &client::LedgerClient::ListGoalEvents,
                       &v1::ListGoalEventsResponse::mutable_events, &client::VerifyEvents, "events",
                       *trust, cli);
      if (read) cli.Show<v1::ListGoalEventsResponse>(*read, print);
      return;
    }
    cli.Show<v1::ListGoalEventsResponse>(
        Gather(request, false, &client::LedgerClient::ListGoalEvents,
               &v1::ListGoalEventsResponse::mutable_events, cli),
        print);
  });
}

void AddAudit(CLI::App& app, Cli& cli) {
  struct Args {
    std::string goal, department, year, actor, since, until;
  };
  auto args = std::make_shared<Args>();
  auto trust = std::make_shared<TrustOptions>();
  auto verified = std::make_shared<bool>(false);
  CLI::App* audit = app.add_subcommand("audit", "audit queries");
  audit->require_subcommand(1);
  CLI::App* ratings = audit->add_subcommand("ratings", "who changed which rating, when and why");
  ratings->add_option("--goal", args->goal, "only this goal");
  ratings->add_option("--department", args->department, "only goals of this department");
  ratings->add_option("--year", args->year, "only goals of this fiscal year");
  ratings->add_option("--actor", args->actor, "only changes by this principal");
  ratings->add_option("--since", args->since, "from this time (YYYY-MM-DD or RFC 3339)");
  ratings->add_option("--until", args->until, "before this time");
  ratings->add_flag("--verified", *verified,
                    "check that every change is what its event in a checkpoint verified against "
                    "--log-key records, before printing");
  trust->AddTo(*ratings);
  ratings->callback([args, trust, verified, &cli] {
    v1::ListRatingChangesRequest request;
    request.set_goal(args->goal);
    request.set_department(args->department);
    request.set_actor(args->actor);
    if (!args->year.empty()) {
      absl::StatusOr<int> year = notation::ParseFiscalYear(args->year);
      if (!year.ok()) {
        cli.exit_code = Fail(year.status());
        return;
      }
      request.set_fiscal_year(*year);
    }
    if (!args->since.empty() && !ParseTimestamp(args->since, *request.mutable_start_time(), cli)) {
      return;
    }
    if (!args->until.empty() && !ParseTimestamp(args->until, *request.mutable_end_time(), cli)) {
      return;
    }
    const auto print = [](const v1::ListRatingChangesResponse& r) {
      PrintRatingChangeTable({r.rating_changes().begin(), r.rating_changes().end()});
    };
    if (*verified) {
      std::optional<v1::ListRatingChangesResponse> read =
          VerifiedRead(request, &client::LedgerClient::ListRatingChanges,
                       &v1::ListRatingChangesResponse::mutable_rating_changes,
                       &client::VerifyRatingChanges, "rating changes", *trust, cli);
      if (read) cli.Show<v1::ListRatingChangesResponse>(*read, print);
      return;
    }
    cli.Show<v1::ListRatingChangesResponse>(
        Gather(request, false, &client::LedgerClient::ListRatingChanges,
               &v1::ListRatingChangesResponse::mutable_rating_changes, cli),
        print);
  });
}

void AddLog(CLI::App& app, Cli& cli) {
  struct Args {
    uint64_t from = 1;
    int limit = 100;
  };
  auto args = std::make_shared<Args>();
  auto trust = std::make_shared<TrustOptions>();
  auto verified = std::make_shared<bool>(false);
  CLI::App* log = app.add_subcommand("log", "the global log from a position");
  log->add_flag("--verified", *verified,
                "check every event's inclusion in a checkpoint verified against --log-key before "
                "printing");
  trust->AddTo(*log);
  log->add_option("--from", args->from, "first position")->capture_default_str();
  log->add_option("--limit", args->limit, "at most this many events (1-1000)")
      ->capture_default_str();
  log->callback([args, trust, verified, &cli] {
    v1::ReadLogRequest request;
    request.set_start_position(args->from);
    request.set_page_size(args->limit);
    if (*verified) {
      std::optional<v1::ReadLogResponse> read = VerifiedRead(
          request, &client::LedgerClient::ReadLog, &v1::ReadLogResponse::mutable_events,
          &client::VerifyEvents, "events", *trust, cli, /*one_page=*/true);
      if (read) {
        cli.Show<v1::ReadLogResponse>(*read, [](const v1::ReadLogResponse& r) {
          PrintEventTable({r.events().begin(), r.events().end()});
        });
      }
      return;
    }
    cli.Show<v1::ReadLogResponse>(cli.client().ReadLog(request), [](const v1::ReadLogResponse& r) {
      PrintEventTable({r.events().begin(), r.events().end()});
      fmt::print("head position {}\n", r.head_position());
    });
  });
}

}  // namespace

void AddQueryCommands(CLI::App& app, Cli& cli) {
  AddHistory(app, cli);
  AddAudit(app, cli);
  AddLog(app, cli);
}

}  // namespace dxledger::cli
