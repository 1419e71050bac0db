// Queries over principals and the security log.
#include "fmt/format.h"
#include "service/ledger/codec.h"
#include "service/ledger/page_token.h"
#include "service/ledger/queries.h"
#include "storage/keys.h"

namespace dxledger::ledger {
namespace {

constexpr std::string_view kPrincipalsPrefix = "principals/";

bool Matches(const SecurityEventFilter& filter, const v1::SecurityEvent& event) {
  if (!filter.principal.empty() && event.principal() != filter.principal) return false;
  if (!filter.method.empty() && event.method().find(filter.method) == std::string::npos)
    return false;
  if (!filter.code.empty() && event.code() != filter.code) return false;
  const absl::Time time = ToTime(event.event_time());
  if (filter.start_time && time < *filter.start_time) return false;
  if (filter.end_time && time >= *filter.end_time) return false;
  return true;
}

}  // namespace

absl::StatusOr<std::vector<v1::Principal>> Queries::ListPrincipals() {
  std::vector<v1::Principal> principals;
  absl::Status error;
  absl::Status scanned =
      store_.Scan(storage::Keyspace::kViews, kPrincipalsPrefix, "",
                  [&](std::string_view, std::string_view bytes) {
                    v1::Principal& principal = principals.emplace_back();
                    if (!principal.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
                      error = absl::DataLossError("a stored principal view cannot be decoded");
                      return false;
                    }
                    return true;
                  });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  return principals;
}

absl::StatusOr<Page<v1::SecurityEvent>> Queries::ListSecurityEvents(
    const SecurityEventFilter& filter, int page_size, std::string_view page_token) {
  absl::StatusOr<size_t> size = PageSize(page_size);
  if (!size.ok()) return size.status();
  std::string start;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> key = DecodePageToken("security", page_token);
    if (!key.ok()) return key.status();
    start = *std::move(key);
  } else if (filter.start_time) {
    start =
        storage::keys::BigEndian64(static_cast<uint64_t>(absl::ToUnixMicros(*filter.start_time)));
  }
  Page<v1::SecurityEvent> page;
  absl::Status error;
  absl::Status scanned = store_.Scan(
      storage::Keyspace::kSecurity, "", start, [&](std::string_view key, std::string_view value) {
        v1::SecurityEvent event;
        if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("a security-log record cannot be decoded");
          return false;
        }
        if (!Matches(filter, event)) return true;
        if (page.items.size() == *size) {
          page.next_page_token = EncodePageToken("security", key);
          return false;
        }
        page.items.push_back(std::move(event));
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  return page;
}

}  // namespace dxledger::ledger
