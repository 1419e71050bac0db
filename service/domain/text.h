#ifndef DXLEDGER_SERVICE_DOMAIN_TEXT_H_
#define DXLEDGER_SERVICE_DOMAIN_TEXT_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace dxledger::domain {

bool IsValidUtf8(std::string_view text);

// INVALID_ARGUMENT naming `field` when `text` is not valid UTF-8, is longer
// than `max_bytes`, or (when `required`) is empty or only white space.
absl::Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes,
                          bool required);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_TEXT_H_
