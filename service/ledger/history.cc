// The questions across time: as-of points, lineage, year over year, and
// rating counts per year. Each reads the goals involved, never the whole log.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "fmt/format.h"
#include "service/domain/goal.h"
#include "service/domain/limits.h"
#include "service/ledger/codec.h"
#include "service/ledger/queries.h"

namespace dxledger::ledger {
namespace {

void Count(v1::Rating rating, v1::RatingCounts& counts) {
  switch (rating) {
    case v1::RATING_A:
      counts.set_a(counts.a() + 1);
      break;
    case v1::RATING_B:
      counts.set_b(counts.b() + 1);
      break;
    case v1::RATING_C:
      counts.set_c(counts.c() + 1);
      break;
    case v1::RATING_D:
      counts.set_d(counts.d() + 1);
      break;
    default:
      counts.set_unrated(counts.unrated() + 1);
      break;
  }
}

v1::RatingCounts Difference(const v1::RatingCounts& now, const v1::RatingCounts& before) {
  v1::RatingCounts change;
  change.set_a(now.a() - before.a());
  change.set_b(now.b() - before.b());
  change.set_c(now.c() - before.c());
  change.set_d(now.d() - before.d());
  change.set_unrated(now.unrated() - before.unrated());
  return change;
}

}  // namespace

absl::StatusOr<std::optional<uint64_t>> Queries::ResolveAsOf(const AsOf& as_of) {
  const uint64_t head = store_.GetHead().position;
  if (as_of.position) {
    if (*as_of.position > head) {
      return absl::OutOfRangeError(fmt::format(
          "as_of position {} is past the head of the log ({}); an as-of answer must not change "
          "later",
          *as_of.position, head));
    }
    return as_of.position;
  }
  if (as_of.time) {
    if (*as_of.time > clock_()) {
      return absl::OutOfRangeError("as_of time is in the future; its answer could change");
    }
    return store_.PositionAt(absl::ToUnixMicros(*as_of.time));
  }
  return std::nullopt;
}

absl::StatusOr<Lineage> Queries::GetLineage(const domain::GoalName& name,
                                            std::optional<uint64_t> as_of) {
  Lineage lineage;
  std::set<std::string> seen = {name.Format()};
  std::set<std::tuple<std::string, std::string, int>> edges;
  std::deque<domain::GoalName> queue = {name};
  while (!queue.empty()) {
    const domain::GoalName next = queue.front();
    queue.pop_front();
    absl::StatusOr<v1::Goal> goal = GetGoal(next, as_of);
    if (!goal.ok()) return goal.status();
    auto visit = [&](const v1::LineageLink& link, bool forward) -> absl::Status {
      if (link.goal().empty()) {  // dropped: the lineage ends here
        edges.insert({goal->name(), "", link.relation()});
        return absl::OkStatus();
      }
      edges.insert(forward ? std::tuple(goal->name(), link.goal(), int(link.relation()))
                           : std::tuple(link.goal(), goal->name(), int(link.relation())));
      if (seen.insert(link.goal()).second) {
        absl::StatusOr<domain::GoalName> linked = domain::ParseGoalName(link.goal(), "");
        if (!linked.ok()) return linked.status();
        queue.push_back(*std::move(linked));
      }
      return absl::OkStatus();
    };
    for (const v1::LineageLink& link : goal->successors()) {
      if (absl::Status s = visit(link, true); !s.ok()) return s;
    }
    for (const v1::LineageLink& link : goal->predecessors()) {
      if (absl::Status s = visit(link, false); !s.ok()) return s;
    }
    lineage.goals.push_back(*std::move(goal));
  }
  std::sort(lineage.goals.begin(), lineage.goals.end(), [](const v1::Goal& a, const v1::Goal& b) {
    return std::tuple(a.fiscal_year(), a.goal_id()) < std::tuple(b.fiscal_year(), b.goal_id());
  });
  for (const auto& [from, to, relation] : edges) {
    v1::LineageEdge& edge = lineage.edges.emplace_back();
    edge.set_from_goal(from);
    edge.set_to_goal(to);
    edge.set_relation(static_cast<v1::LineageRelation>(relation));
  }
  return lineage;
}

absl::StatusOr<std::vector<v1::YearOverYearRow>> Queries::GetYearOverYear(
    const domain::GoalName& name, std::optional<uint64_t> as_of) {
  absl::StatusOr<Lineage> lineage = GetLineage(name, as_of);
  if (!lineage.ok()) return lineage.status();
  std::vector<v1::YearOverYearRow> rows;
  for (v1::Goal& goal : lineage->goals) {
    if (rows.empty() || rows.back().fiscal_year() != goal.fiscal_year()) {
      v1::YearOverYearRow& row = rows.emplace_back();
      row.set_fiscal_year(goal.fiscal_year());
      row.set_plan_framework(goal.plan_framework());
    }
    *rows.back().add_goals() = std::move(goal);
  }
  return rows;
}

absl::StatusOr<std::vector<v1::YearRatingSummary>> Queries::GetRatingSummary(
    std::string_view organization, std::string_view department, std::optional<uint64_t> as_of) {
  GoalFilter filter;
  filter.organization = std::string(organization);
  filter.department = std::string(department);
  filter.as_of = as_of;
  std::map<int, v1::RatingCounts> years;
  std::string token;
  do {
    absl::StatusOr<Page<v1::Goal>> page = ListGoals(filter, domain::kMaxPageSize, token);
    if (!page.ok()) return page.status();
    for (const v1::Goal& goal : page->items) Count(goal.rating(), years[goal.fiscal_year()]);
    token = std::move(page->next_page_token);
  } while (!token.empty());
  std::vector<v1::YearRatingSummary> summary;
  for (const auto& [year, counts] : years) {
    v1::YearRatingSummary& row = summary.emplace_back();
    row.set_fiscal_year(year);
    *row.mutable_counts() = counts;
    if (summary.size() > 1) {
      *row.mutable_change() = Difference(counts, summary[summary.size() - 2].counts());
    }
  }
  return summary;
}

}  // namespace dxledger::ledger
