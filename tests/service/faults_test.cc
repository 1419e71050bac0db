// Faults production brings, from outside: a disk below its reserve, a
// checkpoint that cannot be written. (tests/faults/ has the rest: a disk that
// fills, failing writes and syncs, a clock that steps back.)
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "client/ledger_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using ::testing::HasSubstr;
using testsupport::Sample;
using testsupport::Scrape;
using testsupport::TestServer;

// A reserve larger than any disk: the filesystem is "full" for the server.
// Writes are refused up front, whole, with a message that says so; reads
// and verify go on; probes and health say the server cannot take writes.
TEST(DiskReserveTest, BelowTheReserveWritesAreRefusedAndReadsGoOn) {
  TestServer server({"--disk-reserve-mb", "1000000000"});  // 1 PB
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
  v1::ReadLogRequest read;
  read.set_page_size(1000);
  const uint64_t head = client.ReadLog(read)->head_position();

  v1::CreateGoalRequest create;
  create.set_goal_id("g");
  create.set_fiscal_year(2025);
  create.add_departments("総務部");
  create.set_title("目標");
  absl::Status refused = client.CreateGoal(create).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("is full: "));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("MiB free, below the reserve of"));
  // Bad input is still named as such first.
  create.set_title("");
  EXPECT_EQ(client.CreateGoal(create).status().code(), absl::StatusCode::kInvalidArgument);
  // A refusal is not recorded either: it would fill the disk further.
  LedgerClient nobody(ClientOptions{server.address(), ""});
  EXPECT_EQ(nobody.ListGoals({}).status().code(), absl::StatusCode::kUnauthenticated);
  v1::ListSecurityEventsRequest security;
  EXPECT_EQ(admin.ListSecurityEvents(security)->security_events_size(), 0);

  // Reads and verify go on; nothing was written.
  EXPECT_EQ(client.ReadLog(read)->head_position(), head);
  EXPECT_TRUE(client.ListGoals({}).ok());
  absl::StatusOr<v1::VerifyLogResponse> verified = admin.VerifyLog({});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->head_position(), head);

  // Probes: not ready, and why; gRPC health NOT_SERVING; still alive.
  const std::string url = server.metrics_url();
  const std::string base = url.substr(0, url.rfind('/'));
  int status = 0;
  EXPECT_THAT(Scrape(base + "/readyz", &status), HasSubstr("is full"));
  EXPECT_EQ(status, 503);
  Scrape(base + "/livez", &status);
  EXPECT_EQ(status, 200);
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse answer;
  ASSERT_TRUE(health->Check(&context, {}, &answer).ok());
  EXPECT_EQ(answer.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // The metric an alert watches.
  const std::string metrics = Scrape(url);
  EXPECT_GT(Sample(metrics, "dxledger_disk_free_bytes"), 0);
  EXPECT_EQ(Sample(metrics, "dxledger_disk_reserve_bytes"), 1000000000.0 * (1 << 20));
}

// The signer's latest-checkpoint file cannot be written (here: a directory
// where its temporary file goes). Writes still succeed, but the checkpoint
// auditors rely on is not being published: the server says it is not ready,
// and why, until the file can be written again.
TEST(ReadinessTest, CheckpointsThatCannotBeSignedMakeTheServerNotReady) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  const std::string url = server.metrics_url();
  const std::string readyz = url.substr(0, url.rfind('/')) + "/readyz";
  int status = 0;
  Scrape(readyz, &status);
  ASSERT_EQ(status, 200);

  const std::string blocker = server.data_dir() + "/checkpoint.tmp";
  std::filesystem::create_directory(blocker);
  v1::CreateGoalRequest create;
  create.set_goal_id("g");
  create.set_fiscal_year(2025);
  create.add_departments("総務部");
  create.set_title("目標");
  ASSERT_TRUE(client.CreateGoal(create).ok());
  std::string answer;
  for (int i = 0; i < 100 && status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    answer = Scrape(readyz, &status);
  }
  EXPECT_EQ(status, 503);
  EXPECT_THAT(answer, HasSubstr("checkpoints are not being signed"));
  EXPECT_THAT(answer, HasSubstr("checkpoint.tmp"));

  std::filesystem::remove(blocker);
  for (int i = 0; i < 100 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    answer = Scrape(readyz, &status);
  }
  EXPECT_EQ(status, 200) << answer;
}

}  // namespace
}  // namespace dxledger
