// Principals on their own streams, and the security log.
#include "service/domain/principals.h"

#include <future>

#include "fmt/format.h"
#include "service/ledger/codec.h"
#include "service/ledger/ledger.h"
#include "service/ledger/page_token.h"
#include "storage/keys.h"

namespace dxledger::ledger {
namespace {

constexpr int kMaxPrincipalAttempts = 8;
constexpr std::string_view kPrincipalsPrefix = "principals/";

absl::StatusOr<std::optional<v1::Principal>> LoadPrincipal(storage::EventStore& store,
                                                           const std::string& stream) {
  absl::StatusOr<std::optional<storage::StoredView>> view = store.ReadView(stream);
  if (!view.ok()) return view.status();
  if (!view->has_value()) return std::nullopt;
  v1::Principal principal;
  if (!principal.ParseFromString((*view)->bytes)) {
    return absl::DataLossError("a stored principal view cannot be decoded; rebuild the views");
  }
  return principal;
}

bool Matches(const SecurityEventFilter& filter, const v1::SecurityEvent& event) {
  if (!filter.principal.empty() && event.principal() != filter.principal) return false;
  if (!filter.method.empty() && event.method().find(filter.method) == std::string::npos)
    return false;
  if (!filter.code.empty() && event.code() != filter.code) return false;
  const absl::Time time = ToTime(event.event_time());
  if (filter.start_time && time < *filter.start_time) return false;
  if (filter.end_time && time >= *filter.end_time) return false;
  return true;
}

}  // namespace

void Ledger::ExecutePrincipal(PrincipalCommand command, PrincipalCallback done) {
  AttemptPrincipal(std::move(command), kMaxPrincipalAttempts, std::move(done));
}

void Ledger::AttemptPrincipal(PrincipalCommand command, int attempts_left, PrincipalCallback done) {
  {
    const std::string stream = domain::PrincipalStreamName(command.principal);
    storage::AppendRequest append;
    if (!command.request_id.empty()) {
      append.request_key = fmt::format("principals\n{}\n{}", command.actor, command.request_id);
      append.request_fingerprint = stream + "\n" + EncodeDeterministic(command.proposal);
      absl::StatusOr<std::optional<storage::RequestRecord>> seen =
          store_.ReadRequest(append.request_key);
      if (!seen.ok()) return std::move(done)(seen.status());
      if (seen->has_value()) {
        if ((*seen)->fingerprint != append.request_fingerprint) {
          return std::move(done)(absl::InvalidArgumentError(fmt::format(
              "request_id \"{}\" was already used for a different request", command.request_id)));
        }
        absl::StatusOr<std::optional<v1::Principal>> now = LoadPrincipal(store_, stream);
        if (!now.ok()) return std::move(done)(now.status());
        absl::StatusOr<std::vector<v1::Event>> events = ReadEvents({(*seen)->first_position});
        if (!events.ok()) return std::move(done)(events.status());
        return std::move(done)(
            PrincipalOutcome{now->value_or(v1::Principal()), *std::move(events), true});
      }
    }
    absl::StatusOr<std::optional<v1::Principal>> current = LoadPrincipal(store_, stream);
    if (!current.ok()) return std::move(done)(current.status());
    const v1::Principal* before = current->has_value() ? &**current : nullptr;
    const domain::CommandContext context{command.actor, clock_(), command.request_id,
                                         command.reason};
    absl::StatusOr<v1::Event> event =
        domain::DecidePrincipal(before, command.principal, command.proposal, context);
    if (!event.ok()) return std::move(done)(event.status());
    PrincipalOutcome outcome;
    if (before != nullptr) outcome.principal = *before;
    domain::ApplyToPrincipal(*event, outcome.principal);
    append.streams.push_back({stream,
                              before ? before->version() : 0,
                              {EncodeEvent(*event)},
                              EncodeDeterministic(outcome.principal)});
    outcome.events.push_back(*std::move(event));
    store_.Append(std::move(append), [this, command = std::move(command), attempts_left,
                                      outcome = std::move(outcome), done = std::move(done)](
                                         absl::StatusOr<storage::AppendResult> result) mutable {
      if ((absl::IsAborted(result.status()) || absl::IsAlreadyExists(result.status())) &&
          attempts_left > 1) {
        return AttemptPrincipal(std::move(command), attempts_left - 1, std::move(done));
      }
      if (!result.ok()) return std::move(done)(result.status());
      outcome.events[0].set_position(result->first_position);
      outcome.events[0].set_prev_hash(result->prev_hash);
      outcome.events[0].set_hash(result->hashes[0]);
      std::move(done)(std::move(outcome));
    });
  }
}

absl::StatusOr<PrincipalOutcome> Ledger::ExecutePrincipalAndWait(PrincipalCommand command) {
  std::promise<absl::StatusOr<PrincipalOutcome>> promise;
  auto future = promise.get_future();
  ExecutePrincipal(std::move(command), [&promise](absl::StatusOr<PrincipalOutcome> outcome) {
    promise.set_value(std::move(outcome));
  });
  return future.get();
}

absl::StatusOr<std::vector<v1::Principal>> Ledger::ListPrincipals() {
  std::vector<v1::Principal> principals;
  absl::Status error;
  absl::Status scanned =
      store_.Scan(storage::Keyspace::kViews, kPrincipalsPrefix, "",
                  [&](std::string_view, std::string_view bytes) {
                    v1::Principal& principal = principals.emplace_back();
                    if (!principal.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
                      error = absl::DataLossError("a stored principal view cannot be decoded");
                      return false;
                    }
                    return true;
                  });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  return principals;
}

absl::Status Ledger::RecordSecurityEvent(const v1::SecurityEvent& event) {
  return store_.RecordSecurityEvent(absl::ToUnixMicros(ToTime(event.event_time())),
                                    event.SerializeAsString());
}

absl::StatusOr<Page<v1::SecurityEvent>> Ledger::ListSecurityEvents(
    const SecurityEventFilter& filter, int page_size, std::string_view page_token) {
  absl::StatusOr<size_t> size = PageSize(page_size);
  if (!size.ok()) return size.status();
  std::string start;
  if (!page_token.empty()) {
    absl::StatusOr<std::string> key = DecodePageToken("security", page_token);
    if (!key.ok()) return key.status();
    start = *std::move(key);
  } else if (filter.start_time) {
    start =
        storage::keys::BigEndian64(static_cast<uint64_t>(absl::ToUnixMicros(*filter.start_time)));
  }
  Page<v1::SecurityEvent> page;
  absl::Status error;
  absl::Status scanned = store_.Scan(
      storage::Keyspace::kSecurity, "", start, [&](std::string_view key, std::string_view value) {
        v1::SecurityEvent event;
        if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("a security-log record cannot be decoded");
          return false;
        }
        if (!Matches(filter, event)) return true;
        if (page.items.size() == *size) {
          page.next_page_token = EncodePageToken("security", key);
          return false;
        }
        page.items.push_back(std::move(event));
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!error.ok()) return error;
  return page;
}

}  // namespace dxledger::ledger
