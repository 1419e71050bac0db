#include "service/report/item_cuts.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <set>

namespace dxledger::report {
namespace {

bool Dropped(UChar32 c) {
  if (u_isUWhiteSpace(c)) return true;
  if (c >= 0x3041 && c <= 0x309F) return true;  // hiragana: okurigana differ
  const UCharCategory category = static_cast<UCharCategory>(u_charType(c));
  return category == U_START_PUNCTUATION || category == U_END_PUNCTUATION;  // ( [ 【 「 and so on
}

// The LooseKey of each code point of `text` (one NFKC step per code point,
// so that a cut can be placed between them), with its byte offset.
struct CodePoint {
  size_t offset;
  std::string key;
  bool opens = false;  // white space or an opening bracket: goes with what follows
};
std::vector<CodePoint> LooseCodePoints(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  std::vector<CodePoint> out;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    CodePoint& point = out.emplace_back(CodePoint{static_cast<size_t>(at), {}});
    if (c < 0) continue;
    point.opens = u_isUWhiteSpace(c) || u_charType(c) == U_START_PUNCTUATION;
    icu::UnicodeString normalized(c);
    if (U_SUCCESS(status)) normalized = nfkc->normalize(normalized, status);
    for (int32_t j = 0; j < normalized.length();) {
      const UChar32 d = normalized.char32At(j);
      j += U16_LENGTH(d);
      if (!Dropped(d)) icu::UnicodeString(d).toUTF8String(point.key);
    }
  }
  return out;
}

std::string_view Trimmed(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  for (bool changed = true; changed;) {
    changed = false;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1), changed = true;
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1), changed = true;
    }
    if (text.starts_with(kIdeographicSpace)) text.remove_prefix(3), changed = true;
    if (text.ends_with(kIdeographicSpace)) text.remove_suffix(3), changed = true;
  }
  return text;
}

}  // namespace

std::string LooseKey(std::string_view text) {
  std::string key;
  for (const CodePoint& point : LooseCodePoints(text)) key += point.key;
  return key;
}

std::optional<std::vector<Piece>> CutAsBoth(const std::vector<std::string>& items,
                                            const std::vector<std::string>& other) {
  // Where `other` ends its items, counted in bytes of the loose key.
  std::set<size_t> cuts;
  std::string other_key;
  for (const std::string& item : other) {
    other_key += LooseKey(item);
    cuts.insert(other_key.size());
  }
  std::vector<Piece> pieces;
  std::string key;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string_view item = items[i];
    size_t start = 0;
    const size_t item_start = key.size();
    // Past a cut: where the next piece starts, once white space or an
    // opening bracket shows it (okurigana and closing brackets before that
    // stay with what they follow).
    std::optional<size_t> next_start;
    for (const CodePoint& point : LooseCodePoints(item)) {
      const bool at_cut = key.size() > item_start && cuts.contains(key.size());
      if (at_cut && point.key.empty()) {
        if (point.opens && !next_start) next_start = point.offset;
      } else if (at_cut) {
        const size_t end = next_start.value_or(point.offset);
        std::string_view piece = Trimmed(item.substr(start, end - start));
        if (!piece.empty()) pieces.push_back(Piece{std::string(piece), i});
        start = end;
        next_start.reset();
      }
      key += point.key;
    }
    std::string_view piece = Trimmed(item.substr(start));
    if (!piece.empty()) pieces.push_back(Piece{std::string(piece), i});
  }
  if (key != other_key) return std::nullopt;
  return pieces;
}

}  // namespace dxledger::report
