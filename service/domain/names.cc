#include "service/domain/names.h"

#include <charconv>
#include <vector>

#include "absl/strings/ascii.h"
#include "fmt/format.h"
#include "service/domain/limits.h"

namespace dxledger::domain {

std::string GoalName::Format() const {
  return fmt::format("organizations/{}/goals/{}", organization, goal_id);
}

std::string FiscalYearName::Format() const {
  return fmt::format("organizations/{}/fiscalYears/{}", organization, fiscal_year);
}

absl::StatusOr<FiscalYearName> ParseFiscalYearName(std::string_view text) {
  constexpr std::string_view kPrefix = "organizations/";
  constexpr std::string_view kMiddle = "/fiscalYears/";
  const size_t middle = text.find(kMiddle);
  FiscalYearName name;
  if (text.starts_with(kPrefix) && middle != std::string_view::npos) {
    name.organization = std::string(text.substr(kPrefix.size(), middle - kPrefix.size()));
    const std::string_view year = text.substr(middle + kMiddle.size());
    auto [end, error] = std::from_chars(year.data(), year.data() + year.size(), name.fiscal_year);
    if (error == std::errc() && end == year.data() + year.size() &&
        ValidateOrganizationCode(name.organization).ok()) {
      return name;
    }
  }
  return absl::InvalidArgumentError(fmt::format(
      "\"{}\" must look like organizations/050008/fiscalYears/2021", text.substr(0, 120)));
}

absl::Status ValidateId(std::string_view id, std::string_view field) {
  bool ok = !id.empty() && id.size() <= kMaxIdBytes && id.front() != '-';
  for (char c : id) {
    ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-');
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format(
      "{} \"{}\" is not a valid id: use 1-63 of a-z, 0-9 and '-', not starting with '-'", field,
      id.substr(0, 80)));
}

absl::Status ValidateOrganizationCode(std::string_view code) {
  bool ok = code.size() == 6;
  for (char c : code) ok = ok && absl::ascii_isdigit(c);
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(fmt::format(
      "organization \"{}\" is not a six-digit local-government code", code.substr(0, 80)));
}

absl::StatusOr<std::string> ParseOrganization(std::string_view parent,
                                              std::string_view default_organization) {
  if (parent.empty()) return std::string(default_organization);
  constexpr std::string_view kPrefix = "organizations/";
  if (!parent.starts_with(kPrefix)) {
    return absl::InvalidArgumentError(
        fmt::format("parent \"{}\" must look like organizations/050008", parent.substr(0, 80)));
  }
  parent.remove_prefix(kPrefix.size());
  if (absl::Status s = ValidateOrganizationCode(parent); !s.ok()) return s;
  return std::string(parent);
}

absl::StatusOr<GoalName> ParseGoalName(std::string_view text, std::string_view default_organization,
                                       std::string_view field) {
  if (text.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{} is required: a goal id or organizations/{{org}}/goals/{{goal}}", field));
  }
  GoalName name;
  if (text.find('/') != std::string_view::npos) {
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
      size_t slash = text.find('/', start);
      parts.push_back(text.substr(start, slash - start));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    if (parts.size() != 4 || parts[0] != "organizations" || parts[2] != "goals") {
      return absl::InvalidArgumentError(
          fmt::format("{} \"{}\" must look like organizations/050008/goals/{{goal}}", field,
                      text.substr(0, 120)));
    }
    if (absl::Status s = ValidateOrganizationCode(parts[1]); !s.ok()) return s;
    name.organization = std::string(parts[1]);
    name.goal_id = std::string(parts[3]);
  } else {
    name.organization = std::string(default_organization);
    name.goal_id = std::string(text);
  }
  if (absl::Status s = ValidateId(name.goal_id, field); !s.ok()) return s;
  return name;
}

}  // namespace dxledger::domain
