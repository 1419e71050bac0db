// dxledger goal create | get | list | revise | retire
#include "client/cli/cli.h"
#include "proto/notation/fiscal_year.h"
#include "proto/notation/rating.h"

namespace dxledger::cli {
namespace {

// Parses --year in any accepted form (2021, FY2021, 令和3年度, R3); 0 when unset.
bool ParseYear(const std::string& text, int& year, Cli& cli) {
  if (text.empty()) return true;
  absl::StatusOr<int> parsed = notation::ParseFiscalYear(text);
  if (!parsed.ok()) {
    cli.exit_code = Fail(parsed.status());
    return false;
  }
  year = *parsed;
  return true;
}

bool ParseFramework(const std::string& text, v1::PlanFramework& framework, Cli& cli) {
  if (text.empty()) return true;
  if (text == "pre-plan") {
    framework = v1::PLAN_FRAMEWORK_PRE_PLAN;
  } else if (text == "dx-plan") {
    framework = v1::PLAN_FRAMEWORK_DX_PLAN;
  } else {
    cli.exit_code =
        Fail(absl::InvalidArgumentError("--framework \"" + text + "\" is not pre-plan or dx-plan"));
    return false;
  }
  return true;
}

void AddCreate(CLI::App& goal, Cli& cli) {
  struct Args {
    std::string year, id, title, framework;
    std::vector<std::string> departments;
    int number = 0;
    bool principal = false;
    WriteOptions write;
  };
  auto args = std::make_shared<Args>();
  CLI::App* create = goal.add_subcommand("create", "create a goal");
  create->add_option("--year", args->year, "fiscal year: 2021, FY2021, 令和3年度 or R3")
      ->required();
  create->add_option("--department", args->departments, "owning department (repeat for joint)")
      ->required();
  create->add_option("--title", args->title, "the goal (目標)")->required();
  create->add_option("--id", args->id, "goal id (default: made by the server)");
  create->add_option("--number", args->number, "number in the report's full list");
  create->add_flag("--principal", args->principal, "one of the report's principal goals");
  create->add_option("--framework", args->framework, "pre-plan or dx-plan (default by year)");
  args->write.AddTo(*create);
  create->callback([args, &cli] {
    v1::CreateGoalRequest request;
    int year = 0;
    v1::PlanFramework framework = v1::PLAN_FRAMEWORK_UNSPECIFIED;
    if (!ParseYear(args->year, year, cli) || !ParseFramework(args->framework, framework, cli)) {
      return;
    }
    request.set_fiscal_year(year);
    request.set_goal_id(args->id);
    for (const std::string& d : args->departments) request.add_departments(d);
    request.set_title(args->title);
    request.set_plan_framework(framework);
    request.set_principal(args->principal);
    request.set_report_number(args->number);
    args->write.ApplyTo(request, cli);
    cli.Show<v1::CreateGoalResponse>(cli.client().CreateGoal(request),
                                     PrintCommandResult<v1::CreateGoalResponse>);
  });
}

void AddGet(CLI::App& goal, Cli& cli) {
  auto name = std::make_shared<std::string>();
  auto as_of = std::make_shared<std::string>();
  CLI::App* get = goal.add_subcommand("get", "show a goal's current state (or as of a point)");
  get->add_option("GOAL", *name, "goal id or organizations/{org}/goals/{goal}")->required();
  AddAsOfOption(*get, *as_of);
  get->callback([name, as_of, &cli] {
    v1::GetGoalRequest request;
    request.set_name(*name);
    if (!ParseAsOf(*as_of, *request.mutable_as_of(), cli)) return;
    cli.Show<v1::GetGoalResponse>(cli.client().GetGoal(request),
                                  [](const v1::GetGoalResponse& r) { PrintGoal(r.goal()); });
  });
}

void AddList(CLI::App& goal, Cli& cli) {
  struct Args {
    std::string year, department, rating, page_token, as_of, search;
    int page_size = 0;
    bool include_retired = false;
    bool principal = false, not_principal = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* list = goal.add_subcommand("list", "list goals");
  list->add_option("--year", args->year, "fiscal year");
  list->add_option("--department", args->department, "owned (or jointly owned) by");
  list->add_option("--rating", args->rating, "A, B, C, D or none (unrated)");
  list->add_flag("--include-retired", args->include_retired, "also retired goals");
  list->add_option("--search", args->search,
                   "titles containing this (full-width/half-width, case and spaces ignored)");
  CLI::Option* principal =
      list->add_flag("--principal", args->principal, "only principal goals (主要目標)");
  list->add_flag("--not-principal", args->not_principal, "only goals that are not principal")
      ->excludes(principal);
  list->add_option("--page-size", args->page_size, "one page of this size (default: all)");
  list->add_option("--page-token", args->page_token, "continue from a previous page");
  AddAsOfOption(*list, args->as_of);
  list->callback([args, &cli] {
    v1::ListGoalsRequest request;
    int year = 0;
    if (!ParseYear(args->year, year, cli)) return;
    request.set_fiscal_year(year);
    if (!cli.organization.empty()) request.set_parent("organizations/" + cli.organization);
    request.set_department(args->department);
    if (!args->rating.empty()) {
      absl::StatusOr<v1::Rating> rating = notation::ParseRating(args->rating);
      if (!rating.ok()) {
        cli.exit_code = Fail(rating.status());
        return;
      }
      request.set_rating(*rating);
    }
    request.set_include_retired(args->include_retired);
    request.set_title_contains(args->search);
    if (args->principal || args->not_principal) request.set_principal(args->principal);
    if (!ParseAsOf(args->as_of, *request.mutable_as_of(), cli)) return;
    request.set_page_size(args->page_size);
    request.set_page_token(args->page_token);
    const bool one_page = args->page_size != 0 || !args->page_token.empty();
    cli.Show<v1::ListGoalsResponse>(Gather(request, one_page, &client::LedgerClient::ListGoals,
                                           &v1::ListGoalsResponse::mutable_goals, cli),
                                    [](const v1::ListGoalsResponse& r) {
                                      PrintGoalTable({r.goals().begin(), r.goals().end()});
                                      if (!r.next_page_token().empty()) {
                                        fmt::print("next page: --page-token {}\n",
                                                   r.next_page_token());
                                      }
                                    });
  });
}

void AddRevise(CLI::App& goal, Cli& cli) {
  struct Args {
    std::string name;
    std::optional<std::string> title;
    std::vector<std::string> departments;
    std::optional<int> number;
    std::optional<bool> principal;
    WriteOptions write;
  };
  auto args = std::make_shared<Args>();
  CLI::App* revise = goal.add_subcommand("revise", "change a goal's title, departments, number");
  revise->add_option("GOAL", args->name, "goal")->required();
  revise->add_option("--title", args->title, "new title");
  revise->add_option("--department", args->departments, "new owning departments (all of them)");
  revise->add_option("--number", args->number, "new report number");
  revise->add_option("--principal", args->principal, "true or false");
  args->write.AddTo(*revise);
  revise->callback([args, &cli] {
    v1::ReviseGoalRequest request;
    request.set_name(args->name);
    if (args->title) request.set_title(*args->title);
    if (!args->departments.empty()) {
      for (const std::string& d : args->departments) request.mutable_departments()->add_names(d);
    }
    if (args->number) request.set_report_number(*args->number);
    if (args->principal) request.set_principal(*args->principal);
    args->write.ApplyTo(request, cli);
    cli.Show<v1::ReviseGoalResponse>(cli.client().ReviseGoal(request),
                                     PrintCommandResult<v1::ReviseGoalResponse>);
  });
}

void AddRetire(CLI::App& goal, Cli& cli) {
  struct Args {
    std::string name;
    WriteOptions write;
  };
  auto args = std::make_shared<Args>();
  CLI::App* retire = goal.add_subcommand("retire", "retire a goal (no further changes)");
  retire->add_option("GOAL", args->name, "goal")->required();
  args->write.AddTo(*retire);
  retire->callback([args, &cli] {
    v1::RetireGoalRequest request;
    request.set_name(args->name);
    request.set_retire_reason(args->write.reason);
    args->write.ApplyTo(request, cli);
    cli.Show<v1::RetireGoalResponse>(cli.client().RetireGoal(request),
                                     PrintCommandResult<v1::RetireGoalResponse>);
  });
}

}  // namespace

void AddGoalCommands(CLI::App& app, Cli& cli) {
  CLI::App* goal = app.add_subcommand("goal", "create, read, list, revise and retire goals");
  goal->require_subcommand(1);
  AddCreate(*goal, cli);
  AddGet(*goal, cli);
  AddList(*goal, cli);
  AddRevise(*goal, cli);
  AddRetire(*goal, cli);
}

}  // namespace dxledger::cli
