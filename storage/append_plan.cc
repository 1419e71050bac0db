#include "storage/append_plan.h"

#include "fmt/format.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"
#include "storage/log_tree.h"

namespace dxledger::storage {

absl::StatusOr<uint64_t> PendingState::StreamVersion(const std::string& stream) {
  if (auto it = versions_.find(stream); it != versions_.end()) return it->second;
  if (auto it = written_.find(stream); it != written_.end()) return it->second;
  absl::StatusOr<std::optional<std::string>> view = kv_.Get(Family::kViews, stream);
  if (!view.ok()) return view.status();
  uint64_t version = 0;
  if (view->has_value() && !keys::ReadBigEndian64(**view, version)) {
    return absl::DataLossError(fmt::format("view of stream {} is truncated", stream));
  }
  return version;
}

void PendingState::EndBatch(bool stored) {
  if (!stored) {
    written_.clear();
  } else {
    if (written_.size() + versions_.size() > kMaxRemembered) written_.clear();
    for (auto& [stream, version] : versions_) written_[stream] = version;
  }
  versions_.clear();
  requests_.clear();
}

absl::StatusOr<bool> PendingState::RequestUsed(const std::string& key) {
  if (requests_.contains(key)) return true;
  absl::StatusOr<std::optional<std::string>> record = kv_.Get(Family::kRequests, key);
  if (!record.ok()) return record.status();
  return record->has_value();
}

namespace {

absl::Status Validate(const AppendRequest& request) {
  if (request.streams.empty()) return absl::InvalidArgumentError("append writes no stream");
  for (const StreamWrite& write : request.streams) {
    if (write.stream.empty() || write.stream.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("stream name is empty or holds a NUL byte");
    }
    if (write.events.empty()) {
      return absl::InvalidArgumentError(fmt::format("append to {} has no event", write.stream));
    }
  }
  for (const IndexWrite& index : request.index) {
    if (index.position_suffix &&
        (index.position_suffix->stream >= request.streams.size() ||
         index.position_suffix->event >=
             request.streams[index.position_suffix->stream].events.size())) {
      return absl::InvalidArgumentError("index entry refers to an event the append does not hold");
    }
  }
  return absl::OkStatus();
}

// Checks every stream's expected version, counting earlier writes of this
// same request to the same stream.
absl::Status CheckVersions(const AppendRequest& request, PendingState& state,
                           absl::flat_hash_map<std::string, uint64_t>& versions) {
  for (const StreamWrite& write : request.streams) {
    uint64_t current;
    if (auto it = versions.find(write.stream); it != versions.end()) {
      current = it->second;
    } else {
      absl::StatusOr<uint64_t> stored = state.StreamVersion(write.stream);
      if (!stored.ok()) return stored.status();
      current = *stored;
    }
    if (current != write.expected_version) {
      return absl::AbortedError(fmt::format("stream {} is at version {}, expected {}", write.stream,
                                            current, write.expected_version));
    }
    versions[write.stream] = current + write.events.size();
  }
  return absl::OkStatus();
}

}  // namespace

Put HeadPut(const Head& head) {
  std::string value = keys::BigEndian64(head.position);
  value.append(head.hash);
  return Put{Family::kMeta, std::string(keys::kHeadKey), std::move(value)};
}

Put CommitTimePut(int64_t micros, uint64_t position) {
  return Put{Family::kMeta, keys::CommitTimeKey(static_cast<uint64_t>(micros)),
             keys::BigEndian64(position)};
}

absl::StatusOr<AppendPlan> PlanAppend(AppendRequest request, const Head& head, PendingState& state,
                                      LogTree& tree) {
  if (absl::Status s = Validate(request); !s.ok()) return s;
  absl::flat_hash_map<std::string, uint64_t> versions;
  if (absl::Status s = CheckVersions(request, state, versions); !s.ok()) return s;
  if (!request.request_key.empty()) {
    absl::StatusOr<bool> used = state.RequestUsed(request.request_key);
    if (!used.ok()) return used.status();
    if (*used) {
      return absl::AlreadyExistsError(
          fmt::format("request {} was already recorded", request.request_key));
    }
  }

  AppendPlan plan;
  plan.result.first_position = head.position + 1;
  plan.result.prev_hash = head.hash;
  std::string hash = head.hash;
  uint64_t position = head.position;
  std::vector<std::vector<uint64_t>> positions(request.streams.size());
  for (size_t s = 0; s < request.streams.size(); ++s) {
    StreamWrite& write = request.streams[s];
    uint64_t version = write.expected_version;
    for (std::string& body : write.events) {
      ++position;
      ++version;
      std::string next_hash = EventHash(hash, position, body);
      std::string record = EncodeLogValue(hash, next_hash, body);
      // The stream index carries a copy of the record, so a goal's history
      // is one contiguous scan however long the log grows.
      std::string entry = keys::BigEndian64(position);
      entry.append(record);
      plan.puts.push_back({Family::kLog, keys::BigEndian64(position), std::move(record)});
      plan.puts.push_back(
          {Family::kStreams, keys::StreamKey(write.stream, version), std::move(entry)});
      GrowTree(tree, position, body, plan.puts);
      plan.result.hashes.push_back(next_hash);
      positions[s].push_back(position);
      hash = std::move(next_hash);
    }
    std::string view = keys::BigEndian64(version);
    view.append(write.view);
    // A stream written twice in one request ends with its last view.
    plan.puts.push_back({Family::kViews, write.stream, std::move(view)});
  }
  for (IndexWrite& index : request.index) {
    if (index.position_suffix) {
      keys::AppendBigEndian64(
          positions[index.position_suffix->stream][index.position_suffix->event], index.key);
    }
    plan.puts.push_back({Family::kIndex, std::move(index.key), std::move(index.value)});
  }
  if (!request.request_key.empty()) {
    std::string value = keys::BigEndian64(plan.result.first_position);
    keys::AppendBigEndian64(position, value);
    value.append(request.request_fingerprint);
    plan.puts.push_back({Family::kRequests, request.request_key, std::move(value)});
    state.UseRequest(std::move(request.request_key));
  }
  for (auto& [stream, version] : versions) state.SetStreamVersion(stream, version);
  plan.head_after = Head{position, std::move(hash)};
  return plan;
}

}  // namespace dxledger::storage
