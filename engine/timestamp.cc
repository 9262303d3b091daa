#include "engine/timestamp.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fifo {
namespace {

absl::Status TimestampError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not an RFC 3339 timestamp with offset: \"",
                   absl::CEscape(text), "\" (", why, ")"));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

absl::StatusOr<absl::Time> ParseTimestamp(absl::string_view text) {
  // Shape check first, so that errors say what is wrong: YYYY-MM-DD, a
  // separator, HH:MM:SS, optional fraction, then Z or +HH:MM / -HH:MM.
  if (text.size() < 19) return TimestampError(text, "too short");
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!IsDigit(text[i])) {
      return TimestampError(text, "expected YYYY-MM-DDTHH:MM:SS");
    }
  }
  if (text[4] != '-' || text[7] != '-' || text[13] != ':' ||
      text[16] != ':') {
    return TimestampError(text, "expected YYYY-MM-DDTHH:MM:SS");
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return TimestampError(text, "expected 'T' between date and time");
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int kept = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (kept < 6) {
        micros = micros * 10 + (text[pos] - '0');
        ++kept;
      } else if (text[pos] != '0') {
        return TimestampError(text, "precision finer than a microsecond");
      }
      ++pos;
    }
    if (pos == start) return TimestampError(text, "empty fraction");
    for (; kept < 6; ++kept) micros *= 10;
  }
  if (pos == text.size()) {
    return TimestampError(text, "missing UTC offset ('Z' or +HH:MM)");
  }
  absl::string_view offset = text.substr(pos);
  int offset_seconds = 0;
  if (offset == "Z" || offset == "z") {
    offset_seconds = 0;
  } else if ((offset[0] == '+' || offset[0] == '-') && offset.size() == 6 &&
             IsDigit(offset[1]) && IsDigit(offset[2]) && offset[3] == ':' &&
             IsDigit(offset[4]) && IsDigit(offset[5])) {
    int hours = (offset[1] - '0') * 10 + (offset[2] - '0');
    int minutes = (offset[4] - '0') * 10 + (offset[5] - '0');
    if (hours > 23 || minutes > 59) {
      return TimestampError(text, "UTC offset out of range");
    }
    offset_seconds = (hours * 60 + minutes) * 60;
    if (offset[0] == '-') offset_seconds = -offset_seconds;
  } else {
    return TimestampError(text,
                          "expected 'Z' or +HH:MM after the time of day");
  }
  auto field = [&](int at, int width) {
    int v = 0;
    for (int k = 0; k < width; ++k) v = v * 10 + (text[at + k] - '0');
    return v;
  };
  int year = field(0, 4), month = field(5, 2), day = field(8, 2);
  int hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
  if (month < 1 || month > 12) return TimestampError(text, "month out of range");
  if (hour > 23 || minute > 59 || second > 59) {
    return TimestampError(text, "time of day out of range");
  }
  absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.day() != day || civil.month() != month) {
    return TimestampError(text, "no such day");
  }
  absl::Time t = absl::FromCivil(civil, absl::UTCTimeZone()) -
                 absl::Seconds(offset_seconds) + absl::Microseconds(micros);
  // The offset can move the instant out of the four-digit years that
  // FormatTimestamp writes and the stores keep.
  const int64_t utc_year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
  if (utc_year < 1 || utc_year > 9999) {
    return TimestampError(text, "outside years 0001..9999 in UTC");
  }
  return t;
}

std::string FormatTimestamp(absl::Time t) {
  // %E4Y: four digits even before year 1000 ("0506-...", not "506-...").
  return absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

}  // namespace fifo
