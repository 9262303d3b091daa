// File: common/log.h
//
// Structured logging: one JSON object per line on stderr, through spdlog.
//
//   LogEvent(LogLevel::kError, "unmatched_sell",
//            {{"sell_order_id", "S-1"}, {"unmatched_size", "0.5"}});
//   => {"ts":"2025-11-20T10:00:00.123456Z","level":"error",
//       "event":"unmatched_sell","sell_order_id":"S-1","unmatched_size":"0.5"}
//
// Values are strings (decimals in plain notation, never floats). Never log
// tokens or passwords (storage/RedactStoreUrl for store URLs).
//
// Thread safety: safe to call from any thread.
#ifndef FIFO_COMMON_LOG_H_
#define FIFO_COMMON_LOG_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fifo {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

using LogFields = std::vector<std::pair<std::string, std::string>>;

void LogEvent(LogLevel level, absl::string_view event,
              const LogFields& fields = {});

// Messages below `level` are dropped (default kInfo; FIFO_LOG_LEVEL=debug
// |info|warning|error overrides at start-up).
void SetLogLevel(LogLevel level);

// "debug", "info", "warning" (or "warn"), "error", in any letter case.
// kInvalidArgument naming the text and the accepted values otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text);

// The level $FIFO_LOG_LEVEL names: nullopt when it is unset or empty;
// kInvalidArgument ("FIFO_LOG_LEVEL: unknown level ...") when it names
// none, so that programs refuse a typo at start instead of ignoring it.
absl::StatusOr<std::optional<LogLevel>> LogLevelFromEnvironment();

// Escapes `text` as a JSON string body (no surrounding quotes): '"', '\\',
// and control characters (\n, \r, \t, else \u00xx); other bytes as they
// are. The project's one JSON string escaper: build JSON text with it or
// with JsonQuote, never with a local copy.
std::string JsonEscape(absl::string_view text);

// `text` as a JSON string: JsonEscape(text) between double quotes.
std::string JsonQuote(absl::string_view text);

}  // namespace fifo

#endif  // FIFO_COMMON_LOG_H_
