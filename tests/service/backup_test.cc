// Online backup while writers run; restore into a new data directory; verify.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::RunCommand;
using testsupport::TestServer;

TEST(BackupTest, BackupUnderWritesRestoresAndVerifies) {
  TestServer server;
  server.Start();
  LedgerClient writer(ClientOptions{server.address(), server.tester_token()});
  LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
  v1::CreateGoalRequest create;
  create.set_goal_id("g");
  create.set_fiscal_year(2025);
  create.add_departments("企画振興部");
  create.set_title("目標");
  ASSERT_TRUE(writer.CreateGoal(create).ok());

  std::atomic<bool> running{true};
  std::atomic<int> written{0};
  std::thread writes([&] {
    for (int i = 0; running; ++i) {
      v1::RecordActivityRequest activity;
      activity.set_name("g");
      activity.set_text(fmt::format("取組 {}", i));
      if (writer.RecordActivity(activity).ok()) ++written;
    }
  });
  absl::SleepFor(absl::Milliseconds(300));
  const std::string backup = server.data_dir() + "-backup";
  v1::CreateBackupRequest request;
  request.set_directory(backup);
  absl::StatusOr<v1::CreateBackupResponse> made = admin.CreateBackup(request);
  absl::SleepFor(absl::Milliseconds(300));
  running = false;
  writes.join();
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_GT(made->head_position(), 3u);
  EXPECT_EQ(made->events_checked(), made->head_position());
  EXPECT_GT(written.load(), 0);

  // A second backup into the same directory is refused; a writer may not back up.
  EXPECT_EQ(admin.CreateBackup(request).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(writer.CreateBackup(request).status().code(), absl::StatusCode::kPermissionDenied);

  // Restore into a new data directory, serve it, and find the backup's state.
  TestServer restored;
  std::filesystem::remove_all(restored.data_dir());
  std::string out, err;
  ASSERT_EQ(RunCommand(std::string(DXLEDGERD_PATH) + " restore --from " + backup + " --data-dir " +
                           restored.data_dir(),
                       &out, &err),
            0)
      << err;
  EXPECT_NE(out.find(fmt::format("head position {}", made->head_position())), std::string::npos)
      << out;
  std::filesystem::copy(server.data_dir() + "/tester.token", restored.data_dir() + "/tester.token");
  restored.Start();
  LedgerClient reader(ClientOptions{restored.address(), restored.tester_token()});
  absl::StatusOr<v1::VerifyLogResponse> verified = reader.VerifyLog({});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->head_position(), made->head_position());
  EXPECT_EQ(verified->head_hash(), made->head_hash());
  std::filesystem::remove_all(backup);
}

}  // namespace
}  // namespace dxledger
