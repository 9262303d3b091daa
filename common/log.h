// File: common/log.h
//
// Structured logging: one JSON object per line on stderr, through spdlog.
//
//   LogEvent(LogLevel::kError, "unmatched_sell",
//            {{"sell_order_id", "S-1"}, {"unmatched_size", "0.5"}});
//   => {"ts":"2025-11-20T10:00:00.123456Z","level":"error",
//       "event":"unmatched_sell","sell_order_id":"S-1","unmatched_size":"0.5"}
//
// Values are JSON strings, or JSON numbers for integers (counts, ids,
// durations in ms: `{"run_id", run.id}` logs "run_id":42), or JSON booleans.
// Decimals are always strings in plain notation, never floats. Never log
// tokens or passwords (storage/RedactStoreUrl for store URLs).
//
// Thread safety: safe to call from any thread.
#ifndef FIFO_COMMON_LOG_H_
#define FIFO_COMMON_LOG_H_

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fifo {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// One field's value: text (a JSON string), an integer (a JSON number) or a
// bool (a JSON boolean). Converts implicitly from each.
class LogValue {
 public:
  LogValue(std::string text) : text_(std::move(text)) {}  // NOLINT
  LogValue(absl::string_view text) : text_(text) {}       // NOLINT
  LogValue(const char* text) : text_(text) {}             // NOLINT
  LogValue(bool value)                                    // NOLINT
      : text_(value ? "true" : "false"), raw_(true) {}
  template <typename Int,
            typename = std::enable_if_t<std::is_integral_v<Int> &&
                                        !std::is_same_v<Int, bool> &&
                                        !std::is_same_v<Int, char>>>
  LogValue(Int value) : text_(std::to_string(value)), raw_(true) {}  // NOLINT

  // The value as it appears in the JSON line.
  std::string Json() const;

 private:
  std::string text_;
  bool raw_ = false;  // a number or boolean: written without quotes
};

using LogFields = std::vector<std::pair<std::string, LogValue>>;

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
