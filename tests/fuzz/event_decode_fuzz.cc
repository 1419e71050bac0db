// libFuzzer: a stored log value as the store reads it back: the hash-chain
// record, the event inside it, and the fold of that event into a goal view.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dxledger/v1/events.pb.h"
#include "service/domain/goal.h"
#include "storage/hash_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  // Unchecked, so mutated records get past the hash to the decoder.
  absl::StatusOr<dxledger::storage::LogRecord> record =
      dxledger::storage::DecodeLogValue(1, value, /*check=*/false);
  const std::string_view body = record.ok() ? std::string_view(record->body) : value;
  dxledger::v1::Event event;
  if (!event.ParseFromArray(body.data(), static_cast<int>(body.size()))) return 0;
  dxledger::v1::Goal goal;
  dxledger::domain::Apply(event, goal);
  dxledger::domain::Apply(event, goal);  // a second event on the same view
  return 0;
}
