#ifndef DXLEDGER_SERVICE_DOMAIN_TEXT_H_
#define DXLEDGER_SERVICE_DOMAIN_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace dxledger::domain {

bool IsValidUtf8(std::string_view text);

// Whether a text may span lines: multi-line text keeps line feeds (and tabs).
enum class Lines { kOne, kMany };

// INVALID_ARGUMENT naming `field` when `text` is not valid UTF-8, is longer
// than `max_bytes`, (when `required`) is empty or only white space, or holds
// a character that would hide or disguise text where it is shown:
// - a C0 or C1 control, or DEL (line feed and tab are kept in multi-line
//   text; a carriage return never is);
// - a bidirectional embedding, override or isolate (U+202A-U+202E,
//   U+2066-U+2069), which reorders what a reader sees.
absl::Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes,
                          bool required, Lines lines = Lines::kMany);

// `text` cut to at most `max_bytes` on a character boundary, marked with the
// length it had when cut: for text kept from a refused call.
std::string ClipText(std::string_view text, size_t max_bytes);

// Text for matching rows across tables: NFKC, without white space.
std::string MatchKey(std::string_view text);

// Text for searching: MatchKey's, case-folded too (so ＤＸ, DX and dx match).
std::string SearchKey(std::string_view text);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_TEXT_H_
