#ifndef DXLEDGER_PROTO_NOTATION_FISCAL_YEAR_H_
#define DXLEDGER_PROTO_NOTATION_FISCAL_YEAR_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// How people write a fiscal year. A fiscal year (年度) runs from April to
// March and is named by the Gregorian year it starts in: 2021 = FY2021 =
// 令和3年度 = 2021-04-01..2022-03-31. Shared by the server and the CLI.
namespace dxledger::notation {

// The years the API speaks of.
inline constexpr int kMinFiscalYear = 2000;
inline constexpr int kMaxFiscalYear = 2100;

// INVALID_ARGUMENT unless kMinFiscalYear <= year <= kMaxFiscalYear.
absl::Status ValidateFiscalYear(int year);

// Parses 2021, FY2021, 令和3年度, 令和元年度, R3, 平成30年度, H30 (full-width
// forms too). INVALID_ARGUMENT says which forms are accepted.
absl::StatusOr<int> ParseFiscalYear(std::string_view text);

// 令和3年度 for 2021, 令和元年度 for 2019, 平成30年度 for 2018.
std::string JapaneseFiscalYear(int year);

}  // namespace dxledger::notation

#endif  // DXLEDGER_PROTO_NOTATION_FISCAL_YEAR_H_
