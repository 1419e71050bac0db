#ifndef DXLEDGER_SERVICE_LEDGER_CODEC_H_
#define DXLEDGER_SERVICE_LEDGER_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dxledger/v1/events.pb.h"
#include "dxledger/v1/goal.pb.h"
#include "service/domain/names.h"
#include "storage/event_store.h"

// How events and views become stored bytes and back. Serialization is
// deterministic so a rebuilt view compares byte for byte with a stored one.
namespace dxledger::ledger {

// A protobuf Timestamp as an absl::Time.
absl::Time ToTime(const google::protobuf::Timestamp& time);

// Protobuf bytes with map and field order fixed.
std::string EncodeDeterministic(const google::protobuf::MessageLite& message);

// The stream (storage key) of a goal: {org}/{goal_id}.
std::string StreamOf(const domain::GoalName& goal);

// The stream of a fiscal year: {org}/fiscal-years/{year} (goal ids hold no '/').
std::string StreamOfYear(const domain::FiscalYearName& year);

// The event's bytes as hashed and stored: the envelope without position and
// hashes, which the log itself supplies.
std::string EncodeEvent(const v1::Event& event);
// The event with position and hashes from the record. DATA_LOSS when the
// bytes do not parse.
absl::StatusOr<v1::Event> DecodeEvent(const storage::LogRecord& record);
absl::StatusOr<std::vector<v1::Event>> DecodeEvents(const std::vector<storage::LogRecord>& records);

// Appends the protobuf bytes of the event a log record holds, position and
// hashes included, without parsing it: the stored body with those three
// fields after it (protobuf reads fields in any order). For forwarding the
// log as it is stored.
void AppendEventBytes(uint64_t position, std::string_view prev_hash, std::string_view hash,
                      std::string_view body, std::string& out);

std::string EncodeGoal(const v1::Goal& goal);
absl::StatusOr<v1::Goal> DecodeGoal(std::string_view bytes);
absl::StatusOr<v1::FiscalYear> DecodeYear(std::string_view bytes);

}  // namespace dxledger::ledger

#endif  // DXLEDGER_SERVICE_LEDGER_CODEC_H_
