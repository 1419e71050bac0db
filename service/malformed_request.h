#ifndef DXLEDGER_SERVICE_MALFORMED_REQUEST_H_
#define DXLEDGER_SERVICE_MALFORMED_REQUEST_H_

#include <grpcpp/support/server_interceptor.h>

// gRPC 1.51's callback API answers a request it cannot deserialize (for
// example a proto3 string that is not valid UTF-8) with UNIMPLEMENTED and no
// message. This interceptor turns exactly that case into INVALID_ARGUMENT with
// a message saying what was wrong; the handler never ran, so nothing was
// written.
namespace dxledger::service {

class MalformedRequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_MALFORMED_REQUEST_H_
