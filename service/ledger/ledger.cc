#include "service/ledger/ledger.h"

#include <future>

#include "base/sha256.h"
#include "fmt/format.h"
#include "service/domain/goal.h"
#include "service/ledger/codec.h"
#include "service/ledger/projection.h"

namespace dxledger::ledger {
namespace {

// A command races another write to the same goal at most this often before
// the caller is told to retry.
constexpr int kMaxAttempts = 8;

std::string IdempotencyKey(const CommandRequest& request) {
  std::string key = request.command.goal.organization;
  key.push_back('\0');
  key.append(request.actor).push_back('\0');
  key.append(request.request_id);
  return key;
}

// What a request id stands for: the operation, its target and its content.
std::string Fingerprint(const CommandRequest& request) {
  std::string material =
      fmt::format("{}\n{}\n{}\n{}\n", request.method, request.command.goal.Format(),
                  request.command.expected_version.value_or(~0ull), request.reason);
  material.append(EncodeDeterministic(request.command.proposal));
  return base::Sha256({material});
}

}  // namespace

Ledger::Ledger(storage::EventStore& store, std::string default_organization, Clock clock)
    : store_(store), default_organization_(std::move(default_organization)), clock_(clock) {}

void Ledger::Execute(CommandRequest request, CommandCallback done) {
  Attempt(std::move(request), kMaxAttempts, std::move(done));
}

absl::StatusOr<CommandOutcome> Ledger::ExecuteAndWait(CommandRequest request) {
  std::promise<absl::StatusOr<CommandOutcome>> promise;
  auto future = promise.get_future();
  Execute(std::move(request), [&promise](absl::StatusOr<CommandOutcome> outcome) {
    promise.set_value(std::move(outcome));
  });
  return future.get();
}

void Ledger::Attempt(CommandRequest request, int attempts_left, CommandCallback done) {
  const std::string stream = StreamOf(request.command.goal);
  std::string request_key, fingerprint;
  if (!request.request_id.empty()) {
    request_key = IdempotencyKey(request);
    fingerprint = Fingerprint(request);
    absl::StatusOr<std::optional<storage::RequestRecord>> seen = store_.ReadRequest(request_key);
    if (!seen.ok()) return std::move(done)(seen.status());
    if (seen->has_value()) {
      if ((*seen)->fingerprint != fingerprint) {
        return std::move(done)(absl::InvalidArgumentError(fmt::format(
            "request_id \"{}\" was already used for a different request; use a new request_id",
            request.request_id)));
      }
      return std::move(done)(Replay(request.command.goal, **seen));
    }
  }
  absl::Status refused;
  {
    // Held until the append is submitted: see PendingViews. A command that
    // is refused answers after letting go, so its reply (and the security
    // record of a refusal) holds up no other command.
    PendingViews::Claim claim(pending_, {stream});
    absl::StatusOr<Decision> decision = DecideCommand(request, stream, claim.view(stream));
    if (decision.ok()) {
      decision->append.request_key = std::move(request_key);
      decision->append.request_fingerprint = std::move(fingerprint);
      const uint64_t ticket = claim.Submitted(stream, decision->append.streams.front().view);
      AppendDecision(std::move(request), attempts_left, std::move(*decision), stream, ticket,
                     std::move(done));
      return;
    }
    refused = decision.status();
  }
  std::move(done)(refused);
}

absl::StatusOr<Ledger::Decision> Ledger::DecideCommand(const CommandRequest& request,
                                                       const std::string& stream,
                                                       const std::string* pending) {
  absl::StatusOr<std::optional<v1::Goal>> current = LoadView(stream, pending);
  if (!current.ok()) return current.status();
  const v1::Goal* before = current->has_value() ? &**current : nullptr;
  if (before != nullptr && request.authorize) {
    if (absl::Status allowed = request.authorize(*before); !allowed.ok()) return allowed;
  }
  const int fiscal_year =
      before ? before->fiscal_year() : request.command.proposal.goal_created().fiscal_year();
  absl::StatusOr<v1::FiscalYear> year = LoadYear({request.command.goal.organization, fiscal_year});
  if (!year.ok()) return year.status();
  domain::CommandContext context{request.actor, clock_(), request.request_id, request.reason,
                                 &*year};
  absl::StatusOr<std::vector<v1::Event>> events = Decide(before, request.command, context);
  if (!events.ok()) return events.status();

  Decision decision;
  CommandOutcome& outcome = decision.outcome;
  if (before != nullptr) outcome.goal = **std::move(current);
  storage::StreamWrite write{stream, outcome.goal.version(), {}, {}};
  for (const v1::Event& event : *events) {
    domain::Apply(event, outcome.goal);
    write.events.push_back(EncodeEvent(event));
  }
  write.view = EncodeGoal(outcome.goal);
  decision.append.index = IndexEntries(request.command.goal.organization, *events, outcome.goal);
  decision.append.streams.push_back(std::move(write));
  outcome.events = *std::move(events);
  return decision;
}

void Ledger::AppendDecision(CommandRequest request, int attempts_left, Decision decision,
                            const std::string& stream, uint64_t ticket, CommandCallback done) {
  store_.Append(
      std::move(decision.append),
      [this, request = std::move(request), outcome = std::move(decision.outcome), attempts_left,
       stream = stream, ticket,
       done = std::move(done)](absl::StatusOr<storage::AppendResult> result) mutable {
        pending_.Finished(stream, ticket, result.ok());
        // ABORTED: another write to this goal got in first. ALREADY_EXISTS: a
        // twin with the same request id did. Deciding again answers both
        // correctly (a fresh version check, or the replay).
        if ((absl::IsAborted(result.status()) || absl::IsAlreadyExists(result.status())) &&
            attempts_left > 1) {
          return Attempt(std::move(request), attempts_left - 1, std::move(done));
        }
        if (absl::IsAborted(result.status())) {
          return std::move(done)(absl::AbortedError(fmt::format(
              "goal {} is being changed by others; retry", request.command.goal.Format())));
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

absl::StatusOr<std::optional<v1::Goal>> Ledger::LoadView(const std::string& stream,
                                                         const std::string* pending) {
  if (pending != nullptr) return DecodeGoal(*pending);
  absl::StatusOr<std::optional<storage::StoredView>> view = store_.ReadView(stream);
  if (!view.ok()) return view.status();
  if (!view->has_value()) return std::nullopt;
  return DecodeGoal((*view)->bytes);
}

absl::StatusOr<v1::FiscalYear> Ledger::LoadYear(const domain::FiscalYearName& name) {
  absl::StatusOr<std::optional<storage::StoredView>> view = store_.ReadView(StreamOfYear(name));
  if (!view.ok()) return view.status();
  if (!view->has_value()) return domain::ImplicitYear(name);
  return DecodeYear((*view)->bytes);
}

absl::StatusOr<std::vector<v1::Event>> Ledger::ReadEvents(const std::vector<uint64_t>& positions) {
  std::vector<storage::LogRecord> records;
  records.reserve(positions.size());
  for (uint64_t position : positions) {
    absl::StatusOr<storage::LogRecord> record = store_.ReadEvent(position);
    if (!record.ok()) return record.status();
    records.push_back(*std::move(record));
  }
  return DecodeEvents(records);
}

absl::StatusOr<CommandOutcome> Ledger::Replay(const domain::GoalName& goal,
                                              const storage::RequestRecord& record) {
  std::vector<uint64_t> positions;
  for (uint64_t p = record.first_position; p <= record.last_position; ++p) positions.push_back(p);
  absl::StatusOr<std::vector<v1::Event>> events = ReadEvents(positions);
  if (!events.ok()) return events.status();
  CommandOutcome outcome;
  outcome.replayed = true;
  absl::StatusOr<v1::Goal> folded =
      FoldGoal(goal, events->empty() ? std::nullopt : std::optional(events->back().version()));
  if (!folded.ok()) return folded.status();
  outcome.goal = *std::move(folded);
  outcome.events = *std::move(events);
  return outcome;
}

absl::StatusOr<v1::Goal> Ledger::FoldGoal(const domain::GoalName& name,
                                          std::optional<uint64_t> version) {
  const size_t limit = version ? *version : std::numeric_limits<size_t>::max();
  absl::StatusOr<std::vector<storage::LogRecord>> records =
      store_.ReadStream(StreamOf(name), 1, limit);
  if (!records.ok()) return records.status();
  if (records->empty()) return absl::NotFoundError(fmt::format("goal {} not found", name.Format()));
  return Fold(*records);
}

absl::StatusOr<v1::Goal> Ledger::FoldGoalAt(const domain::GoalName& name, uint64_t position) {
  // Stream positions grow with versions, so the events up to `position` are
  // a prefix of the goal's own index.
  constexpr size_t kPage = 256;
  std::vector<storage::LogRecord> records;
  for (uint64_t version = 1;;) {
    absl::StatusOr<std::vector<storage::LogRecord>> page =
        store_.ReadStream(StreamOf(name), version, kPage);
    if (!page.ok()) return page.status();
    bool past = false;
    for (storage::LogRecord& record : *page) {
      past = record.position > position;
      if (past) break;
      records.push_back(std::move(record));
    }
    if (past || page->size() < kPage) break;
    version += kPage;
  }
  if (records.empty()) {
    return absl::NotFoundError(
        fmt::format("goal {} did not exist at position {}", name.Format(), position));
  }
  return Fold(records);
}

absl::StatusOr<v1::Goal> Ledger::Fold(const std::vector<storage::LogRecord>& records) {
  v1::Goal goal;
  for (const storage::LogRecord& record : records) {
    absl::StatusOr<v1::Event> event = DecodeEvent(record);
    if (!event.ok()) return event.status();
    domain::Apply(*event, goal);
  }
  return goal;
}

}  // namespace dxledger::ledger
