// Importing and exporting the report through the ledger (memory store).
#include <gtest/gtest.h>

#include "service/ledger/ledger.h"
#include "storage/stores.h"
#include "tests/fixture.h"

namespace dxledger::ledger {
namespace {

std::string ReadSeed() { return testsupport::ReadFile(SEED_REPORT); }

void Replace(std::string& text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

class ImportTest : public testing::Test {
 protected:
  static CommandRequest CreateGoal(std::string id, int year, std::string department,
                                   std::string title) {
    CommandRequest create;
    create.method = "CreateGoal";
    create.command.goal = {"050008", std::move(id)};
    v1::GoalCreated* created = create.command.proposal.mutable_goal_created();
    created->set_fiscal_year(year);
    created->add_departments(std::move(department));
    created->set_title(std::move(title));
    create.actor = "hq";
    return create;
  }
  absl::StatusOr<ImportOutcome> Import(std::string content, v1::ReportFormat format, Ledger& ledger,
                                       bool validate_only = false, std::string request_id = "") {
    ImportRequest request;
    request.organization = "050008";
    request.fiscal_year = 2021;
    request.format = format;
    request.content = std::move(content);
    request.file_name = "dx-progress-report-fy2021.txt";
    request.validate_only = validate_only;
    request.actor = "hq-secretariat";
    request.request_id = std::move(request_id);
    return ledger.reports().ImportAndWait(std::move(request));
  }
  absl::StatusOr<ImportOutcome> Import(std::string content, bool validate_only = false) {
    return Import(std::move(content), v1::REPORT_FORMAT_TEXT, ledger_, validate_only);
  }

  std::unique_ptr<storage::LogStore> store_ = storage::NewMemoryEventStore();
  Ledger ledger_{*store_, "050008"};
};

TEST_F(ImportTest, SeedBecomesTwentyThreeGoalsOnce) {
  absl::StatusOr<ImportOutcome> first = Import(ReadSeed());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->goals_created, 23u);
  EXPECT_EQ(first->events.size(), ledger_.queries().head().position);
  for (const v1::Event& event : first->events) {
    EXPECT_EQ(event.actor(), "hq-secretariat");
    EXPECT_EQ(event.reason(),
              "import dx-progress-report-fy2021.txt sha256:" + first->content_sha256);
  }
  absl::StatusOr<v1::Goal> goal = ledger_.queries().GetGoal({"050008", "fy2021-09"});
  ASSERT_TRUE(goal.ok());
  EXPECT_EQ(goal->rating(), v1::RATING_C);
  EXPECT_EQ(goal->indicators(0).actual_value(), 543);
  absl::StatusOr<v1::Goal> principal = ledger_.queries().GetGoal({"050008", "fy2021-16"});
  EXPECT_TRUE(principal->principal());
  EXPECT_EQ(principal->principal_number(), 4);

  const uint64_t head = ledger_.queries().head().position;
  absl::StatusOr<ImportOutcome> again = Import(ReadSeed());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->events.empty());
  EXPECT_EQ(again->goals_unchanged, 23u);
  EXPECT_EQ(ledger_.queries().head().position, head);
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

TEST_F(ImportTest, DryRunAndBrokenFilesWriteNothing) {
  absl::StatusOr<ImportOutcome> dry = Import(ReadSeed(), /*validate_only=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->goals_created, 23u);
  EXPECT_GT(dry->events.size(), 100u);
  EXPECT_EQ(ledger_.queries().head().position, 0u);

  std::string broken = ReadSeed();
  Replace(broken, "18\t産業労働部\t県制度融資の機関間デジタル化の推進\tC",
          "18\t産業労働部\t県制度融資の機関間デジタル化の推進\tE");
  absl::Status status = Import(broken).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 44"), absl::string_view::npos) << status;
  EXPECT_EQ(ledger_.queries().head().position, 0u);
}

TEST_F(ImportTest, ChangedFileWritesOnlyTheDifferences) {
  ASSERT_TRUE(Import(ReadSeed()).ok());
  const uint64_t head = ledger_.queries().head().position;
  std::string changed = ReadSeed();
  Replace(changed, "高齢者のデジタルデバイド対策の推進\tC",
          "高齢者のデジタルデバイド対策の推進\tB");
  Replace(changed, "23\t警察本部\t運転免許証のデジタル化",
          "23\t警察本部\t運転免許証のデジタル化の推進");
  absl::StatusOr<ImportOutcome> outcome = Import(changed);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_EQ(outcome->events.size(), 2u);
  EXPECT_EQ(outcome->goals_changed, 2u);
  EXPECT_EQ(outcome->events[0].goal(), "organizations/050008/goals/fy2021-09");
  EXPECT_EQ(outcome->events[0].rating_set().previous_rating(), v1::RATING_C);
  EXPECT_EQ(outcome->events[0].rating_set().rating(), v1::RATING_B);
  EXPECT_EQ(outcome->events[1].goal_revised().title(), "運転免許証のデジタル化の推進");
  EXPECT_EQ(ledger_.queries().head().position, head + 2);
}

// The report's 今後の進め方 paragraph is the year's: one event on the
// fiscal year's stream, in the year's view, printed by the exports as of
// any moment; a changed paragraph is one more event, and a file without
// one (a CSV) leaves it as it is.
TEST_F(ImportTest, NextStepsAreTheYearsAndExportAsOfAnyMoment) {
  absl::StatusOr<ImportOutcome> first = Import(ReadSeed());
  ASSERT_TRUE(first.ok()) << first.status();
  const v1::Event& set = first->events.back();
  ASSERT_TRUE(set.has_fiscal_year_next_steps_set());
  EXPECT_EQ(set.goal(), "organizations/050008/fiscalYears/2021");
  EXPECT_EQ(set.actor(), "hq-secretariat");
  EXPECT_EQ(first->goals_created, 23u);
  EXPECT_EQ(first->goals_changed, 0u);
  const std::string published = first->report.next_steps();
  EXPECT_TRUE(published.starts_with("今年度のDX推進目標（プロジェクト）は、"));
  absl::StatusOr<v1::FiscalYear> year = ledger_.queries().GetFiscalYear({"050008", 2021});
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->next_steps(), published);
  const uint64_t imported = ledger_.queries().head().position;

  std::string changed = ReadSeed();
  Replace(changed, "DX戦略本部会議で検討する。", "DX戦略本部会議で決定する。");
  absl::StatusOr<ImportOutcome> edit = Import(changed);
  ASSERT_TRUE(edit.ok()) << edit.status();
  ASSERT_EQ(edit->events.size(), 1u);
  EXPECT_EQ(edit->goals_changed, 0u);
  EXPECT_EQ(edit->goals_unchanged, 23u);
  EXPECT_EQ(ledger_.queries().GetFiscalYear({"050008", 2021})->version(), 2u);

  absl::StatusOr<ExportOutcome> csv =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_CSV);
  ASSERT_TRUE(csv.ok());
  absl::StatusOr<ImportOutcome> from_csv = Import(csv->content, v1::REPORT_FORMAT_CSV, ledger_);
  ASSERT_TRUE(from_csv.ok()) << from_csv.status();
  EXPECT_TRUE(from_csv->events.empty());

  absl::StatusOr<ExportOutcome> now =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_MARKDOWN);
  absl::StatusOr<ExportOutcome> then =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_MARKDOWN, imported);
  ASSERT_TRUE(now.ok() && then.ok());
  EXPECT_NE(now->content.find("DX戦略本部会議で決定する。"), std::string::npos);
  EXPECT_EQ(now->content.find("DX戦略本部会議で検討する。"), std::string::npos);
  EXPECT_NE(then->content.find("DX戦略本部会議で検討する。"), std::string::npos);
  absl::StatusOr<v1::FiscalYear> before =
      ledger_.queries().GetFiscalYear({"050008", 2021}, imported - 1);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->next_steps(), "");
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

TEST_F(ImportTest, CsvRoundTripIsIdentical) {
  ASSERT_TRUE(Import(ReadSeed()).ok());
  absl::StatusOr<ExportOutcome> first =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_CSV);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->file_name, "dx-progress-report-fy2021.csv");

  std::unique_ptr<storage::LogStore> fresh_store = storage::NewMemoryEventStore();
  Ledger fresh(*fresh_store, "050008");
  absl::StatusOr<ImportOutcome> imported = Import(first->content, v1::REPORT_FORMAT_CSV, fresh);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->goals_created, 23u);
  absl::StatusOr<ExportOutcome> second =
      fresh.reports().Export("050008", 2021, v1::REPORT_FORMAT_CSV);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->content, first->content);
  // And the exported CSV is no change to the ledger it came from.
  absl::StatusOr<ImportOutcome> back = Import(first->content, v1::REPORT_FORMAT_CSV, ledger_);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->events.empty());
}

TEST_F(ImportTest, ARepeatedRequestIdReplays) {
  absl::StatusOr<ImportOutcome> first =
      Import(ReadSeed(), v1::REPORT_FORMAT_TEXT, ledger_, false, "import-1");
  ASSERT_TRUE(first.ok());
  absl::StatusOr<ImportOutcome> again =
      Import(ReadSeed(), v1::REPORT_FORMAT_TEXT, ledger_, false, "import-1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->events.size(), first->events.size());
  EXPECT_EQ(again->goals_created, 23u);
  std::string other = ReadSeed();
  Replace(other, "運転免許証のデジタル化", "運転免許証のデジタル化の推進");
  EXPECT_EQ(Import(other, v1::REPORT_FORMAT_TEXT, ledger_, false, "import-1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ImportTest, ExportsEveryFormat) {
  ASSERT_TRUE(Import(ReadSeed()).ok());
  absl::StatusOr<ExportOutcome> json =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_JSON);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->content.find("\"target_value\": 1500"), std::string::npos);
  EXPECT_NE(json->content.find("\"TAG_DL\""), std::string::npos);
  absl::StatusOr<ExportOutcome> markdown =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_MARKDOWN);
  ASSERT_TRUE(markdown.ok());
  EXPECT_NE(markdown->content.find("| 9 | 企画振興部 | 高齢者のデジタルデバイド対策の推進 | C |"),
            std::string::npos);
  absl::StatusOr<ExportOutcome> html =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_HTML);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->content.find("<svg id=\"ratings-chart\""), std::string::npos);
  EXPECT_EQ(ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_TEXT).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger_.reports().Export("050008", 1899, v1::REPORT_FORMAT_CSV).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ImportTest, HtmlComparesYearsWhenThereAreSeveral) {
  ASSERT_TRUE(Import(ReadSeed()).ok());
  absl::StatusOr<ExportOutcome> one_year =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_HTML);
  ASSERT_TRUE(one_year.ok());
  EXPECT_EQ(one_year->content.find("id=\"year-over-year\""), std::string::npos);

  ASSERT_TRUE(ledger_.writer()
                  .ExecuteAndWait(CreateGoal("fy2022-01", 2022, "企画振興部", "県DX推進計画の推進"))
                  .ok());
  CommandRequest rate;
  rate.method = "SetRating";
  rate.command.goal = {"050008", "fy2022-01"};
  rate.command.proposal.mutable_rating_set()->set_rating(v1::RATING_A);
  rate.actor = "kikaku";
  ASSERT_TRUE(ledger_.writer().ExecuteAndWait(rate).ok());

  absl::StatusOr<ExportOutcome> two_years =
      ledger_.reports().Export("050008", 2021, v1::REPORT_FORMAT_HTML);
  ASSERT_TRUE(two_years.ok());
  const std::string& html = two_years->content;
  const size_t table = html.find("id=\"year-over-year\"");
  ASSERT_NE(table, std::string::npos);
  // FY2021: 2 A, 19 B, 2 C; FY2022: 1 A, so A moves by -1 and B by -19.
  EXPECT_NE(
      html.find("令和4年度（FY2022）</td><td class=\"no\">1 <span class=\"muted\">(-1)</span>",
                table),
      std::string::npos);
  EXPECT_NE(html.find("<td class=\"no\">0 <span class=\"muted\">(-19)</span>", table),
            std::string::npos);
}

// The import reads only the year's goals, but a new id must not be one a
// goal of another year already has.
TEST_F(ImportTest, ANewGoalsIdIsFreeAcrossYears) {
  ASSERT_TRUE(
      ledger_.writer()
          .ExecuteAndWait(CreateGoal("fy2021-01", 2020, "総務部", "named ahead of its year"))
          .ok());

  absl::StatusOr<ImportOutcome> imported = Import(ReadSeed());
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->goals_created, 23u);
  absl::StatusOr<v1::Goal> kept = ledger_.queries().GetGoal({"050008", "fy2021-01"});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->fiscal_year(), 2020);
  EXPECT_EQ(kept->version(), 1u);
  absl::StatusOr<v1::Goal> first = ledger_.queries().GetGoal({"050008", "fy2021-01-2"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->report_number(), 1);
  EXPECT_TRUE(ledger_.maintenance().Verify().ok());
}

}  // namespace
}  // namespace dxledger::ledger
