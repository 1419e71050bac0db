#ifndef DXLEDGER_SERVICE_HTTP_GATEWAY_H_
#define DXLEDGER_SERVICE_HTTP_GATEWAY_H_

#include <grpcpp/channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "service/http/routes.h"
#include "service/http/sessions.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

// The HTTP/JSON API: each request is transcoded (routes.h) and sent as a
// gRPC call over dxledgerd's in-process channel, so that authentication,
// roles, department scope, limits, request ids, expected versions and the
// access log are those of gRPC: one implementation of the rules. The
// caller's token comes from the Authorization header; the caller's address
// goes along as x-real-ip, which the server believes from the in-process
// channel only (peer.h).
//
// Errors: the gRPC status mapped to its HTTP code (google.rpc.Code's
// mapping), the body {"error": {"code": 404, "status": "NOT_FOUND",
// "message": "..."}} as Google's JSON APIs write it. A reply with a file
// (ExportReport) comes as the file itself with ?alt=media.
namespace dxledger::service::http {

// The console's sign-in (sessions.h), besides the routes of the methods:
// - POST /v1/sessions {"token": "..."}: the token is checked (GetCaller) and
//   exchanged for a session cookie (HttpOnly, SameSite=Strict, Secure under
//   TLS); the reply is {"principal": ..., "csrfToken": ...};
// - GET /v1/sessions/current: the same reply for the cookie's session;
// - DELETE /v1/sessions/current: signs out.
// A request with an Authorization header is a script's: that token is used
// and no CSRF token is asked for. Otherwise the session cookie's token is
// used, and a write (any method but GET) must carry the session's CSRF
// token in X-CSRF-Token. A server-streaming method (Subscribe) is served as
// server-sent events, resumed from Last-Event-ID.
struct GatewayOptions {
  absl::Duration session_idle = absl::Minutes(30);
  absl::Duration session_lifetime = absl::Hours(8);
  bool secure_cookies = false;  // the port serves TLS
};

class Gateway {
 public:
  Gateway(std::shared_ptr<grpc::Channel> channel, std::vector<Route> routes,
          GatewayOptions options = {});

  // Routes /v1/... of every HTTP method to the gateway.
  void Install(httplib::Server& server);

  void Serve(const httplib::Request& request, httplib::Response& response);

 private:
  // The method called with `authorization` ("Bearer ..."; empty for none):
  // its reply, or the error written to `response`.
  std::unique_ptr<google::protobuf::Message> Call(const google::protobuf::MethodDescriptor& method,
                                                  const google::protobuf::Message& request,
                                                  const std::string& authorization,
                                                  const httplib::Request& http,
                                                  httplib::Response& response);
  // The credentials of `request`: its Authorization header, or its
  // session's token; false (and the error written) when refused.
  bool Credentials(const httplib::Request& request, httplib::Response& response,
                   std::string& authorization);
  // A server-streaming method as server-sent events (event_stream.h).
  void ServeStream(const Match& match, google::protobuf::Message& request,
                   const std::string& authorization, const httplib::Request& http,
                   httplib::Response& response);
  void SignIn(const httplib::Request& request, httplib::Response& response);
  void CurrentSession(const httplib::Request& request, httplib::Response& response);

  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  std::vector<Route> routes_;
  GatewayOptions options_;
  Sessions sessions_;
  std::atomic<int> streams_{0};  // event streams open
};

}  // namespace dxledger::service::http

#endif  // DXLEDGER_SERVICE_HTTP_GATEWAY_H_
