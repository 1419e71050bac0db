// Writer::Decide: every command of a write decided in order against its
// stream's view as the write has left it so far, and the append that
// records the result.
#include <cassert>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "proto/notation/fiscal_year.h"
#include "service/domain/principals.h"
#include "service/ledger/codec.h"
#include "service/ledger/projection.h"
#include "service/ledger/streams.h"
#include "service/ledger/writer.h"

namespace dxledger::ledger {
namespace {

// A stream the write touches: its view as the write goes, and the events
// decided for it so far. `write` is its index in AppendRequest::streams.
struct Touched {
  StreamView view;
  bool exists = false;
  size_t write = 0;
  std::vector<v1::Event> events;
};

// The write's streams by key. A write of a few commands looks them up in
// order; an import of thousands through a hash map.
class TouchedStreams {
 public:
  static constexpr size_t kScanned = 8;

  // A write of `commands` commands touches at most that many streams: with
  // room for all of them, their addresses stay put while more are added.
  explicit TouchedStreams(size_t commands) { streams_.reserve(commands); }

  Touched* Find(const std::string& key) {
    if (by_key_.empty()) {
      for (size_t i = 0; i < keys_.size(); ++i) {
        if (*keys_[i] == key) return &streams_[i];
      }
      return nullptr;
    }
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : &streams_[it->second];
  }
  Touched& Add(const std::string& key, Touched stream) {
    assert(streams_.size() < streams_.capacity());
    keys_.push_back(&key);
    streams_.push_back(std::move(stream));
    if (!by_key_.empty() || keys_.size() > kScanned) {
      for (size_t i = by_key_.size(); i < keys_.size(); ++i) by_key_.emplace(*keys_[i], i);
    }
    return streams_.back();
  }
  std::vector<Touched>& all() { return streams_; }

 private:
  std::vector<const std::string*> keys_;  // the commands' keys, which outlive this
  std::vector<Touched> streams_;
  absl::flat_hash_map<std::string_view, size_t> by_key_;
};

// Decides one command against its stream's view as the write has left it.
class CommandDecider {
 public:
  CommandDecider(Queries& queries, const domain::CommandContext& context, bool planned)
      : queries_(queries), context_(context), planned_(planned) {}

  absl::StatusOr<std::vector<v1::Event>> operator()(const GoalCommand& c, const Touched& stream) {
    const v1::Goal* before = stream.exists ? &std::get<v1::Goal>(stream.view) : nullptr;
    if (before != nullptr && c.authorize) {
      if (absl::Status allowed = c.authorize(*before); !allowed.ok()) return allowed;
    }
    absl::StatusOr<const v1::FiscalYear*> year =
        YearOf({c.command.goal.organization,
                before ? before->fiscal_year() : c.command.proposal.goal_created().fiscal_year()});
    if (!year.ok()) return year.status();
    domain::CommandContext context = context_;
    context.year = *year;
    absl::StatusOr<std::vector<v1::Event>> events = domain::Decide(before, c.command, context);
    // A planned write's refusal says which of its goals it concerns.
    if (!events.ok() && planned_) {
      return absl::Status(
          events.status().code(),
          fmt::format("{}: {}", c.command.goal.Format(), std::string(events.status().message())));
    }
    return events;
  }

  absl::StatusOr<std::vector<v1::Event>> operator()(const domain::YearCommand& c,
                                                    const Touched& stream) {
    return One(domain::DecideYear(std::get<v1::FiscalYear>(stream.view), c, context_));
  }

  absl::StatusOr<std::vector<v1::Event>> operator()(const PrincipalChange& c,
                                                    const Touched& stream) {
    const v1::Principal* before = stream.exists ? &std::get<v1::Principal>(stream.view) : nullptr;
    return One(domain::DecidePrincipal(before, c.principal, c.proposal, context_));
  }

 private:
  static absl::StatusOr<std::vector<v1::Event>> One(absl::StatusOr<v1::Event> event) {
    if (!event.ok()) return event.status();
    std::vector<v1::Event> events;
    events.push_back(*std::move(event));
    return events;
  }

  // The goal's fiscal year as stored, read once a write; nullptr for a year
  // out of range, which no goal has (Decide refuses the command itself).
  absl::StatusOr<const v1::FiscalYear*> YearOf(const domain::FiscalYearName& name) {
    if (!notation::ValidateFiscalYear(name.fiscal_year).ok()) return nullptr;
    for (const auto& known : years_) {
      if (known->first.fiscal_year == name.fiscal_year &&
          known->first.organization == name.organization) {
        return &known->second;
      }
    }
    absl::StatusOr<v1::FiscalYear> year = queries_.GetFiscalYear(name);
    if (!year.ok()) return year.status();
    years_.push_back(std::make_unique<std::pair<domain::FiscalYearName, v1::FiscalYear>>(
        name, *std::move(year)));
    return &years_.back()->second;
  }

  Queries& queries_;
  const domain::CommandContext& context_;
  const bool planned_;
  // Few: a write's goals belong to one year, or two in a rollover. Held by
  // pointer, so their addresses stay put as more are read.
  std::vector<std::unique_ptr<std::pair<domain::FiscalYearName, v1::FiscalYear>>> years_;
};

// The view of a command's stream: what in-flight appends will leave
// (`pending`, see PendingViews) or else what is stored.
absl::Status Load(storage::EventStore& store, const StreamCommand& command, const std::string& key,
                  const std::string* pending, Touched& stream) {
  std::optional<storage::StoredView> stored;
  if (pending == nullptr) {
    absl::StatusOr<std::optional<storage::StoredView>> read = store.ReadView(key);
    if (!read.ok()) return read.status();
    stored = *std::move(read);
  }
  stream.exists = pending != nullptr || stored.has_value();
  if (!stream.exists) {
    stream.view = ViewBeforeFirstEvent(command);
    return absl::OkStatus();
  }
  absl::StatusOr<StreamView> view = DecodeView(command, pending ? *pending : stored->bytes);
  if (!view.ok()) return view.status();
  stream.view = *std::move(view);
  return absl::OkStatus();
}

// Records an event decided for `stream`: its view, its index entries and
// its bytes in the stream's write.
void Record(const StreamCommand& command, v1::Event event, Touched& stream,
            storage::AppendRequest& append) {
  storage::StreamWrite& write = append.streams[stream.write];
  ApplyToView(event, stream.view);
  stream.exists = true;
  if (const auto* goal = std::get_if<v1::Goal>(&stream.view)) {
    const std::string& organization = std::get<GoalCommand>(command).command.goal.organization;
    const size_t first = append.index.size();
    AddIndexEntries(organization, event, *goal, append.index);
    for (size_t i = first; i < append.index.size(); ++i) {
      storage::IndexWrite& entry = append.index[i];
      if (entry.position_suffix) entry.position_suffix = {stream.write, write.events.size()};
    }
  }
  write.events.push_back(EncodeEvent(event));
  stream.events.push_back(std::move(event));
}

}  // namespace

absl::StatusOr<Writer::Decision> Writer::Decide(const WriteRequest& request,
                                                const std::vector<StreamCommand>& commands,
                                                const std::vector<std::string>& keys,
                                                PendingViews::Claim& claim) {
  Decision decision;
  storage::AppendRequest& append = decision.append;
  TouchedStreams touched(commands.size());
  // The record time: never before the log's last, so times follow log order
  // (the store refuses one that fell behind while deciding; see Append).
  const int64_t micros = std::max(absl::ToUnixMicros(clock_()), store_.GetHead().record_micros);
  append.record_micros = micros;
  const domain::CommandContext context{request.actor, absl::FromUnixMicros(micros),
                                       request.request_id, request.reason};
  CommandDecider decide(queries_, context, static_cast<bool>(request.plan));
  for (size_t i = 0; i < commands.size(); ++i) {
    Touched* stream = touched.Find(keys[i]);
    if (stream == nullptr) {
      Touched loaded;
      if (absl::Status s = Load(store_, commands[i], keys[i], claim.view(keys[i]), loaded);
          !s.ok()) {
        return s;
      }
      loaded.write = append.streams.size();
      append.streams.push_back({keys[i], loaded.exists ? VersionOf(loaded.view) : 0, {}, {}});
      stream = &touched.Add(keys[i], std::move(loaded));
    }
    absl::StatusOr<std::vector<v1::Event>> events =
        std::visit([&](const auto& command) { return decide(command, *stream); }, commands[i]);
    if (!events.ok()) return events.status();
    for (v1::Event& event : *events) Record(commands[i], std::move(event), *stream, append);
  }
  // Events in log order: the store numbers them stream by stream.
  WriteOutcome& outcome = decision.outcome;
  for (Touched& stream : touched.all()) {
    for (v1::Event& event : stream.events) outcome.events.push_back(std::move(event));
    if (!request.validate_only) append.streams[stream.write].view = EncodeView(stream.view);
    outcome.views.push_back(std::move(stream.view));
  }
  return decision;
}

}  // namespace dxledger::ledger
