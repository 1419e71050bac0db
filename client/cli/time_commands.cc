// dxledger year get | year rollover | change propose | change decide |
// lineage | yoy | summary
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "client/cli/cli.h"
#include "proto/notation/fiscal_year.h"
#include "proto/notation/rating.h"

namespace dxledger::cli {
namespace {

std::string_view Relation(v1::LineageRelation relation) {
  switch (relation) {
    case v1::LINEAGE_RELATION_CONTINUED:
      return "continued";
    case v1::LINEAGE_RELATION_MERGED:
      return "merged";
    case v1::LINEAGE_RELATION_SPLIT:
      return "split";
    case v1::LINEAGE_RELATION_REPLACED:
      return "replaced";
    case v1::LINEAGE_RELATION_DROPPED:
      return "dropped";
    default:
      return "-";
  }
}

std::string Id(const std::string& name) { return name.substr(name.rfind('/') + 1); }

void PrintYear(const v1::FiscalYear& year) {
  fmt::print(
      "{} (FY{}): {}, {}{}\n", year.japanese_name(), year.fiscal_year(),
      year.plan_framework() == v1::PLAN_FRAMEWORK_DX_PLAN ? "DX plan" : "pre-plan",
      year.state() == v1::FISCAL_YEAR_STATE_CLOSED ? "closed" : "open",
      year.rolled_over_to() ? fmt::format(", rolled over to FY{}", year.rolled_over_to()) : "");
  if (!year.next_steps().empty()) fmt::print("今後の進め方: {}\n", year.next_steps());
}

void AddYear(CLI::App& app, Cli& cli) {
  CLI::App* year = app.add_subcommand("year", "fiscal years: state and rollover");
  year->require_subcommand(1);
  auto get_year = std::make_shared<std::string>();
  CLI::App* get = year->add_subcommand("get", "a fiscal year's framework and state");
  get->add_option("YEAR", *get_year, "2021, FY2021, 令和3年度, R3")->required();
  get->callback([get_year, &cli] {
    absl::StatusOr<int> parsed = notation::ParseFiscalYear(*get_year);
    if (!parsed.ok()) {
      cli.exit_code = Fail(parsed.status());
      return;
    }
    v1::GetFiscalYearRequest request;
    request.set_fiscal_year(*parsed);
    cli.Show<v1::GetFiscalYearResponse>(
        cli.client().GetFiscalYear(request),
        [](const v1::GetFiscalYearResponse& r) { PrintYear(r.fiscal_year()); });
  });

  struct Args {
    std::string from, framework, plan;
  };
  auto args = std::make_shared<Args>();
  CLI::App* rollover =
      year->add_subcommand("rollover", "close a year and carry its goals into the next (hq)");
  rollover->add_option("--from", args->from, "the year to close")->required();
  rollover->add_option("--framework", args->framework, "pre-plan or dx-plan for the new year")
      ->required()
      ->check(CLI::IsMember({"pre-plan", "dx-plan"}));
  rollover
      ->add_option("--plan", args->plan,
                   "JSON with new_goals and decisions (RollOverFiscalYearRequest fields)")
      ->required();
  rollover->callback([args, &cli] {
    absl::StatusOr<int> from = notation::ParseFiscalYear(args->from);
    std::ifstream in(args->plan);
    std::stringstream json;
    json << in.rdbuf();
    v1::RollOverFiscalYearRequest request;
    auto parsed = google::protobuf::util::JsonStringToMessage(json.str(), &request);
    if (!from.ok() || !in || !parsed.ok()) {
      cli.exit_code = Fail(!from.ok() ? from.status()
                                      : absl::InvalidArgumentError(
                                            "--plan " + args->plan +
                                            " is not a readable RollOverFiscalYearRequest JSON: " +
                                            std::string(parsed.message())));
      return;
    }
    request.set_from_year(*from);
    request.set_plan_framework(args->framework == "dx-plan" ? v1::PLAN_FRAMEWORK_DX_PLAN
                                                            : v1::PLAN_FRAMEWORK_PRE_PLAN);
    request.set_request_id(cli.RequestId());
    cli.Show<v1::RollOverFiscalYearResponse>(cli.client().RollOverFiscalYear(request),
                                             [](const v1::RollOverFiscalYearResponse& r) {
                                               PrintYear(r.closed_year());
                                               PrintYear(r.opened_year());
                                               fmt::print("{} events recorded\n", r.events_size());
                                             });
  });
}

void AddChange(CLI::App& app, Cli& cli) {
  CLI::App* change = app.add_subcommand("change", "change control through the HQ meeting");
  change->require_subcommand(1);
  struct ProposeArgs {
    std::string goal, rationale, indicator_id, description, unit;
    std::optional<std::string> title;
    std::vector<std::string> departments;
    std::optional<double> target;
    WriteOptions write;
  };
  auto propose_args = std::make_shared<ProposeArgs>();
  CLI::App* propose = change->add_subcommand("propose", "propose a change to a goal");
  propose->add_option("GOAL", propose_args->goal, "goal")->required();
  propose->add_option("--title", propose_args->title, "new title");
  propose->add_option("--department", propose_args->departments, "new owning departments");
  propose->add_option("--indicator-description", propose_args->description, "an indicator");
  propose->add_option("--indicator-id", propose_args->indicator_id, "replace this indicator");
  propose->add_option("--target", propose_args->target, "the indicator's target");
  propose->add_option("--unit", propose_args->unit, "the indicator's unit");
  propose->add_option("--rationale", propose_args->rationale, "why");
  propose_args->write.AddTo(*propose);
  propose->callback([propose_args, &cli] {
    const ProposeArgs& a = *propose_args;
    v1::ProposeChangeRequest request;
    request.set_name(a.goal);
    if (a.title) request.set_title(*a.title);
    for (const std::string& d : a.departments) request.mutable_departments()->add_names(d);
    if (!a.description.empty()) {
      v1::IndicatorSet* indicator = request.mutable_indicator();
      indicator->set_indicator_id(a.indicator_id);
      indicator->set_description(a.description);
      if (a.target) indicator->set_target_value(*a.target);
      indicator->set_unit(a.unit);
    }
    request.set_rationale(a.rationale);
    a.write.ApplyTo(request, cli);
    cli.Show<v1::ProposeChangeResponse>(cli.client().ProposeChange(request),
                                        PrintCommandResult<v1::ProposeChangeResponse>);
  });

  struct DecideArgs {
    std::string goal, proposal, decision, meeting, date;
    WriteOptions write;
  };
  auto decide_args = std::make_shared<DecideArgs>();
  CLI::App* decide = change->add_subcommand("decide", "accept or reject a proposal (hq)");
  decide->add_option("GOAL", decide_args->goal, "goal")->required();
  decide->add_option("PROPOSAL", decide_args->proposal, "proposal id, e.g. prop1")->required();
  decide->add_option("DECISION", decide_args->decision, "accept or reject")
      ->required()
      ->check(CLI::IsMember({"accept", "reject"}));
  decide->add_option("--meeting", decide_args->meeting, "e.g. 第5回DX戦略本部会議")->required();
  decide->add_option("--date", decide_args->date, "the meeting's date, YYYY-MM-DD")->required();
  decide_args->write.AddTo(*decide);
  decide->callback([decide_args, &cli] {
    const DecideArgs& a = *decide_args;
    v1::DecideChangeRequest request;
    request.set_name(a.goal);
    request.set_proposal_id(a.proposal);
    request.set_decision(a.decision == "accept" ? v1::CHANGE_DECISION_ACCEPTED
                                                : v1::CHANGE_DECISION_REJECTED);
    request.set_meeting(a.meeting);
    request.set_meeting_date(a.date);
    a.write.ApplyTo(request, cli);
    cli.Show<v1::DecideChangeResponse>(cli.client().DecideChange(request),
                                       PrintCommandResult<v1::DecideChangeResponse>);
  });
}

void AddLineage(CLI::App& app, Cli& cli) {
  struct Args {
    std::string goal, as_of;
  };
  auto args = std::make_shared<Args>();
  CLI::App* lineage = app.add_subcommand("lineage", "a goal's ancestors and descendants");
  lineage->add_option("GOAL", args->goal, "goal")->required();
  AddAsOfOption(*lineage, args->as_of);
  lineage->callback([args, &cli] {
    v1::GetLineageRequest request;
    request.set_name(args->goal);
    if (!ParseAsOf(args->as_of, *request.mutable_as_of(), cli)) return;
    cli.Show<v1::GetLineageResponse>(
        cli.client().GetLineage(request), [](const v1::GetLineageResponse& r) {
          for (const v1::Goal& goal : r.goals()) {
            fmt::print("FY{}  {}  {}  {}\n", goal.fiscal_year(), goal.goal_id(),
                       notation::RatingLetter(goal.rating()), goal.title());
          }
          for (const v1::LineageEdge& edge : r.edges()) {
            fmt::print("  {} --{}--> {}\n", Id(edge.from_goal()), Relation(edge.relation()),
                       edge.to_goal().empty() ? "(ends)" : Id(edge.to_goal()));
          }
        });
  });
}

void AddYearOverYear(CLI::App& app, Cli& cli) {
  struct Args {
    std::string goal, as_of;
  };
  auto args = std::make_shared<Args>();
  CLI::App* yoy = app.add_subcommand("yoy", "a goal's lineage, one row per fiscal year");
  yoy->add_option("GOAL", args->goal, "goal")->required();
  AddAsOfOption(*yoy, args->as_of);
  yoy->callback([args, &cli] {
    v1::GetYearOverYearRequest request;
    request.set_name(args->goal);
    if (!ParseAsOf(args->as_of, *request.mutable_as_of(), cli)) return;
    cli.Show<v1::GetYearOverYearResponse>(
        cli.client().GetYearOverYear(request), [](const v1::GetYearOverYearResponse& r) {
          for (const v1::YearOverYearRow& row : r.rows()) {
            for (const v1::Goal& goal : row.goals()) {
              std::string indicators;
              for (const v1::Indicator& i : goal.indicators()) {
                if (!i.has_target_value()) continue;
                indicators += fmt::format("  [{} {:g}/{} {}]", i.indicator_id(),
                                          i.has_actual_value() ? i.actual_value() : 0,
                                          fmt::format("{:g}", i.target_value()), i.unit());
              }
              fmt::print("{} (FY{})  {}  {}  {}{}\n",
                         notation::JapaneseFiscalYear(row.fiscal_year()), row.fiscal_year(),
                         goal.goal_id(), notation::RatingLetter(goal.rating()), goal.title(),
                         indicators);
            }
          }
        });
  });
}

void AddSummary(CLI::App& app, Cli& cli) {
  struct Args {
    std::string department, as_of;
  };
  auto args = std::make_shared<Args>();
  CLI::App* summary = app.add_subcommand("summary", "ratings counted per fiscal year");
  summary->add_option("--department", args->department, "only this department's goals");
  AddAsOfOption(*summary, args->as_of);
  summary->callback([args, &cli] {
    v1::GetRatingSummaryRequest request;
    request.set_department(args->department);
    if (!ParseAsOf(args->as_of, *request.mutable_as_of(), cli)) return;
    cli.Show<v1::GetRatingSummaryResponse>(
        cli.client().GetRatingSummary(request), [](const v1::GetRatingSummaryResponse& r) {
          fmt::print("YEAR    A        B        C        D        UNRATED\n");
          for (const v1::YearRatingSummary& y : r.years()) {
            auto cell = [&](int count, int change) {
              return y.has_change() ? fmt::format("{} ({:+d})", count, change)
                                    : std::to_string(count);
            };
            const v1::RatingCounts& c = y.counts();
            const v1::RatingCounts& d = y.change();
            fmt::print("FY{}  {:<8} {:<8} {:<8} {:<8} {}\n", y.fiscal_year(), cell(c.a(), d.a()),
                       cell(c.b(), d.b()), cell(c.c(), d.c()), cell(c.d(), d.d()),
                       cell(c.unrated(), d.unrated()));
          }
        });
  });
}

}  // namespace

void AddAsOfOption(CLI::App& command, std::string& as_of) {
  command.add_option("--as-of", as_of,
                     "as it stood at a log position (a number), a date (end of that day in "
                     "Japan) or an RFC 3339 time");
}

bool ParseAsOf(const std::string& text, v1::AsOf& as_of, Cli& cli) {
  if (text.empty()) return true;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    as_of.set_position(std::stoull(text));
    return true;
  }
  absl::Time time;
  std::string error;
  absl::TimeZone japan = absl::FixedTimeZone(9 * 3600);
  if (absl::ParseTime("%Y-%m-%d", text, japan, &time, &error)) {
    time += absl::Hours(24) - absl::Microseconds(1);  // the end of that day
  } else if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    cli.exit_code = Fail(absl::InvalidArgumentError(
        "--as-of \"" + text + "\" is not a position, a date (2022-03-31) or an RFC 3339 time"));
    return false;
  }
  as_of.mutable_time()->set_seconds(absl::ToUnixSeconds(time));
  as_of.mutable_time()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(absl::ToUnixSeconds(time)))));
  return true;
}

void AddTimeCommands(CLI::App& app, Cli& cli) {
  AddYear(app, cli);
  AddChange(app, cli);
  AddLineage(app, cli);
  AddYearOverYear(app, cli);
  AddSummary(app, cli);
}

}  // namespace dxledger::cli
