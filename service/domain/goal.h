#ifndef DXLEDGER_SERVICE_DOMAIN_GOAL_H_
#define DXLEDGER_SERVICE_DOMAIN_GOAL_H_

#include <string_view>

#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"

// The goal view is a left fold of the goal's events. Apply is total: events
// are validated before they are written, so applying a stored event never
// fails; an event of another goal or out of order is a programmer error.
namespace dxledger::domain {

// Applies one event (already decided, with its envelope) to `goal`.
void Apply(const v1::Event& event, v1::Goal& goal);

// True when the goal has `department` among its (joint) owners.
bool OwnedBy(const v1::Goal& goal, std::string_view department);

}  // namespace dxledger::domain

#endif  // DXLEDGER_SERVICE_DOMAIN_GOAL_H_
