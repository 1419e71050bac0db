#ifndef DXLEDGER_SERVICE_DOMAIN_RATING_H_
#define DXLEDGER_SERVICE_DOMAIN_RATING_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "dxledger/v1/events.pb.h"

// A department's self-assessment: A exceeded, B as planned, C slightly below,
// D well below; RATING_UNSPECIFIED means not rated (or cleared).
namespace dxledger::domain {

// Parses A-D (either case, full-width too) and "none"/"-"/"" (cleared).
// INVALID_ARGUMENT for anything else, such as E or b+.
absl::StatusOr<v1::Rating> ParseRating(std::string_view text);

// "A".."D", or "-" when unrated.
std::string_view RatingLetter(v1::Rating rating);

// INVALID_ARGUMENT for numbers outside the enum (a client may send any int).
absl::Status ValidateRating(int rating);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_RATING_H_
