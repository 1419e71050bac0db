#ifndef DXLEDGER_SERVICE_HTTP_GRPC_CALLS_H_
#define DXLEDGER_SERVICE_HTTP_GRPC_CALLS_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

// What the gateway's unary calls and event streams share: how a call into
// dxledgerd is addressed and named, its messages as gRPC byte buffers, and
// its errors as HTTP statuses and JSON.
namespace dxledger::service::http {

// "/package.Service/Method".
std::string RpcName(const google::protobuf::MethodDescriptor& method);

// The caller's credentials (`authorization`, "Bearer ..."; empty for none)
// and address, and the gateway's key (peer.h), on `context`.
void Address(grpc::ClientContext& context, const std::string& authorization,
             const std::string& remote_address);

grpc::ByteBuffer Serialized(const google::protobuf::Message& message);
bool ParseBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message& message);

// The HTTP status for a gRPC status code (google.rpc.Code's mapping).
int HttpStatusOf(grpc::StatusCode code);

// {"error": {"code": 404, "status": "NOT_FOUND", "message": "..."}}, as
// Google's JSON APIs write an error; no line break.
std::string ErrorJson(grpc::StatusCode code, std::string_view message);

}  // namespace dxledger::service::http

#endif  // DXLEDGER_SERVICE_HTTP_GRPC_CALLS_H_
