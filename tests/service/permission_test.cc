// Who may do what: every RPC, called by every kind of principal, inside and
// outside the editor's departments, with the exact status and exactly one
// security-log record for each refusal.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::TestServer;

const std::string kJoint = "joint";  // owned by 総務部・企画振興部

class PermissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_ = testsupport::AddOnePrincipalPerRole(server_);
    tokens_["disabled"] = server_.AddPrincipal("gone", {"editor"}, {"企画振興部"});
    server_.AddPrincipal("target", {"integration"});
    server_.Start();
    tokens_["admin"] = server_.admin_token();
    tokens_["none"] = "";
    for (const auto& [role, token] : tokens_) {
      clients_[role] = std::make_unique<LedgerClient>(ClientOptions{server_.address(), token});
    }
    v1::SetPrincipalDisabledRequest disable;
    disable.set_principal("gone");
    disable.set_disabled(true);
    ASSERT_TRUE(clients_["admin"]->SetPrincipalDisabled(disable).ok());
    v1::CreateGoalRequest joint;
    joint.set_goal_id(kJoint);
    joint.set_fiscal_year(2025);
    joint.add_departments("総務部");
    joint.add_departments("企画振興部");
    joint.set_title("共同所管の目標");
    ASSERT_TRUE(clients_["hq"]->CreateGoal(joint).ok());
    v1::SetIndicatorRequest indicator;
    indicator.set_name(kJoint);
    indicator.set_description("受講者数（100人）");
    ASSERT_TRUE(clients_["editor-in"]->SetIndicator(indicator).ok());
  }

  int SecurityRecords() {
    v1::ListSecurityEventsRequest request;
    request.set_page_size(1000);
    absl::StatusOr<v1::ListSecurityEventsResponse> response =
        clients_["admin"]->ListSecurityEvents(request);
    EXPECT_TRUE(response.ok()) << response.status();
    last_record_ = response->security_events().empty() ? v1::SecurityEvent()
                                                       : *response->security_events().rbegin();
    return response->security_events_size();
  }

  // A fresh goal of 企画振興部 made by hq, for calls that use one up.
  std::string FreshGoal(int year = 2025) {
    v1::CreateGoalRequest request;
    request.set_goal_id(fmt::format("g{}", ++counter_));
    request.set_fiscal_year(year);
    request.add_departments("企画振興部");
    request.set_title(fmt::format("目標 {}", counter_));
    EXPECT_TRUE(clients_["hq"]->CreateGoal(request).ok());
    return request.goal_id();
  }

  // Every refusal is recorded: the test counts them (no per-peer limit).
  TestServer server_{{"--refusal-burst", "1000000"}};
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::unique_ptr<LedgerClient>> clients_;
  v1::SecurityEvent last_record_;
  int counter_ = 0;
};

using Call = std::function<absl::Status(LedgerClient&)>;

struct Rpc {
  std::string name;
  std::set<std::string> allowed;  // roles that get OK
  Call call;
};

const std::set<std::string> kEveryone = {"admin",      "hq",      "editor-in",
                                         "editor-out", "auditor", "integration"};

TEST_F(PermissionTest, EveryRpcEveryRole) {
  int n = 0, rollovers = 0;
  auto next = [&] { return ++n; };
  const std::vector<Rpc> rpcs = {
      {"CreateGoal",
       {"hq"},
       [&](LedgerClient& c) {
         v1::CreateGoalRequest r;
         r.set_goal_id(fmt::format("new{}", next()));
         r.set_fiscal_year(2025);
         r.add_departments("企画振興部");
         r.set_title("新しい目標");
         return c.CreateGoal(r).status();
       }},
      {"ReviseGoal",
       {"hq"},
       [&](LedgerClient& c) {
         v1::ReviseGoalRequest r;
         r.set_name(kJoint);
         r.set_title(fmt::format("改訂 {}", next()));
         return c.ReviseGoal(r).status();
       }},
      {"RetireGoal",
       {"hq"},
       [&](LedgerClient& c) {
         v1::RetireGoalRequest r;
         r.set_name(FreshGoal());
         r.set_retire_reason("統合");
         return c.RetireGoal(r).status();
       }},
      {"SetIndicator",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::SetIndicatorRequest r;
         r.set_name(kJoint);
         r.set_description(fmt::format("指標 {}", next()));
         return c.SetIndicator(r).status();
       }},
      {"RecordIndicatorResult",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::RecordIndicatorResultRequest r;
         r.set_name(kJoint);
         r.set_indicator_id("ind1");
         r.set_actual_value(next());
         return c.RecordIndicatorResult(r).status();
       }},
      {"RecordActivity",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::RecordActivityRequest r;
         r.set_name(kJoint);
         r.set_text(fmt::format("取組 {}", next()));
         return c.RecordActivity(r).status();
       }},
      {"SetRating",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::SetRatingRequest r;
         r.set_name(kJoint);
         r.set_rating(v1::RATING_B);
         return c.SetRating(r).status();
       }},
      {"AddIssue",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::AddIssueRequest r;
         r.set_name(kJoint);
         r.set_text(fmt::format("課題 {}", next()));
         return c.AddIssue(r).status();
       }},
      {"ResolveIssue",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::AddIssueRequest add;
         add.set_name(kJoint);
         add.set_text(fmt::format("課題 {}", next()));
         auto added = clients_["editor-in"]->AddIssue(add);
         v1::ResolveIssueRequest r;
         r.set_name(kJoint);
         r.set_issue_id(added->goal().issues().rbegin()->issue_id());
         return c.ResolveIssue(r).status();
       }},
      {"ProposeChange",
       {"editor-in"},
       [&](LedgerClient& c) {
         v1::ProposeChangeRequest r;
         r.set_name(kJoint);
         r.set_title(fmt::format("提案 {}", next()));
         return c.ProposeChange(r).status();
       }},
      {"DecideChange",
       {"hq"},
       [&](LedgerClient& c) {
         v1::ProposeChangeRequest propose;
         propose.set_name(kJoint);
         propose.set_title(fmt::format("提案 {}", next()));
         auto proposed = clients_["editor-in"]->ProposeChange(propose);
         v1::DecideChangeRequest r;
         r.set_name(kJoint);
         r.set_proposal_id(proposed->goal().proposals().rbegin()->proposal_id());
         r.set_decision(v1::CHANGE_DECISION_REJECTED);
         r.set_meeting("本部会議");
         r.set_meeting_date("2025-06-01");
         return c.DecideChange(r).status();
       }},
      {"RollOverFiscalYear",
       {"hq"},
       [&](LedgerClient& c) {
         const int year = 2040 + ++rollovers;
         const std::string goal = FreshGoal(year);
         v1::RollOverFiscalYearRequest r;
         r.set_from_year(year);
         r.set_plan_framework(v1::PLAN_FRAMEWORK_DX_PLAN);
         v1::GoalDecision* d = r.add_decisions();
         d->set_goal(goal);
         d->set_relation(v1::LINEAGE_RELATION_DROPPED);
         return c.RollOverFiscalYear(r).status();
       }},
      {"ImportReport",
       {"hq"},
       [&](LedgerClient& c) {
         v1::ImportReportRequest r;
         r.set_fiscal_year(2026);
         r.set_format(v1::REPORT_FORMAT_TEXT);
         r.set_content(
             "No.\t部局名\t目標\t評価\t成果指標\t取組内容\t今後の課題等\n"
             "1\t企画振興部\t取り込まれる目標\tB\t指標\t取組 【DX】\t課題\n");
         return c.ImportReport(r).status();
       }},
      {"GetFiscalYear", kEveryone,
       [&](LedgerClient& c) {
         v1::GetFiscalYearRequest r;
         r.set_fiscal_year(2025);
         return c.GetFiscalYear(r).status();
       }},
      {"GetGoal", kEveryone,
       [&](LedgerClient& c) {
         v1::GetGoalRequest r;
         r.set_name(kJoint);
         return c.GetGoal(r).status();
       }},
      {"ListGoals", kEveryone, [&](LedgerClient& c) { return c.ListGoals({}).status(); }},
      {"ListGoalEvents", kEveryone,
       [&](LedgerClient& c) {
         v1::ListGoalEventsRequest r;
         r.set_name(kJoint);
         return c.ListGoalEvents(r).status();
       }},
      {"ListRatingChanges", kEveryone,
       [&](LedgerClient& c) { return c.ListRatingChanges({}).status(); }},
      {"ReadLog", kEveryone, [&](LedgerClient& c) { return c.ReadLog({}).status(); }},
      {"ExportReport", kEveryone,
       [&](LedgerClient& c) {
         v1::ExportReportRequest r;
         r.set_fiscal_year(2025);
         r.set_format(v1::REPORT_FORMAT_CSV);
         return c.ExportReport(r).status();
       }},
      {"GetLineage", kEveryone,
       [&](LedgerClient& c) {
         v1::GetLineageRequest r;
         r.set_name(kJoint);
         return c.GetLineage(r).status();
       }},
      {"GetYearOverYear", kEveryone,
       [&](LedgerClient& c) {
         v1::GetYearOverYearRequest r;
         r.set_name(kJoint);
         return c.GetYearOverYear(r).status();
       }},
      {"GetRatingSummary", kEveryone,
       [&](LedgerClient& c) { return c.GetRatingSummary({}).status(); }},
      {"VerifyLog", kEveryone, [&](LedgerClient& c) { return c.VerifyLog({}).status(); }},
      {"AddPrincipal",
       {"admin"},
       [&](LedgerClient& c) {
         v1::AddPrincipalRequest r;
         r.set_principal(fmt::format("p{}", next()));
         r.add_roles(v1::ROLE_AUDITOR);
         return c.AddPrincipal(r).status();
       }},
      {"UpdatePrincipal",
       {"admin"},
       [&](LedgerClient& c) {
         v1::UpdatePrincipalRequest r;
         r.set_principal("target");
         r.mutable_departments()->add_names(fmt::format("部{}", next()));
         return c.UpdatePrincipal(r).status();
       }},
      {"SetPrincipalDisabled",
       {"admin"},
       [&](LedgerClient& c) {
         v1::SetPrincipalDisabledRequest r;
         r.set_principal("target");
         r.set_disabled(false);
         return c.SetPrincipalDisabled(r).status();
       }},
      {"RotatePrincipalToken",
       {"admin"},
       [&](LedgerClient& c) {
         v1::RotatePrincipalTokenRequest r;
         r.set_principal("target");
         return c.RotatePrincipalToken(r).status();
       }},
      {"ListPrincipals",
       {"admin", "auditor"},
       [&](LedgerClient& c) { return c.ListPrincipals({}).status(); }},
      {"ListSecurityEvents",
       {"admin", "auditor"},
       [&](LedgerClient& c) { return c.ListSecurityEvents({}).status(); }},
      {"GetCaller", kEveryone, [&](LedgerClient& c) { return c.GetCaller({}).status(); }},
  };
  ASSERT_EQ(rpcs.size(), 31u);  // every RPC of LedgerService
  for (const Rpc& rpc : rpcs) {
    for (const auto& [role, client] : clients_) {
      SCOPED_TRACE(rpc.name + " as " + role);
      const int before = SecurityRecords();
      const absl::Status status = rpc.call(*client);
      const absl::StatusCode expected =
          role == "none" || role == "disabled" ? absl::StatusCode::kUnauthenticated
          : rpc.allowed.contains(role)         ? absl::StatusCode::kOk
                                               : absl::StatusCode::kPermissionDenied;
      EXPECT_EQ(status.code(), expected) << status;
      const int after = SecurityRecords();
      EXPECT_EQ(after - before, expected == absl::StatusCode::kOk ? 0 : 1);
      if (expected != absl::StatusCode::kOk && after > before) {
        EXPECT_EQ(last_record_.method(), "/dxledger.v1.LedgerService/" + rpc.name);
        EXPECT_EQ(last_record_.code(), absl::StatusCodeToString(expected));
        EXPECT_FALSE(last_record_.peer().empty());
        if (expected == absl::StatusCode::kPermissionDenied) {
          EXPECT_FALSE(last_record_.principal().empty());
        }
      }
    }
  }
}

TEST_F(PermissionTest, JointOwnersEditAndARefusalWritesNoGoalEvent) {
  // 総務部 owns the joint goal too: an editor of it may rate, as 企画振興部's may.
  v1::AddPrincipalRequest add;
  add.set_principal("soumu");
  add.add_roles(v1::ROLE_EDITOR);
  add.add_departments("総務部");
  absl::StatusOr<v1::AddPrincipalResponse> added = clients_["admin"]->AddPrincipal(add);
  ASSERT_TRUE(added.ok()) << added.status();
  LedgerClient soumu(ClientOptions{server_.address(), added->token()});
  v1::SetRatingRequest rate;
  rate.set_name(kJoint);
  rate.set_rating(v1::RATING_A);
  ASSERT_TRUE(soumu.SetRating(rate).ok());

  v1::ReadLogRequest head;
  head.set_page_size(1);
  const uint64_t before = clients_["admin"]->ReadLog(head)->head_position();
  absl::Status refused = clients_["editor-out"]->SetRating(rate).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(std::string(refused.message()).find("総務部・企画振興部"), std::string::npos)
      << refused;
  EXPECT_EQ(clients_["admin"]->ReadLog(head)->head_position(), before);

  // Disabling takes effect at once, and re-enabling restores access.
  v1::SetPrincipalDisabledRequest disable;
  disable.set_principal("soumu");
  disable.set_disabled(true);
  ASSERT_TRUE(clients_["admin"]->SetPrincipalDisabled(disable).ok());
  EXPECT_EQ(soumu.SetRating(rate).status().code(), absl::StatusCode::kUnauthenticated);
  disable.set_disabled(false);
  ASSERT_TRUE(clients_["admin"]->SetPrincipalDisabled(disable).ok());
  EXPECT_TRUE(soumu.SetRating(rate).ok());
  // A rotated token replaces the old one at once.
  v1::RotatePrincipalTokenRequest rotate;
  rotate.set_principal("soumu");
  absl::StatusOr<v1::RotatePrincipalTokenResponse> rotated =
      clients_["admin"]->RotatePrincipalToken(rotate);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(soumu.SetRating(rate).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(
      LedgerClient(ClientOptions{server_.address(), rotated->token()}).SetRating(rate).ok());
  // Who gave whom access, and when, is in the log.
  v1::ReadLogRequest log;
  log.set_page_size(1000);
  int principal_events = 0;
  absl::StatusOr<v1::ReadLogResponse> events = clients_["auditor"]->ReadLog(log);
  ASSERT_TRUE(events.ok());
  for (const v1::Event& event : events->events()) {
    if (event.goal() == "principals/soumu") {
      ++principal_events;
      EXPECT_EQ(event.actor(), "admin");
      EXPECT_EQ(event.principal_added().token_sha256().find(added->token()), std::string::npos);
    }
  }
  EXPECT_EQ(principal_events, 4);  // added, disabled, enabled, token rotated
}

TEST_F(PermissionTest, OversizeRequestsAreResourceExhausted) {
  v1::ImportReportRequest request;
  request.set_fiscal_year(2026);
  request.set_format(v1::REPORT_FORMAT_TEXT);
  request.set_content(std::string(5 << 20, 'x'));
  EXPECT_EQ(clients_["hq"]->ImportReport(request).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace dxledger
