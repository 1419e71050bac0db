// Ledger::ExecuteBatch: many commands, many goals, one atomic append.
#include <map>

#include "fmt/format.h"
#include "service/domain/goal.h"
#include "service/ledger/codec.h"
#include "service/ledger/ledger.h"
#include "service/ledger/projection.h"

namespace dxledger::ledger {
namespace {

constexpr int kMaxBatchAttempts = 8;

std::string BatchKey(const BatchRequest& request) {
  std::string key = request.organization;
  key.push_back('\0');
  key.append(request.actor).push_back('\0');
  key.append(request.request_id);
  return key;
}

}  // namespace

// A goal or fiscal year the batch writes to: its view as the batch goes, and
// its write.
struct Ledger::BatchStream {
  v1::Goal goal;
  std::optional<v1::FiscalYear> year;  // set for a fiscal year's stream
  bool exists = false;
  size_t write = 0;  // index in AppendRequest::streams
};

absl::Status Ledger::LoadStream(const std::string& key, const CommandRequest& command,
                                const std::string* pending, BatchStream& stream) {
  std::optional<storage::StoredView> stored;
  if (pending == nullptr) {
    absl::StatusOr<std::optional<storage::StoredView>> view = store_.ReadView(key);
    if (!view.ok()) return view.status();
    stored = *std::move(view);
  }
  stream.exists = pending != nullptr || stored.has_value();
  const std::string_view bytes = pending  ? std::string_view(*pending)
                                 : stored ? std::string_view(stored->bytes)
                                          : std::string_view();
  if (command.year_command) {
    absl::StatusOr<v1::FiscalYear> year =
        stream.exists ? DecodeYear(bytes) : domain::ImplicitYear(command.year_command->year);
    if (!year.ok()) return year.status();
    stream.year = *std::move(year);
    return absl::OkStatus();
  }
  if (!stream.exists) return absl::OkStatus();
  absl::StatusOr<v1::Goal> goal = DecodeGoal(bytes);
  if (!goal.ok()) return goal.status();
  stream.goal = *std::move(goal);
  return absl::OkStatus();
}

void Ledger::ExecuteBatch(BatchRequest request, BatchCallback done) {
  AttemptBatch(std::make_shared<BatchRequest>(std::move(request)), kMaxBatchAttempts,
               std::move(done));
}

void Ledger::AttemptBatch(std::shared_ptr<BatchRequest> request, int attempts_left,
                          BatchCallback done) {
  if (!request->request_id.empty() && !request->validate_only) {
    absl::StatusOr<std::optional<storage::RequestRecord>> seen =
        store_.ReadRequest(BatchKey(*request));
    if (!seen.ok()) return std::move(done)(seen.status());
    if (seen->has_value()) {
      if ((*seen)->fingerprint != request->fingerprint) {
        return std::move(done)(absl::InvalidArgumentError(fmt::format(
            "request_id \"{}\" was already used for a different request; use a new request_id",
            request->request_id)));
      }
      std::vector<uint64_t> positions;
      for (uint64_t p = (*seen)->first_position; p <= (*seen)->last_position; ++p) {
        positions.push_back(p);
      }
      absl::StatusOr<std::vector<v1::Event>> events = ReadEvents(positions);
      if (!events.ok()) return std::move(done)(events.status());
      return std::move(done)(BatchOutcome{*std::move(events), true});
    }
  }
  absl::StatusOr<std::vector<CommandRequest>> commands = request->plan();
  if (!commands.ok()) return std::move(done)(commands.status());

  std::vector<std::string> keys;
  keys.reserve(commands->size());
  for (const CommandRequest& command : *commands) {
    keys.push_back(command.year_command ? StreamOfYear(command.year_command->year)
                                        : StreamOf(command.command.goal));
  }
  std::optional<absl::StatusOr<BatchOutcome>> answer;
  {
    // Held until the append is submitted: see PendingViews. A batch that is
    // refused, or only validated, answers after letting go.
    PendingViews::Claim claim(pending_, keys);
    absl::StatusOr<BatchDecision> decision = DecideBatch(*request, *commands, keys, claim);
    if (!decision.ok()) {
      answer = decision.status();
    } else if (request->validate_only || decision->outcome.events.empty()) {
      answer = std::move(decision->outcome);
    } else {
      std::vector<std::pair<std::string, uint64_t>> tickets;
      for (const storage::StreamWrite& write : decision->append.streams) {
        tickets.emplace_back(write.stream, claim.Submitted(write.stream, write.view));
      }
      AppendBatch(std::move(request), attempts_left, std::move(*decision), std::move(tickets),
                  std::move(done));
      return;
    }
  }
  std::move(done)(*std::move(answer));
}

absl::StatusOr<Ledger::BatchDecision> Ledger::DecideBatch(
    const BatchRequest& request, const std::vector<CommandRequest>& commands,
    const std::vector<std::string>& keys, PendingViews::Claim& claim) {
  BatchDecision decision;
  storage::AppendRequest& append = decision.append;
  if (!request.request_id.empty() && !request.validate_only) {
    append.request_key = BatchKey(request);
    append.request_fingerprint = request.fingerprint;
  }
  std::map<std::string, BatchStream> streams;
  std::vector<std::vector<v1::Event>> events_by_write;
  const domain::CommandContext context{request.actor, clock_(), request.request_id, request.reason};
  std::map<int, v1::FiscalYear> years;  // as loaded, for the goals' context
  for (size_t i = 0; i < commands.size(); ++i) {
    const CommandRequest& command = commands[i];
    const std::string& key = keys[i];
    auto [it, added] = streams.try_emplace(key);
    BatchStream& stream = it->second;
    if (added) {
      absl::Status loaded = LoadStream(key, command, claim.view(key), stream);
      if (!loaded.ok()) return loaded;
      stream.write = append.streams.size();
      const uint64_t version = stream.year ? stream.year->version() : stream.goal.version();
      append.streams.push_back({key, stream.exists ? version : 0, {}, {}});
      events_by_write.emplace_back();
    }
    if (stream.year) {
      absl::StatusOr<v1::Event> event =
          domain::DecideYear(*stream.year, *command.year_command, context);
      if (!event.ok()) return event.status();
      domain::ApplyToYear(*event, *stream.year);
      stream.exists = true;
      append.streams[stream.write].events.push_back(EncodeEvent(*event));
      events_by_write[stream.write].push_back(*std::move(event));
      continue;
    }
    const int year_number = stream.exists ? stream.goal.fiscal_year()
                                          : command.command.proposal.goal_created().fiscal_year();
    auto year_it = years.find(year_number);
    if (year_it == years.end()) {
      absl::StatusOr<v1::FiscalYear> year =
          LoadYear({command.command.goal.organization, year_number});
      if (!year.ok()) return year.status();
      year_it = years.emplace(year_number, *std::move(year)).first;
    }
    domain::CommandContext goal_context = context;
    goal_context.year = &year_it->second;
    absl::StatusOr<std::vector<v1::Event>> events =
        Decide(stream.exists ? &stream.goal : nullptr, command.command, goal_context);
    if (!events.ok()) {
      return absl::Status(events.status().code(),
                          fmt::format("{}: {}", command.command.goal.Format(),
                                      std::string(events.status().message())));
    }
    for (v1::Event& event : *events) {
      domain::Apply(event, stream.goal);
      stream.exists = true;
      storage::StreamWrite& write = append.streams[stream.write];
      for (storage::IndexWrite& entry : IndexEntries(command.command.goal.organization,
                                                     absl::MakeConstSpan(&event, 1), stream.goal)) {
        if (entry.position_suffix) entry.position_suffix = {stream.write, write.events.size()};
        append.index.push_back(std::move(entry));
      }
      write.events.push_back(EncodeEvent(event));
      events_by_write[stream.write].push_back(std::move(event));
    }
  }
  for (auto& events : events_by_write) {
    for (auto& event : events) decision.outcome.events.push_back(std::move(event));
  }
  if (request.validate_only) return decision;
  for (auto& [key, stream] : streams) {
    append.streams[stream.write].view =
        stream.year ? EncodeDeterministic(*stream.year) : EncodeGoal(stream.goal);
  }
  return decision;
}

void Ledger::AppendBatch(std::shared_ptr<BatchRequest> request, int attempts_left,
                         BatchDecision decision,
                         std::vector<std::pair<std::string, uint64_t>> tickets,
                         BatchCallback done) {
  store_.Append(
      std::move(decision.append),
      [this, request, attempts_left, outcome = std::move(decision.outcome),
       tickets = std::move(tickets),
       done = std::move(done)](absl::StatusOr<storage::AppendResult> result) mutable {
        for (const auto& [stream, ticket] : tickets) pending_.Finished(stream, ticket, result.ok());
        if ((absl::IsAborted(result.status()) || absl::IsAlreadyExists(result.status())) &&
            attempts_left > 1) {
          return AttemptBatch(request, attempts_left - 1, std::move(done));
        }
        if (absl::IsAborted(result.status())) {
          return std::move(done)(
              absl::AbortedError("the goals are being changed by others; retry"));
        }
        if (!result.ok()) return std::move(done)(result.status());
        for (size_t i = 0; i < outcome.events.size(); ++i) {
          outcome.events[i].set_position(result->first_position + i);
          outcome.events[i].set_hash(result->hashes[i]);
          outcome.events[i].set_prev_hash(i == 0 ? result->prev_hash : result->hashes[i - 1]);
        }
        std::move(done)(std::move(outcome));
      });
}

}  // namespace dxledger::ledger
