#include "service/domain/text.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "fmt/format.h"

namespace dxledger::domain {

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

namespace {

// True when the text holds at least one character that is not white space
// (ideographic space U+3000 counts as white space).
bool HasContent(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (!u_isUWhiteSpace(c)) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes,
                          bool required) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        fmt::format("{} is {} bytes; at most {} are allowed", field, text.size(), max_bytes));
  }
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(fmt::format("{} is not valid UTF-8", field));
  }
  if (required && !HasContent(text)) {
    return absl::InvalidArgumentError(fmt::format("{} must not be empty", field));
  }
  return absl::OkStatus();
}

}  // namespace dxledger::domain
