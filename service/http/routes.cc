#include "service/http/routes.h"

#include <google/protobuf/util/json_util.h>

#include "dxledger/v1/access.pb.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace dxledger::service::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

absl::Status BadTemplate(const MethodDescriptor& method, std::string_view pattern,
                         std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("the (http) route of {} \"{}\": {}", method.full_name(), pattern, why));
}

// "a/*/b" as segments.
std::vector<Segment> ParseSegments(std::string_view text) {
  std::vector<Segment> segments;
  for (size_t start = 0;;) {
    const size_t slash = text.find('/', start);
    const std::string_view part = text.substr(start, slash - start);
    segments.push_back(part == "*"    ? Segment{}
                       : part == "**" ? Segment{"", true}
                                      : Segment{std::string(part), false});
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

// The field a path names (dots for nested messages), by its proto or JSON
// name; nullptr when there is none.
const FieldDescriptor* FieldAt(const Descriptor& message, std::string_view path,
                               std::vector<const FieldDescriptor*>* trail = nullptr) {
  const Descriptor* within = &message;
  const FieldDescriptor* field = nullptr;
  for (size_t start = 0; start <= path.size();) {
    if (within == nullptr) return nullptr;
    const size_t dot = path.find('.', start);
    const std::string name(path.substr(start, dot - start));
    field = within->FindFieldByName(name);
    for (int i = 0; field == nullptr && i < within->field_count(); ++i) {
      if (within->field(i)->json_name() == name) field = within->field(i);
    }
    if (field == nullptr) return nullptr;
    if (trail != nullptr) trail->push_back(field);
    if (dot == std::string_view::npos) break;
    within = field->message_type();
    start = dot + 1;
  }
  return field;
}

absl::StatusOr<Route> ParseRoute(const MethodDescriptor& method, std::string http_method,
                                 const std::string& pattern, const std::string& body) {
  Route route;
  route.http_method = std::move(http_method);
  route.pattern = pattern;
  route.body = body;
  route.method = &method;
  if (!pattern.starts_with('/')) return BadTemplate(method, pattern, "it must start with /");
  // The custom verb: after the last ':' outside braces, past the last '/'.
  std::string_view path = std::string_view(pattern).substr(1);
  int depth = 0;
  size_t verb = std::string_view::npos;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') ++depth;
    if (path[i] == '}') --depth;
    if (depth == 0 && path[i] == '/') verb = std::string_view::npos;
    if (depth == 0 && path[i] == ':') verb = i;
  }
  if (verb != std::string_view::npos) {
    route.custom_verb = std::string(path.substr(verb + 1));
    path = path.substr(0, verb);
  }
  for (size_t start = 0; start < path.size();) {
    if (path[start] == '{') {
      const size_t close = path.find('}', start);
      if (close == std::string_view::npos) return BadTemplate(method, pattern, "an unclosed {");
      const std::string_view inside = path.substr(start + 1, close - start - 1);
      const size_t equals = inside.find('=');
      Variable variable{std::string(inside.substr(0, equals)), route.segments.size(), 0};
      if (FieldAt(*method.input_type(), variable.field) == nullptr) {
        return BadTemplate(method, pattern, fmt::format("no field {}", variable.field));
      }
      for (Segment& segment : equals == std::string_view::npos
                                  ? std::vector<Segment>{Segment{}}
                                  : ParseSegments(inside.substr(equals + 1))) {
        route.segments.push_back(std::move(segment));
      }
      variable.last = route.segments.size();
      route.variables.push_back(std::move(variable));
      start = close + 1;
    } else {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      for (Segment& segment : ParseSegments(path.substr(start, slash - start))) {
        route.segments.push_back(std::move(segment));
      }
      start = slash;
    }
    if (start < path.size() && path[start] == '/') ++start;
  }
  if (!body.empty() && body != "*" && FieldAt(*method.input_type(), body) == nullptr) {
    return BadTemplate(method, pattern, fmt::format("no body field {}", body));
  }
  return route;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.starts_with('/')) path.remove_prefix(1);
  for (size_t start = 0;;) {
    const size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

// The bindings of `route` for the path's segments, or nullopt when it does
// not match.
std::optional<Match> MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                                   std::string_view verb) {
  if (route.custom_verb != verb) return std::nullopt;
  std::vector<size_t> starts;  // where each route segment starts in `parts`
  size_t at = 0;
  for (const Segment& segment : route.segments) {
    starts.push_back(at);
    if (segment.rest) {
      at = parts.size();
      continue;
    }
    if (at >= parts.size() || parts[at].empty()) return std::nullopt;
    if (!segment.literal.empty() && parts[at] != segment.literal) return std::nullopt;
    ++at;
  }
  if (at != parts.size()) return std::nullopt;
  starts.push_back(at);
  Match match{&route, {}};
  for (const Variable& variable : route.variables) {
    std::string value;
    for (size_t i = starts[variable.first]; i < starts[variable.last]; ++i) {
      if (!value.empty()) value.push_back('/');
      value += parts[i];  // cpp-httplib has percent-decoded the path
    }
    match.bindings.emplace_back(variable.field, std::move(value));
  }
  return match;
}

bool IsWellKnownScalar(const Descriptor& message) {
  const std::string& name = message.full_name();
  return name == "google.protobuf.Timestamp" || name == "google.protobuf.Duration" ||
         (name.starts_with("google.protobuf.") && name.ends_with("Value"));
}

// A query parameter or path variable as the JSON value its field takes.
absl::StatusOr<nlohmann::json> JsonValue(const FieldDescriptor& field, const std::string& key,
                                         const std::string& value) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value == "true" || value == "1") return true;
      if (value == "false" || value == "0") return false;
      return absl::InvalidArgumentError(
          fmt::format("parameter {}=\"{}\": expected true or false", key, value));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsWellKnownScalar(*field.message_type())) return value;
      return absl::InvalidArgumentError(fmt::format(
          "parameter {} is a message: set its fields ({}.FIELD) or send it in a JSON body", key,
          key));
    default:
      // Numbers as strings: the JSON mapping accepts them for every number
      // type and checks the range.
      return value;
  }
}

absl::Status SetJson(nlohmann::json& object, const Descriptor& message, const std::string& key,
                     const std::string& value) {
  std::vector<const FieldDescriptor*> trail;
  const FieldDescriptor* field = FieldAt(message, key, &trail);
  if (field == nullptr) {
    return absl::InvalidArgumentError(
        fmt::format("unknown parameter {}: {} has no such field", key, message.full_name()));
  }
  nlohmann::json* at = &object;
  for (size_t i = 0; i + 1 < trail.size(); ++i) {
    if (trail[i]->is_repeated()) {
      return absl::InvalidArgumentError(fmt::format(
          "parameter {}: {} is a list of messages; send it in a JSON body", key, trail[i]->name()));
    }
    at = &(*at)[trail[i]->name()];
  }
  absl::StatusOr<nlohmann::json> json = JsonValue(*field, key, value);
  if (!json.ok()) return json.status();
  if (field->is_repeated()) {
    (*at)[field->name()].push_back(*std::move(json));
  } else {
    (*at)[field->name()] = *std::move(json);
  }
  return absl::OkStatus();
}

absl::Status ParseJson(std::string_view json, google::protobuf::Message& message,
                       std::string_view what) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &message, options);
  if (parsed.ok()) return absl::OkStatus();
  const auto why = parsed.message();
  return absl::InvalidArgumentError(fmt::format("{} is not a {} in JSON: {}", what,
                                                message.GetDescriptor()->full_name(),
                                                std::string(why.data(), why.size())));
}

}  // namespace

absl::StatusOr<std::vector<Route>> RoutesOf(const google::protobuf::ServiceDescriptor& service) {
  std::vector<Route> routes;
  for (int i = 0; i < service.method_count(); ++i) {
    const MethodDescriptor& method = *service.method(i);
    if (!method.options().HasExtension(v1::http)) continue;
    const v1::HttpRule& rule = method.options().GetExtension(v1::http);
    const std::pair<const char*, const std::string*> patterns[] = {{"GET", &rule.get()},
                                                                   {"PUT", &rule.put()},
                                                                   {"POST", &rule.post()},
                                                                   {"DELETE", &rule.delete_()},
                                                                   {"PATCH", &rule.patch()}};
    for (const auto& [verb, pattern] : patterns) {
      if (pattern->empty()) continue;
      absl::StatusOr<Route> route = ParseRoute(method, verb, *pattern, rule.body());
      if (!route.ok()) return route.status();
      routes.push_back(*std::move(route));
    }
  }
  return routes;
}

absl::StatusOr<Match> FindRoute(const std::vector<Route>& routes, std::string_view http_method,
                                std::string_view path) {
  std::string_view verb;
  const size_t last_slash = path.rfind('/');
  const size_t colon = path.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (colon != std::string_view::npos) {
    verb = path.substr(colon + 1);
    path = path.substr(0, colon);
  }
  const std::vector<std::string_view> parts = SplitPath(path);
  std::string allowed;
  for (const Route& route : routes) {
    std::optional<Match> match = MatchSegments(route, parts, verb);
    if (!match) continue;
    if (route.http_method == http_method) return *std::move(match);
    if (allowed.find(route.http_method) == std::string::npos) {
      allowed += (allowed.empty() ? "" : ", ") + route.http_method;
    }
  }
  if (!allowed.empty()) return absl::FailedPreconditionError(allowed);
  return absl::NotFoundError("no such route");
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequest(
    const Match& match, std::string_view body,
    const std::multimap<std::string, std::string>& query) {
  const Route& route = *match.route;
  const Descriptor& type = *route.method->input_type();
  std::unique_ptr<google::protobuf::Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  if (route.body.empty() && !body.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{} {} takes no body: give its fields as query parameters", route.http_method,
                    route.pattern));
  }
  if (!body.empty()) {
    google::protobuf::Message* target = request.get();
    if (route.body != "*") {
      std::vector<const FieldDescriptor*> trail;
      FieldAt(type, route.body, &trail);
      for (const FieldDescriptor* field : trail) {
        target = target->GetReflection()->MutableMessage(target, field);
      }
    }
    if (absl::Status s = ParseJson(body, *target, "the body"); !s.ok()) return s;
  }
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [key, value] : query) {
    if (absl::Status s = SetJson(params, type, key, value); !s.ok()) return s;
  }
  for (const auto& [field, value] : match.bindings) {
    if (absl::Status s = SetJson(params, type, field, value); !s.ok()) return s;
  }
  if (!params.empty()) {
    std::unique_ptr<google::protobuf::Message> from_url(request->New());
    const std::string json = params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (absl::Status s = ParseJson(json, *from_url, "the path and query"); !s.ok()) return s;
    request->MergeFrom(*from_url);
  }
  return request;
}

std::string ReplyJson(const google::protobuf::Message& reply) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  // A reply holds valid UTF-8 and known enums only.
  (void)google::protobuf::util::MessageToJsonString(reply, &json, options);
  return json;
}

}  // namespace dxledger::service::http
