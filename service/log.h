#ifndef DXLEDGER_SERVICE_LOG_H_
#define DXLEDGER_SERVICE_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// dxledgerd's structured log: one JSON object a line on stderr. Lines collect
// in a buffer that a background thread writes out at least every 100 ms, so
// a call never waits for the terminal or the journal. When 8 MiB are waiting,
// new lines are dropped (and the count logged) rather than slowing calls: the
// log is for operators; the ledger itself is the audit record. Never pass a
// token or a secret.
namespace dxledger::service::log {

// One "key": value of a line. Strings are escaped (invalid UTF-8 becomes
// U+FFFD); keys are written as given.
struct Field {
  Field(std::string_view key, std::string_view value) : key(key), value(value) {}
  Field(std::string_view key, const std::string& value)
      : key(key), value(std::string_view(value)) {}
  Field(std::string_view key, const char* value) : key(key), value(std::string_view(value)) {}
  Field(std::string_view key, double value) : key(key), value(value) {}
  Field(std::string_view key, bool value) : key(key), value(value) {}
  Field(std::string_view key, int value) : key(key), value(static_cast<int64_t>(value)) {}
  Field(std::string_view key, int64_t value) : key(key), value(value) {}
  Field(std::string_view key, uint64_t value) : key(key), value(value) {}

  std::string_view key;
  std::variant<std::string_view, double, bool, int64_t, uint64_t> value;
};
using Fields = std::vector<Field>;

enum class Level { kInfo, kWarning, kError };

// {"time":"…Z","level":"info","msg":message, …fields}
void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
void Write(Level level, std::string_view message, const Fields& fields);
inline void Info(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, message, fields);
}
inline void Warning(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarning, message, fields);
}
inline void Error(std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, message, fields);
}

// Writes out what is buffered (call before exiting).
void Flush();

// The line Write() would log, without the newline (for tests).
std::string Format(Level level, std::string_view message, const Field* fields, size_t count);

}  // namespace dxledger::service::log

#endif  // DXLEDGER_SERVICE_LOG_H_
