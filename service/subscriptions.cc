#include "service/subscriptions.h"

#include <google/protobuf/unknown_field_set.h>

#include <map>

#include "base/merkle.h"
#include "base/thread_name.h"
#include "fmt/format.h"
#include "proto/notation/secrets.h"
#include "service/domain/goal.h"
#include "service/ledger/codec.h"
#include "service/log.h"
#include "service/status.h"
#include "storage/log_tree.h"

namespace dxledger::service {
namespace {

// A message carries up to this many events, or this many bytes of them
// (whichever comes first, and at least one event). The hub holds its lock
// while it reads a message, and a subscriber's write completion waits for
// it, so messages stay small: 2048 events a message measured no faster in
// pooled catch-up runs (BENCHMARKS.md).
// 1 MiB stays well under gRPC's default 4 MiB limit for clients in any
// language.
constexpr int kEventsPerMessage = 256;
// With proofs, each event costs an inclusion proof (about 10 µs of tree
// reads) under that lock: fewer events a message keep the hold as short.
constexpr int kEventsPerProvedMessage = 32;
constexpr size_t kBytesPerMessage = 1 << 20;
// How often the hub looks at idle subscribers (checkpoints, stalls).
constexpr absl::Duration kTick = absl::Milliseconds(200);

// The inclusion proof of `record` in the tree of `tree_size` events, added
// to `message`.
absl::Status AddProof(const storage::EventView& record, uint64_t tree_size,
                      v1::SubscribeResponse& message, ledger::Notary& notary) {
  absl::StatusOr<std::vector<std::string>> path = notary.AuditPath(record.position, tree_size);
  if (!path.ok()) return path.status();
  v1::EventProof& proof = *message.add_proofs();
  proof.set_position(record.position);
  proof.set_tree_size(tree_size);
  proof.set_leaf(storage::LeafBytes(record.position, record.body));
  for (std::string& hash : *path) proof.add_hashes(std::move(hash));
  return absl::OkStatus();
}

// Whether an event's bytes may hold a token hash: they carry the tag of
// principal_added (field 40) or principal_token_rotated (42), as a length-
// delimited field. A match in other bytes only costs a parse.
bool MayCarrySecret(std::string_view body) {
  return body.find("\xC2\x02") != std::string_view::npos ||
         body.find("\xD2\x02") != std::string_view::npos;
}

std::string_view PayloadName(const v1::Event& event) {
  const google::protobuf::FieldDescriptor* field =
      v1::Event::descriptor()->FindFieldByNumber(event.payload_case());
  return field == nullptr ? std::string_view() : std::string_view(field->name());
}

}  // namespace

absl::StatusOr<SubscriptionFilter> MakeFilter(const v1::SubscribeRequest& request,
                                              std::string organization) {
  SubscriptionFilter filter;
  filter.organization = std::move(organization);
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  for (const std::string& type : request.event_types()) {
    const google::protobuf::FieldDescriptor* field = v1::Event::descriptor()->FindFieldByName(type);
    if (field == nullptr || field->containing_oneof() != payload) {
      return absl::InvalidArgumentError(fmt::format(
          "event_types: \"{}\" is not an event payload such as rating_set or goal_created", type));
    }
    filter.event_types.insert(type);
  }
  filter.departments = {request.departments().begin(), request.departments().end()};
  filter.fiscal_year = request.fiscal_year();
  filter.with_proofs = request.with_proofs();
  return filter;
}

class SubscriptionHub::Subscriber : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
 public:
  Subscriber(SubscriptionHub* hub, SubscriptionFilter filter, uint64_t next, std::string principal)
      : hub_(hub),
        filter_(std::move(filter)),
        principal_(std::move(principal)),
        next_(next),
        last_message_(absl::Now()) {}

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      in_flight_ = false;
      if (!ok) End(grpc::Status(grpc::StatusCode::CANCELLED, "the subscriber went away"));
    }
    hub_->Signal();
  }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    End(grpc::Status::CANCELLED);
  }
  void OnDone() override {
    SubscriptionHub* hub = hub_;
    std::shared_ptr<Subscriber> self;  // the hub may hold it a little longer
    {
      absl::MutexLock lock(&hub->mu_);
      auto it = hub->subscribers_.find(this);
      if (it == hub->subscribers_.end()) {
        delete this;  // refused before it joined
        return;
      }
      self = std::move(it->second);
      hub->subscribers_.erase(it);
      hub->count_.fetch_sub(1, std::memory_order_relaxed);
      if (--hub->per_principal_[principal_] == 0) hub->per_principal_.erase(principal_);
    }
  }

  // Finishes the call once, whatever asked first.
  void End(grpc::Status status) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(status));
  }
  // The first position not handed to gRPC: a message read ahead was not.
  uint64_t resume_position() const {
    const uint64_t resume = prepared_ ? prepared_from_ : next_;
    return resume == 0 ? 1 : resume;
  }
  std::string ResumeHint() const {
    return fmt::format("resume from position {}", resume_position());
  }

  // True when the event of `record` passes the filter. Only a filter reads
  // the event (into `scratch`); without one it is forwarded as stored.
  bool Wants(const storage::EventView& record, v1::Event& scratch, ledger::Ledger& ledger) {
    if (filter_.organization.empty() && filter_.event_types.empty() &&
        filter_.departments.empty() && filter_.fiscal_year == 0) {
      return true;
    }
    if (!scratch.ParseFromArray(record.body.data(), static_cast<int>(record.body.size()))) {
      return false;  // cannot happen: the record passed its hash
    }
    return Matches(scratch, ledger);
  }

  // True when `event` passes the filter; goals are looked up once.
  bool Matches(const v1::Event& event, ledger::Ledger& ledger) {
    if (!filter_.organization.empty() &&
        !event.goal().starts_with("organizations/" + filter_.organization + "/")) {
      return false;
    }
    if (!filter_.event_types.empty() &&
        !filter_.event_types.contains(std::string(PayloadName(event)))) {
      return false;
    }
    if (filter_.departments.empty() && filter_.fiscal_year == 0) return true;
    absl::StatusOr<domain::GoalName> name = domain::ParseGoalName(event.goal(), "");
    if (!name.ok()) return false;  // a fiscal year's or a principal's own event
    auto [it, added] = goals_.try_emplace(event.goal());
    if (added) {
      absl::StatusOr<v1::Goal> goal = ledger.queries().GetGoal(*name);
      if (goal.ok()) it->second = *std::move(goal);
    }
    const v1::Goal& goal = it->second;
    if (filter_.fiscal_year != 0 && goal.fiscal_year() != filter_.fiscal_year) return false;
    if (filter_.departments.empty()) return true;
    for (const std::string& department : filter_.departments) {
      if (domain::OwnedBy(goal, department)) return true;
    }
    return false;
  }

  SubscriptionHub* hub_;
  // Held by the hub while it reads for this subscriber, and by gRPC's
  // callbacks.
  absl::Mutex mu_;
  SubscriptionFilter filter_;
  const std::string principal_;
  uint64_t next_;  // the next position to read
  bool in_flight_ = false;
  bool finished_ = false;
  bool caught_up_ = false;  // has reached the head once
  absl::Time write_start_;
  absl::Time last_message_;
  v1::SubscribeResponse message_;       // the one in flight
  v1::SubscribeResponse next_message_;  // read ahead, when prepared_
  bool prepared_ = false;
  uint64_t prepared_from_ = 0;  // next_ before next_message_ was read
  std::map<std::string, v1::Goal> goals_;
};

SubscriptionHub::SubscriptionHub(ledger::Ledger& ledger, ledger::Notary& notary,
                                 SubscriptionOptions options)
    : ledger_(ledger), notary_(notary), options_(options) {
  thread_ = std::thread([this] { Run(); });
  base::NameThread(thread_, "dxl-subscribers");
}

SubscriptionHub::~SubscriptionHub() { Stop(); }

grpc::ServerWriteReactor<v1::SubscribeResponse>* SubscriptionHub::Subscribe(
    SubscriptionFilter filter, uint64_t next_position, std::string principal) {
  auto* subscriber = new Subscriber(this, std::move(filter), next_position, principal);
  grpc::Status refusal;
  {
    absl::MutexLock lock(&mu_);
    size_t& held = per_principal_[principal];
    if (stopping_) {
      refusal = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "the server is shutting down; " + subscriber->ResumeHint());
    } else if (held >= options_.max_per_principal) {
      refusal = grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          fmt::format("{} already holds {} subscriptions, the most one principal may; end one "
                      "first",
                      principal, options_.max_per_principal));
    }
    if (refusal.ok()) {
      ++held;
      subscribers_.emplace(subscriber, std::shared_ptr<Subscriber>(subscriber));
      count_.fetch_add(1, std::memory_order_relaxed);
    } else if (held == 0) {
      per_principal_.erase(principal);
    }
  }
  if (!refusal.ok()) {
    absl::MutexLock lock(&subscriber->mu_);
    subscriber->End(std::move(refusal));  // OnDone deletes it: it never joined
    return subscriber;
  }
  Signal();
  return subscriber;
}

void SubscriptionHub::Wake() {
  // Called after every commit: with nobody subscribed there is no thread to
  // wake. A subscriber that joins later is pumped from its start position
  // when it joins.
  if (count_.load(std::memory_order_relaxed) == 0) return;
  Signal();
}

void SubscriptionHub::Signal() {
  absl::MutexLock lock(&wake_mu_);
  if (woken_) return;
  woken_ = true;
  wake_.Signal();
}

size_t SubscriptionHub::subscribers() const { return count_.load(std::memory_order_relaxed); }

void SubscriptionHub::Stop() {
  std::vector<std::shared_ptr<Subscriber>> ending;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [_, subscriber] : subscribers_) ending.push_back(subscriber);
  }
  for (const std::shared_ptr<Subscriber>& subscriber : ending) {
    absl::MutexLock lock(&subscriber->mu_);
    subscriber->End(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the server is shutting down; " + subscriber->ResumeHint()));
  }
  {
    absl::MutexLock lock(&wake_mu_);
    halted_ = true;
    wake_.Signal();
  }
  thread_.join();
}

void SubscriptionHub::Run() {
  std::vector<std::shared_ptr<Subscriber>> round;
  while (true) {
    {
      absl::MutexLock lock(&wake_mu_);
      // A condition variable, not Mutex::Await: ThreadSanitizer can follow
      // it (tests/sanitizers/tsan_absl_mutex.cc).
      const absl::Time until = absl::Now() + kTick;
      while (!woken_ && !halted_ && !wake_.WaitWithDeadline(&wake_mu_, until)) {
      }
      if (halted_) return;
      woken_ = false;
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) continue;  // halted_ follows
      for (auto& [_, subscriber] : subscribers_) round.push_back(subscriber);
    }
    again_ = false;
    for (const std::shared_ptr<Subscriber>& subscriber : round) {
      absl::MutexLock lock(&subscriber->mu_);
      Pump(*subscriber);
    }
    round.clear();  // may delete subscribers that ended meanwhile
    if (again_) Signal();
  }
}

void SubscriptionHub::Pump(Subscriber& subscriber) {
  if (subscriber.finished_) return;
  const absl::Time now = absl::Now();
  if (subscriber.in_flight_) {
    const uint64_t head = ledger_.queries().head().position;
    const uint64_t lag = head + 1 > subscriber.next_ ? head + 1 - subscriber.next_ : 0;
    if (now - subscriber.write_start_ > options_.stall_timeout && lag > options_.max_lag) {
      cut_off_.fetch_add(1, std::memory_order_relaxed);
      log::Warning("subscriber cut off",
                   {{"lag", lag}, {"resume_from", subscriber.resume_position()}});
      subscriber.End(
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       fmt::format("the subscriber fell {} events behind without reading; {}", lag,
                                   subscriber.ResumeHint())));
      return;
    }
    // While one message is on its way, the next is read: sending one and
    // reading the next overlap. Only a message with events is read ahead.
    if (!subscriber.prepared_) Prepare(subscriber, now, /*ahead=*/true);
    return;
  }
  if (!subscriber.prepared_ && !Prepare(subscriber, now, /*ahead=*/false)) return;
  std::swap(subscriber.message_, subscriber.next_message_);
  subscriber.prepared_ = false;
  subscriber.in_flight_ = true;
  subscriber.write_start_ = now;
  subscriber.last_message_ = now;
  subscriber.StartWrite(&subscriber.message_);
  Prepare(subscriber, now, /*ahead=*/true);
}

bool SubscriptionHub::Prepare(Subscriber& subscriber, absl::Time now, bool ahead) {
  v1::SubscribeResponse& message = subscriber.next_message_;
  message.Clear();
  // Events go out as the log stores them, never decoded and encoded again:
  // each is a length-delimited field 1 (SubscribeResponse.events) that the
  // message carries as an unknown field and writes verbatim.
  google::protobuf::UnknownFieldSet& events =
      *message.GetReflection()->MutableUnknownFields(&message);
  const uint64_t from = subscriber.next_;
  // With proofs, events go out only as far as a signed checkpoint covers.
  storage::StoredCheckpoint checkpoint;
  const bool proofs = subscriber.filter_.with_proofs;
  if (proofs && !Checkpoint(subscriber, checkpoint)) return false;
  const size_t limit =
      !proofs
          ? kEventsPerMessage
          : static_cast<size_t>(std::min<uint64_t>(
                kEventsPerProvedMessage, checkpoint.size >= from ? checkpoint.size - from + 1 : 0));
  size_t read = 0, bytes = 0;
  absl::Status failed;
  absl::Status scanned =
      limit == 0 ? absl::OkStatus()
                 : ledger_.queries().ScanLog(from, limit, [&](const storage::EventView& record) {
                     ++read;
                     subscriber.next_ = record.position + 1;
                     if (subscriber.Wants(record, scratch_, ledger_)) {
                       std::string_view body = record.body;
                       const bool withheld = subscriber.filter_.redact_secrets &&
                                             MayCarrySecret(body) && Redact(body);
                       if (withheld) body = redacted_;
                       std::string& event =
                           *events.AddLengthDelimited(v1::SubscribeResponse::kEventsFieldNumber);
                       ledger::AppendEventBytes(record.position, record.prev_hash, record.hash,
                                                body, event);
                       bytes += event.size();
                       if (proofs) {
                         failed = AddProof(record, checkpoint.size, message, notary_);
                         if (withheld && failed.ok()) {
                           v1::EventProof& proof = *message.mutable_proofs()->rbegin();
                           proof.set_leaf_hash(merkle::LeafHash(proof.leaf()));
                           proof.clear_leaf();
                         }
                       }
                     }
                     return failed.ok() && bytes < kBytesPerMessage;
                   });
  if (scanned.ok()) scanned = failed;
  if (!scanned.ok()) {
    subscriber.End(ToGrpcStatus(scanned));
    return false;
  }
  if (proofs) message.set_signed_checkpoint(checkpoint.note);
  if (ahead) {
    if (events.empty()) {
      subscriber.next_ = from;  // read again when it may go out as a checkpoint
      return false;
    }
  } else {
    // A checkpoint goes out when the subscriber first catches up (so it
    // knows it has everything so far), and then at least every checkpoint
    // interval.
    const bool caught_up = read == 0 && !subscriber.caught_up_;
    if (read == 0) subscriber.caught_up_ = true;
    if (events.empty() && !caught_up &&
        now - subscriber.last_message_ < options_.checkpoint_interval) {
      if (read != 0) again_ = true;  // more to read, nothing to send yet
      return false;
    }
  }
  message.set_checkpoint_position(subscriber.next_ - 1);
  subscriber.prepared_ = true;
  subscriber.prepared_from_ = from;
  return true;
}

bool SubscriptionHub::Redact(std::string_view body) {
  if (!secret_.ParseFromArray(body.data(), static_cast<int>(body.size())) ||
      !notation::RedactSecret(secret_)) {
    return false;
  }
  redacted_.clear();
  return secret_.SerializeToString(&redacted_);
}

bool SubscriptionHub::Checkpoint(Subscriber& subscriber, storage::StoredCheckpoint& checkpoint) {
  absl::StatusOr<storage::StoredCheckpoint> latest = notary_.Latest();
  if (!latest.ok()) {
    subscriber.End(ToGrpcStatus(latest.status()));
    return false;
  }
  checkpoint = *std::move(latest);
  return true;
}

}  // namespace dxledger::service
