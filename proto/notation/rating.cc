#include "proto/notation/rating.h"

#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace dxledger::notation {

absl::StatusOr<v1::Rating> ParseRating(std::string_view text) {
  std::string s = absl::AsciiStrToUpper(
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
  // Full-width Ａ-Ｄ are common in Japanese input.
  if (s == "Ａ") s = "A";
  if (s == "Ｂ") s = "B";
  if (s == "Ｃ") s = "C";
  if (s == "Ｄ") s = "D";
  if (s == "A") return v1::RATING_A;
  if (s == "B") return v1::RATING_B;
  if (s == "C") return v1::RATING_C;
  if (s == "D") return v1::RATING_D;
  if (s == "NONE") return v1::RATING_UNSPECIFIED;
  if (s.empty()) {
    return absl::InvalidArgumentError(
        "rating is empty: give A, B, C or D, or the word none to clear the rating");
  }
  return absl::InvalidArgumentError(
      fmt::format("rating \"{}\" is not one of A, B, C, D or none (to clear)", text.substr(0, 20)));
}

std::string_view RatingLetter(v1::Rating rating) {
  switch (rating) {
    case v1::RATING_A:
      return "A";
    case v1::RATING_B:
      return "B";
    case v1::RATING_C:
      return "C";
    case v1::RATING_D:
      return "D";
    default:
      return "-";
  }
}

absl::Status ValidateRating(int rating) {
  if (v1::Rating_IsValid(rating)) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format(
      "rating {} is not one of RATING_A..RATING_D or RATING_UNSPECIFIED (to clear)", rating));
}

void SetRecordedChange(const v1::Event& event, v1::RatingChange& change) {
  change.set_position(event.position());
  change.set_goal(event.goal());
  change.set_version(event.version());
  change.set_previous_rating(event.rating_set().previous_rating());
  change.set_rating(event.rating_set().rating());
  change.set_rationale(event.rating_set().rationale());
  change.set_actor(event.actor());
  *change.mutable_record_time() = event.record_time();
  change.set_request_id(event.request_id());
  change.set_reason(event.reason());
  change.set_post_close_correction(event.post_close_correction());
}

}  // namespace dxledger::notation
