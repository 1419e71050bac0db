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
  if (check && EventHash(record.prev_hash, position, record.body) != record.hash) {
    return absl::DataLossError(
        fmt::format("event at position {} does not match its hash: the log was altered", position));
  }
  return record;
}

absl::StatusOr<ChainReport> VerifyChain(EventStore& store) {
  constexpr size_t kPage = 1024;
  ChainReport report;
  const Head stored_head = store.GetHead();
  std::string prev_hash(kHashBytes, '\0');
  uint64_t next = 1;
  while (next <= stored_head.position) {
    absl::StatusOr<std::vector<LogRecord>> page = store.ReadLog(next, kPage, /*check=*/false);
    if (!page.ok()) {
      // A damaged data file fails the whole page: find the first position
      // that cannot be read, so the report names it.
      uint64_t position = next;
      absl::Status failed = page.status();
      for (; position < next + kPage && position <= stored_head.position; ++position) {
        absl::StatusOr<LogRecord> record = store.ReadEvent(position);
        if (!record.ok()) {
          failed = record.status();
          break;
        }
      }
      return absl::Status(failed.code(), fmt::format("event at position {} cannot be read: {}",
                                                     position, std::string(failed.message())));
    }
    if (page->empty()) break;
    for (const LogRecord& record : *page) {
      if (record.position != next) {
        return absl::DataLossError(
            fmt::format("event at position {} is missing from the log", next));
      }
      if (record.prev_hash != prev_hash) {
        return absl::DataLossError(fmt::format(
            "event at position {} does not link to the event before it: the log was altered",
            next));
      }
      if (EventHash(record.prev_hash, record.position, record.body) != record.hash) {
        return absl::DataLossError(
            fmt::format("event at position {} does not match its hash: the log was altered", next));
      }
      prev_hash = record.hash;
      ++next;
      ++report.events_checked;
    }
  }
  if (next != stored_head.position + 1 || prev_hash != stored_head.hash) {
    return absl::DataLossError(
        fmt::format("the log ends at position {} with hash {} but the recorded head is position {}",
                    next - 1, absl::BytesToHexString(prev_hash), stored_head.position));
  }
  report.head = stored_head;
  return report;
}

}  // namespace dxledger::storage
