// RenderXlsx: the report as a workbook, written with libxlsxwriter.
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/report/history_ja.h"
#include "service/report/render.h"
#include "service/report/report_rows.h"
#include "service/report/report_text.h"
#include "service/report/workbook.h"

namespace dxledger::report {
namespace {

// Each column's width range, in character units: enough for its header, at
// most what keeps a row readable on an A4 landscape page.
struct ColumnWidth {
  int least, most;
};
constexpr ColumnWidth kWidths[] = {{5, 6},   {8, 16},  {16, 36}, {5, 6},
                                   {16, 44}, {16, 56}, {16, 40}, {11, 12}};

struct Formats {
  lxw_format* header;
  lxw_format* text;
  lxw_format* number;
  lxw_format* rating[5];
  lxw_format* label;
};

lxw_format* Bordered(lxw_workbook* workbook) {
  lxw_format* format = workbook_add_format(workbook);
  format_set_border(format, LXW_BORDER_THIN);
  format_set_align(format, LXW_ALIGN_VERTICAL_TOP);
  return format;
}

Formats AddFormats(lxw_workbook* workbook) {
  Formats formats{};
  formats.header = Bordered(workbook);
  format_set_bold(formats.header);
  format_set_bg_color(formats.header, 0xeaeef2);
  format_set_text_wrap(formats.header);
  format_set_align(formats.header, LXW_ALIGN_CENTER);
  formats.text = Bordered(workbook);
  format_set_text_wrap(formats.text);
  formats.number = Bordered(workbook);
  format_set_align(formats.number, LXW_ALIGN_CENTER);
  for (int r = 0; r < 5; ++r) {
    formats.rating[r] = Bordered(workbook);
    format_set_align(formats.rating[r], LXW_ALIGN_CENTER);
    format_set_bold(formats.rating[r]);
    if (r == 0) continue;  // an unrated goal's cell is empty, and stays plain
    format_set_bg_color(formats.rating[r], kRatingRgb[r]);
    format_set_font_color(formats.rating[r], LXW_COLOR_WHITE);
  }
  formats.label = workbook_add_format(workbook);
  format_set_bold(formats.label);
  format_set_align(formats.label, LXW_ALIGN_VERTICAL_TOP);
  return formats;
}

// The rows of a sheet, as text, before they are written: the widths are
// measured over them.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<v1::Rating> ratings;
};

Table PrincipalTable(const Tables& tables) {
  Table table{{std::begin(kColumns), std::end(kColumns)}, {}, {}};
  for (const v1::ReportRow* row : tables.principal) {
    std::vector<std::string> cells = RowCells(*row);
    cells[0] = std::to_string(row->principal_number());
    table.rows.push_back(std::move(cells));
    table.ratings.push_back(row->rating());
  }
  return table;
}

// Every goal, as the CSV has them: what an import reads.
Table AllTable(const v1::Report& report) {
  Table table{{std::begin(kColumns), std::end(kColumns)}, {}, {}};
  table.header.emplace_back(kPrincipalColumn);
  for (const v1::ReportRow& row : report.rows()) {
    std::vector<std::string> cells = RowCells(row);
    cells.push_back(row.principal_number() ? std::to_string(row.principal_number()) : "");
    table.rows.push_back(std::move(cells));
    table.ratings.push_back(row.rating());
  }
  return table;
}

int LongestLine(std::string_view text) {
  int longest = 0;
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    longest = std::max(longest, DisplayWidth(text.substr(start, end - start)));
    start = end + 1;
  }
  return longest;
}

// The No. columns hold numbers (so that a filter sorts 2 before 10).
bool NumberColumn(size_t column) { return column == 0 || column == std::size(kColumns); }

lxw_error WriteTable(lxw_workbook* workbook, const char* name, const Table& table,
                     const Formats& formats, const std::string& title) {
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, name);
  if (sheet == nullptr) return LXW_ERROR_MEMORY_MALLOC_FAILED;
  const lxw_col_t last_column = static_cast<lxw_col_t>(table.header.size() - 1);
  for (lxw_col_t c = 0; c <= last_column; ++c) {
    int width = LongestLine(table.header[c]);
    for (const auto& row : table.rows) width = std::max(width, LongestLine(row[c]));
    width = std::clamp(width + 2, kWidths[c].least, kWidths[c].most);
    if (lxw_error e = worksheet_set_column(sheet, c, c, width, nullptr)) return e;
    if (lxw_error e = worksheet_write_string(sheet, 0, c, table.header[c].c_str(), formats.header))
      return e;
  }
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const lxw_row_t row = static_cast<lxw_row_t>(r + 1);
    for (lxw_col_t c = 0; c <= last_column; ++c) {
      const std::string& cell = table.rows[r][c];
      lxw_error e = LXW_NO_ERROR;
      if (c == 3) {
        e = worksheet_write_string(sheet, row, c, cell.c_str(), formats.rating[table.ratings[r]]);
      } else if (NumberColumn(c) && !cell.empty()) {
        e = worksheet_write_number(sheet, row, c, std::stod(cell), formats.number);
      } else if (cell.empty()) {
        e = worksheet_write_blank(sheet, row, c, NumberColumn(c) ? formats.number : formats.text);
      } else {
        e = worksheet_write_string(sheet, row, c, WithFormulaGuard(cell).c_str(), formats.text);
      }
      if (e != LXW_NO_ERROR) return e;
    }
  }
  worksheet_freeze_panes(sheet, 1, 0);
  if (lxw_error e =
          worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(table.rows.size()), last_column))
    return e;
  // Printing: A4 landscape, as wide as one page, the header row on each.
  worksheet_set_landscape(sheet);
  worksheet_set_paper(sheet, 9);
  worksheet_fit_to_pages(sheet, 1, 0);
  if (lxw_error e = worksheet_repeat_rows(sheet, 0, 0)) return e;
  if (lxw_error e = worksheet_set_header(sheet, ("&C" + title).c_str())) return e;
  return worksheet_set_footer(sheet, "&C&P / &N");
}

template <typename Texts>
std::string Lines(const Texts& texts) {
  std::string out;
  for (std::string_view text : texts) out.append(out.empty() ? "" : "\n").append(text);
  return out;
}

lxw_error WriteAbout(lxw_workbook* workbook, const v1::Report& report, const WorkbookInfo& info,
                     const Formats& formats) {
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, std::string(kAboutSheet).c_str());
  if (sheet == nullptr) return LXW_ERROR_MEMORY_MALLOC_FAILED;
  worksheet_set_column(sheet, 0, 0, 16, nullptr);
  worksheet_set_column(sheet, 1, 1, 90, nullptr);
  const std::string as_of =
      info.as_of_position == 0 ? std::string("（記録なし）") : FormatJst(info.as_of_time);
  const std::string checkpoint =
      info.checkpoint.empty()
          ? std::string("（この時点を含む署名付きチェックポイントはまだありません）")
          : info.checkpoint;
  const std::pair<const char*, std::string> rows[] = {
      {"項目", "内容"},
      {"年度", ""},  // a number, written below
      {"年度（和暦）", notation::JapaneseFiscalYear(report.fiscal_year())},
      {"組織", info.organization},
      {"時点", as_of},
      {"ログ位置", ""},  // a number, written below
      {"チェックポイント", checkpoint},
      {"シート",
       fmt::format("{}：{}\n{}：{}", kPrincipalSheet, kPrincipalHeading, kAllSheet, kAllHeading)},
      {"取り込み",
       fmt::format("「{0}」シートを編集し、dxledger import xlsx で取り込めます。"
                   "「{1}」シートの行は「{0}」シートの同じ目標の行と同じでなければなりません"
                   "（取り込み時に照合します）。",
                   kAllSheet, kPrincipalSheet)},
      // Read back on import (empty leaves the year's text as it is).
      {kNextStepsLabel, WithFormulaGuard(report.next_steps())},
      {"凡例（主な目標）", Lines(kPrincipalLegend)},
      {"凡例（全目標）", Lines(kAllLegend)},
  };
  lxw_row_t row = 0;
  for (const auto& [label, value] : rows) {
    if (lxw_error e = worksheet_write_string(sheet, row, 0, label, formats.label)) return e;
    lxw_error e = LXW_NO_ERROR;
    if (row == 1) {
      e = worksheet_write_number(sheet, row, 1, report.fiscal_year(), nullptr);
    } else if (row == 5) {
      e = worksheet_write_number(sheet, row, 1, static_cast<double>(info.as_of_position), nullptr);
    } else {
      e = worksheet_write_string(sheet, row, 1, value.c_str(),
                                 row == 0 ? formats.label : formats.text);
    }
    if (e != LXW_NO_ERROR) return e;
    ++row;
  }
  return LXW_NO_ERROR;
}

// A file name for libxlsxwriter to write to, removed when done.
class TemporaryFile {
 public:
  TemporaryFile() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dxledger-xlsx-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) {
      close(fd);
      path_ = std::move(pattern);
    }
  }
  ~TemporaryFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

int DisplayWidth(std::string_view line) {
  int width = 0;
  for (size_t i = 0; i < line.size();) {
    const unsigned char lead = static_cast<unsigned char>(line[i]);
    const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    // Half-width katakana (U+FF61-FF9F: EF BD A1 - EF BE 9F) is narrow.
    const bool half_kana = length == 3 && lead == 0xEF && i + 2 < line.size() &&
                           ((static_cast<unsigned char>(line[i + 1]) == 0xBD &&
                             static_cast<unsigned char>(line[i + 2]) >= 0xA1) ||
                            static_cast<unsigned char>(line[i + 1]) == 0xBE);
    width += length == 1 || length == 2 || half_kana ? 1 : 2;
    i += length;
  }
  return width;
}

absl::StatusOr<std::string> RenderXlsx(const v1::Report& report, const WorkbookInfo& info) {
  TemporaryFile file;
  if (file.path().empty()) {
    return absl::InternalError("cannot create a temporary file for the workbook");
  }
  const std::string year = notation::JapaneseFiscalYear(report.fiscal_year());
  const std::string title = fmt::format("{}（{}）", kAllHeading, year);
  const std::string subject = fmt::format("{} {}", info.organization, title);
  lxw_doc_properties properties{};
  properties.title = const_cast<char*>(title.c_str());
  properties.subject = const_cast<char*>(subject.c_str());
  properties.company = const_cast<char*>(info.organization.c_str());
  properties.comments = const_cast<char*>("dxledger export --format xlsx");
  lxw_workbook* workbook = workbook_new(file.path().c_str());
  if (workbook == nullptr) return absl::InternalError("cannot start a workbook");
  workbook_set_properties(workbook, &properties);
  const Formats formats = AddFormats(workbook);
  const Tables tables = SplitTables(report);
  lxw_error error =
      WriteTable(workbook, std::string(kPrincipalSheet).c_str(), PrincipalTable(tables), formats,
                 fmt::format("{}（{}）", kPrincipalHeading, year));
  if (error == LXW_NO_ERROR) {
    error = WriteTable(workbook, std::string(kAllSheet).c_str(), AllTable(report), formats, title);
  }
  if (error == LXW_NO_ERROR) error = WriteAbout(workbook, report, info, formats);
  // workbook_close frees the workbook whatever happened before.
  const lxw_error closed = workbook_close(workbook);
  if (error == LXW_NO_ERROR) error = closed;
  if (error != LXW_NO_ERROR) {
    return absl::InternalError(fmt::format("cannot write the workbook: {}", lxw_strerror(error)));
  }
  std::ifstream in(file.path(), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return absl::InternalError("cannot read back the workbook just written");
  return std::move(bytes).str();
}

}  // namespace dxledger::report
