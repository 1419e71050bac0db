#include "service/log.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/async.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace dxledger::service::log {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    spdlog::init_thread_pool(8192, 1);
    auto made = spdlog::create_async_nb<spdlog::sinks::stderr_sink_mt>("dxledger");
    made->set_pattern("%v");
    made->flush_on(spdlog::level::warn);
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

}  // namespace

std::string Format(Level level, std::string_view message, const Fields& fields) {
  Fields line = Fields::object();
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["msg"] = message;
  for (const auto& [key, value] : fields.items()) line[key] = value;
  // Invalid UTF-8 from a client is replaced, never a reason to lose the line.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Write(Level level, std::string_view message, const Fields& fields) {
  const std::string line = Format(level, message, fields);
  Logger()->log(level == Level::kInfo      ? spdlog::level::info
                : level == Level::kWarning ? spdlog::level::warn
                                           : spdlog::level::err,
                line);
}

void Flush() { Logger()->flush(); }

}  // namespace dxledger::service::log
