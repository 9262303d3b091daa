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
    // An unknown value is refused by the programs' start-up
    // (LogLevelFromEnvironment); here it leaves the default.
    absl::StatusOr<std::optional<LogLevel>> env = LogLevelFromEnvironment();
    if (env.ok() && env->has_value()) l->set_level(ToSpd(**env));
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

std::string JsonQuote(absl::string_view text) {
  return absl::StrCat("\"", JsonEscape(text), "\"");
}

void SetLogLevel(LogLevel level) { Logger().set_level(ToSpd(level)); }

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text) {
  const std::string v = absl::AsciiStrToLower(text);
  if (v == "debug") return LogLevel::kDebug;
  if (v == "info") return LogLevel::kInfo;
  if (v == "warning" || v == "warn") return LogLevel::kWarning;
  if (v == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown level \"", JsonEscape(text),
                   "\" (expected debug, info, warning or error)"));
}

absl::StatusOr<std::optional<LogLevel>> LogLevelFromEnvironment() {
  const char* env = std::getenv("FIFO_LOG_LEVEL");
  if (env == nullptr || *env == '\0') return std::optional<LogLevel>();
  absl::StatusOr<LogLevel> level = ParseLogLevel(env);
  if (!level.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("FIFO_LOG_LEVEL: ", level.status().message()));
  }
  return std::optional<LogLevel>(*level);
}

std::string LogValue::Json() const {
  return raw_ ? text_ : JsonQuote(text_);
}

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
    absl::StrAppend(&line, ",\"", JsonEscape(key), "\":", value.Json());
  }
  line += "}";
  logger.log(ToSpd(level), "{}", line);
}

}  // namespace fifo
