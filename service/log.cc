#include "service/log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"
#include "spdlog/async.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace dxledger::service::log {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    // stderr is unbuffered: every line would be a write(2). Buffered, the
    // logging thread writes 64 KiB at a time, and at least every second.
    static char buffer[64 * 1024];
    std::setvbuf(stderr, buffer, _IOFBF, sizeof(buffer));
    spdlog::init_thread_pool(8192, 1);
    auto made = spdlog::create_async_nb<spdlog::sinks::stderr_sink_mt>("dxledger");
    made->set_pattern("%v");
    spdlog::flush_every(std::chrono::seconds(1));
    return made;
  }();
  return logger;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

// The length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t Utf8Length(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xe  ? 3
                  : (lead >> 3) == 0x1e ? 4
                                        : 0;
  if (length == 0 || length > s.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (length == 2 && lead < 0xc2) return 0;
  if (length == 3 && ((lead == 0xe0 && byte(1) < 0xa0) || (lead == 0xed && byte(1) >= 0xa0))) {
    return 0;
  }
  if (length == 4 &&
      ((lead == 0xf0 && byte(1) < 0x90) || lead > 0xf4 || (lead == 0xf4 && byte(1) >= 0x90))) {
    return 0;
  }
  return length;
}

void AppendString(std::string& out, std::string_view s) {
  out += '"';
  while (!s.empty()) {
    const char c = s.front();
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
      s.remove_prefix(1);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
      s.remove_prefix(1);
    } else if (const size_t length = Utf8Length(s); length > 0) {
      out.append(s.data(), length);
      s.remove_prefix(length);
    } else {
      out += "\\ufffd";
      s.remove_prefix(1);
    }
  }
  out += '"';
}

void AppendValue(std::string& out, const Field& field) {
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          AppendString(out, value);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += value ? "true" : "false";
        } else {
          fmt::format_to(std::back_inserter(out), "{}", value);
        }
      },
      field.value);
}

}  // namespace

std::string Format(Level level, std::string_view message, const Field* fields, size_t count) {
  std::string line;
  line.reserve(256);
  line += "{\"time\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"msg\":";
  AppendString(line, message);
  for (size_t i = 0; i < count; ++i) {
    line += ',';
    AppendString(line, fields[i].key);
    line += ':';
    AppendValue(line, fields[i]);
  }
  line += '}';
  return line;
}

namespace {

void Log(Level level, std::string_view message, const Field* fields, size_t count) {
  const std::string line = Format(level, message, fields, count);
  Logger()->log(level == Level::kInfo      ? spdlog::level::info
                : level == Level::kWarning ? spdlog::level::warn
                                           : spdlog::level::err,
                line);
}

}  // namespace

void Write(Level level, std::string_view message, const Fields& fields) {
  Log(level, message, fields.data(), fields.size());
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  Log(level, message, fields.begin(), fields.size());
}

void Flush() { Logger()->flush(); }

}  // namespace dxledger::service::log
