// dxledger rating set | indicator set | indicator result | activity add |
// issue add | issue resolve
#include "client/cli/cli.h"
#include "proto/notation/rating.h"

namespace dxledger::cli {
namespace {

// The goal every record command names first, and the write options.
struct Target {
  std::string goal;
  WriteOptions write;
  void AddTo(CLI::App& command) {
    command.add_option("GOAL", goal, "goal id or organizations/{org}/goals/{goal}")->required();
    write.AddTo(command);
  }
  template <typename Request>
  void ApplyTo(Request& request, const Cli& cli) const {
    request.set_name(goal);
    write.ApplyTo(request, cli);
  }
};

void AddRating(CLI::App& app, Cli& cli) {
  struct Args {
    Target target;
    std::string rating, rationale;
  };
  auto args = std::make_shared<Args>();
  CLI::App* rating = app.add_subcommand("rating", "set or clear a goal's rating");
  rating->require_subcommand(1);
  CLI::App* set = rating->add_subcommand("set", "set the rating A-D, or none to clear it");
  args->target.AddTo(*set);
  set->add_option("RATING", args->rating, "A, B, C, D or none")->required();
  set->add_option("--rationale", args->rationale, "why this rating (default: --reason)");
  set->callback([args, &cli] {
    absl::StatusOr<v1::Rating> rating = notation::ParseRating(args->rating);
    if (!rating.ok()) {
      cli.exit_code = Fail(rating.status());
      return;
    }
    v1::SetRatingRequest request;
    args->target.ApplyTo(request, cli);
    request.set_rating(*rating);
    // For a rating, the reason given is its rationale.
    request.set_rationale(args->rationale.empty() ? args->target.write.reason : args->rationale);
    cli.Show<v1::SetRatingResponse>(cli.client().SetRating(request),
                                    PrintCommandResult<v1::SetRatingResponse>);
  });
}

void AddIndicator(CLI::App& app, Cli& cli) {
  CLI::App* indicator = app.add_subcommand("indicator", "outcome indicators (成果指標)");
  indicator->require_subcommand(1);

  struct SetArgs {
    Target target;
    std::string id, description, unit;
    std::optional<double> value;
  };
  auto set_args = std::make_shared<SetArgs>();
  CLI::App* set = indicator->add_subcommand("set", "add an indicator or replace one by id");
  set_args->target.AddTo(*set);
  set->add_option("--id", set_args->id, "indicator id (default: a new one)");
  set->add_option("--description", set_args->description, "what is measured")->required();
  set->add_option("--target", set_args->value, "target figure");
  set->add_option("--unit", set_args->unit, "unit: 人, 件, 校, 回, か所 ...");
  set->callback([set_args, &cli] {
    v1::SetIndicatorRequest request;
    set_args->target.ApplyTo(request, cli);
    request.set_indicator_id(set_args->id);
    request.set_description(set_args->description);
    if (set_args->value) request.set_target_value(*set_args->value);
    request.set_unit(set_args->unit);
    cli.Show<v1::SetIndicatorResponse>(cli.client().SetIndicator(request),
                                       PrintCommandResult<v1::SetIndicatorResponse>);
  });

  struct ResultArgs {
    Target target;
    std::string id, note;
    double value = 0;
  };
  auto result_args = std::make_shared<ResultArgs>();
  CLI::App* result = indicator->add_subcommand("result", "record an indicator's actual figure");
  result_args->target.AddTo(*result);
  result->add_option("INDICATOR", result_args->id, "indicator id")->required();
  result->add_option("VALUE", result_args->value, "actual figure")->required();
  result->add_option("--note", result_args->note, "note on the result");
  result->callback([result_args, &cli] {
    v1::RecordIndicatorResultRequest request;
    result_args->target.ApplyTo(request, cli);
    request.set_indicator_id(result_args->id);
    request.set_actual_value(result_args->value);
    request.set_note(result_args->note);
    cli.Show<v1::RecordIndicatorResultResponse>(
        cli.client().RecordIndicatorResult(request),
        PrintCommandResult<v1::RecordIndicatorResultResponse>);
  });
}

void AddActivity(CLI::App& app, Cli& cli) {
  struct Args {
    Target target;
    std::string text;
    std::vector<std::string> tags;
  };
  auto args = std::make_shared<Args>();
  CLI::App* activity = app.add_subcommand("activity", "activities (取組内容)");
  activity->require_subcommand(1);
  CLI::App* add = activity->add_subcommand("add", "record an activity");
  args->target.AddTo(*add);
  add->add_option("TEXT", args->text, "what was done")->required();
  add->add_option("--tag", args->tags, "DT, DL or DX (repeatable)")
      ->check(CLI::IsMember({"DT", "DL", "DX"}));
  add->callback([args, &cli] {
    v1::RecordActivityRequest request;
    args->target.ApplyTo(request, cli);
    request.set_text(args->text);
    for (const std::string& tag : args->tags) {
      v1::Tag value = v1::TAG_UNSPECIFIED;
      v1::Tag_Parse("TAG_" + tag, &value);
      request.add_tags(value);
    }
    cli.Show<v1::RecordActivityResponse>(cli.client().RecordActivity(request),
                                         PrintCommandResult<v1::RecordActivityResponse>);
  });
}

void AddIssue(CLI::App& app, Cli& cli) {
  CLI::App* issue = app.add_subcommand("issue", "issues (今後の課題)");
  issue->require_subcommand(1);

  struct AddArgs {
    Target target;
    std::string text;
  };
  auto add_args = std::make_shared<AddArgs>();
  CLI::App* add = issue->add_subcommand("add", "add an open issue");
  add_args->target.AddTo(*add);
  add->add_option("TEXT", add_args->text, "the issue")->required();
  add->callback([add_args, &cli] {
    v1::AddIssueRequest request;
    add_args->target.ApplyTo(request, cli);
    request.set_text(add_args->text);
    cli.Show<v1::AddIssueResponse>(cli.client().AddIssue(request),
                                   PrintCommandResult<v1::AddIssueResponse>);
  });

  struct ResolveArgs {
    Target target;
    std::string id, resolution;
  };
  auto resolve_args = std::make_shared<ResolveArgs>();
  CLI::App* resolve = issue->add_subcommand("resolve", "resolve an issue");
  resolve_args->target.AddTo(*resolve);
  resolve->add_option("ISSUE", resolve_args->id, "issue id")->required();
  resolve->add_option("--resolution", resolve_args->resolution, "how it was resolved");
  resolve->callback([resolve_args, &cli] {
    v1::ResolveIssueRequest request;
    resolve_args->target.ApplyTo(request, cli);
    request.set_issue_id(resolve_args->id);
    request.set_resolution(resolve_args->resolution);
    cli.Show<v1::ResolveIssueResponse>(cli.client().ResolveIssue(request),
                                       PrintCommandResult<v1::ResolveIssueResponse>);
  });
}

}  // namespace

void AddRecordCommands(CLI::App& app, Cli& cli) {
  AddRating(app, cli);
  AddIndicator(app, cli);
  AddActivity(app, cli);
  AddIssue(app, cli);
}

}  // namespace dxledger::cli
