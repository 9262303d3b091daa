#include "engine/timestamp.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s, int64_t micros = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone()) +
         absl::Microseconds(micros);
}

struct GoodCase {
  const char* text;
  absl::Time expected;
  const char* formatted;
};

TEST(TimestampTest, ParsesOffsetsSeparatorsAndFractions) {
  const GoodCase kCases[] = {
      {"2025-11-20T10:00:00Z", Utc(2025, 11, 20, 10, 0, 0),
       "2025-11-20T10:00:00.000000Z"},
      {"2025-11-20t10:00:00z", Utc(2025, 11, 20, 10, 0, 0),
       "2025-11-20T10:00:00.000000Z"},
      {"2025-11-20 10:00:00Z", Utc(2025, 11, 20, 10, 0, 0),
       "2025-11-20T10:00:00.000000Z"},
      {"2025-11-20T10:00:00+00:00", Utc(2025, 11, 20, 10, 0, 0),
       "2025-11-20T10:00:00.000000Z"},
      {"2025-11-20T10:00:00-00:00", Utc(2025, 11, 20, 10, 0, 0),
       "2025-11-20T10:00:00.000000Z"},
      {"2025-11-20T10:00:00+02:00", Utc(2025, 11, 20, 8, 0, 0),
       "2025-11-20T08:00:00.000000Z"},
      {"2025-11-21T09:00:00-05:00", Utc(2025, 11, 21, 14, 0, 0),
       "2025-11-21T14:00:00.000000Z"},
      {"2025-11-20T10:00:00+05:30", Utc(2025, 11, 20, 4, 30, 0),
       "2025-11-20T04:30:00.000000Z"},
      // Offsets that cross a day, a month and a year.
      {"2025-01-01T01:00:00+02:00", Utc(2024, 12, 31, 23, 0, 0),
       "2024-12-31T23:00:00.000000Z"},
      {"2024-12-31T23:30:00-01:00", Utc(2025, 1, 1, 0, 30, 0),
       "2025-01-01T00:30:00.000000Z"},
      {"2025-11-20T00:00:00+23:59", Utc(2025, 11, 19, 0, 1, 0),
       "2025-11-19T00:01:00.000000Z"},
      // Fraction lengths 1..9 (zeros beyond the microsecond are fine).
      {"2025-11-20T10:00:00.5Z", Utc(2025, 11, 20, 10, 0, 0, 500000),
       "2025-11-20T10:00:00.500000Z"},
      {"2025-11-20T10:00:00.12Z", Utc(2025, 11, 20, 10, 0, 0, 120000),
       "2025-11-20T10:00:00.120000Z"},
      {"2025-11-20T10:00:00.123Z", Utc(2025, 11, 20, 10, 0, 0, 123000),
       "2025-11-20T10:00:00.123000Z"},
      {"2025-11-20T10:00:00.1234Z", Utc(2025, 11, 20, 10, 0, 0, 123400),
       "2025-11-20T10:00:00.123400Z"},
      {"2025-11-20T10:00:00.12345Z", Utc(2025, 11, 20, 10, 0, 0, 123450),
       "2025-11-20T10:00:00.123450Z"},
      {"2025-11-20T10:00:00.123456Z", Utc(2025, 11, 20, 10, 0, 0, 123456),
       "2025-11-20T10:00:00.123456Z"},
      {"2025-11-20T10:00:00.1234560Z", Utc(2025, 11, 20, 10, 0, 0, 123456),
       "2025-11-20T10:00:00.123456Z"},
      {"2025-11-20T10:00:00.12345600Z", Utc(2025, 11, 20, 10, 0, 0, 123456),
       "2025-11-20T10:00:00.123456Z"},
      {"2025-11-20T10:00:00.123456000Z", Utc(2025, 11, 20, 10, 0, 0, 123456),
       "2025-11-20T10:00:00.123456Z"},
      {"2025-11-20T10:00:00.000001Z", Utc(2025, 11, 20, 10, 0, 0, 1),
       "2025-11-20T10:00:00.000001Z"},
      {"2025-11-20T10:00:00.999999-01:00", Utc(2025, 11, 20, 11, 0, 0, 999999),
       "2025-11-20T11:00:00.999999Z"},
      // Leap days, ends of months, extremes of the day.
      {"2024-02-29T12:00:00Z", Utc(2024, 2, 29, 12, 0, 0),
       "2024-02-29T12:00:00.000000Z"},
      {"2000-02-29T00:00:00Z", Utc(2000, 2, 29, 0, 0, 0),
       "2000-02-29T00:00:00.000000Z"},
      {"2025-04-30T23:59:59.999999Z", Utc(2025, 4, 30, 23, 59, 59, 999999),
       "2025-04-30T23:59:59.999999Z"},
      {"1970-01-01T00:00:00Z", absl::UnixEpoch(),
       "1970-01-01T00:00:00.000000Z"},
      {"1969-12-31T23:59:59.999999Z", absl::UnixEpoch() - absl::Microseconds(1),
       "1969-12-31T23:59:59.999999Z"},
  };
  for (const GoodCase& c : kCases) {
    auto t = ParseTimestamp(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status();
    EXPECT_EQ(*t, c.expected) << c.text;
    EXPECT_EQ(FormatTimestamp(*t), c.formatted) << c.text;
    // The output parses back to the same instant and the same text.
    auto again = ParseTimestamp(FormatTimestamp(*t));
    ASSERT_TRUE(again.ok()) << c.formatted << ": " << again.status();
    EXPECT_EQ(*again, *t) << c.formatted;
    EXPECT_EQ(FormatTimestamp(*again), c.formatted);
  }
}

struct BadCase {
  const char* text;
  const char* reason;  // a substring the message must contain
};

TEST(TimestampTest, RejectsWhatIsNotAnInstantSayingWhy) {
  const BadCase kCases[] = {
      {"", "too short"},
      {"2025-11-20", "too short"},
      {"2025-11-20T10:00", "too short"},
      // No offset: a local time is not an instant.
      {"2025-11-20T10:00:00", "missing UTC offset"},
      {"2025-11-20T10:00:00.123456", "missing UTC offset"},
      {"2025-11-20 10:00:00.5", "missing UTC offset"},
      // Malformed offsets and trailing text.
      {"2025-11-20T10:00:00+0200", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00+02", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00 Z", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00Z ", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00ZZ", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00+02:00 ", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00UTC", "expected 'Z' or +HH:MM"},
      {"2025-11-20T10:00:00+24:00", "UTC offset out of range"},
      {"2025-11-20T10:00:00+02:60", "UTC offset out of range"},
      // Fractions.
      {"2025-11-20T10:00:00.Z", "empty fraction"},
      {"2025-11-20T10:00:00.1234567Z", "finer than a microsecond"},
      {"2025-11-20T10:00:00.1234561Z", "finer than a microsecond"},
      {"2025-11-20T10:00:00.000000001Z", "finer than a microsecond"},
      // Shape.
      {"2025/11/20T10:00:00Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"25-11-20T10:00:00.0Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-1-20T10:00:00Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-11-20T1:00:00Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-11-20T10-00-00Z", "expected YYYY-MM-DDTHH:MM:SS"},
      {"2025-11-20_10:00:00Z", "expected 'T'"},
      {" 2025-11-20T10:00:00Z", "expected YYYY-MM-DDTHH:MM:SS"},
      // Impossible dates and times.
      {"2025-02-30T10:00:00Z", "no such day"},
      {"2025-02-29T10:00:00Z", "no such day"},
      {"1900-02-29T10:00:00Z", "no such day"},
      {"2025-04-31T10:00:00Z", "no such day"},
      {"2025-11-00T10:00:00Z", "no such day"},
      {"2025-11-32T10:00:00Z", "no such day"},
      {"2025-13-01T10:00:00Z", "month out of range"},
      {"2025-00-01T10:00:00Z", "month out of range"},
      {"2025-11-20T24:00:00Z", "time of day out of range"},
      {"2025-11-20T10:60:00Z", "time of day out of range"},
      {"2025-11-20T10:00:60Z", "time of day out of range"},
  };
  for (const BadCase& c : kCases) {
    auto t = ParseTimestamp(c.text);
    ASSERT_FALSE(t.ok()) << "\"" << c.text << "\" parsed as "
                         << FormatTimestamp(*t);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text << ": " << t.status();
    EXPECT_NE(t.status().message().find(c.reason), std::string::npos)
        << "input \"" << c.text << "\": message \"" << t.status().message()
        << "\" does not say \"" << c.reason << "\"";
  }
}

TEST(TimestampTest, FormattedTextSortsInTimeOrder) {
  const char* kOrdered[] = {
      "1999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00Z",
      "2025-11-20T10:00:00.000001Z", "2025-11-20T10:00:00.5Z",
      "2025-11-20T10:00:01Z",        "2025-11-20T10:00:01+00:00",
  };
  std::string previous;
  absl::Time previous_time = absl::InfinitePast();
  for (const char* text : kOrdered) {
    auto t = ParseTimestamp(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status();
    std::string formatted = FormatTimestamp(*t);
    EXPECT_LE(previous, formatted) << text;
    EXPECT_LE(previous_time, *t) << text;
    EXPECT_EQ(previous < formatted, previous_time < *t) << text;
    previous = formatted;
    previous_time = *t;
  }
}

TEST(TimestampTest, SameInstantInDifferentOffsetsIsEqual) {
  auto a = ParseTimestamp("2025-11-20T10:00:00.25Z");
  auto b = ParseTimestamp("2025-11-20T12:00:00.250000+02:00");
  auto c = ParseTimestamp("2025-11-20 05:00:00.250-05:00");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *c);
}

}  // namespace
}  // namespace fifo
