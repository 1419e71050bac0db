#ifndef DXLEDGER_SERVICE_STATUS_H_
#define DXLEDGER_SERVICE_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace dxledger::service {

// The one place an absl::Status becomes a grpc::Status. The canonical codes
// share their numbers, so the code and message carry over unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_STATUS_H_
