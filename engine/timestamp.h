// File: engine/timestamp.h
//
// Trade times are instants (ERRATA 10): RFC 3339 with an explicit offset on
// input, UTC on output, microsecond precision as in PostgreSQL.
//
// Thread safety: free functions over values; safe to call concurrently.
#ifndef FIFO_ENGINE_TIMESTAMP_H_
#define FIFO_ENGINE_TIMESTAMP_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fifo {

// Parses "2025-11-20T10:00:00Z", "2025-11-20T10:00:00.123456+02:00",
// "2025-11-20 10:00:00.5-05:00" (a space, 't' or 'T' between date and time;
// 'z' or 'Z' for UTC). Errors (kInvalidArgument): no offset, an impossible
// date or time, anything after the offset, non-zero digits beyond the
// microsecond, or an instant outside years 0001..9999 in UTC (what
// FormatTimestamp writes and the stores keep).
absl::StatusOr<absl::Time> ParseTimestamp(absl::string_view text);

// "2025-11-20T10:00:00.000000Z": UTC, always six fractional digits, so that
// the text sorts in time order. REQUIRES: `t` is a whole microsecond. The
// project's one timestamp formatter: every RFC 3339 text we write (CSV, JSON,
// tables, logs, the stores' time columns) is this text.
std::string FormatTimestamp(absl::Time t);

// Appends FormatTimestamp(t) to `*out`, without a temporary string: for
// writers of many rows (bulk inserts, CSV). Whole microseconds in years
// 0001..9999 take a fast path; anything else is absl::FormatTime's text.
void AppendTimestamp(absl::Time t, std::string* out);

}  // namespace fifo

#endif  // FIFO_ENGINE_TIMESTAMP_H_
