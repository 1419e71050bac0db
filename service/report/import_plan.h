#ifndef DXLEDGER_SERVICE_REPORT_IMPORT_PLAN_H_
#define DXLEDGER_SERVICE_REPORT_IMPORT_PLAN_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/report.pb.h"
#include "service/domain/commands.h"

// What an import changes: for each row of the file, the commands that create
// the goal, or bring an existing goal to the row's content. Pure.
namespace dxledger::report {

struct PlannedCommand {
  std::string method;  // CreateGoal, SetRating, ...
  domain::Command command;
};

// Rows match existing goals of the year (not retired): first a goal with the
// row's title (NFKC, without white space) and report number, then one with
// its title, then one with its number; each goal matches one row at most, so
// importing a file again writes nothing even where titles repeat. A matched
// goal gets only the
// differences: one revision for title, departments and numbers; a rating; new
// or changed indicators and actual figures; activities it does not have yet;
// issues it does not have yet; and its open issues that the file no longer
// lists are resolved. A new goal gets the id fy{year}-{No.:02}, with a
// suffix when that is among `taken` (or the ids of `existing`).
std::vector<PlannedCommand> PlanImport(const v1::Report& file, int fiscal_year,
                                       std::string_view organization,
                                       const std::vector<v1::Goal>& existing,
                                       std::set<std::string> taken = {});

// What every id PlanImport makes for `fiscal_year` starts with.
std::string NewGoalIdPrefix(int fiscal_year);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_IMPORT_PLAN_H_
