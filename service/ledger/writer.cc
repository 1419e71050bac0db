// Writer: the pipeline's steps around the decision (write_decision.cc):
// idempotency, retries, the append and the answer.
#include "service/ledger/writer.h"

#include <future>

#include "base/overloaded.h"
#include "base/sha256.h"
#include "fmt/format.h"
#include "service/domain/principals.h"
#include "service/ledger/codec.h"
#include "service/ledger/streams.h"

namespace dxledger::ledger {
namespace {

// A write races others to its streams at most this often before the caller
// is told to retry.
constexpr int kMaxAttempts = 8;

std::string RequestKey(const WriteRequest& request) {
  return RequestKeyOf(request.scope, request.actor, request.request_id);
}

// What a request id stands for: the operation, its targets and content.
// For one goal command this is the digest earlier releases stored, so a
// retry across an upgrade still replays.
std::string Fingerprint(const WriteRequest& request) {
  if (!request.fingerprint.empty()) return request.fingerprint;
  std::string material = fmt::format("{}\n", request.method);
  for (const StreamCommand& command : request.commands) {
    std::visit(
        Overloaded{[&](const GoalCommand& c) {
                     fmt::format_to(std::back_inserter(material), "{}\n{}\n{}\n",
                                    c.command.goal.Format(),
                                    c.command.expected_version.value_or(~0ull), request.reason);
                     material.append(EncodeDeterministic(c.command.proposal));
                   },
                   [&](const domain::YearCommand& c) {
                     fmt::format_to(std::back_inserter(material), "{}\n\n{}\n", c.year.Format(),
                                    request.reason);
                     material.append(EncodeDeterministic(c.proposal));
                   },
                   [&](const PrincipalChange& c) {
                     fmt::format_to(std::back_inserter(material), "{}\n\n{}\n",
                                    domain::PrincipalStreamName(c.principal), request.reason);
                     material.append(EncodeDeterministic(c.proposal));
                   }},
        command);
  }
  return base::Sha256({material});
}

// Runs `start` with a callback and waits for its answer. Not for callbacks.
template <typename Outcome, typename Start>
absl::StatusOr<Outcome> Await(Start start) {
  std::promise<absl::StatusOr<Outcome>> promise;
  auto future = promise.get_future();
  start([&promise](absl::StatusOr<Outcome> outcome) { promise.set_value(std::move(outcome)); });
  return future.get();
}

// The answer to a write of one command, as `Outcome`: its events and its
// stream's view (`View`, put in `view`).
template <typename View, typename Outcome>
Writer::WriteCallback AnswerAs(absl::AnyInvocable<void(absl::StatusOr<Outcome>) &&> done,
                               View Outcome::*view) {
  return [done = std::move(done), view](absl::StatusOr<WriteOutcome> outcome) mutable {
    if (!outcome.ok()) return std::move(done)(outcome.status());
    Outcome answer;
    answer.*view = std::get<View>(std::move(outcome->views.front()));
    answer.events = std::move(outcome->events);
    answer.replayed = outcome->replayed;
    std::move(done)(std::move(answer));
  };
}

}  // namespace

Writer::Writer(storage::EventStore& store, Queries& queries, Clock clock)
    : store_(store), queries_(queries), clock_(std::move(clock)) {}

void Writer::Write(WriteRequest request, WriteCallback done) {
  Attempt(std::move(request), kMaxAttempts, std::move(done));
}

absl::StatusOr<WriteOutcome> Writer::WriteAndWait(WriteRequest request) {
  return Await<WriteOutcome>(
      [&](WriteCallback done) { Write(std::move(request), std::move(done)); });
}

void Writer::Attempt(WriteRequest request, int attempts_left, WriteCallback done) {
  const bool idempotent = !request.request_id.empty() && !request.validate_only;
  std::string request_key, fingerprint;
  if (idempotent) {
    request_key = RequestKey(request);
    fingerprint = Fingerprint(request);
    absl::StatusOr<std::optional<storage::RequestRecord>> seen = store_.ReadRequest(request_key);
    if (!seen.ok()) return std::move(done)(seen.status());
    if (seen->has_value()) {
      if ((*seen)->fingerprint != fingerprint) {
        return std::move(done)(absl::InvalidArgumentError(fmt::format(
            "request_id \"{}\" was already used for a different request; use a new request_id",
            request.request_id)));
      }
      return std::move(done)(Replay(request, **seen));
    }
  }
  std::vector<StreamCommand> planned;
  if (request.plan) {
    absl::StatusOr<std::vector<StreamCommand>> commands = request.plan();
    if (!commands.ok()) return std::move(done)(commands.status());
    planned = *std::move(commands);
  }
  const std::vector<StreamCommand>& commands = request.plan ? planned : request.commands;
  std::vector<std::string> keys;
  keys.reserve(commands.size());
  for (const StreamCommand& command : commands) keys.push_back(StreamKeyOf(command));

  absl::StatusOr<WriteOutcome> answer = absl::UnknownError("undecided");
  {
    // Held until the append is submitted: see PendingViews. A write that is
    // refused, validated only, or decides nothing answers after letting go,
    // so its reply (and the security record of a refusal) holds up no other.
    PendingViews::Claim claim(pending_, keys);
    absl::StatusOr<Decision> decision = Decide(request, commands, keys, claim);
    if (!decision.ok()) {
      answer = decision.status();
    } else if (request.validate_only || decision->outcome.events.empty()) {
      answer = std::move(decision->outcome);
    } else if (absl::Status open = gate_ ? gate_() : absl::OkStatus(); !open.ok()) {
      // Decided and valid, but the store may not take it (a full disk):
      // refused whole, before anything is written.
      answer = std::move(open);
    } else {
      decision->append.request_key = std::move(request_key);
      decision->append.request_fingerprint = std::move(fingerprint);
      std::vector<std::pair<std::string, uint64_t>> tickets;
      tickets.reserve(decision->append.streams.size());
      for (const storage::StreamWrite& write : decision->append.streams) {
        tickets.emplace_back(write.stream, claim.Submitted(write.stream, write.view));
      }
      Append(std::move(request), attempts_left, *std::move(decision), std::move(tickets),
             std::move(done));
      return;
    }
  }
  std::move(done)(std::move(answer));
}

void Writer::Append(WriteRequest request, int attempts_left, Decision decision,
                    std::vector<std::pair<std::string, uint64_t>> tickets, WriteCallback done) {
  store_.Append(
      std::move(decision.append),
      [this, request = std::move(request), attempts_left, outcome = std::move(decision.outcome),
       tickets = std::move(tickets),
       done = std::move(done)](absl::StatusOr<storage::AppendResult> result) mutable {
        for (const auto& [stream, ticket] : tickets) pending_.Finished(stream, ticket, result.ok());
        // ABORTED: another write to one of the streams got in first, or
        // one with a later record time did. ALREADY_EXISTS: a twin with the
        // same request id did. Deciding again answers all three right (a
        // fresh version check and time, or the replay).
        if ((absl::IsAborted(result.status()) || absl::IsAlreadyExists(result.status())) &&
            attempts_left > 1) {
          return Attempt(std::move(request), attempts_left - 1, std::move(done));
        }
        if (absl::IsAborted(result.status())) {
          const std::string what = !request.plan && request.commands.size() == 1
                                       ? TargetOf(request.commands.front())
                                       : std::string("the goals");
          return std::move(done)(
              absl::AbortedError(fmt::format("{} is being changed by others; retry", what)));
        }
        if (!result.ok()) return std::move(done)(result.status());
        for (size_t i = 0; i < outcome.events.size(); ++i) {
          v1::Event& event = outcome.events[i];
          event.set_position(result->first_position + i);
          event.set_hash(result->hashes[i]);
          event.set_prev_hash(i == 0 ? result->prev_hash : result->hashes[i - 1]);
        }
        std::move(done)(std::move(outcome));
      });
}

absl::StatusOr<WriteOutcome> Writer::Replay(const WriteRequest& request,
                                            const storage::RequestRecord& record) {
  WriteOutcome outcome;
  outcome.replayed = true;
  absl::StatusOr<std::vector<storage::LogRecord>> records =
      store_.ReadLog(record.first_position, record.last_position - record.first_position + 1);
  if (!records.ok()) return records.status();
  absl::StatusOr<std::vector<v1::Event>> events = DecodeEvents(*records);
  if (!events.ok()) return events.status();
  outcome.events = *std::move(events);
  if (request.plan || request.commands.size() != 1 || outcome.events.empty()) return outcome;
  // A write of one answers with its stream's view as the write left it.
  const StreamCommand& command = request.commands.front();
  absl::StatusOr<std::vector<storage::LogRecord>> stream =
      store_.ReadStream(StreamKeyOf(command), 1, outcome.events.back().version());
  if (!stream.ok()) return stream.status();
  StreamView& view = outcome.views.emplace_back(ViewBeforeFirstEvent(command));
  for (const storage::LogRecord& event_record : *stream) {
    absl::StatusOr<v1::Event> event = DecodeEvent(event_record);
    if (!event.ok()) return event.status();
    ApplyToView(*event, view);
  }
  return outcome;
}

void Writer::Execute(CommandRequest request, CommandCallback done) {
  WriteRequest write;
  write.method = std::move(request.method);
  write.scope = request.command.goal.organization;
  write.actor = std::move(request.actor);
  write.request_id = std::move(request.request_id);
  write.reason = std::move(request.reason);
  write.commands.push_back(GoalCommand{std::move(request.command), std::move(request.authorize)});
  Write(std::move(write), AnswerAs(std::move(done), &CommandOutcome::goal));
}

absl::StatusOr<CommandOutcome> Writer::ExecuteAndWait(CommandRequest request) {
  return Await<CommandOutcome>(
      [&](CommandCallback done) { Execute(std::move(request), std::move(done)); });
}

void Writer::ExecutePrincipal(PrincipalCommand command, PrincipalCallback done) {
  WriteRequest write;
  write.method = std::move(command.method);
  write.actor = std::move(command.actor);
  write.request_id = std::move(command.request_id);
  write.reason = std::move(command.reason);
  write.commands.push_back(
      PrincipalChange{std::move(command.principal), std::move(command.proposal)});
  Write(std::move(write), AnswerAs(std::move(done), &PrincipalOutcome::principal));
}

absl::StatusOr<PrincipalOutcome> Writer::ExecutePrincipalAndWait(PrincipalCommand command) {
  return Await<PrincipalOutcome>(
      [&](PrincipalCallback done) { ExecutePrincipal(std::move(command), std::move(done)); });
}

absl::Status Writer::RecordSecurityEvent(const v1::SecurityEvent& event) {
  if (gate_) {
    if (absl::Status open = gate_(); !open.ok()) return open;  // refusals must not fill it
  }
  return store_.RecordSecurityEvent(absl::ToUnixMicros(ToTime(event.event_time())),
                                    event.SerializeAsString());
}

}  // namespace dxledger::ledger
