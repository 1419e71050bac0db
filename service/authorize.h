#ifndef DXLEDGER_SERVICE_AUTHORIZE_H_
#define DXLEDGER_SERVICE_AUTHORIZE_H_

#include <string_view>

#include "absl/status/status.h"
#include "dxledger/v1/goal.pb.h"
#include "dxledger/v1/principals.pb.h"
#include "google/protobuf/descriptor.h"

// Who may call what. Each RPC declares its roles once, as the (access)
// option on the method in ledger.proto; the table here is read from the
// service's descriptor. A principal may hold several roles; it may call an
// RPC when any of its roles may. Editors' goal writes are also scoped: the
// goal must be owned (alone or jointly) by one of the editor's departments.
namespace dxledger::service {

// dxledger.v1.LedgerService as ledger.proto declares it, options included.
const google::protobuf::ServiceDescriptor& LedgerServiceDescriptor();

// OK when every method of `service` declares who may call it, with at least
// one role; FAILED_PRECONDITION naming the first that does not. The server
// refuses to start on dxledger.v1.LedgerService without this.
absl::Status CheckEveryMethodHasARule(const google::protobuf::ServiceDescriptor& service);

// PERMISSION_DENIED naming the principal, the RPC and the roles that may.
// An RPC of LedgerService without a rule is refused (INTERNAL: CheckEveryMethodHasARule
// keeps a server with one from starting).
absl::Status AllowCall(const v1::Principal& principal, std::string_view rpc);

// True when the RPC's writes are scoped to the editor's departments.
bool ScopedToDepartments(std::string_view rpc);

// PERMISSION_DENIED unless `goal` is owned by one of the principal's departments.
absl::Status AllowGoal(const v1::Principal& principal, const v1::Goal& goal, std::string_view rpc);

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_AUTHORIZE_H_
