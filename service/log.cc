#include "service/log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"
#include "service/line_writer.h"

namespace dxledger::service::log {
namespace {

LineWriter& Writer() {
  // Never destroyed: its thread may run until the process exits.
  static LineWriter* writer = [] {
    auto* made = new LineWriter(stderr, 8 << 20);
    made->StartDraining(absl::Milliseconds(100));
    return made;
  }();
  return *writer;
}

// "2026-11-28T15:40:04.123456Z". The seconds part is formatted once a second
// per thread; absl::FormatTime costs more than the rest of the line.
void AppendTime(std::string& out) {
  thread_local int64_t cached_second = -1;
  thread_local char cached[32];
  const int64_t micros = absl::ToUnixMicros(absl::Now());
  const int64_t second = micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000;
  if (second != cached_second) {
    const std::string formatted =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second), absl::UTCTimeZone());
    std::snprintf(cached, sizeof(cached), "%s", formatted.c_str());
    cached_second = second;
  }
  out += cached;
  fmt::format_to(std::back_inserter(out), ".{:06d}Z", micros - second * 1000000);
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
  AppendTime(line);
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

void Write(Level level, std::string_view message, const Fields& fields) {
  Writer().Append(Format(level, message, fields.data(), fields.size()));
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  Writer().Append(Format(level, message, fields.begin(), fields.size()));
}

void Flush() { Writer().Drain(); }

}  // namespace dxledger::service::log
