#include "common/log.h"

#include <cstdlib>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace fifo {
namespace {

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

spdlog::logger& Logger() {
  static spdlog::logger* const logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* l = new spdlog::logger("fifo", sink);
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    const char* env = std::getenv("FIFO_LOG_LEVEL");
    if (env != nullptr) {
      std::string v = absl::AsciiStrToLower(env);
      if (v == "debug") l->set_level(spdlog::level::debug);
      if (v == "warning" || v == "warn") l->set_level(spdlog::level::warn);
      if (v == "error") l->set_level(spdlog::level::err);
    }
    l->flush_on(spdlog::level::debug);
    return l;
  }();
  return *logger;
}

}  // namespace

std::string JsonEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

void SetLogLevel(LogLevel level) { Logger().set_level(ToSpd(level)); }

void LogEvent(LogLevel level, absl::string_view event,
              const LogFields& fields) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(ToSpd(level))) return;
  std::string line = absl::StrCat(
      "{\"ts\":\"",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(),
                       absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\",\"event\":\"",
      JsonEscape(event), "\"");
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(key), "\":\"", JsonEscape(value),
                    "\"");
  }
  line += "}";
  logger.log(ToSpd(level), "{}", line);
}

}  // namespace fifo
