#include "service/report/import_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "fmt/format.h"
#include "service/domain/text.h"
#include "service/report/cells.h"

namespace dxledger::report {

std::string NewGoalIdPrefix(int fiscal_year) { return fmt::format("fy{}-", fiscal_year); }

namespace {

using Commands = std::vector<PlannedCommand>;

void Add(Commands& out, const domain::GoalName& goal, std::string method, v1::Event proposal) {
  out.push_back({std::move(method), domain::Command{goal, std::nullopt, std::move(proposal)}});
}

std::string NewGoalId(const v1::ReportRow& row, int year, std::set<std::string>& taken) {
  const std::string base =
      row.report_number() != 0
          ? fmt::format("{}{:02d}", NewGoalIdPrefix(year), row.report_number())
          : fmt::format("{}p{:02d}", NewGoalIdPrefix(year), row.principal_number());
  std::string id = base;
  for (int n = 2; taken.contains(id); ++n) id = fmt::format("{}-{}", base, n);
  taken.insert(id);
  return id;
}

// Explicit indicator ids: the i-th indicator of the file is ind{i+1} unless
// the goal already calls it something else.
std::string FreeIndicatorId(const std::set<std::string>& used, size_t position) {
  std::string id = fmt::format("ind{}", position + 1);
  for (size_t n = position + 2; used.contains(id); ++n) id = fmt::format("ind{}", n);
  return id;
}

bool SameIndicator(const v1::Indicator& have, const v1::ReportIndicator& want) {
  return have.description() == want.text() && have.unit() == want.unit() &&
         have.joined_by() == want.joined_by() &&
         have.has_target_value() == want.has_target_value() &&
         (!want.has_target_value() || have.target_value() == want.target_value());
}

void PlanIndicators(const domain::GoalName& name, const v1::Goal& goal, const v1::ReportRow& row,
                    Commands& out) {
  std::set<std::string> used;
  for (const v1::Indicator& indicator : goal.indicators()) used.insert(indicator.indicator_id());
  for (int i = 0; i < row.indicators_size(); ++i) {
    const v1::ReportIndicator& want = row.indicators(i);
    const v1::Indicator* have = i < goal.indicators_size() ? &goal.indicators(i) : nullptr;
    std::string id = have ? have->indicator_id() : FreeIndicatorId(used, i);
    used.insert(id);
    if (have == nullptr || !SameIndicator(*have, want)) {
      v1::Event event;
      v1::IndicatorSet* set = event.mutable_indicator_set();
      set->set_indicator_id(id);
      set->set_description(want.text());
      if (want.has_target_value()) set->set_target_value(want.target_value());
      set->set_unit(want.unit());
      set->set_joined_by(want.joined_by());
      Add(out, name, "SetIndicator", std::move(event));
    }
    if (want.has_actual_value() && (have == nullptr || !have->has_actual_value() ||
                                    have->actual_value() != want.actual_value())) {
      v1::Event event;
      event.mutable_indicator_result_recorded()->set_indicator_id(id);
      event.mutable_indicator_result_recorded()->set_actual_value(want.actual_value());
      event.mutable_indicator_result_recorded()->set_note("取組内容より");
      Add(out, name, "RecordIndicatorResult", std::move(event));
    }
  }
}

void PlanActivitiesAndIssues(const domain::GoalName& name, const v1::Goal& goal,
                             const v1::ReportRow& row, Commands& out) {
  auto key = [](const std::string& text, const auto& tags) {
    return std::pair(text, std::vector<int>(tags.begin(), tags.end()));
  };
  std::set<std::pair<std::string, std::vector<int>>> recorded;
  for (const v1::Activity& a : goal.activities()) recorded.insert(key(a.text(), a.tags()));
  for (const v1::ReportActivity& activity : row.activities()) {
    if (recorded.contains(key(activity.text(), activity.tags()))) continue;
    v1::Event event;
    event.mutable_activity_recorded()->set_text(activity.text());
    *event.mutable_activity_recorded()->mutable_tags() = activity.tags();
    Add(out, name, "RecordActivity", std::move(event));
  }
  std::set<std::string> open;
  for (const v1::Issue& issue : goal.issues()) {
    if (!issue.resolved()) open.insert(issue.text());
  }
  const std::set<std::string> wanted(row.issues().begin(), row.issues().end());
  for (const std::string& text : row.issues()) {
    if (open.contains(text)) continue;
    v1::Event event;
    event.mutable_issue_added()->set_text(text);
    Add(out, name, "AddIssue", std::move(event));
  }
  for (const v1::Issue& issue : goal.issues()) {
    if (issue.resolved() || wanted.contains(issue.text())) continue;
    v1::Event event;
    event.mutable_issue_resolved()->set_issue_id(issue.issue_id());
    event.mutable_issue_resolved()->set_resolution("no longer listed in the imported report");
    Add(out, name, "ResolveIssue", std::move(event));
  }
}

void PlanRevision(const domain::GoalName& name, const v1::Goal& goal, const v1::ReportRow& row,
                  Commands& out) {
  v1::Event event;
  v1::GoalRevised* revised = event.mutable_goal_revised();
  if (goal.title() != row.title()) revised->set_title(row.title());
  if (!std::equal(goal.departments().begin(), goal.departments().end(), row.departments().begin(),
                  row.departments().end())) {
    *revised->mutable_departments()->mutable_names() = row.departments();
  }
  if (goal.report_number() != row.report_number()) revised->set_report_number(row.report_number());
  if (goal.principal_number() != row.principal_number()) {
    revised->set_principal_number(row.principal_number());
  }
  if (goal.principal() != (row.principal_number() != 0)) {
    revised->set_principal(row.principal_number() != 0);
  }
  if (revised->ByteSizeLong() != 0) Add(out, name, "ReviseGoal", std::move(event));
  if (goal.rating() != row.rating()) {
    v1::Event rating;
    rating.mutable_rating_set()->set_rating(row.rating());
    Add(out, name, "SetRating", std::move(rating));
  }
}

void PlanCreate(const domain::GoalName& name, int year, const v1::ReportRow& row, Commands& out) {
  v1::Event event;
  v1::GoalCreated* created = event.mutable_goal_created();
  created->set_fiscal_year(year);
  *created->mutable_departments() = row.departments();
  created->set_title(row.title());
  created->set_report_number(row.report_number());
  created->set_principal_number(row.principal_number());
  created->set_principal(row.principal_number() != 0);
  Add(out, name, "CreateGoal", std::move(event));
  if (row.rating() != v1::RATING_UNSPECIFIED) {
    v1::Event rating;
    rating.mutable_rating_set()->set_rating(row.rating());
    Add(out, name, "SetRating", std::move(rating));
  }
}

// Goals under a key (a title, a number, or both); several goals may share
// one. Take hands out the first not yet matched to a row.
template <typename Key>
class Candidates {
 public:
  void Add(Key key, const v1::Goal* goal) { goals_[std::move(key)].push_back(goal); }
  const v1::Goal* Take(const Key& key, std::set<const v1::Goal*>& matched) const {
    auto it = goals_.find(key);
    if (it == goals_.end()) return nullptr;
    for (const v1::Goal* goal : it->second) {
      if (matched.insert(goal).second) return goal;
    }
    return nullptr;
  }

 private:
  std::map<Key, std::vector<const v1::Goal*>> goals_;
};

// The goal each row brings up to date (nullptr: a new one). A goal with both
// the row's title and its number is taken first, so a file imported again
// matches every row to the goal it made, even where titles repeat; the rest
// match by title, then by number.
std::vector<const v1::Goal*> MatchRows(const v1::Report& file, int fiscal_year,
                                       const std::vector<v1::Goal>& existing) {
  Candidates<std::pair<std::string, int>> exact;
  Candidates<std::string> by_title;
  Candidates<int> by_number;
  for (const v1::Goal& goal : existing) {
    if (goal.retired() || goal.fiscal_year() != fiscal_year) continue;
    exact.Add({domain::MatchKey(goal.title()), goal.report_number()}, &goal);
    by_title.Add(domain::MatchKey(goal.title()), &goal);
    if (goal.report_number() != 0) by_number.Add(goal.report_number(), &goal);
  }
  std::set<const v1::Goal*> matched;
  std::vector<const v1::Goal*> goals(static_cast<size_t>(file.rows_size()), nullptr);
  for (int i = 0; i < file.rows_size(); ++i) {
    const v1::ReportRow& row = file.rows(i);
    goals[i] = exact.Take({domain::MatchKey(row.title()), row.report_number()}, matched);
  }
  for (int i = 0; i < file.rows_size(); ++i) {
    if (goals[i] != nullptr) continue;
    const v1::ReportRow& row = file.rows(i);
    goals[i] = by_title.Take(domain::MatchKey(row.title()), matched);
    if (goals[i] == nullptr) goals[i] = by_number.Take(row.report_number(), matched);
  }
  return goals;
}

}  // namespace

std::vector<PlannedCommand> PlanImport(const v1::Report& file, int fiscal_year,
                                       std::string_view organization,
                                       const std::vector<v1::Goal>& existing,
                                       std::set<std::string> taken) {
  for (const v1::Goal& goal : existing) taken.insert(goal.goal_id());
  const std::vector<const v1::Goal*> goals = MatchRows(file, fiscal_year, existing);
  Commands out;
  const v1::Goal empty;
  for (int i = 0; i < file.rows_size(); ++i) {
    const v1::ReportRow& row = file.rows(i);
    const v1::Goal* goal = goals[i];
    domain::GoalName name{std::string(organization),
                          goal ? goal->goal_id() : NewGoalId(row, fiscal_year, taken)};
    if (goal == nullptr) {
      PlanCreate(name, fiscal_year, row, out);
    } else {
      PlanRevision(name, *goal, row, out);
    }
    PlanIndicators(name, goal ? *goal : empty, row, out);
    PlanActivitiesAndIssues(name, goal ? *goal : empty, row, out);
  }
  return out;
}

}  // namespace dxledger::report
