#ifndef DXLEDGER_SERVICE_DOMAIN_NAMES_H_
#define DXLEDGER_SERVICE_DOMAIN_NAMES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// Resource names: organizations/{org}/goals/{goal}. An organization is a
// local-government code (six digits, such as 050008).
namespace dxledger::domain {

struct GoalName {
  std::string organization;
  std::string goal_id;

  std::string Format() const;  // organizations/{org}/goals/{goal}
  bool operator==(const GoalName&) const = default;
};

struct FiscalYearName {
  std::string organization;
  int fiscal_year = 0;

  std::string Format() const;  // organizations/{org}/fiscalYears/{year}
};

// INVALID_ARGUMENT unless `text` is organizations/{org}/fiscalYears/{year}.
absl::StatusOr<FiscalYearName> ParseFiscalYearName(std::string_view text);

// Accepts a full goal name or a bare goal id (meaning `default_organization`).
// INVALID_ARGUMENT naming `field` when neither form fits.
absl::StatusOr<GoalName> ParseGoalName(std::string_view text, std::string_view default_organization,
                                       std::string_view field = "name");

// Accepts organizations/{org} or, when empty, `default_organization`.
absl::StatusOr<std::string> ParseOrganization(std::string_view parent,
                                              std::string_view default_organization);

// OK when `id` is 1-63 of [a-z0-9-], starting with a letter or digit.
absl::Status ValidateId(std::string_view id, std::string_view field);
absl::Status ValidateOrganizationCode(std::string_view code);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_NAMES_H_
