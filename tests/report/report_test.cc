#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <sstream>

#include "fmt/format.h"
#include "service/domain/text.h"
#include "service/report/cells.h"
#include "service/report/csv.h"
#include "service/report/encoding.h"
#include "service/report/import_plan.h"
#include "service/report/item_cuts.h"
#include "service/report/render.h"
#include "service/report/report_rows.h"
#include "service/report/report_text.h"
#include "tests/fixture.h"

namespace dxledger::report {
namespace {

using ::testing::HasSubstr;

std::string ReadSeed() { return testsupport::ReadFile(SEED_REPORT); }

const v1::ReportRow& Row(const v1::Report& report, int number) {
  for (const v1::ReportRow& row : report.rows()) {
    if (row.report_number() == number) return row;
  }
  static const v1::ReportRow kMissing;
  ADD_FAILURE() << "no row No. " << number;
  return kMissing;
}

std::vector<std::string> Departments(const v1::ReportRow& row) {
  return {row.departments().begin(), row.departments().end()};
}

class SeedTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<v1::Report> parsed = ParseReportText(ReadSeed());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    report_ = *std::move(parsed);
  }
  v1::Report report_;
};

TEST_F(SeedTest, HasTwentyThreeGoalsFivePrincipalNoneTwice) {
  ASSERT_EQ(report_.rows_size(), 23);
  std::map<int, int> principal;  // principal No. → report No.
  for (int i = 0; i < report_.rows_size(); ++i) {
    EXPECT_EQ(report_.rows(i).report_number(), i + 1);
    if (report_.rows(i).principal_number() != 0) {
      principal[report_.rows(i).principal_number()] = report_.rows(i).report_number();
    }
  }
  EXPECT_EQ(principal, (std::map<int, int>{{1, 4}, {2, 12}, {3, 14}, {4, 16}, {5, 22}}));
}

TEST_F(SeedTest, ReadsRatings) {
  std::string ratings;
  for (const v1::ReportRow& row : report_.rows()) ratings += v1::Rating_Name(row.rating()).back();
  EXPECT_EQ(ratings, "BBBBBBBACABBBBBBBCBBBBB");
}

TEST_F(SeedTest, SplitsJointOwnersAndDropsStraySpaces) {
  EXPECT_EQ(Departments(Row(report_, 4)), (std::vector<std::string>{"総務部", "企画振興部"}));
  EXPECT_EQ(Departments(Row(report_, 6)), (std::vector<std::string>{"総務部", "出納局"}));
  EXPECT_EQ(Departments(Row(report_, 10)), (std::vector<std::string>{"総務部", "企画振興部"}));
  EXPECT_EQ(Departments(Row(report_, 12)), (std::vector<std::string>{"観光文化スポーツ部"}));
}

TEST_F(SeedTest, JoinsSpacedLetters) {
  EXPECT_EQ(Row(report_, 16).title(), "DXを牽引する公設試験研究機関のデジタル化の推進");
  EXPECT_EQ(Row(report_, 17).title(), "企業の競争力強化に向けたDXの推進");
  EXPECT_NE(Row(report_, 18).issues(0).find("SDGs推進枠"), std::string::npos);
  EXPECT_NE(Row(report_, 18).issues(0).find("ICT導入支援枠"), std::string::npos);
}

TEST_F(SeedTest, TagsOnlyFromDtDlDx) {
  const v1::ReportRow& row = Row(report_, 16);
  ASSERT_EQ(row.activities_size(), 4);
  EXPECT_EQ(row.activities(2).text(), "【農業試験場】 AI技術を活用した野菜の病害防除技術の確立");
  EXPECT_EQ(row.activities(3).text(),
            "【果樹試験場】 スマートグラスを用いた技術習得・補助システムの開発・実証");
  for (const v1::ReportActivity& activity : row.activities()) {
    EXPECT_EQ(std::vector<int>(activity.tags().begin(), activity.tags().end()),
              (std::vector<int>{v1::TAG_DT, v1::TAG_DL}));
  }
  EXPECT_EQ(Row(report_, 15).activities(0).text(),
            "課題の検討を行い、令和4年度の予算措置を行った。");
  EXPECT_EQ(Row(report_, 15).activities(0).tags(0), v1::TAG_DT);
}

// The two copies of a principal goal cut its cells in different places and
// differ in okurigana and brackets: each cell is cut wherever either copy
// cuts it, in the full list's words.
TEST_F(SeedTest, PrincipalGoalsKeepEveryCutOfBothTables) {
  const v1::ReportRow& health = Row(report_, 14);  // 仕組づくり / 仕組みづくり
  ASSERT_EQ(health.activities_size(), 5);
  EXPECT_EQ(
      health.activities(0).text(),
      "秋田県医療デジタル化推進協議会を開催した。（第1回、令和4年3月9日） ＜協議会での主な意見＞");
  EXPECT_EQ(health.activities(1).text(), "ICTに不慣れな人でも利用しやすい仕組みづくり");
  EXPECT_EQ(health.activities(2).text(), "個人情報のコントロールやアクセスのあり方");
  EXPECT_EQ(health.activities(3).text(), "5G環境の整備促進等");
  EXPECT_EQ(health.activities(4).tags(0), v1::TAG_DT);
  const v1::ReportRow& research = Row(report_, 16);  // [農業試験場] / 【農業試験場】
  ASSERT_EQ(research.activities_size(), 4);
  EXPECT_EQ(research.activities(0).text(),
            "各公設試において次世代農業技術研究の基盤となる高速通信回線を整備した。");
  EXPECT_EQ(research.activities(1).text(), "公設試の主な研究課題（抜粋）を次のとおり整理した。");
}

// The report page is Japanese: its history too, with times in JST.
TEST_F(SeedTest, HtmlHistoryIsJapaneseInJst) {
  HtmlContext context;
  v1::Event rated;
  rated.set_goal(report_.rows(8).goal());
  rated.set_actor("kikaku-editor");
  rated.mutable_record_time()->set_seconds(1646802300);  // 2022-03-09T05:05:00Z
  rated.mutable_rating_set()->set_previous_rating(v1::RATING_UNSPECIFIED);
  rated.mutable_rating_set()->set_rating(v1::RATING_C);
  rated.mutable_rating_set()->set_rationale("受講者数が目標を下回った");
  v1::Event activity = rated;
  activity.clear_rating_set();
  activity.mutable_activity_recorded()->set_text("操作体験会を開催した");
  activity.mutable_activity_recorded()->add_tags(v1::TAG_DT);
  context.history[report_.rows(8).goal()] = {rated, activity};
  const std::string html = RenderHtml(report_, context);
  EXPECT_NE(html.find("<time datetime=\"2022-03-09T05:05:00Z\">2022-03-09 14:05 JST</time>"),
            std::string::npos);
  EXPECT_NE(html.find("評価を変更 未評価 → C（受講者数が目標を下回った）"), std::string::npos);
  EXPECT_NE(html.find("取組を記録【DT】 操作体験会を開催した"), std::string::npos);
  EXPECT_EQ(html.find("rating -"), std::string::npos);
  EXPECT_EQ(html.find("activity "), std::string::npos);
}

// What HQ would publish: the as-of line and a summary first, and the chart
// in the report's own department order, with an axis.
TEST_F(SeedTest, HtmlLeadsWithAsOfAndSummaryAndChartsInTheReportsOrder) {
  HtmlContext context;
  context.as_of_position = 140;
  context.as_of_time.set_seconds(1646802300);  // 2022-03-09T05:05:00Z
  const std::string html = RenderHtml(report_, context);
  const size_t as_of = html.find("<p id=\"as-of\">2022-03-09 14:05 JST 時点（ログ位置 140）");
  const size_t summary = html.find("<table id=\"summary\"><caption>評価の内訳（目標 23 件）");
  const size_t tables = html.find("<div id=\"all-goals\">");
  ASSERT_NE(as_of, std::string::npos);
  ASSERT_NE(summary, std::string::npos);
  EXPECT_LT(as_of, tables);
  EXPECT_LT(summary, tables);
  int counts[5] = {};
  for (const v1::ReportRow& row : report_.rows()) ++counts[row.rating()];
  std::string cells;
  for (int r : {1, 2, 3, 4, 0}) cells += fmt::format("<td class=\"no\">{}</td>", counts[r]);
  EXPECT_NE(html.find("<tbody><tr>" + cells + "</tr>", summary), std::string::npos) << cells;
  // The table declares the columns its styles size, and a department never
  // breaks inside its name: only between two.
  EXPECT_NE(html.find("<table><colgroup><col class=\"no\"><col class=\"dept\">"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"dept\"><span>総務部</span>・<wbr><span>企画振興部</span></td>"),
            std::string::npos);
  // No checkpoint given, none shown; one given, shown (escaped) under the as-of line.
  EXPECT_EQ(html.find("id=\"checkpoint\""), std::string::npos);
  context.checkpoint = "dxledger/050008\n140\nroot=\n\n— dxledger/050008 <sig>\n";
  const std::string signed_html = RenderHtml(report_, context);
  const size_t checkpoint =
      signed_html.find("<pre>dxledger/050008\n140\nroot=\n\n— dxledger/050008 &lt;sig&gt;\n</pre>");
  EXPECT_NE(checkpoint, std::string::npos);
  EXPECT_LT(signed_html.find("id=\"as-of\""), checkpoint);

  // Departments in the order the report first names them, not by code point.
  std::vector<std::string> order;
  for (const v1::ReportRow& row : report_.rows()) {
    for (const std::string& d : row.departments()) {
      if (std::find(order.begin(), order.end(), d) == order.end()) order.push_back(d);
    }
  }
  ASSERT_FALSE(std::is_sorted(order.begin(), order.end()));  // the test could tell
  const size_t chart = html.find("<svg id=\"ratings-chart\"");
  size_t at = chart;
  for (const std::string& department : order) {
    const size_t label = html.find("text-anchor=\"end\">" + department + "</text>", chart);
    EXPECT_GT(label, at) << department << " is out of the report's order";
    at = label;
  }
  // The chart is part of the summary, before the tables, with both axes.
  EXPECT_LT(chart, tables);
  const size_t axis = html.find("<line class=\"axis\"", chart);
  ASSERT_NE(axis, std::string::npos);
  EXPECT_NE(html.find("<line class=\"axis\"", axis + 1), std::string::npos);
  EXPECT_NE(html.find("目標数（件）</text>", chart), std::string::npos);
  EXPECT_NE(html.find("class=\"tick\"", chart), std::string::npos);
  // Target against actual for every indicator with figures.
  EXPECT_NE(
      html.find("<td>操作体験会の受講者数（1,500人） <span class=\"figure\">（実績 543人 / 目標 "
                "1,500人）</span>、デジタル活用サポーターの育成者数（90人） <span "
                "class=\"figure\">（実績 30人 / 目標 90人）</span></td>"),
      std::string::npos);
  // Prints to A4 landscape, in fonts Japanese Windows and macOS have.
  EXPECT_NE(html.find("@page{size:A4 landscape"), std::string::npos);
  EXPECT_NE(html.find("\"Yu Gothic\""), std::string::npos);
  EXPECT_NE(html.find("\"Hiragino Sans\""), std::string::npos);
}

TEST(ItemCutsTest, CutsWhereEitherCopyCutsInTheFirstCopysWords) {
  auto texts = [](const std::optional<std::vector<Piece>>& pieces) {
    std::vector<std::string> out;
    for (const Piece& piece : *pieces) out.push_back(piece.text + "#" + std::to_string(piece.from));
    return out;
  };
  // Okurigana the other copy lacks stay with the word they end.
  auto pieces = CutAsBoth({"利用しやすい仕組みづくり 個人情報のあり方"},
                          {"利用しやすい仕組づくり", "個人情報のあり方"});
  ASSERT_TRUE(pieces.has_value());
  EXPECT_EQ(texts(pieces),
            (std::vector<std::string>{"利用しやすい仕組みづくり#0", "個人情報のあり方#0"}));
  // An opening bracket starts the next piece, whatever its style.
  pieces = CutAsBoth({"整理した。 【農業試験場】 AI技術", "【果樹試験場】 スマートグラス"},
                     {"整理した。", "[農業試験場] AI技術 [果樹試験場] スマートグラス"});
  ASSERT_TRUE(pieces.has_value());
  EXPECT_EQ(texts(pieces), (std::vector<std::string>{"整理した。#0", "【農業試験場】 AI技術#0",
                                                     "【果樹試験場】 スマートグラス#1"}));
  // Different words (not only kana or brackets) are not the same cell.
  EXPECT_FALSE(CutAsBoth({"受講者数（1,500人）"}, {"受講者数（1,600人）"}).has_value());
  EXPECT_FALSE(CutAsBoth({"研究開発"}, {"研究開発", "普及"}).has_value());
  EXPECT_EQ(LooseKey("仕組みづくり [a]"), LooseKey("仕組づくり【a】"));
}

TEST_F(SeedTest, ParsesIndicatorTargetsAndActuals) {
  const v1::ReportRow& row = Row(report_, 9);
  ASSERT_EQ(row.indicators_size(), 2);
  EXPECT_EQ(row.indicators(0).text(), "操作体験会の受講者数（1,500人）");
  EXPECT_EQ(row.indicators(0).target_value(), 1500);
  EXPECT_EQ(row.indicators(0).unit(), "人");
  EXPECT_EQ(row.indicators(0).actual_value(), 543);
  EXPECT_EQ(row.indicators(1).target_value(), 90);
  EXPECT_EQ(row.indicators(1).actual_value(), 30);
  const v1::ReportRow& works = Row(report_, 20);
  ASSERT_EQ(works.indicators_size(), 2);
  EXPECT_EQ(works.indicators(0).target_value(), 2);
  EXPECT_EQ(works.indicators(0).unit(), "件");
  EXPECT_EQ(works.indicators(1).text(), "ICT活用モデル工事（34件以上）の推進");
  EXPECT_EQ(works.indicators(1).target_value(), 34);
  EXPECT_EQ(Row(report_, 22).indicators(1).unit(), "回");  // (40回程度)
  EXPECT_FALSE(Row(report_, 1).indicators(0).has_target_value());
}

TEST_F(SeedTest, IssuesAreItems) {
  EXPECT_EQ(Row(report_, 3).issues_size(), 0);  // （特になし）
  ASSERT_EQ(Row(report_, 21).issues_size(), 2);
  EXPECT_EQ(Row(report_, 21).issues(0), "電子決済端末設置場所の検討");
  // The full list lost the bullets of No. 16; the principal table kept them.
  EXPECT_EQ(Row(report_, 16).issues_size(), 2);
}

struct MalformedCase {
  std::string name;
  std::string content;
  std::string mentions;
};

class MalformedTextTest : public testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedTextTest, IsRefusedWithTheLine) {
  absl::StatusOr<v1::Report> report = ParseReportText(GetParam().content);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(report.status().message()).find(GetParam().mentions), std::string::npos)
      << report.status();
}

const std::string kHeader = "No.\t部局名\t目標\t評価\t令和3年度 成果指標\t取組内容\t今後の課題等\n";

INSTANTIATE_TEST_SUITE_P(
    Files, MalformedTextTest,
    testing::Values(
        MalformedCase{"Empty", "", "no goal rows"},
        MalformedCase{"SixColumns", kHeader + "1\t総務部\t目標\tB\t指標\t取組\n",
                      "line 2: expected 7"},
        MalformedCase{"BadRating", kHeader + "1\t総務部\t目標\tE\t指標\t取組\t課題\n",
                      "line 2: 評価"},
        MalformedCase{"BadNumber", kHeader + "x\t総務部\t目標\tB\t指標\t取組\t課題\n",
                      "line 2: No."},
        MalformedCase{"RowBeforeHeader", "1\t総務部\t目標\tB\t指標\t取組\t課題\n", "line 1"},
        MalformedCase{"NoTitle", kHeader + "1\t総務部\t \tB\t指標\t取組\t課題\n", "目標 is empty"},
        MalformedCase{"NoDepartment", kHeader + "1\t\t目標\tB\t指標\t取組\t課題\n", "部局名"},
        MalformedCase{"Twice",
                      kHeader + "1\t総務部\t目標\tB\t指標\t取組\t課題\n" +
                          "1\t総務部\t別\tB\t指標\t取組\t課題\n",
                      "line 3: No. 1 appears twice"},
        MalformedCase{"BadHeader", "No.\t部局\t目標\t評価\t成果指標\t取組内容\t今後の課題等\n",
                      "line 1: expected the header"}),
    [](const testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

TEST(CellsTest, SplitsItemsOnMarkupAndWordInitialBullets) {
  EXPECT_EQ(SplitItems("<ul style=\"list-style-type: none\"> ・一つ目 ・二つ目</ul>"),
            (std::vector<std::string>{"一つ目", "二つ目"}));
  EXPECT_EQ(SplitItems("<p>技術習得・補助システム</p><p style=\"x\">次</p>"),
            (std::vector<std::string>{"技術習得・補助システム", "次"}));
  EXPECT_EQ(SplitItems("a\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitItems("S D G s推進枠と I C T  と\u3000SF"),
            (std::vector<std::string>{"SDGs推進枠と ICT と SF"}));
  EXPECT_EQ(SplitItems("Web会議 A 評価"), (std::vector<std::string>{"Web会議 A 評価"}));
  EXPECT_EQ(SplitItems("x < y"), (std::vector<std::string>{"x < y"}));
}

TEST(CellsTest, TagMarkerOnTheLastItemIsTheCells) {
  std::vector<std::string> items = {"一つ目", "二つ目 【DT DL】"};
  std::vector<std::vector<v1::Tag>> tags = ExtractTags(items);
  EXPECT_EQ(items, (std::vector<std::string>{"一つ目", "二つ目"}));
  EXPECT_EQ(tags, (std::vector<std::vector<v1::Tag>>{{v1::TAG_DT, v1::TAG_DL},
                                                     {v1::TAG_DT, v1::TAG_DL}}));
  items = {"【農業試験場】 研究", "【DX】"};
  tags = ExtractTags(items);
  EXPECT_EQ(items, (std::vector<std::string>{"【農業試験場】 研究"}));
  EXPECT_EQ(tags, (std::vector<std::vector<v1::Tag>>{{v1::TAG_DX}}));
  items = {"a 【DT】", "b 【DL】"};
  tags = ExtractTags(items);
  EXPECT_EQ(tags, (std::vector<std::vector<v1::Tag>>{{v1::TAG_DT}, {v1::TAG_DL}}));
  items = {"研究 【試験】"};
  EXPECT_TRUE(ExtractTags(items)[0].empty());
  EXPECT_EQ(items[0], "研究 【試験】");
}

TEST(CsvTest, QuotesWhatNeedsItAndReadsItBack) {
  const std::string csv = WriteCsv({{"No.", "目標"}, {"1", "a,b"}, {"2", "say \"hi\"\n・次"}});
  EXPECT_EQ(csv, "\xEF\xBB\xBFNo.,目標\r\n1,\"a,b\"\r\n2,\"say \"\"hi\"\"\n・次\"\r\n");
  absl::StatusOr<std::vector<CsvRecord>> records = ReadCsv(csv);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[2].cells[1], "say \"hi\"\n・次");
  EXPECT_EQ((*records)[2].line, 3);
  EXPECT_EQ(ReadCsv("a,b\n1,\"open\n").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadCsv("a,\"b\"x\n").status().code(), absl::StatusCode::kInvalidArgument);
}

// CSV injection (OWASP): nothing a spreadsheet would evaluate is written as
// it is, and reading it back gives every cell exactly.
TEST(CsvTest, FormulaCellsAreGuardedAndReadBackExactly) {
  EXPECT_EQ(WithFormulaGuard("=HYPERLINK(\"http://x\",\"y\")"), "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(WithFormulaGuard("=1+cmd|' /C calc'!A0"), "'=1+cmd|' /C calc'!A0");
  EXPECT_EQ(WithFormulaGuard("+1"), "'+1");
  EXPECT_EQ(WithFormulaGuard("-2"), "'-2");
  EXPECT_EQ(WithFormulaGuard("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(WithFormulaGuard("\tx"), "'\tx");
  EXPECT_EQ(WithFormulaGuard("\rx"), "'\rx");
  // An apostrophe a reader would take off is guarded too; others are text.
  EXPECT_EQ(WithFormulaGuard("'=x"), "''=x");
  EXPECT_EQ(WithFormulaGuard("''"), "'''");
  EXPECT_EQ(WithFormulaGuard("'x"), "'x");
  EXPECT_EQ(WithFormulaGuard("'"), "'");
  EXPECT_EQ(WithFormulaGuard("総務部"), "総務部");
  EXPECT_EQ(WithFormulaGuard(""), "");

  const std::vector<std::string> cells = {"=HYPERLINK(\"http://x\",\"y\")",
                                          "=1+cmd|' /C calc'!A0",
                                          "+1",
                                          "-2",
                                          "@SUM(A1)",
                                          "\tx",
                                          "'=x",
                                          "''",
                                          "'x",
                                          "'",
                                          "・-項目",
                                          ""};
  const std::string csv = WriteCsv({cells});
  EXPECT_EQ(csv.find(",="), std::string::npos) << csv;
  EXPECT_FALSE(csv.substr(3).starts_with("=")) << csv;
  EXPECT_NE(csv.find("\"'=HYPERLINK("), std::string::npos) << csv;
  absl::StatusOr<std::vector<CsvRecord>> read = ReadCsv(csv);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().cells, cells);
}

// Excel's plain "CSV (comma delimited)" on Japanese Windows saves cp932.
TEST_F(SeedTest, ShiftJisCsvReadsAsTheUtf8One) {
  const std::string utf8 = RenderCsv(report_);
  // What Excel saves: cp932, and no byte-order mark.
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(utf8.substr(3));
  std::string cp932(static_cast<size_t>(text.length()) * 2, '\0');
  UConverter* converter = ucnv_open("cp932", &status);
  const int32_t length =
      ucnv_fromUChars(converter, cp932.data(), static_cast<int32_t>(cp932.size()), text.getBuffer(),
                      text.length(), &status);
  ucnv_close(converter);
  ASSERT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  cp932.resize(static_cast<size_t>(length));
  ASSERT_NE(cp932, utf8.substr(3));

  absl::StatusOr<std::string> decoded = DecodeImportedText(cp932);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, utf8.substr(3));
  // UTF-8, with its byte-order mark or without, is taken as it is.
  EXPECT_EQ(*DecodeImportedText(utf8), utf8);
  EXPECT_EQ(*DecodeImportedText(utf8.substr(3)), utf8.substr(3));
}

TEST(EncodingTest, NeitherUtf8NorShiftJisIsRefusedInPlainWords) {
  // UTF-16 (Excel's "Unicode text"): 0xFF is no Shift_JIS byte.
  const std::string utf16("\xFF\xFEN\0o\0.\0", 8);
  absl::Status refused = DecodeImportedText(utf16).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("the file is not UTF-8 (byte 1, on line 1"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("or Shift_JIS; save it as CSV UTF-8"));
  // A lone lead byte at the end: neither.
  refused = DecodeImportedText("No.,部局名\n1,\x82").status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("on line 2"));
}

TEST_F(SeedTest, CsvReadsBackTheSameRows) {
  absl::StatusOr<v1::Report> again = ParseReportCsv(RenderCsv(report_));
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->rows_size(), 23);
  for (int i = 0; i < 23; ++i) {
    v1::ReportRow expected = report_.rows(i);
    v1::ReportRow actual = again->rows(i);
    expected.clear_source_line();
    actual.clear_source_line();
    EXPECT_EQ(expected.DebugString(), actual.DebugString()) << "row " << i + 1;
  }
}

// Every line of prose in the report (its headings, the legend under each
// table, and the year's 今後の進め方 paragraph) is in the Markdown and HTML
// exports as the report spells it, after NFKC and without white space (the
// text has the PDF's spaces); the paragraph between the two tables, as the
// report prints it.
TEST_F(SeedTest, ProseIsSpelledAsTheReportSpellsIt) {
  EXPECT_EQ(report_.next_steps(),
            "今年度のDX推進目標（プロジェクト）は、県DX推進計画の策定前に設定したものであり、"
            "来年度以降は県DX推進計画のもとで検証等を行う。新たな取組等の追加や内容変更の可否"
            "については、DX戦略本部会議で検討する。");
  const std::string markdown = domain::MatchKey(RenderMarkdown(report_));
  const std::string html = domain::MatchKey(RenderHtml(report_, {}));
  std::istringstream seed(ReadSeed());
  int checked = 0;
  for (std::string line; std::getline(seed, line);) {
    if (line.find('\t') != std::string::npos || domain::MatchKey(line).empty()) continue;
    EXPECT_NE(markdown.find(domain::MatchKey(line)), std::string::npos)
        << "Markdown lacks: " << line;
    EXPECT_NE(html.find(domain::MatchKey(line)), std::string::npos) << "HTML lacks: " << line;
    ++checked;
  }
  EXPECT_EQ(checked, 10);
  for (const std::string& page : {markdown, html}) {
    const size_t steps = page.find(domain::MatchKey(report_.next_steps()));
    EXPECT_LT(page.find(domain::MatchKey(kPrincipalHeading)), steps);
    EXPECT_LT(steps,
              page.rfind(domain::MatchKey(kAllHeading)));  // the principal heading holds it too
  }
}

// Two indicators, each with its target, that the report writes on one line
// joined by と or 、 print as the report has them.
TEST_F(SeedTest, IndicatorsKeepTheReportsJoiners) {
  const std::map<int, std::pair<std::string, std::string>> joined = {
      {8, {"と", "オープンデータの新規登録件数（25件）とREASAS研修の受講者数（20人）"}},
      {9, {"、", "操作体験会の受講者数（1,500人）、デジタル活用サポーターの育成者数（90人）"}},
      {20, {"、", "3次元設計の試行（2件以上）、ICT活用モデル工事（34件以上）の推進"}}};
  for (const auto& [number, want] : joined) {
    const v1::ReportRow& row = Row(report_, number);
    ASSERT_EQ(row.indicators_size(), 2) << "No." << number;
    EXPECT_EQ(row.indicators(0).joined_by(), "");
    EXPECT_EQ(row.indicators(1).joined_by(), want.first);
    EXPECT_TRUE(row.indicators(0).has_target_value() && row.indicators(1).has_target_value());
    EXPECT_EQ(RowCells(row)[4], want.second) << "No." << number;
  }
  // An item of its own stays one.
  v1::ReportRow two = Row(report_, 9);
  two.mutable_indicators(1)->clear_joined_by();
  EXPECT_EQ(RowCells(two)[4],
            "・操作体験会の受講者数（1,500人）\n・デジタル活用サポーターの育成者数（90人）");
}

TEST_F(SeedTest, CsvHasExcelsShape) {
  const std::string csv = RenderCsv(report_);
  EXPECT_TRUE(
      csv.starts_with("\xEF\xBB\xBFNo.,部局名,目標,評価,成果指標,取組内容,今後の課題等,"
                      "主な目標No.\r\n"));
  EXPECT_NE(
      csv.find("\r\n9,企画振興部,高齢者のデジタルデバイド対策の推進,C,"
               "\"操作体験会の受講者数（1,500人）、デジタル活用サポーターの育成者数（90人）\","),
      std::string::npos);
}

TEST_F(SeedTest, PlanCreatesEverythingOnceAndThenNothing) {
  std::vector<PlannedCommand> plan = PlanImport(report_, 2021, "050008", {});
  int created = 0;
  for (const PlannedCommand& c : plan) created += c.method == "CreateGoal";
  EXPECT_EQ(created, 23);
  EXPECT_EQ(plan.front().command.goal.goal_id, "fy2021-01");
}

TEST(PlanImportTest, WritesOnlyTheDifferences) {
  v1::Goal goal;
  goal.set_goal_id("fy2021-09");
  goal.set_fiscal_year(2021);
  goal.set_title("高齢者のデジタルデバイド対策の推進");
  goal.add_departments("企画振興部");
  goal.set_report_number(9);
  goal.set_rating(v1::RATING_C);
  v1::Issue* kept = goal.add_issues();
  kept->set_issue_id("iss1");
  kept->set_text("周知の拡大");
  v1::Issue* dropped = goal.add_issues();
  dropped->set_issue_id("iss2");
  dropped->set_text("古い課題");
  v1::Report file;
  v1::ReportRow* row = file.add_rows();
  row->set_report_number(9);
  row->add_departments("企画振興部");
  row->set_title("高齢者のデジタルデバイド対策の推進");
  row->set_rating(v1::RATING_B);
  row->add_issues("周知の拡大");
  std::vector<PlannedCommand> plan = PlanImport(file, 2021, "050008", {goal});
  std::vector<std::string> methods;
  for (const PlannedCommand& c : plan) methods.push_back(c.method);
  EXPECT_EQ(methods, (std::vector<std::string>{"SetRating", "ResolveIssue"}));
  EXPECT_EQ(plan[1].command.proposal.issue_resolved().issue_id(), "iss2");
}

// Goals fy2021-1000 and fy2021-11 share a title; the first sorts first by
// id. Matching the row of No. 11 to it by title alone would renumber it and
// create another goal for No. 1000 on every import of the same file.
TEST(PlanImportTest, RowsWithTheSameTitleMatchTheGoalWithTheirNumber) {
  v1::Report file;
  std::vector<v1::Goal> existing;
  for (int number : {1000, 11}) {
    v1::Goal& goal = existing.emplace_back();
    goal.set_goal_id(fmt::format("fy2021-{:02d}", number));
    goal.set_fiscal_year(2021);
    goal.set_title("行政手続のオンライン化");
    goal.add_departments("総務部");
    goal.set_report_number(number);
    v1::ReportRow* row = file.add_rows();
    row->set_report_number(number);
    row->add_departments("総務部");
    row->set_title("行政手続のオンライン化");
  }
  std::reverse(file.mutable_rows()->begin(), file.mutable_rows()->end());  // No. 11 first
  EXPECT_TRUE(PlanImport(file, 2021, "050008", existing).empty());

  // A row whose number changed still finds its goal by title.
  file.mutable_rows(0)->set_report_number(12);
  std::vector<PlannedCommand> plan = PlanImport(file, 2021, "050008", existing);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].method, "ReviseGoal");
  EXPECT_EQ(plan[0].command.goal.goal_id, "fy2021-11");
}

}  // namespace
}  // namespace dxledger::report
