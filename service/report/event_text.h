#ifndef DXLEDGER_SERVICE_REPORT_EVENT_TEXT_H_
#define DXLEDGER_SERVICE_REPORT_EVENT_TEXT_H_

#include <string>

#include "dxledger/v1/events.pb.h"

// Events in words, for timelines and tables.
namespace dxledger::report {

// One line saying what an event did, e.g. "rating B → A: 目標を上回った".
std::string DescribeEvent(const v1::Event& event);
// 2022-03-31T09:00:00Z
std::string FormatTime(const google::protobuf::Timestamp& time);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_EVENT_TEXT_H_
