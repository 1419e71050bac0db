#ifndef DXLEDGER_SERVICE_REPORT_HISTORY_JA_H_
#define DXLEDGER_SERVICE_REPORT_HISTORY_JA_H_

#include <string>

#include "dxledger/v1/events.pb.h"
#include "google/protobuf/timestamp.pb.h"

// A goal's history as the Japanese report page tells it. Pure and
// thread-safe.
namespace dxledger::report {

// Japan Standard Time (UTC+9, no daylight saving): "2022-03-09 14:05 JST".
std::string FormatJst(const google::protobuf::Timestamp& time);

// What a goal event did, in Japanese: "評価を変更 C → B（理由）",
// "取組を記録【DT】 …". Events on other streams keep the English text.
std::string DescribeEventJa(const v1::Event& event);

}  // namespace dxledger::report

#endif  // DXLEDGER_SERVICE_REPORT_HISTORY_JA_H_
