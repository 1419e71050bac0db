#ifndef DXLEDGER_SERVICE_DOMAIN_LIMITS_H_
#define DXLEDGER_SERVICE_DOMAIN_LIMITS_H_

#include <cstddef>

// Every limit on user input, in one place. Lengths are in UTF-8 bytes.
namespace dxledger::domain {

inline constexpr size_t kMaxTitleBytes = 1000;
inline constexpr size_t kMaxDepartmentBytes = 100;
inline constexpr size_t kMaxDepartments = 16;
inline constexpr size_t kMaxTextBytes = 8000;       // activity, indicator, issue text
inline constexpr size_t kMaxRationaleBytes = 4000;  // rating rationale, resolution, notes
inline constexpr size_t kMaxReasonBytes = 2000;     // envelope reason, retire reason
inline constexpr size_t kMaxUnitBytes = 32;
inline constexpr size_t kMaxRequestIdBytes = 128;
inline constexpr size_t kMaxIdBytes = 63;  // goal, indicator and issue ids
inline constexpr int kMaxReportNumber = 10000;
inline constexpr size_t kMaxRolloverItems = 2000;  // new goals and decisions together
// A reply lists the events a big write made only up to this many bytes of
// them (an import of a 4 MiB file writes more than 10 MiB of events); the
// rest are read from the log by position.
inline constexpr size_t kMaxReplyEventBytes = 1 << 20;
inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_LIMITS_H_
