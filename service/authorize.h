#ifndef DXLEDGER_SERVICE_AUTHORIZE_H_
#define DXLEDGER_SERVICE_AUTHORIZE_H_

#include <string_view>

#include "absl/status/status.h"
#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/principals.pb.h"

// Who may call what: one table, every RPC. A principal may hold several
// roles; it may call an RPC when any of its roles may. Editors' goal writes
// are also scoped: the goal must be owned (alone or jointly) by one of the
// editor's departments.
namespace dxledger::service {

// PERMISSION_DENIED naming the principal, the RPC and the roles that may.
// An RPC missing from the table is refused (INTERNAL: a programmer error).
absl::Status AllowCall(const v1::Principal& principal, std::string_view rpc);

// True when the RPC's writes are scoped to the editor's departments.
bool ScopedToDepartments(std::string_view rpc);

// PERMISSION_DENIED unless `goal` is owned by one of the principal's departments.
absl::Status AllowGoal(const v1::Principal& principal, const v1::Goal& goal, std::string_view rpc);

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_AUTHORIZE_H_
