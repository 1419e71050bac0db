#include "service/report/report_rows.h"

#include <charconv>
#include <map>

#include "absl/strings/ascii.h"
#include "fmt/format.h"
#include "proto/notation/rating.h"
#include "service/domain/text.h"
#include "service/report/cells.h"
#include "service/report/csv.h"
#include "service/report/item_cuts.h"
#include "service/report/report_text.h"

namespace dxledger::report {
namespace {

// Where a row came from: a line of a text or CSV file, or a row of a
// workbook's sheet (a sheet's errors name the column's letter too).
struct Where {
  std::string_view sheet;
  int line = 0;
};

absl::Status RowError(const Where& where, std::string_view what, int column = -1) {
  if (where.sheet.empty())
    return absl::InvalidArgumentError(fmt::format("line {}: {}", where.line, what));
  if (column < 0) {
    return absl::InvalidArgumentError(
        fmt::format("sheet {}, row {}: {}", where.sheet, where.line, what));
  }
  return SheetCellError(where.sheet, where.line, column, what);
}

absl::Status LineError(int line, std::string_view what) { return RowError(Where{{}, line}, what); }

std::vector<std::string> SplitTabs(std::string_view line) {
  std::vector<std::string> cols;
  size_t start = 0;
  for (size_t at; (at = line.find('\t', start)) != std::string_view::npos; start = at + 1) {
    cols.emplace_back(line.substr(start, at - start));
  }
  cols.emplace_back(line.substr(start));
  return cols;
}

bool IsHeader(const std::vector<std::string>& cells) {
  return !cells.empty() && domain::MatchKey(cells[0]) == "No.";
}

absl::Status CheckHeader(const Where& where, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < std::size(kColumns); ++i) {
    // The 成果指標 header names the year (令和3年度 成果指標).
    if (i >= cells.size() ||
        domain::MatchKey(cells[i]).find(domain::MatchKey(kColumns[i])) == std::string::npos) {
      return RowError(where,
                      fmt::format("expected the header No., 部局名, 目標, 評価, 成果指標, "
                                  "取組内容, 今後の課題等; column {} is \"{}\"",
                                  i + 1, i < cells.size() ? cells[i] : ""),
                      static_cast<int>(i));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ParseNumber(const Where& where, int index, std::string_view column,
                                std::string_view text) {
  const std::string key = domain::MatchKey(text);
  int value = 0;
  auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), value);
  if (key.empty() || error != std::errc() || end != key.data() + key.size() || value < 1) {
    return RowError(where, fmt::format("{} \"{}\" is not a positive number", column, text), index);
  }
  return value;
}

// One goal row from its seven cells (the eighth, 主な目標No., is the caller's).
absl::StatusOr<v1::ReportRow> ParseRow(const Where& where, const std::vector<std::string>& cells) {
  v1::ReportRow row;
  row.set_source_line(where.line);
  absl::StatusOr<int> number = ParseNumber(where, 0, "No.", cells[0]);
  if (!number.ok()) return number.status();
  row.set_report_number(*number);
  for (std::string& department : SplitDepartments(cells[1])) row.add_departments(department);
  if (row.departments().empty())
    return RowError(where, "部局名 is empty: expected a department", 1);
  std::vector<std::string> title = SplitItems(cells[2]);
  if (title.empty()) return RowError(where, "目標 is empty: expected the goal's title", 2);
  row.set_title(title.size() == 1 ? title[0] : JoinItems(title));
  // An empty cell (or a dash) is a goal not rated yet.
  const std::string rating_cell = domain::MatchKey(cells[3]);
  absl::StatusOr<v1::Rating> rating = rating_cell.empty() || rating_cell == "-"
                                          ? absl::StatusOr<v1::Rating>(v1::RATING_UNSPECIFIED)
                                          : notation::ParseRating(rating_cell);
  if (!rating.ok()) {
    return RowError(where, fmt::format("評価 \"{}\" must be A, B, C, D or empty", cells[3]), 3);
  }
  row.set_rating(*rating);
  std::vector<std::string> activity_items = SplitItems(cells[5]);
  std::vector<std::vector<v1::Tag>> tags = ExtractTags(activity_items);
  std::vector<v1::ReportActivity> activities;
  for (size_t i = 0; i < activity_items.size(); ++i) {
    v1::ReportActivity& activity = activities.emplace_back();
    activity.set_text(activity_items[i]);
    for (v1::Tag tag : tags[i]) activity.add_tags(tag);
  }
  std::vector<v1::ReportIndicator> indicators = ParseIndicators(SplitItems(cells[4]));
  FindActuals(activities, indicators);
  for (auto& indicator : indicators) *row.add_indicators() = std::move(indicator);
  for (auto& activity : activities) *row.add_activities() = std::move(activity);
  for (std::string& issue : SplitItems(cells[6])) {
    if (domain::MatchKey(issue) != domain::MatchKey(kNoIssues)) row.add_issues(std::move(issue));
  }
  return row;
}

// Adds `row` to `table`, refusing a No. seen before in it.
absl::Status AddRow(v1::ReportRow row, std::map<int, v1::ReportRow>& table,
                    std::string_view sheet = {}) {
  const int number = row.report_number();
  const int line = row.source_line();
  if (auto [it, added] = table.emplace(number, std::move(row)); !added) {
    return RowError(Where{sheet, line},
                    fmt::format("No. {} appears twice (first on {} {}); expected "
                                "each goal once per table",
                                number, sheet.empty() ? "line" : "row", it->second.source_line()),
                    0);
  }
  return absl::OkStatus();
}

template <typename Items, typename Text>
std::vector<std::string> Texts(const Items& items, Text text) {
  std::vector<std::string> texts;
  for (const auto& item : items) texts.push_back(text(item));
  return texts;
}

// The principal table often keeps ・ bullets that the full list lost to its
// markup, and the full list paragraphs the principal table ran together.
// Each of the full list's cells is cut wherever either copy cuts it, in the
// full list's words, when the two say the same (item_cuts.h).
void TakeFinerSplits(const v1::ReportRow& principal, v1::ReportRow& full) {
  const auto activity_text = [](const v1::ReportActivity& a) { return a.text(); };
  if (auto pieces = CutAsBoth(Texts(full.activities(), activity_text),
                              Texts(principal.activities(), activity_text));
      pieces && pieces->size() > static_cast<size_t>(full.activities_size())) {
    google::protobuf::RepeatedPtrField<v1::ReportActivity> cut;
    for (Piece& piece : *pieces) {
      v1::ReportActivity* activity = cut.Add();
      *activity = full.activities(static_cast<int>(piece.from));  // its tags
      activity->set_text(std::move(piece.text));
    }
    full.mutable_activities()->Swap(&cut);
  }
  const auto same = [](const std::string& s) { return s; };
  if (auto pieces = CutAsBoth(Texts(full.issues(), same), Texts(principal.issues(), same));
      pieces && pieces->size() > static_cast<size_t>(full.issues_size())) {
    full.clear_issues();
    for (Piece& piece : *pieces) full.add_issues(std::move(piece.text));
  }
  const auto indicator_text = [](const v1::ReportIndicator& i) { return i.text(); };
  if (auto pieces = CutAsBoth(Texts(full.indicators(), indicator_text),
                              Texts(principal.indicators(), indicator_text));
      pieces && pieces->size() > static_cast<size_t>(full.indicators_size())) {
    std::vector<std::string> texts;
    for (Piece& piece : *pieces) texts.push_back(std::move(piece.text));
    std::vector<v1::ReportIndicator> indicators = ParseIndicators(texts);
    FindActuals({full.activities().begin(), full.activities().end()}, indicators);
    full.clear_indicators();
    for (v1::ReportIndicator& indicator : indicators) *full.add_indicators() = std::move(indicator);
  }
}

// The full list with the principal goals marked; a principal goal missing
// from the full list becomes a row of its own.
v1::Report Merge(std::map<int, v1::ReportRow> principal, std::map<int, v1::ReportRow> full) {
  v1::Report report;
  std::map<std::string, v1::ReportRow*> by_title;
  for (auto& [number, row] : full) by_title.emplace(domain::MatchKey(row.title()), &row);
  std::vector<v1::ReportRow> unmatched;
  for (auto& [number, row] : principal) {
    auto it = by_title.find(domain::MatchKey(row.title()));
    if (it != by_title.end()) {
      it->second->set_principal_number(number);
      TakeFinerSplits(row, *it->second);
    } else {
      row.set_principal_number(number);
      row.set_report_number(0);
      unmatched.push_back(std::move(row));
    }
  }
  for (auto& [number, row] : full) *report.add_rows() = std::move(row);
  for (auto& row : unmatched) *report.add_rows() = std::move(row);
  return report;
}

}  // namespace

absl::StatusOr<v1::Report> ParseReportText(std::string_view content) {
  std::map<int, v1::ReportRow> principal, full;
  std::map<int, v1::ReportRow>* table = nullptr;  // the table rows go to
  bool principal_heading = false;
  bool header_seen = false;
  bool in_next_steps = false;
  std::string next_steps;
  int line = 0;
  for (std::string_view rest = content; !rest.empty() || line == 0;) {
    ++line;
    const size_t end = rest.find('\n');
    std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (text.find('\t') == std::string_view::npos) {
      // Prose: a heading about 進捗状況 starts a table; 主な marks the
      // principal one. The lines under 今後の進め方について, up to the next
      // heading or table, are the year's next steps.
      const std::string key = domain::MatchKey(text);
      if (key.find("進捗状況") != std::string::npos) {
        principal_heading = key.find("主な") != std::string::npos;
        header_seen = false;
        in_next_steps = false;
      } else if (key == domain::MatchKey(kNextStepsHeading)) {
        in_next_steps = true;
        next_steps.clear();
      } else if (in_next_steps && !key.empty()) {
        if (!next_steps.empty()) next_steps.push_back('\n');
        const absl::string_view line = absl::StripAsciiWhitespace({text.data(), text.size()});
        next_steps.append(line.data(), line.size());
      }
      if (rest.empty()) break;
      continue;
    }
    in_next_steps = false;
    std::vector<std::string> cells = SplitTabs(text);
    if (cells.size() != std::size(kColumns)) {
      return LineError(line, fmt::format("expected 7 tab-separated columns (No., 部局名, 目標, "
                                         "評価, 成果指標, 取組内容, 今後の課題等), found {}",
                                         cells.size()));
    }
    if (IsHeader(cells)) {
      if (absl::Status s = CheckHeader(Where{{}, line}, cells); !s.ok()) return s;
      header_seen = true;
      table = principal_heading ? &principal : &full;
      continue;
    }
    if (!header_seen) {
      return LineError(line, "a goal row before any header row: expected a No. 部局名 … header");
    }
    absl::StatusOr<v1::ReportRow> row = ParseRow(Where{{}, line}, cells);
    if (!row.ok()) return row.status();
    if (absl::Status s = AddRow(*std::move(row), *table); !s.ok()) return s;
  }
  if (principal.empty() && full.empty()) {
    return absl::InvalidArgumentError(
        "no goal rows found: expected a No. header row followed by tab-separated goal rows");
  }
  absl::StatusOr<v1::Report> report = Merge(std::move(principal), std::move(full));
  if (report.ok()) report->set_next_steps(std::move(next_steps));
  return report;
}

absl::StatusOr<v1::Report> ParseReportCsv(std::string_view content) {
  absl::StatusOr<std::vector<CsvRecord>> records = ReadCsv(content);
  if (!records.ok()) return records.status();
  if (records->empty())
    return absl::InvalidArgumentError("the CSV is empty: expected a header row");
  return ParseReportRecords(*records, {});
}

absl::StatusOr<v1::Report> ParseReportRecords(const std::vector<CsvRecord>& records,
                                              std::string_view sheet) {
  if (records.empty())
    return RowError(Where{sheet, 1}, "the sheet is empty: expected a header row");
  const CsvRecord& header = records.front();
  if (absl::Status s = CheckHeader(Where{sheet, header.line}, header.cells); !s.ok()) return s;
  const bool has_principal =
      header.cells.size() > std::size(kColumns) &&
      domain::MatchKey(header.cells[std::size(kColumns)]) == domain::MatchKey(kPrincipalColumn);
  const size_t width = std::size(kColumns) + (has_principal ? 1 : 0);
  std::map<int, v1::ReportRow> principal, full;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& record = records[i];
    const Where where{sheet, record.line};
    if (record.cells.size() == 1 && record.cells[0].empty()) continue;  // a blank line
    if (record.cells.size() != width) {
      return RowError(where, fmt::format("expected {} columns as in the header, found {}", width,
                                         record.cells.size()));
    }
    std::vector<std::string> cells = record.cells;
    int principal_number = 0;
    if (has_principal && !domain::MatchKey(cells.back()).empty()) {
      absl::StatusOr<int> number =
          ParseNumber(where, static_cast<int>(width - 1), kPrincipalColumn, cells.back());
      if (!number.ok()) return number.status();
      principal_number = *number;
    }
    // A principal goal outside the full list has no No.; it is keyed by its
    // principal number.
    const bool numbered = !domain::MatchKey(cells[0]).empty();
    if (!numbered && principal_number == 0) {
      return RowError(where, "No. is empty: expected a number, or a 主な目標No.", 0);
    }
    if (!numbered) cells[0] = std::to_string(principal_number);
    absl::StatusOr<v1::ReportRow> row = ParseRow(where, cells);
    if (!row.ok()) return row.status();
    if (!numbered) {
      if (absl::Status s = AddRow(*std::move(row), principal, sheet); !s.ok()) return s;
      continue;
    }
    row->set_principal_number(principal_number);
    if (absl::Status s = AddRow(*std::move(row), full, sheet); !s.ok()) return s;
  }
  v1::Report report = Merge(std::move(principal), {});
  for (auto& [number, row] : full) *report.add_rows() = std::move(row);
  std::stable_sort(report.mutable_rows()->begin(), report.mutable_rows()->end(),
                   [](const v1::ReportRow& a, const v1::ReportRow& b) {
                     return (a.report_number() == 0) < (b.report_number() == 0);
                   });
  return report;
}

absl::Status SheetCellError(std::string_view sheet, int row, int column, std::string_view what) {
  std::string letters;  // 0 → A, 25 → Z, 26 → AA
  for (int n = column + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return absl::InvalidArgumentError(
      fmt::format("sheet {}, row {}, column {}: {}", sheet, row, letters, what));
}

std::vector<std::string> RowCells(const v1::ReportRow& row) {
  std::string departments;
  for (const std::string& d : row.departments()) {
    if (!departments.empty()) departments += "・";
    departments += d;
  }
  std::vector<std::string> issues(row.issues().begin(), row.issues().end());
  return {row.report_number() ? std::to_string(row.report_number()) : "",
          departments,
          row.title(),
          row.rating() == v1::RATING_UNSPECIFIED
              ? ""
              : std::string(notation::RatingLetter(row.rating())),
          JoinItems(IndicatorItems(row.indicators())),
          JoinActivities(row.activities()),
          issues.empty() ? std::string(kNoIssues) : JoinItems(issues)};
}

}  // namespace dxledger::report
