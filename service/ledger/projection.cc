#include "service/ledger/projection.h"

#include "fmt/format.h"
#include "proto/notation/rating.h"

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

void AddIndexEntries(std::string_view organization, const v1::Event& event, const v1::Goal& goal,
                     std::vector<storage::IndexWrite>& entries) {
  switch (event.payload_case()) {
    case v1::Event::kGoalCreated:
      entries.push_back(
          {GoalsByYearPrefix(organization, event.goal_created().fiscal_year()) + goal.goal_id(), "",
           std::nullopt});
      return;
    case v1::Event::kRatingSet: {
      // Reused: a rebuild adds an entry for most events of the log.
      thread_local v1::RatingChange change;
      notation::SetRecordedChange(event, change);
      change.clear_position();  // the entry's key carries it
      change.set_fiscal_year(goal.fiscal_year());
      *change.mutable_departments() = goal.departments();
      storage::IndexWrite& entry = entries.emplace_back();
      entry.key = RatingChangesPrefix(organization);
      change.SerializeToString(&entry.value);
      entry.position_suffix = storage::EventRef{0, 0};
      return;
    }
    // The other events are found through their goal's own stream.
    case v1::Event::kGoalRevised:
    case v1::Event::kIndicatorSet:
    case v1::Event::kIndicatorResultRecorded:
    case v1::Event::kActivityRecorded:
    case v1::Event::kIssueAdded:
    case v1::Event::kIssueResolved:
    case v1::Event::kGoalRetired:
    case v1::Event::kGoalCarriedOver:
    case v1::Event::kChangeProposed:
    case v1::Event::kChangeDecided:
    case v1::Event::kFiscalYearRolledOver:
    case v1::Event::kFiscalYearOpened:
    case v1::Event::kFiscalYearNextStepsSet:
    case v1::Event::kPrincipalAdded:
    case v1::Event::kPrincipalChanged:
    case v1::Event::kPrincipalTokenRotated:
    case v1::Event::kPrincipalDisabled:
    case v1::Event::kPrincipalEnabled:
    case v1::Event::PAYLOAD_NOT_SET:
      return;
  }
}

}  // namespace dxledger::ledger
