#ifndef DXLEDGER_PROTO_NOTATION_RATING_H_
#define DXLEDGER_PROTO_NOTATION_RATING_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"

// How people write a rating, a department's self-assessment: A exceeded, B
// as planned, C slightly below, D well below; RATING_UNSPECIFIED means not
// rated (or cleared). Shared by the server and the CLI.
namespace dxledger::notation {

// Parses A-D (either case, full-width too) and the word "none", which
// clears a rating. INVALID_ARGUMENT for anything else, such as E, b+ or an
// empty string: a script with an empty variable must not erase a rating.
absl::StatusOr<v1::Rating> ParseRating(std::string_view text);

// "A".."D", or "-" when unrated.
std::string_view RatingLetter(v1::Rating rating);

// INVALID_ARGUMENT for numbers outside the enum (a client may send any int).
absl::Status ValidateRating(int rating);

// Sets in `change` what a RatingSet event records: every field but the
// goal's fiscal year and departments (the goal's, not the event's). The
// server indexes it; a verifying client checks a served change against it.
// Overwrites each field it covers, so a caller may reuse `change`.
void SetRecordedChange(const v1::Event& event, v1::RatingChange& change);

}  // namespace dxledger::notation

#endif  // DXLEDGER_PROTO_NOTATION_RATING_H_
