// A hostile client against the real server: refusals cannot fill the disk
// or bury each other in the security log, the access log stays readable,
// and text that would hide or disguise itself where it is shown is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using testsupport::Sample;
using testsupport::Scrape;
using testsupport::TestServer;

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

std::vector<v1::SecurityEvent> SecurityLog(LedgerClient& admin) {
  std::vector<v1::SecurityEvent> events;
  v1::ListSecurityEventsRequest request;
  request.set_page_size(50);
  while (true) {
    absl::StatusOr<v1::ListSecurityEventsResponse> page = admin.ListSecurityEvents(request);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return events;
    events.insert(events.end(), page->security_events().begin(), page->security_events().end());
    if (page->next_page_token().empty()) return events;
    request.set_page_token(page->next_page_token());
  }
}

// Tokenless calls with a 1 MiB goal name: each record keeps 256 bytes of
// it, and past the burst one peer's refusals are counted, not recorded.
TEST(HostileInputTest, RefusalsAreClippedAndRateLimitedPerPeer) {
  TestServer server(
      {"--refusals-per-second", "0.5", "--refusal-burst", "5", "--access-log", "true"});
  server.Start();
  LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
  LedgerClient nobody(ClientOptions{server.address(), ""});
  const uint64_t before = DirectoryBytes(server.data_dir());
  const std::string huge(1 << 20, 'x');
  for (int i = 0; i < 20; ++i) {
    v1::GetGoalRequest get;
    get.set_name(huge);
    EXPECT_EQ(nobody.GetGoal(get).status().code(), absl::StatusCode::kUnauthenticated);
  }
  // A request id of 3 MiB, logged before anything checks it.
  v1::CreateGoalRequest create;
  create.set_goal_id("g");
  create.set_request_id(std::string(3 << 20, 'r'));
  EXPECT_EQ(nobody.CreateGoal(create).status().code(), absl::StatusCode::kUnauthenticated);

  // 21 refused: the first 5 recorded, then as many as the bucket refilled
  // while the calls went on (one every 2 s), the rest counted.
  std::vector<v1::SecurityEvent> log = SecurityLog(admin);
  const double unrecorded =
      Sample(Scrape(server.metrics_url()), "dxledger_security_refusals_unrecorded_total");
  EXPECT_GE(log.size(), 5u);
  EXPECT_GT(unrecorded, 0);
  EXPECT_EQ(log.size() + unrecorded, 21);
  for (const v1::SecurityEvent& event : log) {
    if (event.method().ends_with("/CreateGoal")) continue;
    EXPECT_LE(event.target().size(), 300u);
    EXPECT_THAT(event.target(), EndsWith(fmt::format("… ({} bytes)", huge.size())));
  }
  // The bucket refills: each record says how many went unrecorded since the
  // one before, so together they account for every refusal counted.
  absl::SleepFor(absl::Milliseconds(2100));
  v1::GetGoalRequest get;
  get.set_name("after");
  EXPECT_EQ(nobody.GetGoal(get).status().code(), absl::StatusCode::kUnauthenticated);
  const size_t recorded = log.size();
  log = SecurityLog(admin);
  ASSERT_EQ(log.size(), recorded + 1);
  EXPECT_EQ(log.back().target(), "after");
  uint64_t accounted = 0;
  for (const v1::SecurityEvent& event : log) accounted += event.unrecorded_before();
  EXPECT_EQ(accounted, unrecorded);
  // 21 MiB of names and a 3 MiB request id, refused: the store did not
  // take them, and no access-log line carries them.
  server.Stop();
  EXPECT_LT(DirectoryBytes(server.data_dir()), before + (1 << 20));
  std::istringstream lines(server.log());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LT(line.size(), 4096u) << line.substr(0, 200);
  }
  EXPECT_THAT(server.log(), HasSubstr("\"request_id\":\"rrrr"));
}

class HostileTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Start();
    client_ =
        std::make_unique<LedgerClient>(ClientOptions{server_.address(), server_.tester_token()});
  }
  absl::Status Create(const std::string& id, const std::string& title,
                      const std::string& department = "総務部") {
    v1::CreateGoalRequest request;
    request.set_goal_id(id);
    request.set_fiscal_year(2025);
    request.add_departments(department);
    request.set_title(title);
    return client_->CreateGoal(request).status();
  }
  absl::Status Activity(const std::string& text) {
    v1::RecordActivityRequest request;
    request.set_name("ok");
    request.set_text(text);
    return client_->RecordActivity(request).status();
  }

  TestServer server_;
  std::unique_ptr<LedgerClient> client_;
};

TEST_F(HostileTextTest, ControlAndBidiCharactersAreRefusedWithWhereTheyAre) {
  ASSERT_TRUE(Create("ok", "正しい目標").ok());
  const uint64_t head = [&] {
    v1::ReadLogRequest request;
    request.set_page_size(1);
    return client_->ReadLog(request)->head_position();
  }();
  struct Case {
    absl::Status status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Create("a", "画面\x1b[2Jを消す"), "title holds U+001B at character 3: a control character"},
      {Create("b", "総務部", std::string("総務部\0", 10)),
       "departments holds U+0000 at character 4: a control character"},
      {Create("c", "txt.exe\u202Efdp.doc"),
       "title holds U+202E at character 8: a bidirectional formatting character"},
      {Create("d", "隔離\u2066文字"), "title holds U+2066 at character 3"},
      {Create("e", "一行目\n二行目"),
       "title holds U+000A at character 4: a line break or tab, which this one-line field cannot "
       "hold"},
      {Create("f", "C1\xc2\x85制御"), "title holds U+0085 at character 3"},
      {Activity("行末\r\n次の行"), "text holds U+000D at character 3"},
      {Activity("DEL\x7f"), "text holds U+007F at character 4"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), absl::StatusCode::kInvalidArgument) << c.status;
    EXPECT_THAT(std::string(c.status.message()), HasSubstr(c.message));
  }
  v1::ReadLogRequest request;
  request.set_page_size(1);
  EXPECT_EQ(client_->ReadLog(request)->head_position(), head) << "a refused write wrote";
  // Multi-line text keeps its line feeds and tabs.
  EXPECT_TRUE(Activity("一行目\n\t二行目").ok());
}

}  // namespace
}  // namespace dxledger
