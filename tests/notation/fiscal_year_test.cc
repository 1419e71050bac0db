#include "proto/notation/fiscal_year.h"

#include <gtest/gtest.h>

namespace dxledger::notation {
namespace {

struct YearCase {
  std::string text;
  int year;  // 0: refused with INVALID_ARGUMENT
};

class ParseFiscalYearTest : public testing::TestWithParam<YearCase> {};

TEST_P(ParseFiscalYearTest, ParsesOrRefuses) {
  absl::StatusOr<int> year = ParseFiscalYear(GetParam().text);
  if (GetParam().year == 0) {
    EXPECT_EQ(year.status().code(), absl::StatusCode::kInvalidArgument) << GetParam().text;
  } else {
    ASSERT_TRUE(year.ok()) << GetParam().text << ": " << year.status();
    EXPECT_EQ(*year, GetParam().year);
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, ParseFiscalYearTest,
                         testing::Values(YearCase{"2021", 2021}, YearCase{"FY2021", 2021},
                                         YearCase{"fy2022", 2022}, YearCase{"令和3年度", 2021},
                                         YearCase{"令和元年度", 2019}, YearCase{"R3", 2021},
                                         YearCase{"r4", 2022}, YearCase{"平成30年度", 2018},
                                         YearCase{"H30", 2018}, YearCase{"２０２１", 2021},
                                         YearCase{"令和３年度", 2021}, YearCase{" 2021 ", 2021},
                                         YearCase{"1899", 0}, YearCase{"2101", 0}, YearCase{"", 0},
                                         YearCase{"FY", 0}, YearCase{"令和0年度", 0},
                                         YearCase{"R3.5", 0}, YearCase{"21", 0},
                                         YearCase{"twenty", 0}, YearCase{"平成5年度", 0}));

TEST(JapaneseFiscalYearTest, NamesTheEra) {
  EXPECT_EQ(JapaneseFiscalYear(2021), "令和3年度");
  EXPECT_EQ(JapaneseFiscalYear(2019), "令和元年度");
  EXPECT_EQ(JapaneseFiscalYear(2018), "平成30年度");
  EXPECT_EQ(JapaneseFiscalYear(1989), "平成元年度");
}

TEST(ValidateFiscalYearTest, StatesTheRange) {
  absl::Status status = ValidateFiscalYear(1899);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("2000 to 2100"), absl::string_view::npos) << status;
  EXPECT_TRUE(ValidateFiscalYear(2021).ok());
}

}  // namespace
}  // namespace dxledger::notation
