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

// Index entries for `events`, all written to stream 0 of the append; `goal`
// is the view after the events.
std::vector<storage::IndexWrite> IndexEntries(std::string_view organization,
                                              absl::Span<const v1::Event> events,
                                              const v1::Goal& goal);

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_PROJECTION_H_
