#include "service/ledger/codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <cassert>

#include "fmt/format.h"

namespace dxledger::ledger {
std::string EncodeDeterministic(const google::protobuf::MessageLite& message) {
  message.ByteSizeLong();  // SerializeWithCachedSizes needs the sizes cached
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return bytes;
}

absl::Time ToTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

std::string StreamOf(const domain::GoalName& goal) {
  return fmt::format("{}/{}", goal.organization, goal.goal_id);
}

std::string StreamOfYear(const domain::FiscalYearName& year) {
  return fmt::format("{}/fiscal-years/{}", year.organization, year.fiscal_year);
}

std::string EncodeEvent(const v1::Event& event) {
  // Decide never sets the log's own fields; a copy here would cost more
  // than the assert documents.
  assert(event.position() == 0 && event.hash().empty() && event.prev_hash().empty());
  return EncodeDeterministic(event);
}

absl::StatusOr<v1::Event> DecodeEvent(const storage::LogRecord& record) {
  v1::Event event;
  if (!event.ParseFromString(record.body)) {
    return absl::DataLossError(
        fmt::format("event at position {} cannot be decoded", record.position));
  }
  event.set_position(record.position);
  event.set_prev_hash(record.prev_hash);
  event.set_hash(record.hash);
  return event;
}

void AppendEventBytes(uint64_t position, std::string_view prev_hash, std::string_view hash,
                      std::string_view body, std::string& out) {
  using google::protobuf::internal::WireFormatLite;
  out.reserve(out.size() + body.size() + 11 + 2 * (prev_hash.size() + 2));
  out.append(body);
  auto append_varint = [&](uint64_t value) {
    while (value >= 0x80) {
      out.push_back(static_cast<char>(value | 0x80));
      value >>= 7;
    }
    out.push_back(static_cast<char>(value));
  };
  auto append_bytes = [&](int field, std::string_view bytes) {
    append_varint(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    append_varint(bytes.size());
    out.append(bytes);
  };
  append_varint(
      WireFormatLite::MakeTag(v1::Event::kPositionFieldNumber, WireFormatLite::WIRETYPE_VARINT));
  append_varint(position);
  append_bytes(v1::Event::kPrevHashFieldNumber, prev_hash);
  append_bytes(v1::Event::kHashFieldNumber, hash);
}

std::string EncodeGoal(const v1::Goal& goal) { return EncodeDeterministic(goal); }

absl::StatusOr<v1::Goal> DecodeGoal(std::string_view bytes) {
  v1::Goal goal;
  if (!goal.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("a stored goal view cannot be decoded; rebuild the views");
  }
  return goal;
}

absl::StatusOr<v1::FiscalYear> DecodeYear(std::string_view bytes) {
  v1::FiscalYear year;
  if (!year.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("a stored fiscal-year view cannot be decoded; rebuild the views");
  }
  return year;
}

absl::StatusOr<std::vector<v1::Event>> DecodeEvents(
    const std::vector<storage::LogRecord>& records) {
  std::vector<v1::Event> events;
  events.reserve(records.size());
  for (const storage::LogRecord& record : records) {
    absl::StatusOr<v1::Event> event = DecodeEvent(record);
    if (!event.ok()) return event.status();
    events.push_back(*std::move(event));
  }
  return events;
}

}  // namespace dxledger::ledger
