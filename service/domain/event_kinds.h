#ifndef DXLEDGER_SERVICE_DOMAIN_EVENT_KINDS_H_
#define DXLEDGER_SERVICE_DOMAIN_EVENT_KINDS_H_

#include <optional>

#include "dxledger/v1/events.pb.h"

// Which kind of stream an event belongs to, by its payload. Every payload is
// named in the switch (no default), so a new event type fails to compile
// until it is given its stream.
namespace dxledger::domain {

enum class StreamKind { kGoal, kFiscalYear, kPrincipal };

// nullopt for an event without a payload, which no valid log holds.
std::optional<StreamKind> StreamKindOf(const v1::Event& event);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_EVENT_KINDS_H_
