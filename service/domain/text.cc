#include "service/domain/text.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "fmt/format.h"

namespace dxledger::domain {

namespace {

struct Scan {
  bool valid = true;         // well-formed UTF-8
  bool has_content = false;  // a character that is not white space (U+3000 is)
  UChar32 hidden = -1;       // the first character that may not be stored
  int32_t hidden_at = 0;     // its character number, from 1
};

bool IsBidiControl(UChar32 c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool IsHidden(UChar32 c, Lines lines) {
  if (c == '\n' || c == '\t') return lines == Lines::kOne;
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || IsBidiControl(c);
}

Scan ScanText(std::string_view text, Lines lines) {
  Scan scan;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t characters = 0;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return Scan{false, scan.has_content, scan.hidden, scan.hidden_at};
    ++characters;
    scan.has_content = scan.has_content || !u_isUWhiteSpace(c);
    if (scan.hidden < 0 && IsHidden(c, lines)) {
      scan.hidden = c;
      scan.hidden_at = characters;
    }
  }
  return scan;
}

std::string_view HiddenKind(UChar32 c) {
  if (IsBidiControl(c)) return "a bidirectional formatting character, which reorders what is shown";
  if (c == '\n' || c == '\t') return "a line break or tab, which this one-line field cannot hold";
  return "a control character";
}

}  // namespace

bool IsValidUtf8(std::string_view text) { return ScanText(text, Lines::kMany).valid; }

absl::Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes,
                          bool required, Lines lines) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        fmt::format("{} is {} bytes; at most {} are allowed", field, text.size(), max_bytes));
  }
  const Scan scan = ScanText(text, lines);
  if (!scan.valid) {
    return absl::InvalidArgumentError(fmt::format("{} is not valid UTF-8", field));
  }
  if (scan.hidden >= 0) {
    return absl::InvalidArgumentError(
        fmt::format("{} holds U+{:04X} at character {}: {}; such characters are not allowed", field,
                    static_cast<uint32_t>(scan.hidden), scan.hidden_at, HiddenKind(scan.hidden)));
  }
  if (required && !scan.has_content) {
    return absl::InvalidArgumentError(fmt::format("{} must not be empty", field));
  }
  return absl::OkStatus();
}

}  // namespace dxledger::domain

namespace dxledger::domain {

std::string ClipText(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  // Back to the start of a character: continuation bytes are 10xxxxxx.
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) --end;
  return fmt::format("{}… ({} bytes)", text.substr(0, end), text.size());
}

namespace {

std::string Key(std::string_view text, bool fold_case) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu::UnicodeString normalized = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (U_SUCCESS(status)) normalized = nfkc->normalize(normalized, status);
  if (fold_case) normalized.foldCase();
  std::string out;
  for (int32_t i = 0; i < normalized.length();) {
    const UChar32 c = normalized.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) continue;
    icu::UnicodeString(c).toUTF8String(out);
  }
  return out;
}

}  // namespace

std::string MatchKey(std::string_view text) { return Key(text, false); }

std::string SearchKey(std::string_view text) { return Key(text, true); }

}  // namespace dxledger::domain
