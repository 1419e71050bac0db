#ifndef DXLEDGER_SERVICE_HTTP_ROUTES_H_
#define DXLEDGER_SERVICE_HTTP_ROUTES_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

// The HTTP/JSON face of a gRPC service, as gRPC-JSON transcoding defines it
// (google.api.http, AIP-127): each method declares its route once, as the
// (http) option in ledger.proto, e.g.
//   get: "/v1/{name=organizations/*/goals/*}:history"
// A request becomes the method's request message from the path's
// variables, the query string (field paths, e.g. as_of.position=5) and the
// JSON body (the whole message for body "*"), by the protobuf JSON mapping.
// Pure: no sockets, no gRPC.
namespace dxledger::service::http {

// One segment of a path template: a literal, or * (one segment) or **
// (the rest), possibly inside a {variable}.
struct Segment {
  std::string literal;  // empty for * and **
  bool rest = false;    // **
};

struct Variable {
  std::string field;  // a field path, e.g. name
  size_t first = 0;   // the segments it binds: [first, last)
  size_t last = 0;
};

struct Route {
  std::string http_method;  // GET, POST, PUT, PATCH or DELETE
  std::string pattern;      // as declared
  std::vector<Segment> segments;
  std::vector<Variable> variables;
  std::string custom_verb;  // after ':', e.g. history
  std::string body;         // "", "*" or a field of the request
  const google::protobuf::MethodDescriptor* method = nullptr;
};

// The routes of every method of `service` that declares one; INVALID_ARGUMENT
// naming a method whose template does not parse or names no field.
absl::StatusOr<std::vector<Route>> RoutesOf(const google::protobuf::ServiceDescriptor& service);

struct Match {
  const Route* route = nullptr;
  // Each variable's field and value.
  std::vector<std::pair<std::string, std::string>> bindings;
};

// The route for `http_method` and `path` (no query string, percent-decoded
// as cpp-httplib gives it). Without one:
// NOT_FOUND when no route has the path, FAILED_PRECONDITION with the
// methods that do in the message ("GET, POST") when another method has it.
absl::StatusOr<Match> FindRoute(const std::vector<Route>& routes, std::string_view http_method,
                                std::string_view path);

// The request message of `match`'s method: the body (JSON), then the query
// parameters, then the path variables. INVALID_ARGUMENT in plain words for
// JSON that does not parse, an unknown field or parameter, or a value of the
// wrong type; nothing of the request is used then.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequest(
    const Match& match, std::string_view body,
    const std::multimap<std::string, std::string>& query);

// The reply message as JSON (the protobuf JSON mapping, lowerCamelCase).
std::string ReplyJson(const google::protobuf::Message& reply);

}  // namespace dxledger::service::http

#endif  // DXLEDGER_SERVICE_HTTP_ROUTES_H_
