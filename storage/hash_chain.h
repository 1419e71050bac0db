#ifndef DXLEDGER_STORAGE_HASH_CHAIN_H_
#define DXLEDGER_STORAGE_HASH_CHAIN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "storage/event_store.h"

// Each event's hash is SHA-256(prev_hash || BE64(position) || body), so a
// changed byte anywhere in an event, a reordering or a removed event breaks
// the chain from that position on.
namespace dxledger::storage {

std::string EventHash(std::string_view prev_hash, uint64_t position, std::string_view body);

// Encodes / decodes a log value: prev_hash(32) hash(32) body.
std::string EncodeLogValue(std::string_view prev_hash, std::string_view hash,
                           std::string_view body);
// DATA_LOSS when the value is too short or fails its own hash.
absl::StatusOr<LogRecord> DecodeLogValue(uint64_t position, std::string_view value, bool check);

struct ChainReport {
  uint64_t events_checked = 0;
  Head head;
};

// True when `hash` is the hash of the event (no allocation).
bool HashMatches(std::string_view prev_hash, uint64_t position, std::string_view body,
                 std::string_view hash);

// An event of the log as a walk hands it over: views into the record read,
// valid during the call only.
struct EventView {
  uint64_t position = 0;
  std::string_view prev_hash, hash, body;
};
using EventVisitor = absl::FunctionRef<absl::Status(const EventView& event)>;

// Visits up to `limit` events from position `from` on, in order, each
// checked against its own hash (DATA_LOSS) when `check`, until `visit`
// returns false. No copies: for streaming the log out as it is stored.
absl::Status ScanEvents(EventStore& store, uint64_t from, size_t limit, bool check,
                        absl::FunctionRef<bool(const EventView& event)> visit);

// Walks the whole log in one scan: positions 1..head without holes, each
// prev_hash equal to the previous hash, each hash recomputed, the stored
// head at the end. DATA_LOSS naming the first position that does not match.
// Each event that passes goes to `visit`, whose error ends the walk.
absl::StatusOr<ChainReport> VerifyChain(EventStore& store);
absl::StatusOr<ChainReport> VerifyChain(EventStore& store, EventVisitor visit);

}  // namespace dxledger::storage

#endif  // DXLEDGER_STORAGE_HASH_CHAIN_H_
