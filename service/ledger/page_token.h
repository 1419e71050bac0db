#ifndef DXLEDGER_SERVICE_LEDGER_PAGE_TOKEN_H_
#define DXLEDGER_SERVICE_LEDGER_PAGE_TOKEN_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// Opaque page tokens: where the next page starts, bound to the query kind so
// a token of one listing is refused by another.
namespace dxledger::ledger {

std::string EncodePageToken(std::string_view kind, std::string_view resume_key);
// The resume key; INVALID_ARGUMENT when the token is malformed or belongs to
// another kind of listing.
absl::StatusOr<std::string> DecodePageToken(std::string_view kind, std::string_view token);

// INVALID_ARGUMENT for a negative size or one over kMaxPageSize; 0 gives the
// default.
absl::StatusOr<size_t> PageSize(int requested);

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_PAGE_TOKEN_H_
