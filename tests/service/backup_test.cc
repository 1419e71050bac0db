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

  // What dxledgerd made is its owner's alone: RocksDB's files, keys, tokens
  // and the backup.
  for (const std::string& dir : {server.data_dir(), backup}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      const std::string name = entry.path().filename();
      if (name == "server.log" || name == "tester.token") continue;  // the test's own
      const auto others = std::filesystem::perms::group_all | std::filesystem::perms::others_all;
      EXPECT_EQ(entry.status().permissions() & others, std::filesystem::perms::none)
          << entry.path();
    }
  }

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

// A backup goes to a plain absolute path outside the live store: one that
// climbs with "..", or lands inside the data directory, is refused before
// anything is written.
TEST(BackupTest, PathsThatClimbOrLandInTheStoreAreRefused) {
  TestServer server;
  server.Start();
  LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"relative/dir", "must be an absolute path"},
      {server.data_dir() + "-x/../elsewhere", "must not contain \"..\""},
      {server.data_dir() + "/db/backup", "is inside the data directory"},
      {server.data_dir(), "is inside the data directory"},
      {server.data_dir() + "/", "is inside the data directory"},
  };
  for (const auto& [directory, message] : cases) {
    v1::CreateBackupRequest request;
    request.set_directory(directory);
    absl::Status status = admin.CreateBackup(request).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << directory << ": " << status;
    EXPECT_NE(std::string(status.message()).find(message), std::string::npos) << status;
  }
  EXPECT_FALSE(std::filesystem::exists(server.data_dir() + "/db/backup"));
}

// SIGTERM while backups run: each client is told the truth. A backup
// reported done is there and whole; one reported not started left nothing.
TEST(BackupTest, AServerStoppingDuringBackupsReportsEachTruthfully) {
  TestServer server;
  server.Start();
  LedgerClient writer(ClientOptions{server.address(), server.tester_token()});
  for (int i = 0; i < 200; ++i) {
    v1::CreateGoalRequest create;
    create.set_goal_id(fmt::format("g{}", i));
    create.set_fiscal_year(2025);
    create.add_departments("企画振興部");
    create.set_title(fmt::format("目標 {}", i));
    ASSERT_TRUE(writer.CreateGoal(create).ok());
  }
  constexpr int kBackups = 8;
  std::vector<absl::Status> outcomes(kBackups);
  std::vector<std::thread> calls;
  const std::string base = server.data_dir() + "-stop-backup";
  for (int i = 0; i < kBackups; ++i) {
    calls.emplace_back([&, i] {
      LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
      v1::CreateBackupRequest request;
      request.set_directory(fmt::format("{}-{}", base, i));
      outcomes[i] = admin.CreateBackup(request).status();
    });
  }
  absl::SleepFor(absl::Milliseconds(100));
  server.Stop();
  for (std::thread& call : calls) call.join();
  int done = 0;
  for (int i = 0; i < kBackups; ++i) {
    const std::string directory = fmt::format("{}-{}", base, i);
    if (outcomes[i].ok()) {
      ++done;
      EXPECT_TRUE(std::filesystem::exists(directory + "/CURRENT")) << i;
    } else {
      EXPECT_EQ(outcomes[i].code(), absl::StatusCode::kUnavailable) << outcomes[i];
      EXPECT_FALSE(std::filesystem::exists(directory))
          << i << " was told " << outcomes[i] << " but its backup is there";
    }
    std::filesystem::remove_all(directory);
  }
  EXPECT_GT(done, 0);
}

}  // namespace
}  // namespace dxledger
