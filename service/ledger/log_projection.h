#ifndef DXLEDGER_SERVICE_LEDGER_LOG_PROJECTION_H_
#define DXLEDGER_SERVICE_LEDGER_LOG_PROJECTION_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/event_store.h"
#include "storage/hash_chain.h"
#include "storage/stream_index_check.h"

// Everything the log projects to, rebuilt in one walk over the log: the
// view of every stream and every index entry, each sorted by key as the
// store keeps them, so a comparison with the stored ones is one merge.
namespace dxledger::ledger {

struct ProjectedView {
  std::string stream;  // the storage key
  std::string name;    // the resource name, for messages
  uint64_t version = 0;
  std::string bytes;
};

// The events a request id was used for: positions first to last.
struct ProjectedRequest {
  std::string key;  // as RequestKeyOf
  uint64_t first = 0;
  uint64_t last = 0;
};

using Entries = std::vector<std::pair<std::string, std::string>>;

struct Projections {
  storage::ChainReport chain;
  std::vector<ProjectedView> views;         // by stream
  Entries index;                            // by key
  std::vector<storage::HashPrefix> hashes;  // by position - 1
  std::vector<ProjectedRequest> requests;   // by key
  Entries commit_times;                     // the time index, by key
  Entries tree;                             // the Merkle tree's records, by key
};

// Walks the log once (its chain checked as storage::VerifyChain does) and
// folds every event into its stream's view, the index entries, the request
// records, the time index and the Merkle tree. DATA_LOSS as VerifyChain, or
// for an event that cannot be decoded, names no valid stream, or does not
// follow its stream's version.
// `bound` adds what only verify compares (the Merkle tree's records and the
// request records); a rebuild, which writes neither, leaves it off.
absl::StatusOr<Projections> ProjectLog(storage::EventStore& store, bool bound = true);

// Where an event's body says it belongs (for storage::ScanStreamIndex).
absl::StatusOr<storage::StreamPlace> PlaceOfEvent(std::string_view body);

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_LOG_PROJECTION_H_
