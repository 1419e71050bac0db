#include "service/domain/event_kinds.h"

namespace dxledger::domain {

std::optional<StreamKind> StreamKindOf(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kGoalCreated:
    case v1::Event::kGoalRevised:
    case v1::Event::kIndicatorSet:
    case v1::Event::kIndicatorResultRecorded:
    case v1::Event::kActivityRecorded:
    case v1::Event::kRatingSet:
    case v1::Event::kIssueAdded:
    case v1::Event::kIssueResolved:
    case v1::Event::kGoalRetired:
    case v1::Event::kGoalCarriedOver:
    case v1::Event::kChangeProposed:
    case v1::Event::kChangeDecided:
      return StreamKind::kGoal;
    case v1::Event::kFiscalYearRolledOver:
    case v1::Event::kFiscalYearOpened:
    case v1::Event::kFiscalYearNextStepsSet:
      return StreamKind::kFiscalYear;
    case v1::Event::kPrincipalAdded:
    case v1::Event::kPrincipalChanged:
    case v1::Event::kPrincipalTokenRotated:
    case v1::Event::kPrincipalDisabled:
    case v1::Event::kPrincipalEnabled:
      return StreamKind::kPrincipal;
    case v1::Event::PAYLOAD_NOT_SET:
      return std::nullopt;
  }
  return std::nullopt;  // a payload number no build knows: unreadable
}

}  // namespace dxledger::domain
