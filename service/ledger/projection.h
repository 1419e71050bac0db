#ifndef DXLEDGER_SERVICE_LEDGER_PROJECTION_H_
#define DXLEDGER_SERVICE_LEDGER_PROJECTION_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "storage/event_store.h"

// Secondary index entries that events add, and their key layout:
//   goals by year:  "y\0" org "\0" YYYY "\0" goal_id        -> ""
//   rating changes: "r\0" org "\0" BE64(position)            -> RatingChange
namespace dxledger::ledger {

std::string GoalsPrefix(std::string_view organization);
std::string GoalsByYearPrefix(std::string_view organization, int fiscal_year);
// The goal id at the end of a goals-by-year key.
std::string_view GoalIdOfYearKey(std::string_view key);

std::string RatingChangesPrefix(std::string_view organization);

// Appends the index entries `event` adds to `entries`; `goal` is the view
// after the event. An entry that ends in the event's position has
// position_suffix set (to event 0 of stream 0: the caller names the event).
void AddIndexEntries(std::string_view organization, const v1::Event& event, const v1::Goal& goal,
                     std::vector<storage::IndexWrite>& entries);

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_PROJECTION_H_
