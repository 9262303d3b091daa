#include "engine/timestamp.h"

#include <cstdint>

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
  std::string out;
  AppendTimestamp(t, &out);
  return out;
}

void AppendTimestamp(absl::Time t, std::string* out) {
  // 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix microseconds.
  constexpr int64_t kMinMicros = -62135596800LL * 1000000;
  constexpr int64_t kEndMicros = 253402300800LL * 1000000;
  constexpr int64_t kDayMicros = 86400LL * 1000000;
  const bool in_range = t >= absl::FromUnixMicros(kMinMicros) &&
                        t < absl::FromUnixMicros(kEndMicros);
  const int64_t us = in_range ? absl::ToUnixMicros(t) : 0;
  if (!in_range || absl::FromUnixMicros(us) != t) {
    // %E4Y: four digits even before year 1000 ("0506-...", not "506-...").
    out->append(
        absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone()));
    return;
  }
  int64_t days = us / kDayMicros;
  int64_t rem = us % kDayMicros;
  if (rem < 0) {
    rem += kDayMicros;
    --days;
  }
  // The civil date of a day count since 1970-01-01 (H. Hinnant's
  // days_from_civil inverse).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const int64_t secs = rem / 1000000;
  const int64_t micros = rem % 1000000;
  char buf[27];  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  auto put = [&buf](int at, int64_t value, int width) {
    for (int i = at + width - 1; i >= at; --i) {
      buf[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, month, 2);
  buf[7] = '-';
  put(8, day, 2);
  buf[10] = 'T';
  put(11, secs / 3600, 2);
  buf[13] = ':';
  put(14, secs / 60 % 60, 2);
  buf[16] = ':';
  put(17, secs % 60, 2);
  buf[19] = '.';
  put(20, micros, 6);
  buf[26] = 'Z';
  out->append(buf, sizeof(buf));
}

}  // namespace fifo
