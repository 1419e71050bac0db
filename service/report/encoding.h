#ifndef DXLEDGER_SERVICE_REPORT_ENCODING_H_
#define DXLEDGER_SERVICE_REPORT_ENCODING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// The encodings an imported file may come in. Excel on Japanese Windows
// saves its plain "CSV (comma delimited)" in Shift_JIS (Microsoft's cp932);
// "CSV UTF-8" and every other tool save UTF-8. Pure and thread-safe.
namespace dxledger::report {

// The file's text as UTF-8: UTF-8 (with or without a byte-order mark) as it
// is, cp932 converted with ICU. Anything else (another encoding, a binary
// file) is INVALID_ARGUMENT in plain words, naming where it stops being
// either.
absl::StatusOr<std::string> DecodeImportedText(std::string_view bytes);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_ENCODING_H_
