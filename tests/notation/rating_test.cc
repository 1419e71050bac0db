#include "proto/notation/rating.h"

#include <gtest/gtest.h>

namespace dxledger::notation {
namespace {

TEST(ParseRatingTest, AcceptsLettersAndNone) {
  const std::pair<std::string, v1::Rating> cases[] = {{"A", v1::RATING_A},
                                                      {"b", v1::RATING_B},
                                                      {" C ", v1::RATING_C},
                                                      {"D", v1::RATING_D},
                                                      {"Ｂ", v1::RATING_B},
                                                      {"none", v1::RATING_UNSPECIFIED},
                                                      {"NONE", v1::RATING_UNSPECIFIED}};
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

// A script whose rating variable is empty must not erase a rating: only the
// word none clears one.
TEST(ParseRatingTest, RefusesAnEmptyRatingAndADash) {
  for (const std::string text : {"", " ", "-"}) {
    absl::StatusOr<v1::Rating> parsed = ParseRating(text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << '"' << text << '"';
  }
  EXPECT_EQ(ParseRating("").status().message(),
            "rating is empty: give A, B, C or D, or the word none to clear the rating");
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
}  // namespace dxledger::notation
