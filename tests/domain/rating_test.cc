#include "service/domain/rating.h"

#include <gtest/gtest.h>

namespace dxledger::domain {
namespace {

TEST(ParseRatingTest, AcceptsLettersAndNone) {
  const std::pair<std::string, v1::Rating> cases[] = {
      {"A", v1::RATING_A},          {"b", v1::RATING_B},  {" C ", v1::RATING_C},
      {"D", v1::RATING_D},          {"Ｂ", v1::RATING_B}, {"none", v1::RATING_UNSPECIFIED},
      {"-", v1::RATING_UNSPECIFIED}};
  for (const auto& [text, rating] : cases) {
    absl::StatusOr<v1::Rating> parsed = ParseRating(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(*parsed, rating) << text;
  }
}

TEST(ParseRatingTest, RefusesAnythingElse) {
  for (const std::string text : {"E", "b+", "AA", "1", "優"}) {
    EXPECT_EQ(ParseRating(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ValidateRatingTest, RefusesNumbersOutsideTheEnum) {
  EXPECT_TRUE(ValidateRating(v1::RATING_D).ok());
  EXPECT_TRUE(ValidateRating(v1::RATING_UNSPECIFIED).ok());
  EXPECT_EQ(ValidateRating(5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRating(-1).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RatingLetterTest, ShowsUnratedAsDash) {
  EXPECT_EQ(RatingLetter(v1::RATING_A), "A");
  EXPECT_EQ(RatingLetter(v1::RATING_UNSPECIFIED), "-");
}

}  // namespace
}  // namespace dxledger::domain
