// The workbook: written with libxlsxwriter, read back with libzip and
// libxml2, including what Excel writes that libxlsxwriter does not
// (phonetic guides, escapes, inline strings, cells without references).
#include "service/report/workbook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <filesystem>

#include "service/report/render.h"
#include "service/report/report_rows.h"
#include "service/report/xlsx_sheets.h"
#include "tests/fixture.h"

namespace dxledger::report {
namespace {

using ::testing::HasSubstr;

v1::Report Seed() {
  absl::StatusOr<v1::Report> report = ParseReportText(testsupport::ReadFile(SEED_REPORT));
  EXPECT_TRUE(report.ok()) << report.status();
  report->set_fiscal_year(2021);
  return *report;
}

WorkbookInfo Info() {
  WorkbookInfo info{"050008", 144, {}, "dxledger/050008\n144\nroot\n\n— dxledger/050008 sig\n"};
  info.as_of_time.set_seconds(1646802300);  // 2022-03-09 14:05 JST
  return info;
}

const Sheet& SheetNamed(const std::vector<Sheet>& sheets, std::string_view name) {
  for (const Sheet& sheet : sheets) {
    if (sheet.name == name) return sheet;
  }
  static const Sheet kMissing;
  ADD_FAILURE() << "no sheet " << name;
  return kMissing;
}

// A workbook of the given sheets (rows of text cells), as any program that
// writes one through libxlsxwriter would.
std::string Workbook(
    const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>>& sheets) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("workbook-test-" + std::to_string(getpid())))
          .string();
  lxw_workbook* workbook = workbook_new(path.c_str());
  for (const auto& [name, rows] : sheets) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook, name.c_str());
    for (size_t r = 0; r < rows.size(); ++r) {
      for (size_t c = 0; c < rows[r].size(); ++c) {
        worksheet_write_string(sheet, r, c, rows[r][c].c_str(), nullptr);
      }
    }
  }
  EXPECT_EQ(workbook_close(workbook), LXW_NO_ERROR);
  std::string bytes = testsupport::ReadFile(path);
  std::filesystem::remove(path);
  return bytes;
}

// A workbook put together part by part, as Excel writes its XML.
std::string HandMadeWorkbook(const std::string& sheet_xml, const std::string& shared_xml) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("handmade-" + std::to_string(getpid()))).string();
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  const std::string ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  const std::pair<std::string, std::string> parts[] = {
      {"_rels/.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" +
           ns + "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" +
           ns + "/worksheet\" Target=\"/xl/worksheets/s.xml\"/><Relationship Id=\"rId2\" Type=\"" +
           ns + "/sharedStrings\" Target=\"strings.xml\"/></Relationships>"},
      {"xl/workbook.xml",
       "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
       "xmlns:r=\"" +
           ns +
           "\"><sheets><sheet name=\"全目標\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
      {"xl/worksheets/s.xml",
       "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
       "<sheetData>" +
           sheet_xml + "</sheetData></worksheet>"},
      {"xl/strings.xml",
       "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + shared_xml +
           "</sst>"},
  };
  for (const auto& [name, xml] : parts) {
    zip_source_t* source = zip_source_buffer(zip, xml.data(), xml.size(), 0);
    zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  }
  EXPECT_EQ(zip_close(zip), 0);
  std::string bytes = testsupport::ReadFile(path);
  std::filesystem::remove(path);
  return bytes;
}

std::vector<std::string> Header() {
  std::vector<std::string> header(std::begin(kColumns), std::end(kColumns));
  header.emplace_back(kPrincipalColumn);
  return header;
}

TEST(WorkbookTest, TheSeedReadsBackToTheSameCsv) {
  const v1::Report seed = Seed();
  absl::StatusOr<std::string> workbook = RenderXlsx(seed, Info());
  ASSERT_TRUE(workbook.ok()) << workbook.status();
  EXPECT_EQ(workbook->substr(0, 2), "PK");
  absl::StatusOr<v1::Report> back = ParseReportXlsx(*workbook, 2021);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(RenderCsv(*back), RenderCsv(seed));
  EXPECT_EQ(back->next_steps(), seed.next_steps());  // from 出力情報
}

TEST(WorkbookTest, SheetsHoldTheTablesAndWhatWasExported) {
  absl::StatusOr<std::string> workbook = RenderXlsx(Seed(), Info());
  ASSERT_TRUE(workbook.ok()) << workbook.status();
  absl::StatusOr<std::vector<Sheet>> sheets = ReadXlsxSheets(*workbook);
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  ASSERT_EQ(sheets->size(), 3u);
  EXPECT_EQ((*sheets)[0].name, kPrincipalSheet);
  EXPECT_EQ((*sheets)[1].name, kAllSheet);
  EXPECT_EQ((*sheets)[2].name, kAboutSheet);
  const Sheet& principal = SheetNamed(*sheets, kPrincipalSheet);
  ASSERT_EQ(principal.rows.size(), 6u);  // the header and five principal goals
  const Sheet& all = SheetNamed(*sheets, kAllSheet);
  ASSERT_EQ(all.rows.size(), 24u);
  // The principal table numbers No.14 as its third goal.
  EXPECT_EQ(principal.rows[3].cells[0], "3");
  EXPECT_EQ(std::vector(principal.rows[3].cells.begin() + 1, principal.rows[3].cells.end()),
            std::vector(all.rows[14].cells.begin() + 1, all.rows[14].cells.end() - 1));
  EXPECT_EQ(all.rows[0].cells, Header());
  EXPECT_EQ(all.rows[14].cells[0], "14");  // a number cell reads as its digits
  EXPECT_EQ(all.rows[14].cells[7], "3");
  const Sheet& about = SheetNamed(*sheets, kAboutSheet);
  std::map<std::string, std::string> items;
  for (const CsvRecord& row : about.rows) items[row.cells[0]] = row.cells[1];
  EXPECT_EQ(items["年度"], "2021");
  EXPECT_EQ(items["年度（和暦）"], "令和3年度");
  EXPECT_EQ(items["時点"], "2022-03-09 14:05 JST");
  EXPECT_EQ(items["ログ位置"], "144");
  EXPECT_EQ(items["チェックポイント"], Info().checkpoint);
  EXPECT_THAT(items["今後の進め方"], testing::StartsWith("今年度のDX推進目標"));
  EXPECT_EQ(items["今後の進め方"], Seed().next_steps());
}

TEST(WorkbookTest, FormulaCellsAreTextAndReadBackExactly) {
  v1::Report report = Seed();
  const std::string formula = "=HYPERLINK(\"http://evil.example/\",\"詳細\")";
  report.mutable_rows(0)->set_title(formula);
  report.mutable_rows(0)->clear_issues();
  report.mutable_rows(0)->add_issues("@SUM(1+1)");
  report.set_next_steps("+1+2");
  absl::StatusOr<std::string> workbook = RenderXlsx(report, Info());
  ASSERT_TRUE(workbook.ok()) << workbook.status();
  absl::StatusOr<std::vector<Sheet>> sheets = ReadXlsxSheets(*workbook);
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  const Sheet& all = SheetNamed(*sheets, kAllSheet);
  EXPECT_EQ(all.rows[1].cells[2], "'" + formula);
  EXPECT_EQ(all.rows[1].cells[6], "'@SUM(1+1)");
  absl::StatusOr<v1::Report> back = ParseReportXlsx(*workbook, 2021);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->rows(0).title(), formula);
  EXPECT_EQ(back->rows(0).issues(0), "@SUM(1+1)");
  EXPECT_EQ(back->next_steps(), "+1+2");
  EXPECT_EQ(RenderCsv(*back), RenderCsv(report));
}

TEST(WorkbookTest, ABadCellIsNamedBySheetRowAndColumn) {
  std::vector<std::string> row = {"1", "総務部", "目標", "E", "", "", "", ""};
  absl::StatusOr<v1::Report> read = ParseReportXlsx(Workbook({{"全目標", {Header(), row}}}), 2021);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(),
              HasSubstr("sheet 全目標, row 2, column D: 評価 \"E\" must be A, B, C, D or empty"));

  row[3] = "B";
  row[0] = "一";
  read = ParseReportXlsx(Workbook({{"全目標", {Header(), row}}}), 2021);
  EXPECT_THAT(read.status().message(),
              HasSubstr("sheet 全目標, row 2, column A: No. \"一\" is not a positive number"));

  row[0] = "1";
  row[1] = "";
  read = ParseReportXlsx(Workbook({{"全目標", {Header(), {}, row}}}), 2021);
  EXPECT_THAT(read.status().message(), HasSubstr("sheet 全目標, row 3, column B: 部局名 is empty"));

  std::vector<std::string> header = Header();
  header[4] = "指標";
  read = ParseReportXlsx(Workbook({{"全目標", {header}}}), 2021);
  EXPECT_THAT(read.status().message(),
              HasSubstr("sheet 全目標, row 1, column E: expected the header No., 部局名"));
}

TEST(WorkbookTest, TheTwoTablesMustAgreeAndTheYearMustMatch) {
  absl::StatusOr<std::string> exported = RenderXlsx(Seed(), Info());
  ASSERT_TRUE(exported.ok());
  absl::StatusOr<std::vector<Sheet>> sheets = ReadXlsxSheets(*exported);
  ASSERT_TRUE(sheets.ok());
  auto rows = [&](std::string_view name) {
    std::vector<std::vector<std::string>> out;
    for (const CsvRecord& row : SheetNamed(*sheets, name).rows) out.push_back(row.cells);
    return out;
  };
  auto principal = rows(kPrincipalSheet), all = rows(kAllSheet), about = rows(kAboutSheet);
  // HQ changes the principal table's No.3 (No.14) rating only.
  principal[3][3] = "A";
  absl::StatusOr<v1::Report> read = ParseReportXlsx(
      Workbook({{"主な目標", principal}, {"全目標", all}, {"出力情報", about}}), 2021);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(),
              HasSubstr("sheet 主な目標, row 4, column D: 評価 differs from sheet 全目標, row 15, "
                        "where 主な目標No. 3 says \"B\" (here \"A\")"));
  // Without the principal sheet, the workbook is read from 全目標 alone.
  read = ParseReportXlsx(Workbook({{"全目標", all}, {"出力情報", about}}), 2021);
  EXPECT_TRUE(read.ok()) << read.status();

  read = ParseReportXlsx(Workbook({{"全目標", all}, {"出力情報", about}}), 2022);
  EXPECT_THAT(read.status().message(),
              HasSubstr("sheet 出力情報, row 2, column B: the workbook holds the report of "
                        "令和3年度 (\"2021\"), not 令和4年度: import it with --year 2021"));

  about[1][1] = "令和3年度";
  read = ParseReportXlsx(Workbook({{"全目標", all}, {"出力情報", about}}), 2021);
  EXPECT_TRUE(read.ok()) << read.status();
  about[1][1] = "昨年度";
  read = ParseReportXlsx(Workbook({{"全目標", all}, {"出力情報", about}}), 2021);
  EXPECT_THAT(read.status().message(),
              HasSubstr("sheet 出力情報, row 2, column B: 年度 \"昨年度\" is not a fiscal year"));

  read = ParseReportXlsx(Workbook({{"Sheet1", all}}), 2021);
  EXPECT_THAT(read.status().message(),
              HasSubstr("the workbook has no sheet named 全目標 (it has: Sheet1)"));
}

TEST(WorkbookTest, AFileThatIsNotAWorkbookIsRefusedInPlainWords) {
  absl::StatusOr<v1::Report> read = ParseReportXlsx("No.,部局名\r\n", 2021);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(),
              HasSubstr("the file is not an Excel workbook (.xlsx) dxledger can read: it is not a "
                        "ZIP archive"));
  EXPECT_THAT(read.status().message(), HasSubstr("save it from Excel as"));
  read = ParseReportXlsx(HandMadeWorkbook("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>",
                                          "<si><t>No.</t></si>"),
                         2021);
  EXPECT_THAT(read.status().message(), HasSubstr("row 1 refers to a missing string"));
}

// Excel's XML: a phonetic guide (furigana) after Japanese text, rich-text
// runs, _xHHHH_ escapes, an inline string, cells without a reference.
TEST(WorkbookTest, ReadsWhatExcelWritesThatLibxlsxwriterDoesNot) {
  const std::string shared =
      "<si><t>総務部</t><rPh sb=\"0\" eb=\"3\"><t>ソウムブ</t></rPh></si>"
      "<si><r><t>内部統制の</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">向上 </t></r></si>"
      "<si><t>一行目_x000D_\n二行目 _x005F_x0041_</t></si>";
  const std::string sheet =
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c>"
      "<c r=\"D2\" t=\"inlineStr\"><is><t>B</t></is></c>"
      "<c r=\"F2\" t=\"s\"><v>2</v></c><c r=\"G2\" t=\"b\"><v>1</v></c></row>"
      "<row><c r=\"A3\"><v>12</v></c></row>";
  absl::StatusOr<std::vector<Sheet>> sheets = ReadXlsxSheets(HandMadeWorkbook(sheet, shared));
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  ASSERT_EQ(sheets->size(), 1u);
  ASSERT_EQ((*sheets)[0].rows.size(), 2u);
  const CsvRecord& row = (*sheets)[0].rows[0];
  EXPECT_EQ(row.line, 2);
  EXPECT_EQ(row.cells, (std::vector<std::string>{"総務部", "内部統制の向上 ", "", "B", "",
                                                 "一行目\r\n二行目 _x0041_", "TRUE"}));
  EXPECT_EQ((*sheets)[0].rows[1].line, 3);
  EXPECT_EQ((*sheets)[0].rows[1].cells, std::vector<std::string>{"12"});
}

TEST(WorkbookTest, RowsOutOfOrderAndZipBombsAreRefused) {
  absl::StatusOr<std::vector<Sheet>> sheets = ReadXlsxSheets(HandMadeWorkbook(
      "<row r=\"5\"><c r=\"A5\"><v>1</v></c></row><row r=\"3\"><c r=\"A3\"><v>2</v></c></row>",
      ""));
  EXPECT_THAT(sheets.status().message(),
              HasSubstr("sheet 全目標 has a row numbered \"3\" after row 5"));
  sheets = ReadXlsxSheets(HandMadeWorkbook("<row r=\"x1\"><c><v>1</v></c></row>", ""));
  EXPECT_THAT(sheets.status().message(), HasSubstr("a row numbered \"x1\""));

  // Five parts of 60 MiB of zeros: under a MiB packed, 300 MiB unpacked.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("bomb-" + std::to_string(getpid()))).string();
  const std::string zeros(60 << 20, '\0');
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  for (int i = 0; i < 5; ++i) {
    zip_file_add(zip, ("xl/media/zeros" + std::to_string(i)).c_str(),
                 zip_source_buffer(zip, zeros.data(), zeros.size(), 0), 0);
  }
  ASSERT_EQ(zip_close(zip), 0);
  const std::string bomb = testsupport::ReadFile(path);
  std::filesystem::remove(path);
  EXPECT_LT(bomb.size(), 1u << 20);
  sheets = ReadXlsxSheets(bomb);
  EXPECT_EQ(sheets.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sheets.status().message(), HasSubstr("it unpacks to more than 256 MiB"));
}

TEST(WorkbookTest, DisplayWidthCountsFullWidthCharactersTwice) {
  EXPECT_EQ(DisplayWidth("No."), 3);
  EXPECT_EQ(DisplayWidth("部局名"), 6);
  EXPECT_EQ(DisplayWidth("ｶﾅ"), 2);
  EXPECT_EQ(DisplayWidth("（25件）"), 8);
}

}  // namespace
}  // namespace dxledger::report
