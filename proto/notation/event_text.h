#ifndef DXLEDGER_PROTO_NOTATION_EVENT_TEXT_H_
#define DXLEDGER_PROTO_NOTATION_EVENT_TEXT_H_

#include <string>

#include "dxledger/v1/events.pb.h"

// Events in words, for timelines and tables, on the server's pages and in
// the CLI alike.
namespace dxledger::notation {

// 【DT DL】 for the tags of an activity, or "" when it has none.
std::string TagMarker(const google::protobuf::RepeatedField<int>& tags);

// One line saying what an event did, e.g. "rating B → A: 目標を上回った".
std::string DescribeEvent(const v1::Event& event);
// 2022-03-31T09:00:00Z
std::string FormatTime(const google::protobuf::Timestamp& time);

}  // namespace dxledger::notation

#endif  // DXLEDGER_PROTO_NOTATION_EVENT_TEXT_H_
