#ifndef DXLEDGER_SERVICE_LOG_H_
#define DXLEDGER_SERVICE_LOG_H_

#include <string_view>

#include "nlohmann/json.hpp"

// dxledgerd's structured log: one JSON object a line on stderr, written by a
// background thread (spdlog's async logger), so a call never waits for the
// terminal or the journal. When the queue is full the oldest lines are
// dropped rather than slowing calls: the log is for operators; the ledger
// itself is the audit record. Never pass a token or a secret.
namespace dxledger::service::log {

using Fields = nlohmann::ordered_json;

enum class Level { kInfo, kWarning, kError };

// {"time":"…Z","level":"info","msg":message, …fields}
void Write(Level level, std::string_view message, const Fields& fields = Fields::object());
inline void Info(std::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kInfo, message, fields);
}
inline void Warning(std::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kWarning, message, fields);
}
inline void Error(std::string_view message, const Fields& fields = Fields::object()) {
  Write(Level::kError, message, fields);
}

// Writes out what is queued (call before exiting).
void Flush();

// The line Write() would log (for tests).
std::string Format(Level level, std::string_view message, const Fields& fields);

}  // namespace dxledger::service::log

#endif  // DXLEDGER_SERVICE_LOG_H_
