#include "storage/stream_index_check.h"

#include <algorithm>

#include "fmt/format.h"
#include "storage/hash_chain.h"
#include "storage/keys.h"

namespace dxledger::storage {

HashPrefix PrefixOf(std::string_view hash) {
  HashPrefix prefix{};
  std::copy_n(hash.begin(), std::min(hash.size(), prefix.size()), prefix.begin());
  return prefix;
}

namespace {

absl::Status Differs(uint64_t position, const std::string& detail = "") {
  return absl::DataLossError(fmt::format(
      "the stream index entry for position {} differs from the log{}", position, detail));
}

}  // namespace

absl::StatusOr<std::vector<HashPrefix>> ScanStreamIndex(EventStore& store, uint64_t events,
                                                        LocateEvent locate) {
  std::vector<HashPrefix> copies(events);
  const HashPrefix none{};
  absl::Status mismatch;
  absl::Status scanned =
      store.Scan(Keyspace::kStreams, "", "", [&](std::string_view key, std::string_view entry) {
        uint64_t position = 0;
        keys::ReadBigEndian64(entry, position);
        if (position == 0 || position > events) {
          mismatch = Differs(position, ": it names a position past the log");
          return false;
        }
        // An entry of a position only predates copies: its event is the log's.
        absl::StatusOr<LogRecord> record =
            entry.size() == 8 ? store.ReadEvent(position)
                              : DecodeLogValue(position, entry.substr(8), /*check=*/true);
        absl::StatusOr<StreamPlace> place =
            record.ok() ? locate(record->body) : absl::StatusOr<StreamPlace>(record.status());
        if (!place.ok() || keys::StreamKey(place->stream, place->version) != key) {
          mismatch = Differs(
              position,
              place.ok() ? fmt::format(" (event {} of {})", place->version, place->stream) : "");
          return false;
        }
        HashPrefix& copy = copies[position - 1];
        if (copy != none) {
          mismatch = Differs(position, ": another entry holds the same event");
          return false;
        }
        copy = PrefixOf(record->hash);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!mismatch.ok()) return mismatch;
  return copies;
}

absl::Status MatchStreamIndex(const std::vector<HashPrefix>& copies,
                              const std::vector<HashPrefix>& log) {
  const HashPrefix none{};
  for (size_t i = 0; i < std::max(copies.size(), log.size()); ++i) {
    if (i >= copies.size() || i >= log.size() || copies[i] == none) {
      return absl::DataLossError(
          fmt::format("the log holds event {} but the stream index has no entry for it", i + 1));
    }
    if (copies[i] != log[i]) return Differs(i + 1, ": its copy is not the log's event");
  }
  return absl::OkStatus();
}

}  // namespace dxledger::storage
