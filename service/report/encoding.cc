#include "service/report/encoding.h"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "fmt/format.h"

namespace dxledger::report {
namespace {

// The offset of the first byte that is not well-formed UTF-8; npos when
// all are.
size_t FirstNonUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  for (int32_t i = 0; i < length;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return static_cast<size_t>(at);
  }
  return std::string_view::npos;
}

// The line (from 1) holding byte `offset`.
size_t LineOf(std::string_view bytes, size_t offset) {
  return 1 + static_cast<size_t>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

struct CloseConverter {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};

// cp932 to UTF-8; nullopt at the first byte sequence cp932 does not have.
std::optional<std::string> FromCp932(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, CloseConverter> converter(ucnv_open("cp932", &status));
  if (U_FAILURE(status)) return std::nullopt;
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return std::nullopt;
  // One UTF-16 unit per byte at most.
  std::u16string units(bytes.size(), u'\0');
  const int32_t written =
      ucnv_toUChars(converter.get(), units.data(), static_cast<int32_t>(units.size()), bytes.data(),
                    static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) return std::nullopt;
  std::string utf8;
  icu::UnicodeString(units.data(), written).toUTF8String(utf8);
  return utf8;
}

}  // namespace

absl::StatusOr<std::string> DecodeImportedText(std::string_view bytes) {
  const size_t bad = FirstNonUtf8(bytes);
  if (bad == std::string_view::npos) return std::string(bytes);
  if (std::optional<std::string> text = FromCp932(bytes)) return *std::move(text);
  return absl::InvalidArgumentError(fmt::format(
      "the file is not UTF-8 (byte {}, on line {}, is not) or Shift_JIS; save it as CSV UTF-8 "
      "(Excel: ファイルの種類「CSV UTF-8 (コンマ区切り)」) and import it again",
      bad + 1, LineOf(bytes, bad)));
}

}  // namespace dxledger::report
