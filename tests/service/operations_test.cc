// Operating dxledgerd: metrics over HTTP, the JSON access log, call ids,
// the config file and health watching.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "service/log.h"
#include "storage/keys.h"
#include "tests/service/stopped_server.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::RunCommand;
using testsupport::Sample;
using testsupport::Scrape;
using testsupport::TestServer;

v1::CreateGoalRequest NewGoal(std::string id, std::string request_id = "") {
  v1::CreateGoalRequest request;
  request.set_goal_id(std::move(id));
  request.set_request_id(std::move(request_id));
  request.set_fiscal_year(2021);
  request.add_departments("総務部");
  request.set_title("行政手続のオンライン化");
  return request;
}

// Every JSON line of the server's log.
std::vector<nlohmann::json> JsonLines(const std::string& log) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("{")) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

TEST(MetricsTest, ScrapedOverHttpTheyCountCallsAppendsAndTheLog) {
  TestServer server;
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  const std::string before = Scrape(server.metrics_url());
  const double head_before = Sample(before, "dxledger_log_events");
  ASSERT_GE(head_before, 1);  // the principals added before the start

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.CreateGoal(NewGoal(fmt::format("g{}", i))).ok());
  EXPECT_EQ(client.CreateGoal(NewGoal("bad id!")).status().code(),
            absl::StatusCode::kInvalidArgument);

  int status = 0;
  const std::string after = Scrape(server.metrics_url(), &status);
  EXPECT_EQ(status, 200);
  const std::string create = "{method=\"/dxledger.v1.LedgerService/CreateGoal\"";
  EXPECT_EQ(
      Sample(after,
             "dxledger_rpc_total{method=\"/dxledger.v1.LedgerService/CreateGoal\",code=\"OK\"}"),
      3);
  EXPECT_EQ(Sample(after,
                   "dxledger_rpc_total{method=\"/dxledger.v1.LedgerService/CreateGoal\",code="
                   "\"INVALID_ARGUMENT\"}"),
            1);
  EXPECT_EQ(Sample(after, "dxledger_rpc_duration_seconds_count" + create + "}"), 4);
  EXPECT_EQ(Sample(after, "dxledger_rpc_duration_seconds_bucket" + create + ",le=\"+Inf\"}"), 4);
  EXPECT_EQ(Sample(after, "dxledger_appends_total"), 3);
  EXPECT_EQ(Sample(after, "dxledger_log_events"), head_before + 3);
  EXPECT_EQ(Sample(after, "dxledger_events_appended_total"), 3);
  const double commits = Sample(after, "dxledger_commits_total");
  EXPECT_GE(commits, 1);
  EXPECT_LE(commits, 3);
  EXPECT_EQ(Sample(after, "dxledger_commit_appends_count"), commits);
  EXPECT_EQ(Sample(after, "dxledger_commit_appends_sum"), 3);
  EXPECT_EQ(Sample(after, "dxledger_commit_write_seconds_count"), commits);
  EXPECT_GT(Sample(after, "dxledger_store_bytes"), 0);
  EXPECT_EQ(Sample(after, "dxledger_subscribers"), 0);
  EXPECT_NE(after.find("# TYPE dxledger_rpc_duration_seconds histogram"), std::string::npos);

  Scrape(server.metrics_url() + "/../nothing", &status);
  EXPECT_EQ(status, 404);
  std::string out;
  EXPECT_EQ(
      RunCommand("curl -s -o /dev/null -w '%{http_code}' --data '' " + server.metrics_url(), &out),
      0);
  EXPECT_EQ(out, "405");
}

// Clients that open a connection and trickle their request (or send
// nothing) do not hold up a scrape: the port serves from a pool of threads.
TEST(MetricsTest, SlowClientsDoNotHoldScrapesUpAndProbesAnswer) {
  TestServer server;
  server.Start();
  const std::string url = server.metrics_url();
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  std::vector<int> slow;
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(::write(fd, "GET /met", 8), 8);  // and then nothing for a while
    slow.push_back(fd);
  }
  const absl::Time start = absl::Now();
  int status = 0;
  const std::string metrics = Scrape(url, &status);
  EXPECT_EQ(status, 200);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_GE(Sample(metrics, "dxledger_log_events"), 1);
  const std::string base = url.substr(0, url.rfind('/'));
  Scrape(base + "/livez", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Scrape(base + "/readyz", &status), "ok\n");
  EXPECT_EQ(status, 200);
  for (int fd : slow) ::close(fd);
}

// Writes goals until the log holds 64 events, has them signed, and stops.
void SixtyFourEventsSignedThenStopped(TestServer& server) {
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  const double head = Sample(Scrape(server.metrics_url()), "dxledger_log_events");
  for (int i = static_cast<int>(head); i < 64; ++i) {
    ASSERT_TRUE(client.CreateGoal(NewGoal(fmt::format("g{}", i))).ok());
  }
  v1::GetCheckpointRequest signed_now;
  signed_now.set_refresh(true);
  ASSERT_EQ(client.GetCheckpoint(signed_now)->tree_size(), 64u);
  server.Stop();
}

// A restarted server reads the tree's subtrees for proofs at once, without
// waiting for proofs to ask: at 64 events, levels 4 to 6 (7 subtrees), where
// the check of the last checkpoint at start reads only the root.
TEST(MetricsTest, ARestartedServerHoldsItsTreeForProofsBeforeAnyIsAsked) {
  TestServer server;
  SixtyFourEventsSignedThenStopped(server);
  server.Start();
  double bytes = 0;
  for (int i = 0; i < 100 && bytes < 7 * 32; ++i) {
    bytes = Sample(Scrape(server.metrics_url()), "dxledger_proof_cache_bytes");
    if (bytes < 7 * 32) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(bytes, 7 * 32);
  EXPECT_LT(bytes, 64 << 20);
}

// A tree record off the checkpoint's border, damaged on disk, lets the
// server start (the start checks the border), but reading the tree for
// proofs finds it and says so in the log, and verify names it.
TEST(MetricsTest, ADamagedTreeRecordFoundAtStartIsLogged) {
  TestServer server;
  SixtyFourEventsSignedThenStopped(server);
  {
    std::unique_ptr<storage::RocksDbKv> kv = testsupport::OpenStore(server);
    const std::vector<storage::Put> damage = {
        {storage::Family::kTree, storage::keys::TreeKey(4, 1), "not a run of 16 leaf hashes"}};
    ASSERT_TRUE(kv->Write(damage, true).ok());
  }
  server.Start();
  const std::string logged =
      "\"msg\":\"cannot read the Merkle tree for proofs at start\",\"error\":\"DATA_LOSS: the "
      "Merkle tree's node at level 4 index 1 is malformed";
  for (int i = 0; i < 100 && server.log().find(logged) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(server.log().find(logged), std::string::npos) << server.log();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  absl::StatusOr<v1::VerifyLogResponse> verified = client.VerifyLog(v1::VerifyLogRequest());
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kDataLoss) << verified.status();
}

// A second instance on one host whose metrics port is taken does not start,
// and says which flag to set.
TEST(MetricsTest, ATakenMetricsPortNamesTheFlagToSet) {
  TestServer first;
  first.Start();
  const std::string url = first.metrics_url();
  const std::string taken = url.substr(7, url.rfind('/') - 7);  // 127.0.0.1:PORT
  TestServer second;
  std::string out, err;
  const int code =
      RunCommand(fmt::format("timeout 30 {} --data-dir {} --listen 127.0.0.1:0 --metrics-listen {}",
                             DXLEDGERD_PATH, second.data_dir(), taken),
                 &out, &err);
  EXPECT_EQ(code, 1) << out << err;
  EXPECT_NE(err.find("cannot listen for metrics on " + taken), std::string::npos) << err;
  EXPECT_NE(err.find("--metrics-listen"), std::string::npos) << err;
}

TEST(AccessLogTest, OneJsonLinePerCallWithIdsAndNeverAToken) {
  TestServer server;
  server.Start();
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::LedgerService::NewStub(channel);

  grpc::ClientContext traced;
  traced.AddMetadata("authorization", "Bearer " + server.tester_token());
  traced.AddMetadata("x-request-id", "trace-42");
  v1::CreateGoalResponse response;
  ASSERT_TRUE(stub->CreateGoal(&traced, NewGoal("g1", "req-1"), &response).ok());
  // The call's id comes back; the principal trailer used inside does not.
  auto echoed = traced.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, traced.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "trace-42");
  EXPECT_EQ(traced.GetServerTrailingMetadata().count("x-dxledger-principal"), 0u);

  grpc::ClientContext untraced;
  untraced.AddMetadata("authorization", "Bearer not-a-valid-token-xyz");
  v1::GetGoalRequest get;
  get.set_name("goals/g1");
  v1::GetGoalResponse goal;
  EXPECT_EQ(stub->GetGoal(&untraced, get, &goal).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto generated = untraced.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(generated, untraced.GetServerInitialMetadata().end());
  const std::string generated_id(generated->second.data(), generated->second.size());
  EXPECT_FALSE(generated_id.empty());

  server.Stop();  // flushes the log
  const std::string log = server.log();
  EXPECT_EQ(log.find(server.tester_token()), std::string::npos);
  EXPECT_EQ(log.find("not-a-valid-token-xyz"), std::string::npos);
  std::map<std::string, nlohmann::json> calls;
  for (const nlohmann::json& line : JsonLines(log)) {
    ASSERT_TRUE(line.contains("time") && line.contains("level") && line.contains("msg")) << line;
    if (line["msg"] == "rpc") calls[line["call_id"].get<std::string>()] = line;
  }
  ASSERT_TRUE(calls.contains("trace-42"));
  const nlohmann::json& create = calls["trace-42"];
  EXPECT_EQ(create["method"], "/dxledger.v1.LedgerService/CreateGoal");
  EXPECT_EQ(create["code"], "OK");
  EXPECT_EQ(create["principal"], "tester");
  EXPECT_EQ(create["request_id"], "req-1");
  EXPECT_EQ(create["level"], "info");
  EXPECT_GT(create["ms"].get<double>(), 0);
  ASSERT_TRUE(calls.contains(generated_id));
  EXPECT_EQ(calls[generated_id]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(calls[generated_id]["level"], "warning");
  EXPECT_FALSE(calls[generated_id].contains("principal"));
}

TEST(ConfigFileTest, OptionsComeFromTheFileAndFlagsStillApply) {
  char pattern[] = "/tmp/dxledger-config-XXXXXX";
  const std::string config = std::string(::mkdtemp(pattern)) + "/dxledgerd.toml";
  std::ofstream(config) << "# dxledgerd options\n"
                           "organization = \"011002\"\n"
                           "access-log = false\n";
  TestServer server({"--config", config});
  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  auto created = client.CreateGoal(NewGoal("g1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->goal().name(), "organizations/011002/goals/g1");
  server.Stop();
  const std::vector<nlohmann::json> lines = JsonLines(server.log());
  ASSERT_FALSE(lines.empty());
  for (const nlohmann::json& line : lines) EXPECT_NE(line["msg"], "rpc") << line;
  EXPECT_EQ(lines.front()["organization"], "011002");
  std::filesystem::remove_all(std::filesystem::path(config).parent_path());
}

TEST(HealthWatchTest, SendsServingThenNotServingWhenTheServerStops) {
  TestServer server;
  server.Start();
  auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("dxledger.v1.LedgerService");
  auto stream = stub->Watch(&context, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  const auto started = std::chrono::steady_clock::now();
  server.Stop();
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
  // The open stream does not hold the shutdown for its grace period.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

}  // namespace
}  // namespace dxledger

namespace dxledger {
namespace {

TEST(LogFormatTest, LinesAreJsonWithEscapedStringsAndNoInvalidUtf8) {
  namespace log = service::log;
  const log::Field fields[] = {{"quote", "say \"hi\"\\\n"},
                               {"bad", std::string_view("a\xff\xc0z", 4)},
                               {"japanese", "企画振興部"},
                               {"count", uint64_t{18446744073709551615u}},
                               {"ok", true},
                               {"ms", 1.5}};
  const std::string line = log::Format(log::Level::kWarning, "rpc", fields, std::size(fields));
  const nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["level"], "warning");
  EXPECT_EQ(parsed["msg"], "rpc");
  EXPECT_EQ(parsed["quote"], "say \"hi\"\\\n");
  EXPECT_EQ(parsed["bad"], "a\uFFFD\uFFFDz");
  EXPECT_EQ(parsed["japanese"], "企画振興部");
  EXPECT_EQ(parsed["count"].get<uint64_t>(), 18446744073709551615u);
  EXPECT_EQ(parsed["ok"], true);
  EXPECT_EQ(parsed["ms"], 1.5);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_TRUE(parsed["time"].get<std::string>().ends_with("Z"));
}

}  // namespace
}  // namespace dxledger
