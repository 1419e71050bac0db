#include "service/ledger/log_projection.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>

#include "absl/container/node_hash_map.h"
#include "fmt/format.h"
#include "service/domain/event_kinds.h"
#include "service/domain/fiscal_years.h"
#include "service/ledger/codec.h"
#include "service/ledger/projection.h"
#include "service/ledger/streams.h"
#include "storage/keys.h"
#include "storage/log_tree.h"

namespace dxledger::ledger {
namespace {

// A stream as the walk folds it.
struct Folding {
  std::string stream;
  std::string organization;  // a goal's or year's (its request ids' scope); empty for principals
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
      return Folding{StreamOfYear(*name), name->organization, domain::ImplicitYear(*name)};
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
  // Most events of a goal's log add one index entry (a rating change).
  LogFold(uint64_t events, bool requests) : requests_wanted_(requests) { index_.reserve(events); }

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
    AddRequest(folding.organization, record.position);
    AddCommitTime(record.position);
    if (const auto* goal = std::get_if<v1::Goal>(&folding.view)) {
      entries_.clear();
      AddIndexEntries(folding.organization, event_, *goal, entries_);
      for (storage::IndexWrite& entry : entries_) {
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
    projections.requests.reserve(requests_.size());
    for (auto& [key, positions] : requests_) {
      projections.requests.push_back({key, positions.first, positions.second});
    }
    std::sort(projections.requests.begin(), projections.requests.end(),
              [](const ProjectedRequest& a, const ProjectedRequest& b) { return a.key < b.key; });
    projections.commit_times = std::move(commit_times_);
  }

 private:
  // Every event sent with a request id is covered by that id's record.
  void AddRequest(const std::string& scope, uint64_t position) {
    if (!requests_wanted_ || event_.request_id().empty()) return;
    // The events of one request are consecutive: the key is built once.
    if (position != last_request_position_ + 1 || event_.request_id() != last_request_id_ ||
        event_.actor() != last_actor_ || scope != last_scope_) {
      last_request_id_ = event_.request_id();
      last_actor_ = event_.actor();
      last_scope_ = scope;
      last_request_ = &requests_
                           .try_emplace(RequestKeyOf(scope, event_.actor(), event_.request_id()),
                                        position, position)
                           .first->second;
    }
    last_request_->first = std::min(last_request_->first, position);
    last_request_->second = std::max(last_request_->second, position);
    last_request_position_ = position;
  }

  // The time index maps each record time to the last position recorded
  // then. Record times never go back in log order; in a log written before
  // that held, an event counts from the latest time before it.
  void AddCommitTime(uint64_t position) {
    const int64_t micros =
        event_.record_time().seconds() * 1'000'000 + event_.record_time().nanos() / 1000;
    if (commit_times_.empty() || micros > last_micros_) {
      last_micros_ = micros;
      commit_times_.emplace_back(storage::keys::CommitTimeKey(static_cast<uint64_t>(micros)), "");
    }
    commit_times_.back().second = storage::keys::BigEndian64(position);
  }

  const bool requests_wanted_;
  v1::Event event_;  // reused: parsing into it keeps its allocations
  absl::node_hash_map<std::string, Folding> streams_;  // by resource name
  std::vector<std::pair<std::string, std::string>> index_;
  std::vector<storage::IndexWrite> entries_;                                  // one event's, reused
  absl::node_hash_map<std::string, std::pair<uint64_t, uint64_t>> requests_;  // first, last
  std::pair<uint64_t, uint64_t>* last_request_ = nullptr;
  uint64_t last_request_position_ = 0;
  std::string last_request_id_, last_actor_, last_scope_;
  Entries commit_times_;
  int64_t last_micros_ = 0;
};

}  // namespace

absl::StatusOr<Projections> ProjectLog(storage::EventStore& store, bool bound) {
  Projections projections;
  projections.hashes.reserve(store.GetHead().position);
  LogFold fold(store.GetHead().position, bound);
  storage::ExpectedTree tree;
  absl::StatusOr<storage::ChainReport> chain =
      storage::VerifyChain(store, [&](const storage::EventView& event) {
        projections.hashes.push_back(storage::PrefixOf(event.hash));
        if (bound) tree.Add(event.position, event.body);
        return fold.Add(event);
      });
  if (!chain.ok()) return chain.status();
  projections.chain = *std::move(chain);
  fold.Finish(projections);
  projections.tree = tree.TakeSorted();
  return projections;
}

namespace {

// The goal (field 2) and version (field 3) of an event's bytes, read
// without parsing the rest; false when the bytes hold neither.
bool ReadNameAndVersion(std::string_view body, std::string_view& name, uint64_t& version) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(body.data()),
                                            static_cast<int>(body.size()));
  bool have_name = false, have_version = false;
  while (!(have_name && have_version)) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) break;
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    const auto type = WireFormatLite::GetTagWireType(tag);
    if (field == v1::Event::kGoalFieldNumber && type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      const void* data = nullptr;
      int available = 0;
      if (!in.ReadVarint32(&length) || !in.GetDirectBufferPointer(&data, &available) ||
          static_cast<uint32_t>(available) < length) {
        return false;
      }
      name = std::string_view(static_cast<const char*>(data), length);
      in.Skip(static_cast<int>(length));
      have_name = true;
    } else if (field == v1::Event::kVersionFieldNumber && type == WireFormatLite::WIRETYPE_VARINT) {
      if (!in.ReadVarint64(&version)) return false;
      have_version = true;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  return have_name && have_version;
}

// The stream key a resource name stands for; empty when it names none.
std::string StreamOfName(std::string_view name) {
  if (name.starts_with("principals/")) return std::string(name);
  if (name.find("/fiscalYears/") != std::string_view::npos) {
    absl::StatusOr<domain::FiscalYearName> year = domain::ParseFiscalYearName(name);
    return year.ok() ? StreamOfYear(*year) : std::string();
  }
  absl::StatusOr<domain::GoalName> goal = domain::ParseGoalName(name, "");
  return goal.ok() && !goal->organization.empty() ? StreamOf(*goal) : std::string();
}

}  // namespace

absl::StatusOr<storage::StreamPlace> PlaceOfEvent(std::string_view body) {
  std::string_view name;
  uint64_t version = 0;
  if (!ReadNameAndVersion(body, name, version)) {
    return absl::DataLossError("an event names no stream or version");
  }
  // The stream index is scanned stream by stream: consecutive entries name
  // the same stream, whose key is worked out once.
  thread_local std::string last_name, last_stream;
  if (name != last_name) {
    last_name.assign(name);
    last_stream = StreamOfName(name);
  }
  if (last_stream.empty()) return absl::DataLossError("an event names no valid stream");
  return storage::StreamPlace{last_stream, version};
}

}  // namespace dxledger::ledger
