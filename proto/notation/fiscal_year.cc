#include "proto/notation/fiscal_year.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <charconv>

#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace dxledger::notation {
namespace {

struct Era {
  std::string_view kanji;
  std::string_view letter;
  int first_year;  // Gregorian year of the era's first (元) year
};
// Fiscal years only: an era's year N starts in April of first_year + N - 1.
constexpr Era kEras[] = {{"令和", "r", 2019}, {"平成", "h", 1989}};

// NFKC folds full-width digits and letters; then lower-case and trim.
std::string Fold(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  std::string out;
  if (U_FAILURE(status)) return std::string(text);
  icu::UnicodeString normalized = nfkc->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size())), status);
  if (U_FAILURE(status)) return std::string(text);
  normalized.toUTF8String(out);
  absl::AsciiStrToLower(&out);
  return std::string(absl::StripAsciiWhitespace(absl::string_view(out)));
}

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

void ConsumeSuffix(std::string_view& s, std::string_view suffix) {
  if (s.ends_with(suffix)) s.remove_suffix(suffix.size());
}

bool ParseInt(std::string_view s, int& value) {
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  return error == std::errc() && end == s.data() + s.size();
}

absl::Status Unrecognized(std::string_view text) {
  return absl::InvalidArgumentError(
      fmt::format("fiscal year \"{}\" is not recognised: use 2021, FY2021, 令和3年度 or R3",
                  text.substr(0, 40)));
}

}  // namespace

absl::Status ValidateFiscalYear(int year) {
  if (year >= kMinFiscalYear && year <= kMaxFiscalYear) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format("fiscal_year {} is out of range: use {} to {}",
                                                year, kMinFiscalYear, kMaxFiscalYear));
}

absl::StatusOr<int> ParseFiscalYear(std::string_view text) {
  std::string folded = Fold(text);
  std::string_view s = folded;
  ConsumeSuffix(s, "年度");
  ConsumePrefix(s, "fy");
  int year = 0;
  for (const Era& era : kEras) {
    if (ConsumePrefix(s, era.kanji) || ConsumePrefix(s, era.letter)) {
      int n = 0;
      if (s == "元") {
        n = 1;
      } else if (!ParseInt(s, n) || n < 1) {
        return Unrecognized(text);
      }
      year = era.first_year + n - 1;
      break;
    }
  }
  if (year == 0 && (s.size() != 4 || !ParseInt(s, year))) return Unrecognized(text);
  if (absl::Status status = ValidateFiscalYear(year); !status.ok()) return status;
  return year;
}

std::string JapaneseFiscalYear(int year) {
  for (const Era& era : kEras) {
    if (year >= era.first_year) {
      int n = year - era.first_year + 1;
      return fmt::format("{}{}年度", era.kanji, n == 1 ? "元" : fmt::format("{}", n));
    }
  }
  return fmt::format("{}年度", year);
}

}  // namespace dxledger::notation
