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

// A goal the batch writes to: its view as the batch goes, and its write.
struct Stream {
  v1::Goal goal;
  bool exists = false;
  size_t write = 0;  // index in AppendRequest::streams
};

std::string BatchKey(const BatchRequest& request) {
  std::string key = request.organization;
  key.push_back('\0');
  key.append(request.actor).push_back('\0');
  key.append(request.request_id);
  return key;
}

}  // namespace

void Ledger::ExecuteBatch(BatchRequest request, BatchCallback done) {
  AttemptBatch(std::make_shared<BatchRequest>(std::move(request)), kMaxBatchAttempts,
               std::move(done));
}

void Ledger::AttemptBatch(std::shared_ptr<BatchRequest> request, int attempts_left,
                          BatchCallback done) {
  storage::AppendRequest append;
  if (!request->request_id.empty() && !request->validate_only) {
    append.request_key = BatchKey(*request);
    append.request_fingerprint = request->fingerprint;
    absl::StatusOr<std::optional<storage::RequestRecord>> seen =
        store_.ReadRequest(append.request_key);
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

  std::map<std::string, Stream> streams;
  std::vector<std::vector<v1::Event>> events_by_write;
  const domain::CommandContext context{request->actor, clock_(), request->request_id,
                                       request->reason};
  for (const CommandRequest& command : *commands) {
    const std::string key = StreamOf(command.command.goal);
    auto [it, added] = streams.try_emplace(key);
    Stream& stream = it->second;
    if (added) {
      absl::StatusOr<std::optional<v1::Goal>> view = LoadView(key);
      if (!view.ok()) return std::move(done)(view.status());
      stream.exists = view->has_value();
      if (stream.exists) stream.goal = **view;
      stream.write = append.streams.size();
      append.streams.push_back({key, stream.exists ? stream.goal.version() : 0, {}, {}});
      events_by_write.emplace_back();
    }
    absl::StatusOr<std::vector<v1::Event>> events =
        Decide(stream.exists ? &stream.goal : nullptr, command.command, context);
    if (!events.ok()) {
      return std::move(done)(absl::Status(events.status().code(),
                                          fmt::format("{}: {}", command.command.goal.Format(),
                                                      std::string(events.status().message()))));
    }
    for (v1::Event& event : *events) {
      domain::Apply(event, stream.goal);
      stream.exists = true;
      storage::StreamWrite& write = append.streams[stream.write];
      for (storage::IndexWrite& entry :
           IndexEntries(command.command.goal.organization, {event}, stream.goal)) {
        if (entry.position_suffix) entry.position_suffix = {stream.write, write.events.size()};
        append.index.push_back(std::move(entry));
      }
      write.events.push_back(EncodeEvent(event));
      events_by_write[stream.write].push_back(std::move(event));
    }
  }
  BatchOutcome outcome;
  for (auto& events : events_by_write) {
    for (auto& event : events) outcome.events.push_back(std::move(event));
  }
  if (request->validate_only || outcome.events.empty()) return std::move(done)(std::move(outcome));
  for (auto& [key, stream] : streams) append.streams[stream.write].view = EncodeGoal(stream.goal);

  store_.Append(std::move(append), [this, request, attempts_left, outcome = std::move(outcome),
                                    done = std::move(done)](
                                       absl::StatusOr<storage::AppendResult> result) mutable {
    if ((absl::IsAborted(result.status()) || absl::IsAlreadyExists(result.status())) &&
        attempts_left > 1) {
      return AttemptBatch(request, attempts_left - 1, std::move(done));
    }
    if (absl::IsAborted(result.status())) {
      return std::move(done)(absl::AbortedError("the goals are being changed by others; retry"));
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
