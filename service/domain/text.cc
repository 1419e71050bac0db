#include "service/domain/text.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "fmt/format.h"

namespace dxledger::domain {

namespace {

struct Scan {
  bool valid = true;         // well-formed UTF-8
  bool has_content = false;  // a character that is not white space (U+3000 is)
};

Scan ScanText(std::string_view text) {
  Scan scan;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return Scan{false, scan.has_content};
    scan.has_content = scan.has_content || !u_isUWhiteSpace(c);
  }
  return scan;
}

}  // namespace

bool IsValidUtf8(std::string_view text) { return ScanText(text).valid; }

absl::Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes,
                          bool required) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        fmt::format("{} is {} bytes; at most {} are allowed", field, text.size(), max_bytes));
  }
  const Scan scan = ScanText(text);
  if (!scan.valid) {
    return absl::InvalidArgumentError(fmt::format("{} is not valid UTF-8", field));
  }
  if (required && !scan.has_content) {
    return absl::InvalidArgumentError(fmt::format("{} must not be empty", field));
  }
  return absl::OkStatus();
}

}  // namespace dxledger::domain
