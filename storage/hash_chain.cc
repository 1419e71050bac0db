#include "storage/hash_chain.h"

#include "absl/strings/escaping.h"
#include "base/sha256.h"
#include "fmt/format.h"
#include "storage/keys.h"

namespace dxledger::storage {

std::string EventHash(std::string_view prev_hash, uint64_t position, std::string_view body) {
  return base::Sha256({prev_hash, keys::BigEndian64(position), body});
}

std::string EncodeLogValue(std::string_view prev_hash, std::string_view hash,
                           std::string_view body) {
  std::string value;
  value.reserve(2 * kHashBytes + body.size());
  value.append(prev_hash).append(hash).append(body);
  return value;
}

absl::StatusOr<LogRecord> DecodeLogValue(uint64_t position, std::string_view value, bool check) {
  if (value.size() < 2 * kHashBytes) {
    return absl::DataLossError(
        fmt::format("event at position {} is truncated ({} bytes)", position, value.size()));
  }
  LogRecord record;
  record.position = position;
  record.prev_hash = std::string(value.substr(0, kHashBytes));
  record.hash = std::string(value.substr(kHashBytes, kHashBytes));
  record.body = std::string(value.substr(2 * kHashBytes));
  if (check && !HashMatches(record.prev_hash, position, record.body, record.hash)) {
    return absl::DataLossError(
        fmt::format("event at position {} does not match its hash: the log was altered", position));
  }
  return record;
}

bool HashMatches(std::string_view prev_hash, uint64_t position, std::string_view body,
                 std::string_view hash) {
  char big_endian[8];
  keys::PutBigEndian64(position, big_endian);
  char digest[base::kSha256Bytes];
  base::Sha256({prev_hash, std::string_view(big_endian, 8), body}, digest);
  return hash == std::string_view(digest, base::kSha256Bytes);
}

namespace {

// The first position from `from` that cannot be read, and why: a damaged
// data file fails a whole scan, and the report must name the event.
absl::Status FirstUnreadable(EventStore& store, uint64_t from, uint64_t head,
                             const absl::Status& failed) {
  constexpr uint64_t kProbed = 4096;
  absl::Status status = failed;
  uint64_t position = from;
  for (; position < from + kProbed && position <= head; ++position) {
    absl::StatusOr<LogRecord> record = store.ReadEvent(position);
    if (!record.ok()) {
      status = record.status();
      break;
    }
  }
  return absl::Status(status.code(), fmt::format("event at position {} cannot be read: {}",
                                                 position, std::string(status.message())));
}

// Checks one record of the walk against the chain so far.
absl::Status CheckLink(uint64_t expected, std::string_view key, std::string_view value,
                       std::string_view prev_hash, EventView& event) {
  if (key.size() != 8 || !keys::ReadBigEndian64(key, event.position)) {
    return absl::DataLossError(
        fmt::format("a malformed key follows position {} in the log", expected - 1));
  }
  if (event.position != expected) {
    return absl::DataLossError(
        fmt::format("event at position {} is missing from the log", expected));
  }
  if (value.size() < 2 * kHashBytes) {
    return absl::DataLossError(
        fmt::format("event at position {} is truncated ({} bytes)", expected, value.size()));
  }
  event.prev_hash = value.substr(0, kHashBytes);
  event.hash = value.substr(kHashBytes, kHashBytes);
  event.body = value.substr(2 * kHashBytes);
  if (event.prev_hash != prev_hash) {
    return absl::DataLossError(fmt::format(
        "event at position {} does not link to the event before it: the log was altered",
        expected));
  }
  if (!HashMatches(event.prev_hash, event.position, event.body, event.hash)) {
    return absl::DataLossError(
        fmt::format("event at position {} does not match its hash: the log was altered", expected));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ScanEvents(EventStore& store, uint64_t from, size_t limit, bool check,
                        absl::FunctionRef<bool(const EventView& event)> visit) {
  if (limit == 0) return absl::OkStatus();
  size_t visited = 0;
  absl::Status error;
  absl::Status scanned = store.Scan(
      Keyspace::kLog, "", keys::BigEndian64(from),
      [&](std::string_view key, std::string_view value) {
        EventView event;
        if (key.size() != 8 || !keys::ReadBigEndian64(key, event.position)) {
          error = absl::DataLossError("malformed key in the log");
        } else if (value.size() < 2 * kHashBytes) {
          error = absl::DataLossError(fmt::format("event at position {} is truncated ({} bytes)",
                                                  event.position, value.size()));
        } else {
          event.prev_hash = value.substr(0, kHashBytes);
          event.hash = value.substr(kHashBytes, kHashBytes);
          event.body = value.substr(2 * kHashBytes);
          if (check && !HashMatches(event.prev_hash, event.position, event.body, event.hash)) {
            error = absl::DataLossError(
                fmt::format("event at position {} does not match its hash: the log was altered",
                            event.position));
          }
        }
        if (!error.ok()) return false;
        return visit(event) && ++visited < limit;
      });
  if (!scanned.ok()) return scanned;
  return error;
}

absl::StatusOr<ChainReport> VerifyChain(EventStore& store) {
  return VerifyChain(store, [](const EventView&) { return absl::OkStatus(); });
}

absl::StatusOr<ChainReport> VerifyChain(EventStore& store, EventVisitor visit) {
  ChainReport report;
  const Head stored_head = store.GetHead();
  std::string prev_hash(kHashBytes, '\0');
  uint64_t next = 1;
  absl::Status broken;
  absl::Status scanned =
      store.Scan(Keyspace::kLog, "", "", [&](std::string_view key, std::string_view value) {
        // A live store's appends after the head it reported are not walked.
        if (next > stored_head.position) return false;
        EventView event;
        broken = CheckLink(next, key, value, prev_hash, event);
        if (broken.ok()) broken = visit(event);
        if (!broken.ok()) return false;
        prev_hash.assign(event.hash);
        ++next;
        ++report.events_checked;
        return true;
      });
  if (!scanned.ok()) return FirstUnreadable(store, next, stored_head.position, scanned);
  if (!broken.ok()) return broken;
  if (next != stored_head.position + 1 || prev_hash != stored_head.hash) {
    return absl::DataLossError(
        fmt::format("the log ends at position {} with hash {} but the recorded head is position {}",
                    next - 1, absl::BytesToHexString(prev_hash), stored_head.position));
  }
  report.head = stored_head;
  return report;
}

}  // namespace dxledger::storage
