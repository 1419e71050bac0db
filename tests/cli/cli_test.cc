// The dxledger CLI against a real dxledgerd, as a user would run it.
#include <gtest/gtest.h>

#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using testsupport::RunCommand;
using testsupport::TestServer;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.Start(); }

  // Runs `dxledger --server … --data-dir … ARGS`; returns the exit code.
  int Run(const std::string& args) { return testsupport::RunCli(server_, args, &out_, &err_); }

  TestServer server_;
  std::string out_, err_;
};

TEST_F(CliTest, CreatesRatesAndAuditsAGoal) {
  ASSERT_EQ(Run("goal create --year 令和3年度 --department 総務部 --department 企画振興部 "
                "--title 'テレワークの推進' --id fy2021-04 --number 4 --principal"),
            0)
      << err_;
  EXPECT_NE(out_.find("organizations/050008/goals/fy2021-04"), std::string::npos) << out_;
  EXPECT_NE(out_.find("令和3年度 (FY2021)"), std::string::npos) << out_;
  ASSERT_EQ(Run("rating set fy2021-04 B --reason 計画どおり"), 0) << err_;
  ASSERT_EQ(Run("rating set fy2021-04 a --reason 目標を上回った --expected-version 2"), 0) << err_;
  ASSERT_EQ(Run("indicator set fy2021-04 --description 受講者数 --target 1500 --unit 人"), 0);
  ASSERT_EQ(Run("indicator result fy2021-04 ind1 543"), 0) << err_;
  ASSERT_EQ(Run("activity add fy2021-04 'Web会議の導入' --tag DT --tag DL"), 0) << err_;
  ASSERT_EQ(Run("issue add fy2021-04 全庁展開"), 0) << err_;
  ASSERT_EQ(Run("issue resolve fy2021-04 iss1 --resolution 完了"), 0) << err_;

  ASSERT_EQ(Run("goal get organizations/050008/goals/fy2021-04"), 0) << err_;
  EXPECT_NE(out_.find("target 1500 人  actual 543 人"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[DT DL] Web会議の導入"), std::string::npos) << out_;
  EXPECT_NE(out_.find("resolved"), std::string::npos) << out_;

  ASSERT_EQ(Run("audit ratings --department 企画振興部 --year R3"), 0) << err_;
  EXPECT_NE(out_.find("- → B"), std::string::npos) << out_;
  EXPECT_NE(out_.find("B → A"), std::string::npos) << out_;
  EXPECT_NE(out_.find("tester"), std::string::npos) << out_;

  ASSERT_EQ(Run("history fy2021-04"), 0) << err_;
  EXPECT_NE(out_.find("goal created"), std::string::npos) << out_;
  EXPECT_NE(out_.find("issue iss1 resolved"), std::string::npos) << out_;

  ASSERT_EQ(Run("goal list --year 2021 --department 総務部 --rating A"), 0) << err_;
  EXPECT_NE(out_.find("fy2021-04"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal list --rating C"), 0) << err_;
  EXPECT_EQ(out_.find("fy2021-04"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal list --search ﾃﾚﾜｰｸ"), 0) << err_;  // half-width katakana
  EXPECT_NE(out_.find("fy2021-04"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal list --search 道路"), 0) << err_;
  EXPECT_EQ(out_.find("fy2021-04"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal list --principal"), 0) << err_;
  EXPECT_NE(out_.find("fy2021-04"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal list --not-principal"), 0) << err_;
  EXPECT_EQ(out_.find("fy2021-04"), std::string::npos) << out_;

  ASSERT_EQ(Run("log --from 2 --limit 2"), 0) << err_;
  EXPECT_NE(out_.find("head position 10"), std::string::npos) << out_;  // and 2 principals
  ASSERT_EQ(Run("verify"), 0) << err_;
  EXPECT_NE(out_.find("log intact: 10 events verified"), std::string::npos) << out_;
}

TEST_F(CliTest, JsonBeforeOrAfterTheSubcommand) {
  ASSERT_EQ(Run("goal create --year 2021 --department 土木部 --title 道路点検 --id g1"), 0) << err_;
  ASSERT_EQ(Run("--format json goal get g1"), 0) << err_;
  EXPECT_NE(out_.find("\"goal_id\": \"g1\""), std::string::npos) << out_;
  ASSERT_EQ(Run("goal get g1 --format json"), 0) << err_;
  EXPECT_NE(out_.find("\"fiscal_year\": 2021"), std::string::npos) << out_;
  EXPECT_NE(out_.find("\"departments\""), std::string::npos) << out_;
}

TEST_F(CliTest, ErrorsExitNonZeroWithTheServersMessage) {
  ASSERT_EQ(Run("goal create --year 2021 --department 土木部 --title 道路点検 --id g1"), 0) << err_;
  EXPECT_EQ(Run("rating set g1 b+"), 1);
  EXPECT_NE(err_.find("INVALID_ARGUMENT"), std::string::npos) << err_;
  EXPECT_EQ(Run("rating set nope A"), 1);
  EXPECT_NE(err_.find("NOT_FOUND: goal organizations/050008/goals/nope not found"),
            std::string::npos)
      << err_;
  EXPECT_EQ(Run("rating set g1 A --expected-version 7"), 1);
  EXPECT_NE(err_.find("ABORTED"), std::string::npos) << err_;
  EXPECT_EQ(Run("goal create --year 1899 --department 土木部 --title x"), 1);
  EXPECT_NE(err_.find("1899"), std::string::npos) << err_;

  std::string out, err;
  EXPECT_EQ(RunCommand(std::string(DXLEDGER_PATH) + " --server " + server_.address() + " goal list",
                       &out, &err),
            1);
  EXPECT_NE(err.find("UNAUTHENTICATED"), std::string::npos) << err;
  EXPECT_NE(RunCommand(std::string(DXLEDGER_PATH) + " goal", &out, &err), 0);
}

// `rating set GOAL "$R"` with R empty must not erase the rating: clearing
// takes the word none, and an empty rating is refused before anything is sent.
TEST_F(CliTest, AnEmptyRatingIsRefusedAndNoneClears) {
  ASSERT_EQ(Run("goal create --year 2021 --department 土木部 --title 道路点検 --id g1"), 0) << err_;
  ASSERT_EQ(Run("rating set g1 B"), 0) << err_;
  for (const char* empty : {"''", "' '", "-"}) {
    EXPECT_EQ(Run(std::string("rating set g1 ") + empty), 1) << empty;
    EXPECT_NE(err_.find("INVALID_ARGUMENT: rating "), std::string::npos) << err_;
  }
  ASSERT_EQ(Run("--format json goal get g1"), 0) << err_;
  EXPECT_NE(out_.find("\"rating\": \"RATING_B\""), std::string::npos) << out_;
  EXPECT_NE(out_.find("\"version\": \"2\""), std::string::npos) << out_;  // nothing written
  ASSERT_EQ(Run("rating set g1 none"), 0) << err_;
  ASSERT_EQ(Run("--format json goal get g1"), 0) << err_;
  EXPECT_EQ(out_.find("\"rating\""), std::string::npos) << out_;
}

TEST_F(CliTest, RevisesAndRetiresAGoal) {
  ASSERT_EQ(Run("goal create --year FY2021 --department 土木部 --title 道路点検 --id g1"), 0)
      << err_;
  ASSERT_EQ(Run("goal revise g1 --title 'インフラ点検のデジタル化' --department 土木部 "
                "--department 企画振興部 --number 16 --reason 本部会議で決定"),
            0)
      << err_;
  EXPECT_NE(out_.find("土木部・企画振興部"), std::string::npos) << out_;
  EXPECT_NE(out_.find("インフラ点検のデジタル化"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal retire g1 --reason 計画に統合"), 0) << err_;
  EXPECT_NE(out_.find("RETIRED: 計画に統合"), std::string::npos) << out_;
  EXPECT_EQ(Run("rating set g1 A"), 1);
  EXPECT_NE(err_.find("FAILED_PRECONDITION"), std::string::npos) << err_;
  ASSERT_EQ(Run("goal list"), 0) << err_;
  EXPECT_EQ(out_.find("g1"), std::string::npos) << out_;
  ASSERT_EQ(Run("goal list --include-retired"), 0) << err_;
  EXPECT_NE(out_.find("g1"), std::string::npos) << out_;
  ASSERT_EQ(Run("history g1 --format json"), 0) << err_;
  EXPECT_NE(out_.find("\"reason\": \"本部会議で決定\""), std::string::npos) << out_;
}

}  // namespace
}  // namespace dxledger
