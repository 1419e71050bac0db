#include "service/ledger/page_token.h"

#include "absl/strings/escaping.h"
#include "fmt/format.h"
#include "service/domain/limits.h"

namespace dxledger::ledger {

std::string EncodePageToken(std::string_view kind, std::string_view resume_key) {
  std::string raw = fmt::format("v1:{}:", kind);
  raw.append(resume_key);
  return absl::WebSafeBase64Escape(absl::string_view(raw.data(), raw.size()));
}

absl::StatusOr<std::string> DecodePageToken(std::string_view kind, std::string_view token) {
  std::string raw;
  const std::string prefix = fmt::format("v1:{}:", kind);
  if (!absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &raw) ||
      !std::string_view(raw).starts_with(prefix) || raw.size() == prefix.size()) {
    return absl::InvalidArgumentError(
        "page_token is malformed or was made for other filters: pass the next_page_token of the "
        "previous page, with the same filters");
  }
  return raw.substr(prefix.size());
}

absl::StatusOr<size_t> PageSize(int requested) {
  if (requested < 0 || requested > domain::kMaxPageSize) {
    return absl::InvalidArgumentError(
        fmt::format("page_size {} is out of range: use 1 to {}", requested, domain::kMaxPageSize));
  }
  return requested == 0 ? domain::kDefaultPageSize : static_cast<size_t>(requested);
}

}  // namespace dxledger::ledger
