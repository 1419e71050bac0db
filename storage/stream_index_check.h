#ifndef DXLEDGER_STORAGE_STREAM_INDEX_CHECK_H_
#define DXLEDGER_STORAGE_STREAM_INDEX_CHECK_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "storage/event_store.h"

// The stream index is a cache of the log: each entry, under a stream and a
// version, carries a copy of the log's event at some position, so a
// stream's history is one scan. These check that cache against the log in
// two steps that need not wait for each other: a scan of the index (which
// can run while the log is walked), then a match with the log's hashes.
namespace dxledger::storage {

// The first 16 bytes of an event's hash: what a copy is held against. A
// forged copy that hashes right would need a 128-bit preimage; 16 bytes,
// not 32, halve the memory a check needs (16 MiB for a million events).
using HashPrefix = std::array<char, 16>;
HashPrefix PrefixOf(std::string_view hash);

// Where an event belongs: read from its body by the layer that knows what
// bodies are.
struct StreamPlace {
  std::string stream;
  uint64_t version = 0;
};
using LocateEvent = absl::FunctionRef<absl::StatusOr<StreamPlace>(std::string_view body)>;

// One scan of the stream index of a log of `events` events. Each entry's
// copy must pass its own hash and sit at the stream and version `locate`
// reads from it; an entry written before entries carried copies is read
// from the log. Returns, by position - 1, the hash prefix of each
// position's copy (zero for a position no entry holds). DATA_LOSS naming
// the first entry that is malformed, misplaced, repeated or past the log.
absl::StatusOr<std::vector<HashPrefix>> ScanStreamIndex(EventStore& store, uint64_t events,
                                                        LocateEvent locate);

// The scan's copies against the log's hashes (by position - 1, as walked):
// DATA_LOSS naming the first position whose copy is missing or is not the
// log's event.
absl::Status MatchStreamIndex(const std::vector<HashPrefix>& copies,
                              const std::vector<HashPrefix>& log);

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_STREAM_INDEX_CHECK_H_
