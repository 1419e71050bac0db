#include "service/ledger/projection.h"

#include "fmt/format.h"

namespace dxledger::ledger {

std::string GoalsPrefix(std::string_view organization) {
  std::string key("y\0", 2);
  key.append(organization).push_back('\0');
  return key;
}

std::string GoalsByYearPrefix(std::string_view organization, int fiscal_year) {
  std::string key = GoalsPrefix(organization);
  key.append(fmt::format("{:04d}", fiscal_year)).push_back('\0');
  return key;
}

std::string_view GoalIdOfYearKey(std::string_view key) { return key.substr(key.rfind('\0') + 1); }

std::string RatingChangesPrefix(std::string_view organization) {
  std::string key("r\0", 2);
  key.append(organization).push_back('\0');
  return key;
}

std::vector<storage::IndexWrite> IndexEntries(std::string_view organization,
                                              absl::Span<const v1::Event> events,
                                              const v1::Goal& goal) {
  std::vector<storage::IndexWrite> entries;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::Event& event = events[i];
    if (event.has_goal_created()) {
      entries.push_back(
          {GoalsByYearPrefix(organization, event.goal_created().fiscal_year()) + goal.goal_id(), "",
           std::nullopt});
    } else if (event.has_rating_set()) {
      v1::RatingChange change;
      change.set_goal(event.goal());
      change.set_version(event.version());
      change.set_fiscal_year(goal.fiscal_year());
      *change.mutable_departments() = goal.departments();
      change.set_previous_rating(event.rating_set().previous_rating());
      change.set_rating(event.rating_set().rating());
      change.set_rationale(event.rating_set().rationale());
      change.set_actor(event.actor());
      *change.mutable_record_time() = event.record_time();
      change.set_request_id(event.request_id());
      change.set_reason(event.reason());
      change.set_post_close_correction(event.post_close_correction());
      entries.push_back(
          {RatingChangesPrefix(organization), change.SerializeAsString(), storage::EventRef{0, i}});
    }
  }
  return entries;
}

}  // namespace dxledger::ledger
