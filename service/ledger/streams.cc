#include "service/ledger/streams.h"

#include "base/overloaded.h"
#include "fmt/format.h"
#include "service/domain/goal.h"
#include "service/domain/principals.h"
#include "service/ledger/codec.h"

namespace dxledger::ledger {
namespace {

template <typename Message>
absl::StatusOr<StreamView> Parse(std::string_view bytes, std::string_view what) {
  Message message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        fmt::format("a stored {} view cannot be decoded; rebuild the views", what));
  }
  return StreamView(std::move(message));
}

}  // namespace

std::string StreamKeyOf(const StreamCommand& command) {
  return std::visit(
      Overloaded{[](const GoalCommand& c) { return StreamOf(c.command.goal); },
                 [](const domain::YearCommand& c) { return StreamOfYear(c.year); },
                 [](const PrincipalChange& c) { return domain::PrincipalStreamName(c.principal); }},
      command);
}

std::string TargetOf(const StreamCommand& command) {
  return std::visit(
      Overloaded{[](const GoalCommand& c) { return "goal " + c.command.goal.Format(); },
                 [](const domain::YearCommand& c) { return "fiscal year " + c.year.Format(); },
                 [](const PrincipalChange& c) { return "principal " + c.principal; }},
      command);
}

StreamView ViewBeforeFirstEvent(const StreamCommand& command) {
  return std::visit(Overloaded{[](const GoalCommand&) { return StreamView(v1::Goal()); },
                               [](const domain::YearCommand& c) {
                                 return StreamView(domain::ImplicitYear(c.year));
                               },
                               [](const PrincipalChange&) { return StreamView(v1::Principal()); }},
                    command);
}

absl::StatusOr<StreamView> DecodeView(const StreamCommand& command, std::string_view bytes) {
  return std::visit(
      Overloaded{
          [&](const GoalCommand&) { return Parse<v1::Goal>(bytes, "goal"); },
          [&](const domain::YearCommand&) { return Parse<v1::FiscalYear>(bytes, "fiscal-year"); },
          [&](const PrincipalChange&) { return Parse<v1::Principal>(bytes, "principal"); }},
      command);
}

std::string EncodeView(const StreamView& view) {
  return std::visit([](const auto& message) { return EncodeDeterministic(message); }, view);
}

uint64_t VersionOf(const StreamView& view) {
  return std::visit([](const auto& message) -> uint64_t { return message.version(); }, view);
}

void ApplyToView(const v1::Event& event, StreamView& view) {
  std::visit(
      Overloaded{[&](v1::Goal& goal) { domain::Apply(event, goal); },
                 [&](v1::FiscalYear& year) { domain::ApplyToYear(event, year); },
                 [&](v1::Principal& principal) { domain::ApplyToPrincipal(event, principal); }},
      view);
}

std::string RequestKeyOf(std::string_view scope, std::string_view actor,
                         std::string_view request_id) {
  std::string key(scope);
  key.push_back('\0');
  key.append(actor).push_back('\0');
  key.append(request_id);
  return key;
}

}  // namespace dxledger::ledger
