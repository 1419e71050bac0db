// End to end: the real dxledgerd on port 0, the real client library.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "storage/keys.h"
#include "storage/rocksdb_kv.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::TestServer;

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auditor_token_ = server_.AddPrincipal("auditor1", {"auditor"});
    server_.Start();
    client_ = Connect(server_.tester_token());
  }
  std::unique_ptr<LedgerClient> Connect(const std::string& token) {
    return std::make_unique<LedgerClient>(ClientOptions{server_.address(), token});
  }
  uint64_t Head() {
    v1::ReadLogRequest request;
    request.set_page_size(1);
    return client_->ReadLog(request)->head_position();
  }
  v1::CreateGoalRequest NewGoal(std::string id) {
    v1::CreateGoalRequest request;
    request.set_goal_id(std::move(id));
    request.set_fiscal_year(2021);
    request.add_departments("総務部");
    request.add_departments("企画振興部");
    request.set_title("行政手続のオンライン化");
    return request;
  }
  v1::SetRatingRequest Rating(std::string name, v1::Rating rating) {
    v1::SetRatingRequest request;
    request.set_name(std::move(name));
    request.set_rating(rating);
    request.set_rationale("計画どおり");
    return request;
  }

  TestServer server_;
  std::string auditor_token_;
  std::unique_ptr<LedgerClient> client_;
};

TEST_F(EndToEndTest, AGoalsLifeIsRecordedAndReadBack) {
  ASSERT_TRUE(client_->CreateGoal(NewGoal("fy2021-09")).ok());
  ASSERT_TRUE(client_->SetRating(Rating("fy2021-09", v1::RATING_B)).ok());
  v1::SetIndicatorRequest indicator;
  indicator.set_name("fy2021-09");
  indicator.set_description("操作体験会の受講者数");
  indicator.set_target_value(1500);
  indicator.set_unit("人");
  ASSERT_TRUE(client_->SetIndicator(indicator).ok());
  v1::RecordIndicatorResultRequest result;
  result.set_name("fy2021-09");
  result.set_indicator_id("ind1");
  result.set_actual_value(543);
  ASSERT_TRUE(client_->RecordIndicatorResult(result).ok());
  v1::RecordActivityRequest activity;
  activity.set_name("organizations/050008/goals/fy2021-09");
  activity.set_text("電子申請システムの導入");
  activity.add_tags(v1::TAG_DT);
  activity.add_tags(v1::TAG_DL);
  ASSERT_TRUE(client_->RecordActivity(activity).ok());
  v1::AddIssueRequest issue;
  issue.set_name("fy2021-09");
  issue.set_text("対象手続の拡大");
  ASSERT_TRUE(client_->AddIssue(issue).ok());
  v1::ResolveIssueRequest resolve;
  resolve.set_name("fy2021-09");
  resolve.set_issue_id("iss1");
  resolve.set_resolution("拡大済み");
  ASSERT_TRUE(client_->ResolveIssue(resolve).ok());
  v1::ReviseGoalRequest revise;
  revise.set_name("fy2021-09");
  revise.set_title("行政手続のオンライン化の推進");
  ASSERT_TRUE(client_->ReviseGoal(revise).ok());
  ASSERT_TRUE(client_->SetRating(Rating("fy2021-09", v1::RATING_A)).ok());

  v1::GetGoalRequest get;
  get.set_name("fy2021-09");
  absl::StatusOr<v1::GetGoalResponse> goal = client_->GetGoal(get);
  ASSERT_TRUE(goal.ok()) << goal.status();
  EXPECT_EQ(goal->goal().version(), 9u);
  EXPECT_EQ(goal->goal().rating(), v1::RATING_A);
  EXPECT_EQ(goal->goal().title(), "行政手続のオンライン化の推進");
  EXPECT_EQ(goal->goal().indicators(0).actual_value(), 543);
  EXPECT_EQ(goal->goal().activities(0).tags_size(), 2);
  EXPECT_TRUE(goal->goal().issues(0).resolved());

  v1::ListGoalEventsRequest history;
  history.set_name("fy2021-09");
  EXPECT_EQ(client_->ListGoalEvents(history)->events_size(), 9);

  v1::ListRatingChangesRequest changes;
  changes.set_department("企画振興部");
  absl::StatusOr<v1::ListRatingChangesResponse> audit = client_->ListRatingChanges(changes);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->rating_changes_size(), 2);
  EXPECT_EQ(audit->rating_changes(1).previous_rating(), v1::RATING_B);
  EXPECT_EQ(audit->rating_changes(1).rating(), v1::RATING_A);
  EXPECT_EQ(audit->rating_changes(1).actor(), "tester");

  // The auditor reads everything.
  std::unique_ptr<LedgerClient> auditor = Connect(auditor_token_);
  EXPECT_TRUE(auditor->GetGoal(get).ok());
  absl::StatusOr<v1::VerifyLogResponse> verified = auditor->VerifyLog({});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->events_checked(), 12u);  // 9 of the goal, 3 of principals
  EXPECT_EQ(verified->views_checked(), 4u);

  // Everything survives a restart, and the log still verifies.
  server_.Stop();
  server_.Start();
  client_ = Connect(server_.tester_token());
  EXPECT_EQ(client_->GetGoal(get)->goal().version(), 9u);
  EXPECT_TRUE(client_->VerifyLog({}).ok());
}

TEST_F(EndToEndTest, CredentialsAreChecked) {
  const uint64_t head = Head();
  EXPECT_EQ(Connect("")->CreateGoal(NewGoal("g")).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Connect("garbage-token")->CreateGoal(NewGoal("g")).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Connect("garbage-token")->GetGoal(v1::GetGoalRequest()).status().code(),
            absl::StatusCode::kUnauthenticated);
  absl::Status denied = Connect(auditor_token_)->CreateGoal(NewGoal("g")).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("auditor1"), absl::string_view::npos);
  EXPECT_EQ(Head(), head);
}

TEST_F(EndToEndTest, TheActorIsTheAuthenticatedPrincipalWhateverTheClientSays) {
  auto channel = grpc::CreateChannel(server_.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::LedgerService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + server_.tester_token());
  context.AddMetadata("x-actor", "mallory");
  context.AddMetadata("x-dxledger-actor", "mallory");
  v1::CreateGoalResponse response;
  ASSERT_TRUE(stub->CreateGoal(&context, NewGoal("forged"), &response).ok());
  EXPECT_EQ(response.events(0).actor(), "tester");
  v1::ReadLogRequest log;
  log.set_start_position(response.events(0).position());
  EXPECT_EQ(client_->ReadLog(log)->events(0).actor(), "tester");
}

TEST_F(EndToEndTest, BadInputIsRefusedWithTheRightCodeAndWritesNothing) {
  ASSERT_TRUE(client_->CreateGoal(NewGoal("g1")).ok());
  const uint64_t head = Head();
  auto expect = [&](absl::Status status, absl::StatusCode code, std::string_view mentions) {
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_NE(std::string(status.message()).find(mentions), std::string::npos) << status;
    EXPECT_EQ(Head(), head) << status;
  };
  v1::CreateGoalRequest request = NewGoal("g2");
  request.set_title("");
  expect(client_->CreateGoal(request).status(), absl::StatusCode::kInvalidArgument, "title");
  request.set_title(std::string(5000, 'x'));
  expect(client_->CreateGoal(request).status(), absl::StatusCode::kInvalidArgument, "title");
  request = NewGoal("g2");
  request.set_fiscal_year(1899);
  expect(client_->CreateGoal(request).status(), absl::StatusCode::kInvalidArgument, "1899");
  request = NewGoal("g2");
  request.clear_departments();
  expect(client_->CreateGoal(request).status(), absl::StatusCode::kInvalidArgument, "department");
  request = NewGoal("Bad Id");
  expect(client_->CreateGoal(request).status(), absl::StatusCode::kInvalidArgument, "goal_id");
  expect(client_->CreateGoal(NewGoal("g1")).status(), absl::StatusCode::kAlreadyExists, "g1");
  expect(client_->SetRating(Rating("nope", v1::RATING_A)).status(), absl::StatusCode::kNotFound,
         "nope");
  expect(client_->SetRating(Rating("g1", static_cast<v1::Rating>(7))).status(),
         absl::StatusCode::kInvalidArgument, "rating");
  v1::SetRatingRequest versioned = Rating("g1", v1::RATING_A);
  versioned.set_expected_version(5);
  expect(client_->SetRating(versioned).status(), absl::StatusCode::kAborted, "version 1");
  expect(client_->SetRating(Rating("organizations/05/goals/g1", v1::RATING_A)).status(),
         absl::StatusCode::kInvalidArgument, "organization");

  v1::ListGoalsRequest list;
  list.set_page_size(1000000);
  expect(client_->ListGoals(list).status(), absl::StatusCode::kInvalidArgument, "page_size");
  list.set_page_size(10);
  list.set_page_token("%%%not-a-token");
  expect(client_->ListGoals(list).status(), absl::StatusCode::kInvalidArgument, "page_token");
  v1::ReadLogRequest log;
  log.set_page_token("AAAA");
  expect(client_->ReadLog(log).status(), absl::StatusCode::kInvalidArgument, "page_token");
  v1::ListRatingChangesRequest changes;
  changes.set_fiscal_year(1899);
  expect(client_->ListRatingChanges(changes).status(), absl::StatusCode::kInvalidArgument, "1899");
}

TEST_F(EndToEndTest, InvalidUtf8IsInvalidArgument) {
  const uint64_t head = Head();
  v1::CreateGoalRequest request = NewGoal("g3");
  request.set_title("\xff\xfe 目標");
  absl::Status status = client_->CreateGoal(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(Head(), head);
}

TEST_F(EndToEndTest, ARepeatedRequestIdReturnsTheOriginalResult) {
  v1::CreateGoalRequest create = NewGoal("");
  create.set_request_id("create-1");
  absl::StatusOr<v1::CreateGoalResponse> first = client_->CreateGoal(create);
  ASSERT_TRUE(first.ok()) << first.status();
  const uint64_t head = Head();
  absl::StatusOr<v1::CreateGoalResponse> again = client_->CreateGoal(create);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed());
  EXPECT_EQ(again->goal().name(), first->goal().name());
  EXPECT_EQ(again->events(0).position(), first->events(0).position());
  EXPECT_EQ(Head(), head);
  create.set_title("別の目標");
  EXPECT_EQ(client_->CreateGoal(create).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Head(), head);
}

// A report file near the request limit: rows with long cells.
std::string LargeReportCsv(int rows) {
  std::string csv = "No.,部局名,目標,評価,成果指標,取組内容,今後の課題等,主な目標No.\r\n";
  std::string padding;
  for (int i = 0; i < 25; ++i) padding += "行政手続のオンライン化";
  for (int n = 1; n <= rows; ++n) {
    csv += fmt::format("{0},総務部,目標{0} {1},B,受講者数{0},研修{0} {1},課題{0} {1},\r\n", n,
                       padding);
  }
  return csv;
}

TEST_F(EndToEndTest, ALargeImportIsAnsweredWithItsPositionsAndTheFirstOfItsEvents) {
  v1::ImportReportRequest request;
  request.set_fiscal_year(2022);
  request.set_format(v1::REPORT_FORMAT_CSV);
  request.set_content(LargeReportCsv(1400));
  request.set_file_name("large.csv");
  ASSERT_GT(request.content().size(), 3u << 20);
  const uint64_t before = Head();

  // The reply echoes the rows read: over gRPC's default client limit
  // (4 MiB), which would refuse it after the import was written.
  absl::StatusOr<v1::ImportReportResponse> imported = client_->ImportReport(request);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_GT(imported->ByteSizeLong(), 4u << 20);
  EXPECT_EQ(imported->goals_created(), 1400u);
  EXPECT_EQ(imported->first_position(), before + 1);
  EXPECT_EQ(imported->last_position(), Head());
  EXPECT_EQ(imported->event_count(), imported->last_position() - before);
  ASSERT_GT(imported->events_size(), 0);
  EXPECT_LT(static_cast<uint32_t>(imported->events_size()), imported->event_count());
  size_t event_bytes = 0;
  for (int i = 0; i < imported->events_size(); ++i) {
    EXPECT_EQ(imported->events(i).position(), before + 1 + static_cast<uint64_t>(i));
    event_bytes += imported->events(i).ByteSizeLong();
  }
  EXPECT_LE(event_bytes, 1u << 20);

  // The rest are where the reply says.
  v1::ReadLogRequest rest;
  rest.set_start_position(imported->first_position() +
                          static_cast<uint64_t>(imported->events_size()));
  rest.set_page_size(1);
  absl::StatusOr<v1::ReadLogResponse> next = client_->ReadLog(rest);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->events_size(), 1);
  EXPECT_EQ(next->events(0).position(), rest.start_position());
  EXPECT_EQ(next->events(0).reason(), imported->events(0).reason());

  // A dry run counts what it would write; it has no positions.
  request.set_fiscal_year(2023);
  request.set_validate_only(true);
  absl::StatusOr<v1::ImportReportResponse> planned = client_->ImportReport(request);
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_EQ(planned->event_count(), imported->event_count());
  EXPECT_EQ(planned->first_position(), 0u);
  EXPECT_EQ(Head(), imported->last_position());
}

TEST_F(EndToEndTest, VerifyFindsAByteChangedInAStoredEvent) {
  ASSERT_TRUE(client_->CreateGoal(NewGoal("g1")).ok());
  absl::StatusOr<v1::SetRatingResponse> rated = client_->SetRating(Rating("g1", v1::RATING_B));
  ASSERT_TRUE(rated.ok());
  const uint64_t position = rated->events(0).position();
  ASSERT_TRUE(client_->SetRating(Rating("g1", v1::RATING_C)).ok());
  v1::ListGoalEventsRequest history;
  history.set_name("g1");
  v1::ReadLogRequest log;
  log.set_start_position(position);

  // Someone with disk access turns the recorded B into an A: in the log,
  // then in the stream index's copy.
  for (storage::Family family : {storage::Family::kLog, storage::Family::kStreams}) {
    server_.Stop();
    {
      auto kv = storage::RocksDbKv::Open(server_.data_dir() + "/db", {});
      ASSERT_TRUE(kv.ok()) << kv.status();
      std::string key = storage::keys::BigEndian64(position);
      if (family == storage::Family::kStreams) {
        ASSERT_TRUE((*kv)
                        ->Scan(family, "", "",
                               [&](std::string_view k, std::string_view v) {
                                 if (!v.starts_with(key)) return true;
                                 key = std::string(k);
                                 return false;
                               })
                        .ok());
      }
      std::string value = *(*(*kv)->Get(family, key));
      const size_t at = value.rfind(static_cast<char>(v1::RATING_B));
      ASSERT_NE(at, std::string::npos);
      value[at] = static_cast<char>(v1::RATING_A);
      storage::Put put{family, key, value};
      ASSERT_TRUE((*kv)->Write({&put, 1}, true).ok());
    }
    server_.Start();
    client_ = Connect(server_.tester_token());
    absl::Status verified = client_->VerifyLog({}).status();
    EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(std::string(verified.message()).find(fmt::format("position {}", position)),
              std::string::npos)
        << verified;
    EXPECT_EQ(client_->ReadLog(log).status().code(), absl::StatusCode::kDataLoss);
    absl::StatusOr<v1::ListGoalEventsResponse> events = client_->ListGoalEvents(history);
    if (family == storage::Family::kLog) {
      // The goal's history reads the stream index's intact copy: the truth.
      ASSERT_TRUE(events.ok()) << events.status();
      EXPECT_EQ(events->events(1).rating_set().rating(), v1::RATING_B);
    } else {
      EXPECT_EQ(events.status().code(), absl::StatusCode::kDataLoss);
    }
  }
}

// An operator whose views were damaged (or whose release projects them
// differently) rebuilds them offline; the log is untouched and verify agrees.
TEST_F(EndToEndTest, RebuildViewsMendsDamagedViewsFromTheLog) {
  ASSERT_TRUE(client_->CreateGoal(NewGoal("g1")).ok());
  ASSERT_TRUE(client_->CreateGoal(NewGoal("g2")).ok());
  ASSERT_TRUE(client_->SetRating(Rating("g1", v1::RATING_B)).ok());
  const uint64_t head = client_->VerifyLog({})->head_position();
  server_.Stop();
  {
    auto kv = storage::RocksDbKv::Open(server_.data_dir() + "/db", {});
    ASSERT_TRUE(kv.ok()) << kv.status();
    // A view erased, and an index entry that follows from nothing.
    storage::Put puts[] = {{storage::Family::kViews, "050008/g2", "", true},
                           {storage::Family::kIndex, "stray", "x"}};
    ASSERT_TRUE((*kv)->Write(puts, true).ok());
  }
  server_.Start();
  client_ = Connect(server_.tester_token());
  EXPECT_EQ(client_->VerifyLog({}).status().code(), absl::StatusCode::kDataLoss);
  server_.Stop();

  std::string out, err;
  ASSERT_EQ(testsupport::RunCommand(
                fmt::format("{} rebuild-views --data-dir {}", DXLEDGERD_PATH, server_.data_dir()),
                &out, &err),
            0)
      << out << err;
  server_.Start();
  client_ = Connect(server_.tester_token());
  absl::StatusOr<v1::VerifyLogResponse> verified = client_->VerifyLog({});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->head_position(), head);
  v1::GetGoalRequest get;
  get.set_name("g2");
  EXPECT_TRUE(client_->GetGoal(get).ok());
}

}  // namespace
}  // namespace dxledger

namespace dxledger {
namespace {

// A client with no .proto files: buf curl finds every schema by reflection.
TEST(ReflectionTest, HealthAndLedgerAnswerAClientWithoutProtoFiles) {
  const std::string buf = BUF_PATH;
  if (buf.empty()) GTEST_SKIP() << "buf is not installed";
  testsupport::TestServer server;
  server.Start();
  const std::string base = buf + " curl --protocol grpc --http2-prior-knowledge --data '{}' ";
  std::string out, err;
  ASSERT_EQ(testsupport::RunCommand(
                base + "http://" + server.address() + "/grpc.health.v1.Health/Check", &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("\"SERVING\""), std::string::npos) << out;
  ASSERT_EQ(testsupport::RunCommand(base + "-H 'authorization: Bearer " + server.tester_token() +
                                        "' http://" + server.address() +
                                        "/dxledger.v1.LedgerService/ReadLog",
                                    &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("\"principalAdded\""), std::string::npos) << out;
  // Reflection does not let anyone past authentication.
  EXPECT_NE(
      testsupport::RunCommand(
          base + "http://" + server.address() + "/dxledger.v1.LedgerService/ReadLog", &out, &err),
      0);
  EXPECT_NE(err.find("unauthenticated"), std::string::npos) << err;
}

}  // namespace
}  // namespace dxledger
