#include "service/ledger/log_projection.h"

#include <algorithm>

#include "absl/container/node_hash_map.h"
#include "fmt/format.h"
#include "service/domain/event_kinds.h"
#include "service/domain/fiscal_years.h"
#include "service/ledger/codec.h"
#include "service/ledger/projection.h"
#include "service/ledger/streams.h"
#include "storage/keys.h"

namespace dxledger::ledger {
namespace {

// A stream as the walk folds it.
struct Folding {
  std::string stream;
  std::string organization;  // a goal's: its index entries' scope
  StreamView view;
};

absl::Status NoValidStream(uint64_t position) {
  return absl::DataLossError(fmt::format("event at position {} names no valid stream", position));
}

// The stream an event names, before its first event; nullopt when the event
// names no valid stream.
std::optional<Folding> StartStream(const v1::Event& event) {
  const std::optional<domain::StreamKind> kind = domain::StreamKindOf(event);
  if (!kind) return std::nullopt;
  switch (*kind) {
    case domain::StreamKind::kGoal: {
      absl::StatusOr<domain::GoalName> name = domain::ParseGoalName(event.goal(), "");
      if (!name.ok() || name->organization.empty()) return std::nullopt;
      return Folding{StreamOf(*name), name->organization, v1::Goal()};
    }
    case domain::StreamKind::kFiscalYear: {
      absl::StatusOr<domain::FiscalYearName> name = domain::ParseFiscalYearName(event.goal());
      if (!name.ok()) return std::nullopt;
      return Folding{StreamOfYear(*name), "", domain::ImplicitYear(*name)};
    }
    case domain::StreamKind::kPrincipal:
      if (!event.goal().starts_with("principals/")) return std::nullopt;
      return Folding{event.goal(), "", v1::Principal()};
  }
  return std::nullopt;
}

// Folds the log, event by event, into its streams.
class LogFold {
 public:
  absl::Status Add(const storage::EventView& record) {
    if (!event_.ParseFromArray(record.body.data(), static_cast<int>(record.body.size()))) {
      return absl::DataLossError(
          fmt::format("event at position {} cannot be decoded", record.position));
    }
    auto it = streams_.find(absl::string_view(event_.goal().data(), event_.goal().size()));
    if (it == streams_.end()) {
      std::optional<Folding> started = StartStream(event_);
      if (!started) return NoValidStream(record.position);
      it = streams_.emplace(event_.goal(), *std::move(started)).first;
    }
    Folding& folding = it->second;
    if (event_.version() != VersionOf(folding.view) + 1) {
      return absl::DataLossError(
          fmt::format("event at position {} has version {} but {} is at version {}",
                      record.position, event_.version(), event_.goal(), VersionOf(folding.view)));
    }
    ApplyToView(event_, folding.view);
    if (const auto* goal = std::get_if<v1::Goal>(&folding.view)) {
      for (storage::IndexWrite& entry :
           IndexEntries(folding.organization, absl::MakeConstSpan(&event_, 1), *goal)) {
        if (entry.position_suffix) storage::keys::AppendBigEndian64(record.position, entry.key);
        index_.emplace_back(std::move(entry.key), std::move(entry.value));
      }
    }
    return absl::OkStatus();
  }

  void Finish(Projections& projections) {
    projections.views.reserve(streams_.size());
    for (auto& [name, folding] : streams_) {
      projections.views.push_back(
          {std::move(folding.stream), name, VersionOf(folding.view), EncodeView(folding.view)});
    }
    std::sort(projections.views.begin(), projections.views.end(),
              [](const ProjectedView& a, const ProjectedView& b) { return a.stream < b.stream; });
    std::sort(index_.begin(), index_.end());
    projections.index = std::move(index_);
  }

 private:
  v1::Event event_;  // reused: parsing into it keeps its allocations
  absl::node_hash_map<std::string, Folding> streams_;  // by resource name
  std::vector<std::pair<std::string, std::string>> index_;
};

}  // namespace

absl::StatusOr<Projections> ProjectLog(storage::EventStore& store) {
  Projections projections;
  projections.hashes.reserve(store.GetHead().position);
  LogFold fold;
  absl::StatusOr<storage::ChainReport> chain =
      storage::VerifyChain(store, [&](const storage::EventView& event) {
        projections.hashes.push_back(storage::PrefixOf(event.hash));
        return fold.Add(event);
      });
  if (!chain.ok()) return chain.status();
  projections.chain = *std::move(chain);
  fold.Finish(projections);
  return projections;
}

absl::StatusOr<storage::StreamPlace> PlaceOfEvent(std::string_view body) {
  thread_local v1::Event event;
  if (!event.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::DataLossError("an event cannot be decoded");
  }
  std::optional<Folding> stream = StartStream(event);
  if (!stream) return absl::DataLossError("an event names no valid stream");
  return storage::StreamPlace{std::move(stream->stream), event.version()};
}

}  // namespace dxledger::ledger
