#ifndef DXLEDGER_SERVICE_REPORT_CELLS_H_
#define DXLEDGER_SERVICE_REPORT_CELLS_H_

#include <string>
#include <string_view>
#include <vector>

#include "dxledger/v1/report.pb.h"

// Cleaning the report's cells: the published text carries PDF extraction
// artefacts (stray spaces, spaced letters "D X") and HTML list markup. These
// functions turn a cell into clean items and back. Pure and thread-safe.
namespace dxledger::report {

// Splits a cell into items: HTML list markup (<ul>, <li>, <p>, </p>, <br>) and
// newlines separate items, and so does a ・ that starts a word (not one inside
// a word, as in 技術習得・補助). Items are trimmed, white space runs become one
// space, and spaced ASCII letters are joined ("I C T" → "ICT").
std::vector<std::string> SplitItems(std::string_view cell);

// Removes a trailing tag marker 【DT DL】 (only DT, DL, DX count; 【農業試験場】
// is prose) from the items and returns the tags of each item. A marker on the
// last item only is the whole cell's marker and applies to every item.
std::vector<std::vector<v1::Tag>> ExtractTags(std::vector<std::string>& items);

// "総務部・ 企画振興部" → {"総務部", "企画振興部"}: split on ・, spaces removed.
std::vector<std::string> SplitDepartments(std::string_view cell);

// Indicators from the 成果指標 items: an item holding several targets
// ("A（1,500人）、B（90人）") is split after each target; each indicator keeps
// its text, what joined it to the one before (joined_by) and, where a
// parenthesised figure gives one, its target and unit.
std::vector<v1::ReportIndicator> ParseIndicators(const std::vector<std::string>& items);

// Fills an indicator's actual value where an activity reports it: the
// indicator's name followed by a figure in the same unit ("受講者数 543人").
void FindActuals(const std::vector<v1::ReportActivity>& activities,
                 std::vector<v1::ReportIndicator>& indicators);

// The cell text for items: one item as it is; several as "・" lines.
std::string JoinItems(const std::vector<std::string>& items);
// The 成果指標 cell's items: each indicator, and those the report joins with
// 、 or と on the line of the one before ("A（25件）とB（20人）").
std::vector<std::string> IndicatorItems(
    const google::protobuf::RepeatedPtrField<v1::ReportIndicator>& indicators);
// The activities cell: items, with one trailing marker when all share tags.
std::string JoinActivities(const google::protobuf::RepeatedPtrField<v1::ReportActivity>& items);

// What an empty issues cell says in the report.
inline constexpr std::string_view kNoIssues = "（特になし）";

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_CELLS_H_
