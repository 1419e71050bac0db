// Live subscriptions against the real server.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "base/checkpoint.h"
#include "base/note.h"
#include "client/ledger_client.h"
#include "client/log_verifier.h"
#include "fmt/format.h"
#include "proto/notation/secrets.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::TestServer;

class SubscriptionTest : public ::testing::Test {
 protected:
  explicit SubscriptionTest(std::vector<std::string> args = {"--checkpoint-seconds", "1"})
      : server_(std::move(args)) {}
  void SetUp() override {
    server_.Start();
    client_ =
        std::make_unique<LedgerClient>(ClientOptions{server_.address(), server_.tester_token()});
    v1::CreateGoalRequest create;
    create.set_goal_id("g");
    create.set_fiscal_year(2025);
    create.add_departments("企画振興部");
    create.set_title("目標");
    const absl::Status created = client_->CreateGoal(create).status();
    ASSERT_TRUE(created.ok()) << created << "\n" << server_.log();
  }
  void Write(int count, const std::string& text = "取組") {
    for (int i = 0; i < count; ++i) {
      v1::RecordActivityRequest request;
      request.set_name("g");
      request.set_text(fmt::format("{} {}", text, i));
      absl::Status status = client_->RecordActivity(request).status();
      ASSERT_TRUE(status.ok()) << status;
    }
  }
  uint64_t Head() {
    v1::ReadLogRequest request;
    request.set_page_size(1);
    return client_->ReadLog(request)->head_position();
  }

  TestServer server_;
  std::unique_ptr<LedgerClient> client_;
};

TEST_F(SubscriptionTest, AMidStreamSubscriberSeesEveryEventOnceInOrder) {
  Write(50);
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      LedgerClient writer(ClientOptions{server_.address(), server_.tester_token()});
      for (int i = 0; i < 150; ++i) {
        v1::SetRatingRequest request;
        request.set_name("g");
        request.set_rating(i % 2 ? v1::RATING_A : v1::RATING_B);
        request.set_rationale(fmt::format("writer {} #{}", w, i));
        absl::Status status = writer.SetRating(request).status();
        EXPECT_TRUE(status.ok()) << status;
      }
    });
  }
  std::thread finisher([&] {
    for (auto& writer : writers) writer.join();
    writing = false;
  });
  std::vector<uint64_t> seen;
  std::vector<v1::Event> events;
  v1::SubscribeRequest request;
  request.set_start_position(1);
  absl::Status status = client_->Subscribe(request, [&](const v1::SubscribeResponse& message) {
    for (const v1::Event& event : message.events()) {
      seen.push_back(event.position());
      events.push_back(event);
    }
    return writing || message.checkpoint_position() < Head();
  });
  finisher.join();
  ASSERT_TRUE(status.ok()) << status;
  const uint64_t head = Head();
  ASSERT_EQ(seen.size(), head);
  for (uint64_t i = 0; i < head; ++i) ASSERT_EQ(seen[i], i + 1);
  v1::ReadLogRequest log;
  log.set_page_size(1000);
  absl::StatusOr<v1::ReadLogResponse> stored = client_->ReadLog(log);
  ASSERT_TRUE(stored.ok());
  // Each event as the log answers it, field for field: the hub forwards the
  // stored bytes, with position and hashes, without decoding them.
  for (int i = 0; i < stored->events_size(); ++i) {
    EXPECT_EQ(stored->events(i).SerializeAsString(), events[i].SerializeAsString()) << i;
    EXPECT_EQ(events[i].prev_hash(), i == 0 ? std::string(32, '\0') : events[i - 1].hash());
  }
}

TEST_F(SubscriptionTest, AConsumerResumesFromItsCheckpoint) {
  Write(30);
  uint64_t checkpoint = 0;
  std::vector<uint64_t> seen;
  v1::SubscribeRequest first;
  first.set_start_position(1);
  ASSERT_TRUE(client_
                  ->Subscribe(first,
                              [&](const v1::SubscribeResponse& message) {
                                for (const v1::Event& event : message.events())
                                  seen.push_back(event.position());
                                checkpoint = message.checkpoint_position();
                                return false;  // disconnect after the first message
                              })
                  .ok());
  ASSERT_GT(checkpoint, 0u);
  Write(20);
  v1::SubscribeRequest resumed;
  resumed.set_start_position(checkpoint + 1);
  const uint64_t head = Head();
  ASSERT_TRUE(client_
                  ->Subscribe(resumed,
                              [&](const v1::SubscribeResponse& message) {
                                for (const v1::Event& event : message.events())
                                  seen.push_back(event.position());
                                return message.checkpoint_position() < head;
                              })
                  .ok());
  ASSERT_EQ(seen.size(), head);
  for (uint64_t i = 0; i < head; ++i) EXPECT_EQ(seen[i], i + 1);
}

TEST_F(SubscriptionTest, FiltersByTypeAndDepartment) {
  Write(3);
  v1::SetRatingRequest rate;
  rate.set_name("g");
  rate.set_rating(v1::RATING_C);
  ASSERT_TRUE(client_->SetRating(rate).ok());
  const uint64_t head = Head();
  auto count = [&](v1::SubscribeRequest request) {
    int events = 0;
    EXPECT_TRUE(client_
                    ->Subscribe(request,
                                [&](const v1::SubscribeResponse& message) {
                                  events += message.events_size();
                                  return message.checkpoint_position() < head;
                                })
                    .ok());
    return events;
  };
  v1::SubscribeRequest ratings;
  ratings.add_event_types("rating_set");
  EXPECT_EQ(count(ratings), 1);
  ratings.add_departments("土木部");
  EXPECT_EQ(count(ratings), 0);
  v1::SubscribeRequest bad;
  bad.add_event_types("no_such_event");
  EXPECT_EQ(client_->Subscribe(bad, [](const v1::SubscribeResponse&) { return true; }).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SubscriptionTest, ShutdownTellsSubscribersWhereToResume) {
  Write(5);
  absl::Status ended;
  uint64_t checkpoint = 0;
  std::thread subscriber([&] {
    v1::SubscribeRequest request;
    request.set_from_now(true);
    ended = client_->Subscribe(request, [&](const v1::SubscribeResponse& message) {
      checkpoint = message.checkpoint_position();
      return true;
    });
  });
  absl::SleepFor(absl::Milliseconds(500));
  server_.Stop();
  subscriber.join();
  EXPECT_EQ(ended.code(), absl::StatusCode::kUnavailable) << ended;
  EXPECT_NE(
      std::string(ended.message()).find(fmt::format("resume from position {}", checkpoint + 1)),
      std::string::npos)
      << ended;
  server_.Start();
  client_ =
      std::make_unique<LedgerClient>(ClientOptions{server_.address(), server_.tester_token()});
  v1::GetGoalRequest get;
  get.set_name("g");
  EXPECT_EQ(client_->GetGoal(get)->goal().activities_size(), 5);
}

class SlowSubscriberTest : public SubscriptionTest {
 protected:
  SlowSubscriberTest()
      : SubscriptionTest({"--subscriber-max-lag", "50", "--subscriber-stall-seconds", "1"}) {}
};

TEST_F(SlowSubscriberTest, ASubscriberThatDoesNotReadIsCutOffAndWritersGoOn) {
  auto channel = grpc::CreateChannel(server_.address(), grpc::InsecureChannelCredentials());
  auto stub = v1::LedgerService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + server_.tester_token());
  v1::SubscribeRequest request;
  request.set_from_now(true);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  // Big events fill the stream's flow-control window; the subscriber reads
  // none. (Each replaces one indicator, so the goal itself stays small.)
  const absl::Time start = absl::Now();
  for (int i = 0; i < 700; ++i) {
    v1::SetIndicatorRequest indicator;
    indicator.set_name("g");
    indicator.set_indicator_id("ind1");
    indicator.set_description(fmt::format("{} {}", std::string(7000, 'x'), i));
    ASSERT_TRUE(client_->SetIndicator(indicator).ok());
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));  // writers were not held up
  absl::SleepFor(absl::Seconds(3));
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
  }
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("resume from position"), std::string::npos)
      << status.error_message();
}

// A subscriber read with the callback API: records when its first message
// came (a catching-up subscriber gets one only once it reached the head,
// its filter matching nothing) and how its call ended.
class CatchingUp : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  CatchingUp(v1::LedgerService::Stub& stub, const std::string& token, int fiscal_year) {
    context_.AddMetadata("authorization", "Bearer " + token);
    request_.set_start_position(1);
    request_.set_fiscal_year(fiscal_year);
    stub.async()->Subscribe(&context_, &request_, this);
    StartRead(&message_);
    StartCall();
  }
  ~CatchingUp() override { Cancel(); }  // the call must end before its reactor
  void OnReadDone(bool ok) override {
    if (!ok) return;
    absl::MutexLock lock(&mu_);
    if (first_ == absl::InfiniteFuture()) first_ = absl::Now();
    StartRead(&message_);
  }
  void OnDone(const grpc::Status& status) override {
    absl::MutexLock lock(&mu_);
    status_ = status;
    done_ = true;
  }
  absl::Time first() {
    absl::MutexLock lock(&mu_);
    return first_;
  }
  grpc::Status Cancel() {
    context_.TryCancel();
    return Wait();
  }
  grpc::Status Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
    return status_;
  }

 private:
  grpc::ClientContext context_;
  v1::SubscribeRequest request_;
  v1::SubscribeResponse message_;
  absl::Mutex mu_;
  absl::Time first_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

class ManySubscribersTest : public SubscriptionTest {
 protected:
  ManySubscribersTest() : SubscriptionTest({"--subscriptions-per-principal", "1000"}) {}
};

// Hundreds of subscribers catching up over the log with a filter that
// matches nothing keep the hub busy for a while. A write only wakes the
// hub: it is never held until they have caught up.
TEST_F(ManySubscribersTest, WritersAreNeverHeldByCatchingUpSubscribers) {
  std::vector<std::thread> fill;
  for (int w = 0; w < 4; ++w) {
    fill.emplace_back([&] {
      LedgerClient writer(ClientOptions{server_.address(), server_.tester_token()});
      for (int i = 0; i < 500; ++i) {
        v1::RecordActivityRequest request;
        request.set_name("g");
        request.set_text(fmt::format("取組 {}", i));
        ASSERT_TRUE(writer.RecordActivity(request).ok());
      }
    });
  }
  for (std::thread& t : fill) t.join();
  const absl::Time baseline_start = absl::Now();
  Write(5);
  const absl::Duration baseline = (absl::Now() - baseline_start) / 5;

  constexpr int kSubscribers = 300;
  std::vector<std::unique_ptr<v1::LedgerService::Stub>> stubs;
  for (int c = 0; c < 6; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("dxledger.test.channel", c);  // a connection of its own
    stubs.push_back(v1::LedgerService::NewStub(
        grpc::CreateCustomChannel(server_.address(), grpc::InsecureChannelCredentials(), args)));
  }
  std::vector<std::unique_ptr<CatchingUp>> subscribers;
  for (int i = 0; i < kSubscribers; ++i) {
    subscribers.push_back(
        std::make_unique<CatchingUp>(*stubs[i % stubs.size()], server_.tester_token(), 1999));
  }
  absl::SleepFor(absl::Milliseconds(100));
  absl::Duration slowest;
  const absl::Time writes_start = absl::Now();
  for (int i = 0; i < 10; ++i) {
    const absl::Time start = absl::Now();
    Write(1, "追いつく間");
    slowest = std::max(slowest, absl::Now() - start);
  }
  const absl::Time writes_end = absl::Now();
  // Every subscriber catches up in the end.
  absl::Time last_caught_up = absl::InfinitePast();
  for (auto& subscriber : subscribers) {
    while (subscriber->first() == absl::InfiniteFuture()) absl::SleepFor(absl::Milliseconds(20));
    last_caught_up = std::max(last_caught_up, subscriber->first());
  }
  std::cout << "baseline write " << baseline << ", slowest during catch-up " << slowest
            << "; writes took " << writes_end - writes_start << ", catching up "
            << last_caught_up - writes_start << "\n";
  // The writes were done while the hub was still catching subscribers up:
  // they did not wait for it.
  EXPECT_LT(writes_end, last_caught_up) << "writes took " << writes_end - writes_start
                                        << ", catching up " << last_caught_up - writes_start;
  EXPECT_LT(slowest, absl::Milliseconds(500) + 20 * baseline)
      << "baseline write " << baseline << ", slowest " << slowest;
  for (auto& subscriber : subscribers)
    EXPECT_EQ(subscriber->Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

// One principal may hold only so many subscriptions; the next is refused
// with RESOURCE_EXHAUSTED, and one ending makes room.
TEST_F(SubscriptionTest, APrincipalsSubscriptionsAreCapped) {
  auto stub = v1::LedgerService::NewStub(
      grpc::CreateChannel(server_.address(), grpc::InsecureChannelCredentials()));
  std::vector<std::unique_ptr<CatchingUp>> held;
  for (int i = 0; i < 16; ++i) {
    held.push_back(std::make_unique<CatchingUp>(*stub, server_.tester_token(), 0));
  }
  for (auto& subscriber : held) {
    while (subscriber->first() == absl::InfiniteFuture()) absl::SleepFor(absl::Milliseconds(10));
  }
  CatchingUp refused(*stub, server_.tester_token(), 0);
  grpc::Status status = refused.Wait();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("already holds 16 subscriptions"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(held.back()->Cancel().error_code(), grpc::StatusCode::CANCELLED);
  held.pop_back();
  absl::SleepFor(absl::Milliseconds(100));
  CatchingUp admitted(*stub, server_.tester_token(), 0);
  while (admitted.first() == absl::InfiniteFuture()) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(admitted.Cancel().error_code(), grpc::StatusCode::CANCELLED);
}

// A subscriber that asks for proofs gets, with every event, its inclusion
// proof in the signed checkpoint that comes with it: it can check each
// event against the log's key alone, with no round trip.
TEST_F(SubscriptionTest, WithProofsEveryEventIsProvedInTheCheckpointItCameWith) {
  Write(20);
  const uint64_t target = Head() + 30;
  std::thread writer([&] {
    LedgerClient other(ClientOptions{server_.address(), server_.tester_token()});
    for (int i = 0; i < 30; ++i) {
      v1::RecordActivityRequest request;
      request.set_name("g");
      request.set_text(fmt::format("後から {}", i));
      EXPECT_TRUE(other.RecordActivity(request).ok());
    }
  });
  absl::StatusOr<note::Verifier> key = note::Verifier::FromKey(server_.verifier_key());
  ASSERT_TRUE(key.ok()) << key.status();
  v1::SubscribeRequest request;
  request.set_start_position(1);
  request.set_with_proofs(true);
  uint64_t last = 0;
  int messages = 0;
  (void)client_->Subscribe(request, [&](const v1::SubscribeResponse& message) {
    if (message.events().empty()) return last < target;
    absl::StatusOr<note::Note> signed_note = note::ParseNote(message.signed_checkpoint());
    EXPECT_TRUE(signed_note.ok() && note::VerifyNote(*signed_note, *key).ok())
        << message.signed_checkpoint();
    absl::StatusOr<tlog::Checkpoint> checkpoint = tlog::ParseCheckpoint(signed_note->text);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status();
    if (!checkpoint.ok()) return false;
    absl::Status verified = client::VerifyEvents(message.events(), message.proofs(), *checkpoint);
    EXPECT_TRUE(verified.ok()) << verified;
    for (const v1::Event& event : message.events()) {
      EXPECT_EQ(event.position(), last + 1);
      EXPECT_LE(event.position(), checkpoint->size);
      last = event.position();
    }
    if (messages++ == 0) {
      // The check is real: an event changed on the way is refused.
      // (The first not a token event, whose bytes a subscriber who is no
      // admin is not given.)
      google::protobuf::RepeatedPtrField<v1::Event> altered = message.events();
      int i = 0;
      while (i + 1 < altered.size() && notation::IsRedacted(altered[i])) ++i;
      altered.Mutable(i)->set_actor("someone-else");
      EXPECT_EQ(client::VerifyEvents(altered, message.proofs(), *checkpoint).code(),
                absl::StatusCode::kDataLoss);
    }
    return last < target;
  });
  writer.join();
  EXPECT_EQ(last, target);
}

}  // namespace
}  // namespace dxledger
