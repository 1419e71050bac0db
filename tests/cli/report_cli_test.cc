// Importing and exporting the report with the CLI, and the HTML page in a
// real browser.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using testsupport::ReadFile;
using testsupport::RunCommand;
using testsupport::TestServer;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.Start(); }
  int Run(const std::string& args) { return testsupport::RunCli(server_, args, &out_, &err_); }
  std::string Path(const std::string& name) { return server_.data_dir() + "/" + name; }

  TestServer server_;
  std::string out_, err_;
};

TEST_F(ReportCliTest, ImportsTheSeedOnceAndExportsIt) {
  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 令和3年度 --dry-run"), 0)
      << err_;
  EXPECT_NE(out_.find("23 goals would be created"), std::string::npos) << out_;
  EXPECT_NE(out_.find("nothing was written"), std::string::npos) << out_;
  ASSERT_EQ(Run("log --limit 1"), 0);
  EXPECT_NE(out_.find("head position 2"), std::string::npos) << out_;  // the principals only

  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  EXPECT_NE(out_.find("23 goals created"), std::string::npos) << out_;
  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  EXPECT_NE(out_.find("23 unchanged; 0 events; nothing to write"), std::string::npos) << out_;

  // The paragraph between the tables is the year's.
  ASSERT_EQ(Run("year get 2021"), 0) << err_;
  EXPECT_NE(out_.find("今後の進め方: 今年度のDX推進目標（プロジェクト）は、県DX推進計画の策定前"),
            std::string::npos)
      << out_;

  ASSERT_EQ(Run("goal get fy2021-16"), 0) << err_;
  EXPECT_NE(out_.find("report No.   16 (principal)"), std::string::npos) << out_;
  EXPECT_NE(out_.find("【農業試験場】"), std::string::npos) << out_;

  ASSERT_EQ(Run("export --year 2021 --format csv -o " + Path("a.csv")), 0) << err_;
  // Two indicators the report joins with と stay on its line, through the
  // ledger's events and views.
  EXPECT_NE(ReadFile(Path("a.csv"))
                .find(",オープンデータの新規登録件数（25件）とREASAS研修の受講者数（20人）,"),
            std::string::npos);
  ASSERT_EQ(Run("export --year 2021 --format markdown"), 0) << err_;
  EXPECT_NE(out_.find("| 9 | 企画振興部 | 高齢者のデジタルデバイド対策の推進 | C |"),
            std::string::npos);
  EXPECT_NE(out_.find("## 今後の進め方について\n\n今年度のDX推進目標"), std::string::npos);
  ASSERT_EQ(Run("export --year 2021 --format json"), 0) << err_;
  EXPECT_NE(out_.find("\"actual_value\": 543"), std::string::npos);
}

// Excel on Japanese Windows saves "CSV (comma delimited)" as cp932: such a
// file imports into a fresh ledger as the UTF-8 export did, and the fresh
// ledger's export is byte-identical to the first.
TEST_F(ReportCliTest, AShiftJisCsvRoundTripsToTheSameExport) {
  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  ASSERT_EQ(Run("export --year 2021 --format csv -o " + Path("seed.csv")), 0) << err_;
  // Excel's own save: cp932, no byte-order mark.
  std::string out;
  ASSERT_EQ(RunCommand("tail -c +4 " + Path("seed.csv") + " | iconv -f UTF-8 -t CP932 > " +
                           Path("excel.csv"),
                       &out),
            0);
  ASSERT_NE(ReadFile(Path("excel.csv")), ReadFile(Path("seed.csv")).substr(3));

  TestServer fresh;
  fresh.Start();
  std::string fresh_out, fresh_err;
  ASSERT_EQ(testsupport::RunCli(fresh, "import csv " + Path("excel.csv") + " --year 2021",
                                &fresh_out, &fresh_err),
            0)
      << fresh_err;
  EXPECT_NE(fresh_out.find("23 goals created"), std::string::npos) << fresh_out;
  ASSERT_EQ(testsupport::RunCli(fresh, "export --year 2021 --format csv -o " + Path("again.csv"),
                                &fresh_out, &fresh_err),
            0)
      << fresh_err;
  EXPECT_EQ(ReadFile(Path("again.csv")), ReadFile(Path("seed.csv")));

  // UTF-16 is neither: refused in plain words, nothing written.
  ASSERT_EQ(
      RunCommand("iconv -f UTF-8 -t UTF-16 " + Path("seed.csv") + " > " + Path("u16.csv"), &out),
      0);
  EXPECT_EQ(testsupport::RunCli(fresh, "import csv " + Path("u16.csv") + " --year 2021", &fresh_out,
                                &fresh_err),
            1);
  EXPECT_NE(fresh_err.find("INVALID_ARGUMENT: the file is not UTF-8"), std::string::npos)
      << fresh_err;
  EXPECT_NE(fresh_err.find("save it as CSV UTF-8"), std::string::npos) << fresh_err;
}

// An editor's text that a spreadsheet would run is exported as text (a
// leading apostrophe), and reads back as the editor wrote it.
TEST_F(ReportCliTest, AFormulaInACellIsExportedAsTextAndReadBackExactly) {
  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  const std::string formula = "=HYPERLINK(\"http://evil.example/\",\"詳細\")";
  const std::string dde = "=1+cmd|' /C calc'!A0";
  // A goal whose title and only issue are each one item: the whole cell.
  ASSERT_EQ(Run("goal create --year 2021 --department 総務部 --id fy2021-24 --number 24 --title '" +
                formula + "'"),
            0)
      << err_;
  ASSERT_EQ(Run("issue add fy2021-24 \"" + dde + "\""), 0) << err_;
  ASSERT_EQ(Run("export --year 2021 --format csv -o " + Path("a.csv")), 0) << err_;
  const std::string csv = ReadFile(Path("a.csv"));
  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://evil.example/"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",'=1+cmd|' /C calc'!A0,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",=1+cmd"), std::string::npos);
  EXPECT_EQ(csv.find(",\"=HYPERLINK"), std::string::npos);

  TestServer fresh;
  fresh.Start();
  std::string fresh_out, fresh_err;
  ASSERT_EQ(testsupport::RunCli(fresh, "import csv " + Path("a.csv") + " --year 2021", &fresh_out,
                                &fresh_err),
            0)
      << fresh_err;
  ASSERT_EQ(testsupport::RunCli(fresh, "export --year 2021 --format csv -o " + Path("b.csv"),
                                &fresh_out, &fresh_err),
            0)
      << fresh_err;
  EXPECT_EQ(ReadFile(Path("b.csv")), csv);
  ASSERT_EQ(testsupport::RunCli(fresh, "goal get fy2021-24", &fresh_out, &fresh_err), 0);
  EXPECT_NE(fresh_out.find(formula), std::string::npos) << fresh_out;
  EXPECT_NE(fresh_out.find(dde), std::string::npos) << fresh_out;
}

TEST_F(ReportCliTest, BrokenFileIsRefusedWithItsLineAndWritesNothing) {
  std::string broken = ReadFile(SEED_REPORT);
  broken.replace(broken.find("\tB\t業務状況の把握"), 3, "\tX\t");
  std::ofstream(Path("broken.txt")) << broken;
  EXPECT_EQ(Run("import report " + Path("broken.txt") + " --year 2021"), 1);
  EXPECT_NE(err_.find("INVALID_ARGUMENT: line 6: 評価 \"X\""), std::string::npos) << err_;
  ASSERT_EQ(Run("log --limit 1"), 0);
  EXPECT_NE(out_.find("head position 2"), std::string::npos) << out_;
}

TEST_F(ReportCliTest, AFileTooBigToSendIsRefusedInTheLedgersWords) {
  std::string big = ReadFile(SEED_REPORT);
  while (big.size() <= (4u << 20)) big += big;
  std::ofstream(Path("big.txt")) << big;
  EXPECT_EQ(Run("import report " + Path("big.txt") + " --year 2021"), 1);
  EXPECT_NE(err_.find("INVALID_ARGUMENT: " + Path("big.txt") + " is "), std::string::npos) << err_;
  EXPECT_NE(err_.find("an import takes at most 3.9 MiB"), std::string::npos) << err_;
  ASSERT_EQ(Run("log --limit 1"), 0);
  EXPECT_NE(out_.find("head position 2"), std::string::npos) << out_;
}

// Page requests in a Chromium net log: those made with the file page's
// network isolation key (Chromium's own background traffic has another).
std::vector<std::string> PageRequests(const std::string& net_log) {
  std::vector<std::string> urls;
  nlohmann::json log = nlohmann::json::parse(ReadFile(net_log), nullptr, false);
  if (log.is_discarded()) return {"(net log unreadable)"};
  for (const auto& event : log.value("events", nlohmann::json::array())) {
    const auto& params = event.value("params", nlohmann::json::object());
    const std::string key = params.value("network_isolation_key", "");
    const std::string url = params.value("url", "");
    if (key.starts_with("file://") && !url.starts_with("file:") && !url.starts_with("data:")) {
      urls.push_back(url);
    }
  }
  return urls;
}

TEST_F(ReportCliTest, HtmlPageLoadsInChromiumWithNoRequestLeavingIt) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed";
  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  ASSERT_EQ(Run("rating set fy2021-09 B --reason 再評価"), 0) << err_;
  ASSERT_EQ(Run("export --year 2021 --format html -o " + Path("report.html")), 0) << err_;
  // A page that does fetch something proves the net-log check can see it.
  std::ofstream(Path("control.html")) << "<img src=\"http://192.0.2.1/x.png\">";

  auto load = [&](const std::string& page, std::string& dom) {
    const std::string chromium =
        "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic "
        "--no-first-run --disable-background-networking --disable-component-update "
        "--disable-sync --user-data-dir=" +
        Path("chromium-" + page) + " --log-net-log=" + Path(page + ".netlog") +
        " --dump-dom file://" + Path(page);
    EXPECT_EQ(RunCommand(chromium, &dom), 0);
    return PageRequests(Path(page + ".netlog"));
  };
  std::string dom, control_dom;
  EXPECT_EQ(load("report.html", dom), std::vector<std::string>{});
  EXPECT_EQ(load("control.html", control_dom), std::vector<std::string>{"http://192.0.2.1/x.png"});

  const size_t all = dom.find("<div id=\"all-goals\">");
  ASSERT_NE(all, std::string::npos);
  const std::string table = dom.substr(all, dom.find("</div>", all) - all);
  EXPECT_EQ(Count(table, "<tr class=\"goal\">"), 23u);
  EXPECT_EQ(Count(dom, "<tr class=\"goal\">"), 28u);  // and the 5 principal goals
  EXPECT_NE(dom.find("<svg id=\"ratings-chart\""), std::string::npos);
  EXPECT_GE(Count(dom, "class=\"bar\""), 12u);  // at least one bar per department
  EXPECT_NE(dom.find("評価を変更 C → B（再評価）"),
            std::string::npos);  // the timeline, in Japanese
  EXPECT_NE(dom.find(" JST</time>"), std::string::npos);
}

// The page as a person sees it, on screen and printed (tests/cli/page_check.py):
// Japanese glyphs rather than boxes, each department on one line, nothing
// wider than the window, A4 landscape with the table within the margins.
// Without a Japanese font (a fontconfig of DejaVu only) the same check
// fails on tofu: it can tell.
TEST_F(ReportCliTest, HtmlPageShowsJapaneseGlyphsOnScreenAndInPrint) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed";
  ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  ASSERT_EQ(Run("export --year 2021 --format html -o " + Path("report.html")), 0) << err_;
  std::string out;
  EXPECT_EQ(
      RunCommand(std::string(PAGE_CHECK) + " " + Path("report.html") + " " + Path("page"), &out), 0)
      << out;
  for (const char* check :
       {"ok screen glyphs", "ok layout width", "ok layout departments", "ok layout headers",
        "ok print: 842 x 595 pt", "ok print glyphs", "ok print width"}) {
    EXPECT_NE(out.find(check), std::string::npos) << check << "\n" << out;
  }
  EXPECT_TRUE(std::filesystem::exists(Path("page/screen.png")));
  EXPECT_TRUE(std::filesystem::exists(Path("page/page.pdf")));

  std::ofstream(Path("no-japanese.conf"))
      << "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
         "<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>"
      << Path("fontconfig-cache") << "</cachedir></fontconfig>";
  EXPECT_EQ(RunCommand("FONTCONFIG_FILE=" + Path("no-japanese.conf") + " " + PAGE_CHECK + " " +
                           Path("report.html") + " " + Path("tofu"),
                       &out),
            1)
      << out;
  EXPECT_NE(out.find("FAIL screen glyphs: tofu"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL print glyphs: tofu"), std::string::npos) << out;
}

}  // namespace
}  // namespace dxledger

namespace dxledger {
namespace {

using testsupport::TestServer;

// The plan transition through the CLI: only hq rolls over and decides.
class TransitionCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hq_token_ = server_.AddPrincipal("hq-secretariat", {"hq"});
    editor_token_ = server_.AddPrincipal("kikaku-editor", {"editor"}, {"企画振興部"});
    server_.Start();
    std::ofstream(server_.data_dir() + "/hq.token") << hq_token_;
    std::ofstream(server_.data_dir() + "/editor.token") << editor_token_;
  }
  int As(const std::string& who, const std::string& args) {
    return testsupport::RunCommand(std::string(DXLEDGER_PATH) + " --server " + server_.address() +
                                       " --token-file " + server_.data_dir() + "/" + who +
                                       ".token " + args,
                                   &out_, &err_);
  }

  TestServer server_;
  std::string hq_token_, editor_token_, out_, err_;
};

// HQ does not rate: through an import as little as with `rating set`. An
// import that creates the goals records the published ratings; one that
// changes a rating needs the editor role for the goal's department, and a
// refusal names the goal and the rule and writes nothing of the file.
TEST_F(TransitionCliTest, AnImportChangesOnlyWhatItsPrincipalMayChangeDirectly) {
  ASSERT_EQ(As("hq", std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
  EXPECT_NE(out_.find("23 goals created"), std::string::npos) << out_;
  const std::string csv = server_.data_dir() + "/seed.csv";
  ASSERT_EQ(As("hq", "export --year 2021 --format csv -o " + csv), 0) << err_;
  std::string edited = ReadFile(csv);
  const std::string row = "\r\n9,企画振興部,高齢者のデジタルデバイド対策の推進,C,";
  const size_t at = edited.find(row);
  ASSERT_NE(at, std::string::npos);
  edited[at + row.size() - 2] = 'B';
  std::ofstream(server_.data_dir() + "/edited.csv") << edited;
  ASSERT_EQ(As("hq", "log --limit 1"), 0);
  const std::string head = out_.substr(out_.find("head position"));

  EXPECT_EQ(As("hq", "import csv " + server_.data_dir() + "/edited.csv --year 2021"), 1);
  EXPECT_NE(
      err_.find("PERMISSION_DENIED: organizations/050008/goals/fy2021-09 (No. 9 "
                "「高齢者のデジタルデバイド対策の推進」): the file changes it with SetRating"),
      std::string::npos)
      << err_;
  EXPECT_NE(err_.find("needs the role editor"), std::string::npos) << err_;
  ASSERT_EQ(As("hq", "log --limit 1"), 0);
  EXPECT_EQ(out_.substr(out_.find("head position")), head);

  // The department's editor (here also HQ, who may import) may.
  ASSERT_EQ(
      testsupport::RunCli(server_, "import csv " + server_.data_dir() + "/edited.csv --year 2021",
                          &out_, &err_),
      0)
      << err_;
  ASSERT_EQ(As("hq", "goal get fy2021-09"), 0);
  EXPECT_NE(out_.find("rating       B"), std::string::npos) << out_;
}

TEST_F(TransitionCliTest, RollsOverDecidesAndAnswersAsOf) {
  ASSERT_EQ(As("hq", "goal create --year R3 --department 企画振興部 --title 旧目標A --id a"), 0)
      << err_;
  ASSERT_EQ(As("hq", "goal create --year R3 --department 企画振興部 --title 旧目標B --id b"), 0);
  ASSERT_EQ(As("editor", "rating set a B"), 0) << err_;
  const std::string plan = server_.data_dir() + "/plan.json";
  std::ofstream(plan) << R"({"new_goals": [{"goal_id": "c", "departments": ["企画振興部"],
      "title": "新目標C"}],
    "decisions": [{"goal": "a", "relation": "LINEAGE_RELATION_MERGED", "to_goals": ["c"]},
                  {"goal": "b", "relation": "LINEAGE_RELATION_MERGED", "to_goals": ["c"]}]})";

  EXPECT_EQ(As("editor", "year rollover --from 2021 --framework dx-plan --plan " + plan), 1);
  EXPECT_NE(err_.find("PERMISSION_DENIED"), std::string::npos) << err_;
  EXPECT_EQ(As("hq", "year rollover --from 2021 --framework bogus --plan " + plan), 105) << err_;
  ASSERT_EQ(As("hq", "year rollover --from 2021 --framework dx-plan --plan " + plan), 0) << err_;
  EXPECT_NE(out_.find("令和3年度 (FY2021): pre-plan, closed, rolled over to FY2022"),
            std::string::npos)
      << out_;
  EXPECT_EQ(As("hq", "year rollover --from 2021 --framework dx-plan --plan " + plan), 1);
  EXPECT_NE(err_.find("FAILED_PRECONDITION"), std::string::npos) << err_;

  ASSERT_EQ(As("editor", "lineage c"), 0) << err_;
  EXPECT_NE(out_.find("a --merged--> c"), std::string::npos) << out_;
  EXPECT_NE(out_.find("b --merged--> c"), std::string::npos) << out_;

  ASSERT_EQ(As("editor", "change propose c --title 新目標C（改） --rationale 計画に合わせる"), 0)
      << err_;
  EXPECT_EQ(As("editor", "change decide c prop1 accept --meeting 第1回本部会議 --date 2022-05-20"),
            1);
  EXPECT_NE(err_.find("PERMISSION_DENIED"), std::string::npos) << err_;
  ASSERT_EQ(As("hq", "change decide c prop1 accept --meeting 第1回本部会議 --date 2022-05-20"), 0)
      << err_;
  EXPECT_NE(out_.find("新目標C（改）"), std::string::npos) << out_;

  // The closed year's rating is corrected; the audit shows it as such, and
  // the goal as of a moment before the correction still says B.
  ASSERT_EQ(As("editor", "log --limit 1"), 0);
  const std::string head = out_.substr(out_.find("head position ") + 14);
  ASSERT_EQ(As("editor", "rating set a C --reason 事後修正"), 0) << err_;
  ASSERT_EQ(As("editor", "--format json audit ratings --goal a"), 0) << err_;
  EXPECT_NE(out_.find("\"post_close_correction\": true"), std::string::npos) << out_;
  ASSERT_EQ(As("editor", "goal get a --as-of " + head.substr(0, head.find('\n'))), 0) << err_;
  EXPECT_NE(out_.find("rating       B"), std::string::npos) << out_;
  ASSERT_EQ(As("editor", "goal get a --as-of 2000-01-01"), 1);
  EXPECT_NE(err_.find("NOT_FOUND"), std::string::npos) << err_;
  ASSERT_EQ(As("editor", "summary"), 0) << err_;
  EXPECT_NE(out_.find("FY2022"), std::string::npos) << out_;
  ASSERT_EQ(As("editor", "yoy c"), 0) << err_;
  EXPECT_NE(out_.find("令和3年度 (FY2021)  a  C"), std::string::npos) << out_;
  ASSERT_EQ(As("editor", "verify"), 0) << err_;
}

}  // namespace
}  // namespace dxledger
