#include "service/http/gateway.h"

#include <grpcpp/client_context.h>
#include <httplib.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "dxledger/v1/ledger.pb.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "service/http/event_stream.h"
#include "service/http/grpc_calls.h"

namespace dxledger::service::http {
namespace {

// How long a call through the gateway may take: an import or a backup is
// the longest.
constexpr auto kDeadline = std::chrono::minutes(5);

void Error(httplib::Response& response, grpc::StatusCode code, std::string_view message) {
  response.status = HttpStatusOf(code);
  response.set_content(ErrorJson(code, message) + "\n", "application/json");
}

// A reply that carries a file (content, content_type, file_name) as that
// file; false when the reply has none.
bool AsFile(const google::protobuf::Message& reply, httplib::Response& response) {
  const google::protobuf::Descriptor& type = *reply.GetDescriptor();
  const auto* content = type.FindFieldByName("content");
  const auto* content_type = type.FindFieldByName("content_type");
  const auto* file_name = type.FindFieldByName("file_name");
  if (content == nullptr || content_type == nullptr || file_name == nullptr) return false;
  const google::protobuf::Reflection& reflection = *reply.GetReflection();
  const std::string name = reflection.GetString(reply, file_name);
  response.set_content(reflection.GetString(reply, content),
                       reflection.GetString(reply, content_type));
  response.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
  return true;
}

// gRPC metadata is printable ASCII: anything else in a token or header the
// gateway passes on would make gRPC abort the call, and with it dxledgerd
// (an assertion in gRPC 1.51), so it is refused first.
bool PrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// The parameters of the URL's query string only. (cpp-httplib also puts the
// fields of a form-encoded body among its params, and curl -d sends JSON
// labelled as a form: the body is JSON whatever it is labelled.)
std::multimap<std::string, std::string> QueryOf(const std::string& target) {
  const auto decoded = [](std::string_view text) {
    std::string out;
    const auto hex = [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    };
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out.push_back(' ');
      } else if (text[i] == '%' && i + 2 < text.size() &&
                 std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
        i += 2;
      } else {
        out.push_back(text[i]);
      }
    }
    return out;
  };
  std::multimap<std::string, std::string> query;
  const size_t question = target.find('?');
  if (question == std::string::npos) return query;
  std::string_view rest = std::string_view(target).substr(question + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    query.emplace(decoded(pair.substr(0, equals)),
                  equals == std::string_view::npos ? "" : decoded(pair.substr(equals + 1)));
  }
  return query;
}

constexpr const char* kSessionCookie = "dxl_session";
// Event streams open at once (each holds an HTTP thread), how long a new
// one waits for a refusal, and how often a quiet one says it is alive.
constexpr int kMaxStreams = 24;
constexpr auto kFirstWait = std::chrono::milliseconds(300);
constexpr auto kKeepAlive = std::chrono::seconds(15);

const google::protobuf::MethodDescriptor& CallerMethod() {
  return *v1::GetCallerRequest::descriptor()
              ->file()
              ->FindServiceByName("LedgerService")
              ->FindMethodByName("GetCaller");
}
constexpr const char* kCsrfHeader = "X-CSRF-Token";

// Whether the request carries the session's CSRF token, compared in
// constant time.
bool CarriesCsrf(const httplib::Request& request, const Session& session) {
  const std::string sent = request.get_header_value(kCsrfHeader);
  return sent.size() == session.csrf.size() &&
         CRYPTO_memcmp(sent.data(), session.csrf.data(), sent.size()) == 0;
}

// The session id in the request's Cookie header; empty without one.
std::string SessionCookie(const httplib::Request& request) {
  const std::string cookies = request.get_header_value("Cookie");
  const std::string key = std::string(kSessionCookie) + "=";
  for (size_t start = 0; start < cookies.size();) {
    while (start < cookies.size() && cookies[start] == ' ') ++start;
    size_t end = cookies.find(';', start);
    if (end == std::string::npos) end = cookies.size();
    if (cookies.compare(start, key.size(), key) == 0) {
      return cookies.substr(start + key.size(), end - start - key.size());
    }
    start = end + 1;
  }
  return "";
}

std::string SessionJson(const google::protobuf::Message& caller, const std::string& csrf) {
  nlohmann::json json = nlohmann::json::parse(ReplyJson(caller));
  json["csrfToken"] = csrf;
  return json.dump() + "\n";
}

}  // namespace

Gateway::Gateway(std::shared_ptr<grpc::Channel> channel, std::vector<Route> routes,
                 GatewayOptions options)
    : channel_(std::move(channel)),
      stub_(channel_),
      routes_(std::move(routes)),
      options_(options),
      sessions_(options.session_idle, options.session_lifetime) {}

void Gateway::Install(httplib::Server& server) {
  const auto serve = [this](const httplib::Request& request, httplib::Response& response) {
    Serve(request, response);
  };
  const char* kApi = R"(/v1/.*)";
  server.Get(kApi, serve);
  server.Post(kApi, serve);
  server.Put(kApi, serve);
  server.Patch(kApi, serve);
  server.Delete(kApi, serve);
}

std::unique_ptr<google::protobuf::Message> Gateway::Call(
    const google::protobuf::MethodDescriptor& method, const google::protobuf::Message& request,
    const std::string& authorization, const httplib::Request& http, httplib::Response& response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kDeadline);
  Address(context, authorization, http.remote_addr);
  const grpc::ByteBuffer sent = Serialized(request);
  grpc::ByteBuffer received;
  std::promise<grpc::Status> done;
  stub_.UnaryCall(&context, RpcName(method), grpc::StubOptions(), &sent, &received,
                  [&done](grpc::Status status) { done.set_value(std::move(status)); });
  const grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    Error(response, status.error_code(), status.error_message());
    return nullptr;
  }
  std::unique_ptr<google::protobuf::Message> reply(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method.output_type())
          ->New());
  if (!ParseBuffer(received, *reply)) {
    Error(response, grpc::INTERNAL, "the reply could not be decoded");
    return nullptr;
  }
  return reply;
}

bool Gateway::Credentials(const httplib::Request& request, httplib::Response& response,
                          std::string& authorization) {
  if (request.has_header("Authorization")) {
    authorization = request.get_header_value("Authorization");
    if (!PrintableAscii(authorization)) {
      Error(response, grpc::UNAUTHENTICATED,
            "malformed authorization header: expected \"Bearer <token>\" in printable ASCII");
      return false;
    }
    return true;
  }
  const std::string id = SessionCookie(request);
  if (id.empty()) return true;  // none: the service says UNAUTHENTICATED
  std::optional<Session> session = sessions_.Use(id, absl::Now());
  if (!session) {
    Error(response, grpc::UNAUTHENTICATED, "your session has ended: sign in again");
    return false;
  }
  if (request.method != "GET" && !CarriesCsrf(request, *session)) {
    Error(response, grpc::PERMISSION_DENIED,
          "a change made from the console must carry its X-CSRF-Token header: reload the page");
    return false;
  }
  authorization = "Bearer " + session->token;
  return true;
}

void Gateway::ServeStream(const Match& match, google::protobuf::Message& request,
                          const std::string& authorization, const httplib::Request& http,
                          httplib::Response& response) {
  const google::protobuf::MethodDescriptor& method = *match.route->method;
  // EventSource reconnects with the id of the last event it had: resume
  // after it.
  const auto* start = request.GetDescriptor()->FindFieldByName("start_position");
  const auto* from_now = request.GetDescriptor()->FindFieldByName("from_now");
  if (http.has_header("Last-Event-ID") && start != nullptr && from_now != nullptr) {
    uint64_t seen = 0;
    const std::string id = http.get_header_value("Last-Event-ID");
    if (!absl::SimpleAtoi(id, &seen)) {
      return Error(response, grpc::INVALID_ARGUMENT,
                   fmt::format("Last-Event-ID \"{}\" is not a log position", id));
    }
    request.GetReflection()->SetUInt64(&request, start, seen + 1);
    request.GetReflection()->SetBool(&request, from_now, false);
  }
  if (streams_.fetch_add(1) >= kMaxStreams) {
    --streams_;
    return Error(response, grpc::UNAVAILABLE,
                 fmt::format("{} event streams are open, the most this server keeps: try again "
                             "later, or close a console tab",
                             kMaxStreams));
  }
  // A stream opened with a session ends with it (signed out, expired): it
  // is checked before each write, so nothing reaches a session that ended.
  const std::string session = http.has_header("Authorization") ? "" : SessionCookie(http);
  auto call = std::make_shared<StreamCall>(*method.output_type());
  Address(call->context(), authorization, http.remote_addr);
  call->Start(stub_, RpcName(method), Serialized(request));
  // A refusal (credentials, role, a bad request) comes at once: it is
  // answered as an HTTP error, not as a stream.
  bool ended = false;
  std::optional<StreamCall::Item> first = call->Next(kFirstWait, ended);
  if (ended || (first && first->error)) {
    call->Close();
    --streams_;
    const grpc::Status status = call->status();
    if (!status.ok()) return Error(response, status.error_code(), status.error_message());
    response.set_content("", "text/event-stream");
    return;
  }
  response.set_header("Cache-Control", "no-store");
  response.set_header("X-Accel-Buffering", "no");  // nginx: pass each event on at once
  response.set_chunked_content_provider(
      "text/event-stream",
      [this, call, session, first = std::move(first)](size_t, httplib::DataSink& sink) mutable {
        const auto ended_session = [&] {
          if (session.empty() || sessions_.Active(session, absl::Now())) return false;
          sink.done();
          return true;
        };
        if (ended_session()) return true;
        if (first) {
          const std::string text = std::move(first->sse);
          first.reset();
          return sink.write(text.data(), text.size());
        }
        bool ended = false;
        std::optional<StreamCall::Item> item = call->Next(kKeepAlive, ended);
        if (ended) {
          sink.done();
          return true;
        }
        if (ended_session()) return true;
        // A comment line while the stream is quiet: a browser that left is
        // noticed when the write fails.
        const std::string text = item ? std::move(item->sse) : std::string(": keep-alive\n\n");
        return sink.write(text.data(), text.size());
      },
      [this, call](bool) {
        call->Close();
        --streams_;
      });
}

void Gateway::SignIn(const httplib::Request& request, httplib::Response& response) {
  std::string token;
  try {
    token = nlohmann::json::parse(request.body).at("token").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return Error(response, grpc::INVALID_ARGUMENT,
                 "sign in with the body {\"token\": \"YOUR TOKEN\"}");
  }
  if (!PrintableAscii(token)) {
    return Error(response, grpc::UNAUTHENTICATED, "that is not a token: tokens are ASCII");
  }
  const v1::GetCallerRequest who;
  std::unique_ptr<google::protobuf::Message> caller =
      Call(CallerMethod(), who, "Bearer " + token, request, response);
  if (caller == nullptr) return;
  auto [id, session] = sessions_.Open(std::move(token), absl::Now());
  response.set_header(
      "Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
                                kSessionCookie, id, absl::ToInt64Seconds(options_.session_lifetime),
                                options_.secure_cookies ? "; Secure" : ""));
  response.set_content(SessionJson(*caller, session.csrf), "application/json");
}

void Gateway::CurrentSession(const httplib::Request& request, httplib::Response& response) {
  const std::string id = SessionCookie(request);
  std::optional<Session> session = sessions_.Use(id, absl::Now());
  if (id.empty() || !session) {
    return Error(response, grpc::UNAUTHENTICATED, "not signed in");
  }
  if (request.method == "DELETE") {
    if (!CarriesCsrf(request, *session)) {
      return Error(response, grpc::PERMISSION_DENIED, "signing out needs the X-CSRF-Token header");
    }
    sessions_.Close(id);
    response.set_header("Set-Cookie",
                        fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; "
                                    "Max-Age=0{}",
                                    kSessionCookie, options_.secure_cookies ? "; Secure" : ""));
    response.set_content("{}\n", "application/json");
    return;
  }
  const v1::GetCallerRequest who;
  std::unique_ptr<google::protobuf::Message> caller =
      Call(CallerMethod(), who, "Bearer " + session->token, request, response);
  if (caller != nullptr)
    response.set_content(SessionJson(*caller, session->csrf), "application/json");
}

void Gateway::Serve(const httplib::Request& request, httplib::Response& response) {
  if (request.path == "/v1/sessions" && request.method == "POST") return SignIn(request, response);
  if (request.path == "/v1/sessions/current" &&
      (request.method == "GET" || request.method == "DELETE")) {
    return CurrentSession(request, response);
  }
  absl::StatusOr<Match> match = FindRoute(routes_, request.method, request.path);
  if (absl::IsFailedPrecondition(match.status())) {
    response.set_header("Allow", std::string(match.status().message()));
    Error(response, grpc::UNIMPLEMENTED,
          fmt::format("{} is not served for {}: use {}", request.method, request.path,
                      std::string(match.status().message())));
    response.status = 405;
    return;
  }
  if (!match.ok()) {
    return Error(response, grpc::NOT_FOUND,
                 fmt::format("no route {} {}: the API's routes are in proto/dxledger/v1/"
                             "ledger.proto, as the (http) option of each method",
                             request.method, request.path));
  }
  std::string authorization;
  if (!Credentials(request, response, authorization)) return;
  std::multimap<std::string, std::string> query = QueryOf(request.target);
  const auto alt = query.find("alt");
  const bool as_file = alt != query.end() && alt->second == "media";
  query.erase("alt");
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> call =
      BuildRequest(*match, request.body, query);
  if (!call.ok()) {
    return Error(response, grpc::INVALID_ARGUMENT, std::string(call.status().message()));
  }
  if (match->route->method->server_streaming()) {
    return ServeStream(*match, **call, authorization, request, response);
  }
  std::unique_ptr<google::protobuf::Message> reply =
      Call(*match->route->method, **call, authorization, request, response);
  if (reply == nullptr) return;
  if (as_file && AsFile(*reply, response)) return;
  response.set_content(ReplyJson(*reply), "application/json");
}

}  // namespace dxledger::service::http
