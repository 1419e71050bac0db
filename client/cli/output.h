#ifndef DXLEDGER_CLIENT_CLI_OUTPUT_H_
#define DXLEDGER_CLIENT_CLI_OUTPUT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "dxledger/v1/ledger.pb.h"

// How the CLI prints: readable tables (aligned by display width, so Japanese
// text lines up) or protobuf JSON with proto field names.
namespace dxledger::cli {

void PrintJson(const google::protobuf::Message& message);

void PrintGoal(const v1::Goal& goal);
void PrintGoalTable(const std::vector<v1::Goal>& goals);
void PrintEventTable(const std::vector<v1::Event>& events);
void PrintRatingChangeTable(const std::vector<v1::RatingChange>& changes);

// Prints "dxledger: CODE: message" to stderr; returns the exit code (1).
int Fail(const absl::Status& status);

}  // namespace dxledger::cli

#endif  // DXLEDGER_CLIENT_CLI_OUTPUT_H_
