#ifndef DXLEDGER_SERVICE_REPORT_REPORT_TEXT_H_
#define DXLEDGER_SERVICE_REPORT_REPORT_TEXT_H_

#include <string_view>

// The report's fixed text: its headings and the legend under each table, as the published FY2021
// report prints them, its own variants included (the full list's legend says 判定 for 評価 and
// デジタルイゼーション for デジタイゼーション). The exports transcribe the report; they do not edit
// it. tests/report/report_test.cc checks each line against the seed.
namespace dxledger::report {

inline constexpr std::string_view kPrincipalHeading =
    "主なDX推進目標（プロジェクト）の進捗状況について";
inline constexpr std::string_view kAllHeading = "DX推進目標（プロジェクト）の進捗状況について";

// The heading of the year's prose between the two tables (FiscalYear.next_steps).
inline constexpr std::string_view kNextStepsHeading = "今後の進め方について";

inline constexpr std::string_view kPrincipalLegend[] = {
    "評価について　A：目標を上回る　B：目標どおり　C：目標をやや下回る　D：目標をかなり下回る"
    "（各部局による評価）",
    "取組内容の記号について　DT：デジタイゼーション　DL：デジタルライゼーション　"
    "DX：デジタル・トランスフォーメーション"};

inline constexpr std::string_view kAllLegend[] = {
    "判定について", "取組内容の記号について",
    "A：目標を上回る　B：目標どおり　C：目標をやや下回る　D：目標をかなり下回る（各部局による評価"
    "）",
    "DT：デジタルイゼーション　DL：デジタルライゼーション　DX：デジタル・トランスフォーメーション"};

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_REPORT_TEXT_H_
