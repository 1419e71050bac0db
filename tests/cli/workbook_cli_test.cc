// The workbook HQ edits, through the CLI: exported, checked by an
// independent reader (openpyxl), re-saved by LibreOffice Calc and edited,
// then imported into a ledger.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using testsupport::ReadFile;
using testsupport::RunCommand;
using testsupport::TestServer;

class WorkbookCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Start();
    ASSERT_EQ(Run(std::string("import report ") + SEED_REPORT + " --year 2021"), 0) << err_;
    ASSERT_EQ(Run("export --year 2021 --format csv -o " + Path("seed.csv")), 0) << err_;
    ASSERT_EQ(Run("export --year 2021 --format xlsx -o " + Path("seed.xlsx")), 0) << err_;
  }
  int Run(const std::string& args) { return testsupport::RunCli(server_, args, &out_, &err_); }
  std::string Path(const std::string& name) { return server_.data_dir() + "/" + name; }

  // LibreOffice Calc, headless, with a profile of its own: opens `file`
  // (with `filter` options when given) and saves it as `to` in `folder`.
  void Resave(const std::string& file, const std::string& filter, const std::string& to,
              const std::string& folder) {
    std::string out;
    ASSERT_EQ(RunCommand("soffice --headless --norestore -env:UserInstallation=file://" +
                             Path("libreoffice-profile") +
                             (filter.empty() ? "" : " --infilter='" + filter + "'") +
                             " --convert-to '" + to + "' --outdir " + folder + " " + file + " 2>&1",
                         &out),
              0)
        << out;
    ASSERT_NE(out.find("convert "), std::string::npos) << out;
  }

  // Imports `file` into a ledger of its own and returns that ledger's CSV.
  std::string ImportIntoAFreshLedger(const std::string& kind, const std::string& file) {
    TestServer fresh;
    fresh.Start();
    std::string out, err;
    EXPECT_EQ(
        testsupport::RunCli(fresh, "import " + kind + " " + file + " --year 2021", &out, &err), 0)
        << err;
    EXPECT_NE(out.find("23 goals created"), std::string::npos) << out;
    const std::string csv = Path("fresh-" + std::to_string(++fresh_ledgers_) + ".csv");
    EXPECT_EQ(testsupport::RunCli(fresh, "export --year 2021 --format csv -o " + csv, &out, &err),
              0)
        << err;
    return ReadFile(csv);
  }

  TestServer server_;
  std::string out_, err_;
  int fresh_ledgers_ = 0;
};

TEST_F(WorkbookCliTest, IsWhatHqExpectsInExcel) {
  std::string out;
  EXPECT_EQ(RunCommand(std::string(WORKBOOK_CHECK) + " check " + Path("seed.xlsx"), &out), 0)
      << out;
  EXPECT_NE(out.find("ok"), std::string::npos) << out;
  // The workbook is binary: not for a terminal, said before asking the server.
  EXPECT_EQ(RunCommand("script -qec '" + std::string(DXLEDGER_PATH) + " --server " +
                           server_.address() + " export --year 2021 --format xlsx' /dev/null",
                       &out),
            1)
      << out;
  EXPECT_NE(out.find("a workbook is not for a terminal: give --output FILE.xlsx"),
            std::string::npos)
      << out;
}

// seed → xlsx → re-saved by LibreOffice Calc → a fresh ledger → CSV is the
// seed's CSV, byte for byte. So is the CSV that Calc saves as Shift_JIS
// (cp932, as Excel does on Japanese Windows).
TEST_F(WorkbookCliTest, RoundTripsThroughLibreOfficeByteForByte) {
  const std::string seed_csv = ReadFile(Path("seed.csv"));
  std::filesystem::create_directories(Path("calc"));
  Resave(Path("seed.xlsx"), "", "xlsx:Calc MS Excel 2007 XML", Path("calc"));
  const std::string resaved = ReadFile(Path("calc/seed.xlsx"));
  ASSERT_FALSE(resaved.empty());
  EXPECT_NE(resaved, ReadFile(Path("seed.xlsx")));  // Calc writes its own XML
  EXPECT_EQ(ImportIntoAFreshLedger("xlsx", Path("calc/seed.xlsx")), seed_csv);

  // CSV: UTF-8 read as such (76), quoted cells as text; saved as cp932 (60).
  Resave(Path("seed.csv"), "CSV:44,34,76,1,,0,true", "csv:Text - txt - csv (StarCalc):44,34,60",
         Path("calc"));
  const std::string cp932 = ReadFile(Path("calc/seed.csv"));
  ASSERT_FALSE(cp932.empty());
  EXPECT_EQ(cp932.find("総務部"), std::string::npos);                    // not UTF-8
  EXPECT_NE(cp932.find("\x91\x8D\x96\xB1\x95\x94"), std::string::npos);  // 総務部 in cp932
  EXPECT_EQ(ImportIntoAFreshLedger("csv", Path("calc/seed.csv")), seed_csv);
}

// HQ's editor changes No.9's rating in the workbook (openpyxl stands in for
// Excel): the import changes just that. A cell that is not a rating is
// refused with its sheet, row and column, and writes nothing.
TEST_F(WorkbookCliTest, AnEditIsImportedAndABadCellWritesNothing) {
  const std::string check = std::string(WORKBOOK_CHECK);
  std::string out;
  ASSERT_EQ(
      RunCommand(check + " set " + Path("seed.xlsx") + " " + Path("edited.xlsx") + " 全目標 D10 B",
                 &out),
      0)
      << out;
  ASSERT_EQ(Run("import xlsx " + Path("edited.xlsx") + " --year 2021"), 0) << err_;
  EXPECT_NE(out_.find("0 goals created, 1 changed, 22 unchanged"), std::string::npos) << out_;
  ASSERT_EQ(Run("export --year 2021 --format csv -o " + Path("after.csv")), 0) << err_;
  EXPECT_NE(
      ReadFile(Path("after.csv")).find("\r\n9,企画振興部,高齢者のデジタルデバイド対策の推進,B,"),
      std::string::npos);

  ASSERT_EQ(Run("log --limit 1"), 0) << err_;
  const std::string head = out_.substr(out_.find("head position"));
  ASSERT_EQ(
      RunCommand(check + " set " + Path("seed.xlsx") + " " + Path("bad.xlsx") + " 全目標 D10 Ｅ",
                 &out),
      0)
      << out;
  EXPECT_EQ(Run("import xlsx " + Path("bad.xlsx") + " --year 2021"), 1);
  EXPECT_NE(err_.find("INVALID_ARGUMENT: sheet 全目標, row 10, column D: 評価 \"Ｅ\" must be A, B, "
                      "C, D or empty"),
            std::string::npos)
      << err_;
  ASSERT_EQ(Run("log --limit 1"), 0) << err_;
  EXPECT_EQ(out_.substr(out_.find("head position")), head);

  // A CSV given as a workbook is refused in plain words.
  EXPECT_EQ(Run("import xlsx " + Path("seed.csv") + " --year 2021"), 1);
  EXPECT_NE(err_.find("the file is not an Excel workbook (.xlsx)"), std::string::npos) << err_;
}

}  // namespace
}  // namespace dxledger
