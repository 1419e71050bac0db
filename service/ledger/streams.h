#ifndef DXLEDGER_SERVICE_LEDGER_STREAMS_H_
#define DXLEDGER_SERVICE_LEDGER_STREAMS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "service/ledger/write.h"

// The three kinds of stream a write touches (goals, fiscal years,
// principals): their storage keys, and their views as stored, before any
// event, and after one. Each function handles every kind, so a new kind
// fails to compile until it is handled everywhere.
namespace dxledger::ledger {

// The stream (storage key) a command writes to.
std::string StreamKeyOf(const StreamCommand& command);
// The command's target in words, for messages: "goal organizations/…/goals/…".
std::string TargetOf(const StreamCommand& command);

// The view of the command's stream before its first event.
StreamView ViewBeforeFirstEvent(const StreamCommand& command);
// The stored view of the command's stream; DATA_LOSS when it cannot be decoded.
absl::StatusOr<StreamView> DecodeView(const StreamCommand& command, std::string_view bytes);
// The view as stored: deterministic bytes, so a rebuild compares equal.
std::string EncodeView(const StreamView& view);
uint64_t VersionOf(const StreamView& view);

// The key of a request id's record: ids are scoped by organization (empty
// for principals, which the server holds) and by the principal that sent
// them.
std::string RequestKeyOf(std::string_view scope, std::string_view actor,
                         std::string_view request_id);

// Folds one of the stream's events into its view.
void ApplyToView(const v1::Event& event, StreamView& view);

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_STREAMS_H_
