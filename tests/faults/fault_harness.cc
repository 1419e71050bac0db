// dxledger_faults: the faults production brings, against the real dxledgerd,
// beside the crash harness (which covers kill -9):
//   - a small filesystem (tmpfs) that fills below the reserve;
//   - a disk that fills past it, and writes and syncs that fail (EIO), by
//     a preloaded shim (fault_shim.cc) that fails chosen calls on the WAL;
//   - a system clock that steps back (the same shim: libfaketime deadlocks
//     in a process linked with jemalloc, as dxledgerd is through RocksDB).
// After each: no acknowledged event lost, no unacknowledged one half there,
// verify passes, and the client saw the code README documents. Runs in
// ctest with small sizes; by hand, build/tests/dxledger_faults.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using testsupport::Sample;
using testsupport::Scrape;
using testsupport::ServerSetup;
using testsupport::TestServer;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A directory of its own under /tmp, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/dxledger-fault-XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A tmpfs of `mib` MiB, mounted for the test's life.
class SmallFilesystem {
 public:
  explicit SmallFilesystem(int mib) {
    mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0,
                       fmt::format("size={}m,mode=0700", mib).c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& path() const { return dir_.path(); }
  uint64_t free_bytes() const {
    struct statvfs stats;
    ::statvfs(dir_.path().c_str(), &stats);
    return static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize;
  }

 private:
  TempDir dir_;
  bool mounted_ = false;
};

// The shim's control file: what to fail, and the calls it failed.
class Faults {
 public:
  ServerSetup Setup() const {
    return ServerSetup{
        .environment = {{"LD_PRELOAD", FAULT_SHIM_PATH}, {"DXLEDGER_FAULT_CONTROL", control()}}};
  }
  // Fails `op` ("fsync" or "write") with `error` ("EIO", "ENOSPC") on the
  // write-ahead log of the store under `data_dir`.
  void Arm(const std::string& op, const std::string& error, const std::string& data_dir) {
    std::ofstream(control()) << fmt::format("{} {} {}/db/ .log\n", op, error, data_dir);
  }
  void Disarm() { std::ofstream(control()).flush(); }
  // Calls failed so far, one line each.
  int hits() const {
    const std::string text = ReadAll(control() + ".hits");
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

 private:
  std::string control() const { return dir_.path() + "/control"; }
  TempDir dir_;
};

v1::CreateGoalRequest Goal(const std::string& id) {
  v1::CreateGoalRequest create;
  create.set_goal_id(id);
  create.set_fiscal_year(2025);
  create.add_departments("総務部");
  create.set_title("障害試験の目標 " + id);
  create.set_request_id("create-" + id);
  return create;
}

HealthCheckResponse::ServingStatus Health(const TestServer& server) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  HealthCheckResponse answer;
  if (!stub->Check(&context, {}, &answer).ok()) return HealthCheckResponse::UNKNOWN;
  return answer.status();
}

std::string Probe(const TestServer& server, const std::string& path, int* status) {
  const std::string url = server.metrics_url();
  return Scrape(url.substr(0, url.rfind('/')) + path, status);
}

// Waits up to `seconds` for `done`.
bool Eventually(const std::function<bool()>& done, double seconds = 5) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

bool Alive(const TestServer& server) { return ::kill(server.pid(), 0) == 0; }

// After a fault: verify passes, every acknowledged goal is there, and an
// unacknowledged one is either all there (its view, from the same atomic
// write as its event) or not at all.
void ExpectIntact(const TestServer& server, const std::vector<std::string>& acknowledged,
                  const std::vector<std::string>& unacknowledged) {
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
  absl::StatusOr<v1::VerifyLogResponse> verified = admin.VerifyLog({});
  ASSERT_TRUE(verified.ok()) << verified.status();
  v1::ReadLogRequest read;
  read.set_page_size(1000);
  absl::StatusOr<v1::ReadLogResponse> log = client.ReadLog(read);
  ASSERT_TRUE(log.ok()) << log.status();
  std::set<std::string> logged;
  for (const v1::Event& event : log->events()) {
    if (event.has_goal_created()) logged.insert(event.goal().substr(event.goal().rfind('/') + 1));
  }
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(logged.contains(id)) << id << " was acknowledged and is gone";
  }
  // organizations/{org}/goals/{goal}: the prefix of any goal event's stream.
  std::string goals;
  for (const v1::Event& event : log->events()) {
    if (event.has_goal_created()) goals = event.goal().substr(0, event.goal().rfind('/') + 1);
  }
  for (const std::string& id : unacknowledged) {
    v1::GetGoalRequest get;
    get.set_name(goals + id);
    absl::StatusOr<v1::GetGoalResponse> goal = client.GetGoal(get);
    if (logged.contains(id)) {
      ASSERT_TRUE(goal.ok()) << id << " is in the log without its view: " << goal.status();
      EXPECT_EQ(goal->goal().title(), Goal(id).title());
    } else {
      EXPECT_EQ(goal.status().code(), absl::StatusCode::kNotFound) << id << ": " << goal.status();
    }
  }
}

// --- A disk that fills ------------------------------------------------------

// A 64 MiB tmpfs, a 16 MiB reserve: a file fills it to 8 MiB free. Writes
// are refused up front with RESOURCE_EXHAUSTED and health turns
// NOT_SERVING (a Watch stream hears it); reads go on; once the file is
// removed, writes succeed again without a restart.
TEST(FullDiskTest, BelowTheReserveWritesWaitForSpaceWithoutARestart) {
  SmallFilesystem disk(64);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  TestServer server({"--disk-reserve-mb", "16"}, ServerSetup{.parent = disk.path()});
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  ASSERT_TRUE(client.CreateGoal(Goal("before")).ok());

  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext watching;
  watching.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto watch = stub->Watch(&watching, {});
  HealthCheckResponse heard;
  ASSERT_TRUE(watch->Read(&heard));
  EXPECT_EQ(heard.status(), HealthCheckResponse::SERVING);

  const std::string filler = disk.path() + "/filler";
  {
    const uint64_t fill = disk.free_bytes() - (8u << 20);
    std::ofstream out(filler, std::ios::binary);
    const std::string block(1 << 20, 'x');
    for (uint64_t written = 0; written < fill; written += block.size()) {
      out.write(block.data(),
                static_cast<std::streamsize>(std::min<uint64_t>(block.size(), fill - written)));
    }
  }
  // The space is sampled every 250 ms: health hears of it first.
  ASSERT_TRUE(watch->Read(&heard));
  EXPECT_EQ(heard.status(), HealthCheckResponse::NOT_SERVING);
  absl::Status refused = client.CreateGoal(Goal("during")).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("is full"));
  int status = 0;
  EXPECT_THAT(Probe(server, "/readyz", &status), HasSubstr("below the reserve"));
  EXPECT_EQ(status, 503);
  EXPECT_TRUE(client.ListGoals({}).ok());

  std::filesystem::remove(filler);
  EXPECT_TRUE(Eventually([&] { return client.CreateGoal(Goal("after")).ok(); }));
  ASSERT_TRUE(watch->Read(&heard));
  EXPECT_EQ(heard.status(), HealthCheckResponse::SERVING);
  watching.TryCancel();
  EXPECT_TRUE(Eventually([&] {
    return server.log().find("writes can succeed again") != std::string::npos;
  })) << server.log();
  ExpectIntact(server, {"before", "after"}, {"during"});
}

// Past the reserve (another process took the space) RocksDB's WAL write
// fails with ENOSPC: a server with the fault shim, one goal written, then
// every write to its WAL failing so.
class FullWalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Start();
    client_.emplace(ClientOptions{server_.address(), server_.tester_token()});
    ASSERT_TRUE(client_->CreateGoal(Goal("before")).ok());
    faults_.Arm("write", "ENOSPC", server_.data_dir());
  }
  Faults faults_;
  TestServer server_{{}, faults_.Setup()};
  std::optional<LedgerClient> client_;
};

// The call answers UNAVAILABLE, the store stops taking writes (the next one
// never reaches the WAL, and does not kill the server), health says
// NOT_SERVING; when space is back it resumes by itself.
TEST_F(FullWalTest, TheStoreStopsThenResumesByItself) {
  Faults& faults = faults_;
  TestServer& server = server_;
  LedgerClient& client = *client_;
  absl::Status failed = client.CreateGoal(Goal("failed")).status();
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_THAT(std::string(failed.message()), HasSubstr("the disk filled"));
  // Read at once: the failed write stopped the store. Later it may read 0:
  // while the disk shows free space, as it does here (the fault is
  // injected, the disk is not full), the server tries to resume every 2 s,
  // and a resume can succeed while the fault holds. (Read later, under
  // load, it once did.)
  EXPECT_EQ(Sample(Scrape(server.metrics_url()), "dxledger_writes_stopped"), 1);
  const int hits = faults.hits();
  EXPECT_GE(hits, 1);
  absl::Status again = client.CreateGoal(Goal("again")).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kUnavailable) << again;
  EXPECT_EQ(faults.hits(), hits) << "a write reached the WAL after it failed";
  EXPECT_TRUE(Alive(server));
  EXPECT_TRUE(Eventually([&] { return Health(server) == HealthCheckResponse::NOT_SERVING; }));
  EXPECT_TRUE(client.ListGoals({}).ok());

  faults.Disarm();
  EXPECT_TRUE(Eventually([&] { return client.CreateGoal(Goal("after")).ok(); }, 10));
  EXPECT_TRUE(Eventually([&] { return Health(server) == HealthCheckResponse::SERVING; }));
  EXPECT_TRUE(Eventually([&] {
    return server.log().find("the store takes writes again") != std::string::npos;
  })) << server.log();
  ExpectIntact(server, {"before", "after"}, {"failed", "again"});
  server.Stop();
  server.Start();
  ExpectIntact(server, {"before", "after"}, {"failed", "again"});
}

// A disk that fills again once writing resumed, before any write went
// through (a disk filling and freeing around the reserve; here the fault
// stays while the disk shows space, so the server resumes at once). Asked to
// resume a second time like that, RocksDB aborted the process on the next
// write. Now the store stays stopped and says to restart; the server stays
// up for reads; a restart serves again.
TEST_F(FullWalTest, FullAgainBeforeAnyWriteWentThroughNeedsARestartAndNeverAborts) {
  Faults& faults = faults_;
  TestServer& server = server_;
  LedgerClient& client = *client_;
  EXPECT_EQ(client.CreateGoal(Goal("failed")).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(Eventually([&] {
    return server.log().find("the store takes writes again") != std::string::npos;
  })) << server.log();
  absl::Status again = client.CreateGoal(Goal("again")).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kUnavailable) << again;
  // The checkpoint signer may have met the full disk first: either way the
  // store says to restart.
  EXPECT_TRUE(Eventually([&] {
    const absl::Status refused = client.CreateGoal(Goal("later")).status();
    return std::string(refused.message()).find("restart dxledgerd") != std::string::npos;
  })) << server.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));  // past two resume attempts
  faults.Disarm();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past one more
  absl::Status still = client.CreateGoal(Goal("still")).status();
  EXPECT_EQ(still.code(), absl::StatusCode::kUnavailable) << still;
  EXPECT_THAT(std::string(still.message()), HasSubstr("filled again"));
  EXPECT_TRUE(Alive(server)) << server.log();
  EXPECT_TRUE(client.ListGoals({}).ok());
  EXPECT_EQ(Health(server), HealthCheckResponse::NOT_SERVING);

  server.Stop();
  server.Start();
  LedgerClient restarted(ClientOptions{server.address(), server.tester_token()});
  absl::Status after = restarted.CreateGoal(Goal("after")).status();
  EXPECT_TRUE(after.ok()) << after;
  ExpectIntact(server, {"before", "after"}, {"failed", "again", "later", "still"});
}

// --- Writes and syncs that fail ---------------------------------------------

// A failed fsync or WAL write: UNAVAILABLE, never acknowledged; no later
// write reaches the WAL, even once the disk works again (the page cache's
// state is unknown: no retry may call it durable); the server stays up for
// reads, says NOT_SERVING, and logs at error level. A restart serves again.
class IoErrorTest : public ::testing::TestWithParam<const char*> {};

TEST_P(IoErrorTest, StopsWritesUntilARestart) {
  Faults faults;
  TestServer server({}, faults.Setup());
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  ASSERT_TRUE(client.CreateGoal(Goal("before")).ok());

  faults.Arm(GetParam(), "EIO", server.data_dir());
  absl::Status failed = client.CreateGoal(Goal("failed")).status();
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_THAT(std::string(failed.message()), HasSubstr("writes are stopped"));
  EXPECT_THAT(std::string(failed.message()), HasSubstr("restart dxledgerd"));
  EXPECT_EQ(faults.hits(), 1);

  faults.Disarm();  // the disk "works" again: still no write
  absl::Status again = client.CreateGoal(Goal("again")).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kUnavailable) << again;
  EXPECT_THAT(std::string(again.message()), HasSubstr("writes are stopped"));
  EXPECT_TRUE(Eventually([&] { return Health(server) == HealthCheckResponse::NOT_SERVING; }));
  int status = 0;
  EXPECT_THAT(Probe(server, "/readyz", &status), HasSubstr("writes are stopped"));
  EXPECT_EQ(status, 503);
  Probe(server, "/livez", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Sample(Scrape(server.metrics_url()), "dxledger_writes_stopped"), 1);
  EXPECT_TRUE(Eventually([&] {
    return server.log().find(R"("level":"error","msg":"writes cannot succeed)") !=
           std::string::npos;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past a resume attempt
  EXPECT_FALSE(client.CreateGoal(Goal("later")).ok());
  EXPECT_TRUE(client.ListGoals({}).ok());
  EXPECT_TRUE(Alive(server));
  ExpectIntact(server, {"before"}, {"failed", "again", "later"});

  server.Stop();
  server.Start();
  EXPECT_EQ(Health(server), HealthCheckResponse::SERVING);
  EXPECT_EQ(Sample(Scrape(server.metrics_url()), "dxledger_writes_stopped"), 0);
  ExpectIntact(server, {"before"}, {"failed", "again", "later"});
  LedgerClient restarted(ClientOptions{server.address(), server.tester_token()});
  EXPECT_TRUE(restarted.CreateGoal(Goal("after")).ok());
  // The failed write's own retry, same request id, learns what became of it.
  absl::StatusOr<v1::CreateGoalResponse> retried = restarted.CreateGoal(Goal("failed"));
  ASSERT_TRUE(retried.ok()) << retried.status();
}

INSTANTIATE_TEST_SUITE_P(SyncAndWrite, IoErrorTest, ::testing::Values("fsync", "write"));

// --- A clock that steps back ------------------------------------------------

// The system clock steps back an hour under a running server: record times
// never go backwards in log order, a warning gives the size of the step,
// and when the clock has passed the log again an info line says so.
TEST(ClockTest, AStepBackNeverMovesRecordTimesBackwards) {
  TempDir dir;
  const std::string offset = dir.path() + "/clock-offset";
  std::ofstream(offset) << "0\n";
  TestServer server({}, ServerSetup{.environment = {{"LD_PRELOAD", FAULT_SHIM_PATH},
                                                    {"DXLEDGER_CLOCK_OFFSET", offset}}});
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  ASSERT_TRUE(client.CreateGoal(Goal("before")).ok());
  std::ofstream(offset) << "-3600\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the shim reads it again
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(client.CreateGoal(Goal(fmt::format("stepped{}", i))).ok());
  EXPECT_TRUE(Eventually([&] { return server.log().find("stepped back") != std::string::npos; }));
  const std::string log = server.log();
  const size_t warned = log.find("\"step_back_seconds\":");
  ASSERT_NE(warned, std::string::npos) << log;
  const double step = std::stod(log.substr(warned + 20));
  EXPECT_NEAR(step, 3600, 60);
  EXPECT_GE(Sample(Scrape(server.metrics_url()), "dxledger_clock_behind_commits_total"), 3);

  v1::ReadLogRequest read;
  read.set_page_size(1000);
  absl::StatusOr<v1::ReadLogResponse> events = client.ReadLog(read);
  ASSERT_TRUE(events.ok()) << events.status();
  int64_t last = 0;
  for (const v1::Event& event : events->events()) {
    const int64_t micros =
        event.record_time().seconds() * 1'000'000 + event.record_time().nanos() / 1000;
    EXPECT_GE(micros, last) << "position " << event.position() << " went back";
    last = micros;
  }
  // The clock comes back: record times follow it again.
  std::ofstream(offset) << "0\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE(client.CreateGoal(Goal("back")).ok());
  EXPECT_TRUE(Eventually([&] {
    return server.log().find("passed the log's last record time again") != std::string::npos;
  }));
  ExpectIntact(server, {"before", "stepped0", "stepped1", "stepped2", "back"}, {});
}

}  // namespace
}  // namespace dxledger
