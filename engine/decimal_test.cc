#include "engine/decimal.h"

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/multiprecision/cpp_int.hpp"
#include "gtest/gtest.h"

namespace fifo {
namespace {

Decimal D(const char* text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

struct ParseCase {
  const char* text;
  const char* canonical;
};

TEST(DecimalTest, ParsesAndFormatsCanonically) {
  const ParseCase kCases[] = {
      // Plain notation, signs, leading and trailing zeros.
      {"0", "0"},
      {"-0", "0"},
      {"+0", "0"},
      {"0.000", "0"},
      {"-0.000", "0"},
      {"1", "1"},
      {"+1", "1"},
      {"-1", "-1"},
      {"30000.00", "30000"},
      {"-0.0010", "-0.001"},
      {"007.5", "7.5"},
      {"000", "0"},
      {"0.5", "0.5"},
      {".5", "0.5"},
      {"5.", "5"},
      {"-.25", "-0.25"},
      {"100", "100"},
      {"1000000000000000000000", "1000000000000000000000"},
      {"0.123456789012345678", "0.123456789012345678"},
      {"150.123456789012345678", "150.123456789012345678"},
      {"6.000000000000000001", "6.000000000000000001"},
      // Exponent notation.
      {"1.5e-7", "0.00000015"},
      {"+3E2", "300"},
      {"1e0", "1"},
      {"1E+3", "1000"},
      {"-2.50e1", "-25"},
      {"12345e-2", "123.45"},
      {"0e999999", "0"},
      {"0.0e-999999", "0"},
      {"1.000e3", "1000"},
      {"0.00012e4", "1.2"},
      {"1e-40", "0.0000000000000000000000000000000000000001"},
      {"100000e-45", "0.0000000000000000000000000000000000000001"},
  };
  for (const ParseCase& c : kCases) {
    auto d = Decimal::Parse(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status();
    EXPECT_EQ(d->ToString(), c.canonical) << "input " << c.text;
    // The canonical text parses back to the same value and text.
    auto again = Decimal::Parse(d->ToString());
    ASSERT_TRUE(again.ok()) << c.canonical;
    EXPECT_EQ(*again, *d) << c.canonical;
    EXPECT_EQ(again->ToString(), c.canonical);
  }
}

struct ErrorCase {
  const char* text;
  absl::StatusCode code;
  const char* reason;  // a substring the message must contain
};

TEST(DecimalTest, RejectsMalformedTextSayingWhy) {
  const ErrorCase kCases[] = {
      {"", absl::StatusCode::kInvalidArgument, "empty"},
      {"NaN", absl::StatusCode::kInvalidArgument, "NaN"},
      {"nan", absl::StatusCode::kInvalidArgument, "NaN"},
      {"-nan", absl::StatusCode::kInvalidArgument, "NaN"},
      {"sNaN", absl::StatusCode::kInvalidArgument, "NaN"},
      {"Inf", absl::StatusCode::kInvalidArgument, "infinity"},
      {"-inf", absl::StatusCode::kInvalidArgument, "infinity"},
      {"+Infinity", absl::StatusCode::kInvalidArgument, "infinity"},
      {" 1", absl::StatusCode::kInvalidArgument, "unexpected character ' '"},
      {"1 ", absl::StatusCode::kInvalidArgument, "unexpected character ' '"},
      {"1\t", absl::StatusCode::kInvalidArgument, "unexpected character '\\t'"},
      {"\n1", absl::StatusCode::kInvalidArgument, "unexpected character '\\n'"},
      {"1 000", absl::StatusCode::kInvalidArgument, "unexpected character"},
      {"1,5", absl::StatusCode::kInvalidArgument, "unexpected character ','"},
      {"abc", absl::StatusCode::kInvalidArgument, "unexpected character 'a'"},
      {"12abc", absl::StatusCode::kInvalidArgument, "unexpected character 'a'"},
      {"0x10", absl::StatusCode::kInvalidArgument, "unexpected character 'x'"},
      {"$5", absl::StatusCode::kInvalidArgument, "unexpected character '$'"},
      {"--1", absl::StatusCode::kInvalidArgument, "unexpected character '-'"},
      {"+-1", absl::StatusCode::kInvalidArgument, "unexpected character '-'"},
      {"1.2.3", absl::StatusCode::kInvalidArgument, "more than one '.'"},
      {"1..2", absl::StatusCode::kInvalidArgument, "more than one '.'"},
      {".", absl::StatusCode::kInvalidArgument, "no digits"},
      {"-", absl::StatusCode::kInvalidArgument, "no digits"},
      {"+", absl::StatusCode::kInvalidArgument, "no digits"},
      {"-.", absl::StatusCode::kInvalidArgument, "no digits"},
      {"e5", absl::StatusCode::kInvalidArgument, "no digits"},
      {".e1", absl::StatusCode::kInvalidArgument, "no digits"},
      {"1e", absl::StatusCode::kInvalidArgument, "exponent has no digits"},
      {"1e+", absl::StatusCode::kInvalidArgument, "exponent has no digits"},
      {"1E-", absl::StatusCode::kInvalidArgument, "exponent has no digits"},
      {"1e5.0", absl::StatusCode::kInvalidArgument, "in exponent"},
      {"1e2e3", absl::StatusCode::kInvalidArgument, "in exponent"},
      {"1e 2", absl::StatusCode::kInvalidArgument, "in exponent"},
      // Beyond the supported range.
      {"1234567890123456789012345678901234567890123456789012345678901",
       absl::StatusCode::kOutOfRange, "61 significant digits"},
      {"1.234567890123456789012345678901234567890123456789012345678901",
       absl::StatusCode::kOutOfRange, "61 significant digits"},
      {"0.00000000000000000000000000000000000000001",
       absl::StatusCode::kOutOfRange, "41 digits after the point"},
      {"1e-41", absl::StatusCode::kOutOfRange, "41 digits after the point"},
      {"1e60", absl::StatusCode::kOutOfRange, "too large"},
      {"1e999999999999999999999", absl::StatusCode::kOutOfRange, "too large"},
      {"-1e-999999999999999999999", absl::StatusCode::kOutOfRange,
       "digits after the point"},
  };
  for (const ErrorCase& c : kCases) {
    auto d = Decimal::Parse(c.text);
    ASSERT_FALSE(d.ok()) << "\"" << c.text << "\" parsed as " << *d;
    EXPECT_EQ(d.status().code(), c.code) << c.text << ": " << d.status();
    EXPECT_NE(d.status().message().find(c.reason), std::string::npos)
        << "input \"" << c.text << "\": message \"" << d.status().message()
        << "\" does not say \"" << c.reason << "\"";
  }
}

TEST(DecimalTest, AcceptsTheLimitsOfTheSupportedRange) {
  // 60 significant digits, 40 places, 60 integer digits.
  const std::string sixty(60, '9');
  auto big = Decimal::Parse(sixty);
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->ToString(), sixty);
  auto fine = Decimal::Parse("0." + std::string(39, '0') + "7");
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ(fine->scale(), 40);
  auto exp = Decimal::Parse("1e59");
  ASSERT_TRUE(exp.ok()) << exp.status();
  EXPECT_EQ(exp->ToString(), "1" + std::string(59, '0'));
  // Trailing zeros do not count as significant digits or places.
  auto padded = Decimal::Parse("1." + std::string(100, '0'));
  ASSERT_TRUE(padded.ok()) << padded.status();
  EXPECT_EQ(padded->ToString(), "1");
  // Leading zeros do not count either.
  auto leading = Decimal::Parse(std::string(100, '0') + "42");
  ASSERT_TRUE(leading.ok()) << leading.status();
  EXPECT_EQ(leading->ToString(), "42");
}

TEST(DecimalTest, LeadingZeroIsNotOctal) {
  // cpp_int would read "010" as octal 8.
  EXPECT_EQ(D("010"), Decimal::FromInt(10));
  EXPECT_EQ(D("0010.0100"), Decimal::FromScaled(1001, 2));
  EXPECT_EQ(D("0000000000000000000000000000009"), Decimal::FromInt(9));
}

TEST(DecimalTest, FromIntAndFromScaled) {
  EXPECT_EQ(Decimal::FromInt(0).ToString(), "0");
  EXPECT_EQ(Decimal::FromInt(-42).ToString(), "-42");
  EXPECT_EQ(Decimal::FromInt(INT64_MAX).ToString(), "9223372036854775807");
  EXPECT_EQ(Decimal::FromInt(INT64_MIN).ToString(), "-9223372036854775808");
  EXPECT_EQ(Decimal::FromScaled(12345, 2).ToString(), "123.45");
  EXPECT_EQ(Decimal::FromScaled(-5, 3).ToString(), "-0.005");
  EXPECT_EQ(Decimal::FromScaled(1500, 3).ToString(), "1.5");
  EXPECT_EQ(Decimal::FromScaled(1500, 3).scale(), 3);
  EXPECT_EQ(Decimal::FromScaled(1500, 3).Normalized().scale(), 1);
  EXPECT_EQ(Decimal().ToString(), "0");
}

TEST(DecimalTest, SignPredicates) {
  EXPECT_EQ(D("-0.0001").sign(), -1);
  EXPECT_EQ(D("0.0001").sign(), 1);
  EXPECT_EQ(D("-0").sign(), 0);
  EXPECT_TRUE(D("0.000").is_zero());
  EXPECT_TRUE(D("-3").is_negative());
  EXPECT_TRUE(D("3").is_positive());
  EXPECT_FALSE(D("0").is_positive());
  EXPECT_FALSE(D("0").is_negative());
  EXPECT_EQ(D("-3.5").Abs(), D("3.5"));
  EXPECT_EQ(D("3.5").Abs(), D("3.5"));
  EXPECT_EQ((-D("3.5")).ToString(), "-3.5");
  EXPECT_EQ((-D("0")).ToString(), "0");
}

TEST(DecimalTest, CompareIsByValueAcrossScales) {
  EXPECT_EQ(D("1.50"), D("1.5"));
  EXPECT_EQ(Decimal::Compare(D("1.50"), D("1.5")), 0);
  EXPECT_EQ(Decimal::Compare(D("1.49"), D("1.5")), -1);
  EXPECT_EQ(Decimal::Compare(D("2"), D("1.999999999999999999")), 1);
  EXPECT_LT(D("-2"), D("-1.999"));
  EXPECT_LT(D("-0.000001"), D("0"));
  EXPECT_GT(D("0.000001"), D("-1000000"));
  EXPECT_LE(D("7"), D("7.000"));
  EXPECT_GE(D("7"), D("7.000"));
  EXPECT_NE(D("7"), D("7.0000000000000000000000000000000000001"));
  EXPECT_EQ(Decimal::Min(D("3"), D("2.9")), D("2.9"));
  EXPECT_EQ(Decimal::Min(D("-3"), D("2.9")), D("-3"));
  // Large coefficients compare exactly.
  const std::string forty(40, '9');
  EXPECT_LT(D(("0." + forty).c_str()), D("1"));
  EXPECT_GT(D((forty + "1").c_str()), D((forty + "0.9").c_str()));
}

TEST(DecimalTest, ExactArithmeticWithFortyDigitValues) {
  // 40 significant digits with 30 places.
  const Decimal a = D("1234567890.123456789012345678901234567891");
  const Decimal b = D("9876543210.987654321098765432109876543219");
  ASSERT_EQ(a.scale(), 30);
  ASSERT_EQ(b.scale(), 30);
  EXPECT_EQ((a + b).ToString(), "11111111101.11111111011111111101111111111");
  EXPECT_EQ((b - a).ToString(), "8641975320.864197532086419753208641975328");
  EXPECT_EQ((a - b).ToString(), "-8641975320.864197532086419753208641975328");
  EXPECT_EQ((a * b).ToString(),
            "12193263113702179522.6185032733866788594696997407557216887544"
            "47340343332251181129");
  // The scale of a product is the sum of the scales, and nothing is lost.
  EXPECT_EQ((a * b).scale(), 60);
  // Mixed scales.
  EXPECT_EQ((D("0.1") + D("0.2")).ToString(), "0.3");
  EXPECT_EQ(D("0.1") + D("0.2"), D("0.3"));
  EXPECT_EQ((D("1") - D("0.000000000000000001")).ToString(),
            "0.999999999999999999");
  EXPECT_EQ((D("0.000000000000000001") * D("1000000000000")).ToString(),
            "0.000001");
  EXPECT_EQ((D("-1.5") * D("-2")).ToString(), "3");
  EXPECT_EQ((D("-1.5") * D("2")).ToString(), "-3");
  EXPECT_EQ((D("30000") * D("0.5")).ToString(), "15000");
  // x - x == 0 exactly, x + (-x) == 0.
  EXPECT_TRUE((a - a).is_zero());
  EXPECT_TRUE((a + (-a)).is_zero());
  // Compound assignment.
  Decimal acc;
  for (int i = 0; i < 10; ++i) acc += D("0.1");
  EXPECT_EQ(acc, D("1"));
  acc -= D("0.0000000000000000000000000000001");
  EXPECT_EQ(acc.ToString(), "0.9999999999999999999999999999999");
  acc *= D("10");
  EXPECT_EQ(acc.ToString(), "9.999999999999999999999999999999");
}

TEST(DecimalTest, ArithmeticBeyondSixtyFourBits) {
  const Decimal max = Decimal::FromInt(INT64_MAX);
  EXPECT_EQ((max + Decimal::FromInt(1)).ToString(), "9223372036854775808");
  EXPECT_EQ((max * max).ToString(), "85070591730234615847396907784232501249");
  EXPECT_EQ((Decimal::FromInt(INT64_MIN) - Decimal::FromInt(1)).ToString(),
            "-9223372036854775809");
  // Products of maximal inputs stay exact.
  const Decimal nines = D(std::string(60, '9').c_str());
  EXPECT_EQ((nines * nines + nines + nines + D("1")).ToString(),
            "1" + std::string(120, '0'));
}

struct QuantizeCase {
  const char* value;
  int places;
  const char* expected;
};

TEST(DecimalTest, QuantizeRoundsHalfToEven) {
  const QuantizeCase kCases[] = {
      {"0.125", 2, "0.12"},
      {"0.135", 2, "0.14"},
      {"-0.125", 2, "-0.12"},
      {"-0.135", 2, "-0.14"},
      {"0.5", 0, "0"},
      {"1.5", 0, "2"},
      {"2.5", 0, "2"},
      {"-0.5", 0, "0"},
      {"-1.5", 0, "-2"},
      {"-2.5", 0, "-2"},
      {"0.1251", 2, "0.13"},
      {"-0.1251", 2, "-0.13"},
      {"0.1249", 2, "0.12"},
      {"0.005", 2, "0"},
      {"0.015", 2, "0.02"},
      {"-0.005", 2, "0"},
      {"1.23", 5, "1.23"},
      {"7", 0, "7"},
      {"9.995", 2, "10"},
      {"-9.995", 2, "-10"},
      {"0.0000005", 6, "0"},
      {"0.0000015", 6, "0.000002"},
      {"123456789.123456789123456789123456789", 18,
       "123456789.123456789123456789"},
      {"0.3333333333333333333333333333333333333333", 18,
       "0.333333333333333333"},
  };
  for (const QuantizeCase& c : kCases) {
    EXPECT_EQ(D(c.value).Quantize(c.places).ToString(), c.expected)
        << c.value << " at " << c.places << " places";
  }
  // Quantize never widens or changes a value that already fits.
  EXPECT_EQ(D("1.5").Quantize(10).scale(), 1);
}

struct DivideCase {
  const char* numerator;
  const char* denominator;
  int places;
  const char* expected;
};

TEST(DecimalTest, DivideRoundsHalfToEven) {
  const DivideCase kCases[] = {
      {"1", "3", 2, "0.33"},
      {"2", "3", 2, "0.67"},
      {"-2", "3", 2, "-0.67"},
      {"2", "-3", 2, "-0.67"},
      {"-2", "-3", 2, "0.67"},
      {"1.00", "3", 18, "0.333333333333333333"},
      {"1", "8", 2, "0.12"},     // 0.125 -> 0.12
      {"1.08", "8", 2, "0.14"},  // 0.135 -> 0.14
      {"-1", "8", 2, "-0.12"},   // -0.125 -> -0.12
      {"1", "-8", 2, "-0.12"},
      {"-1.08", "8", 2, "-0.14"},
      {"5", "2", 0, "2"},
      {"7", "2", 0, "4"},
      {"-5", "2", 0, "-2"},
      {"-7", "2", 0, "-4"},
      {"1", "2", 0, "0"},
      {"10", "4", 1, "2.5"},
      {"0.000000000000000001", "3", 18, "0"},
      {"0.000000000000000002", "3", 18, "0.000000000000000001"},
      {"30000", "0.5", 0, "60000"},
      {"1", "0.0000000000000000000000000000001", 0,
       "10000000000000000000000000000000"},
      {"1234567890.123456789012345678901234567890", "1", 30,
       "1234567890.12345678901234567890123456789"},
      {"0", "7", 5, "0"},
  };
  for (const DivideCase& c : kCases) {
    Decimal q = Decimal::Divide(D(c.numerator), D(c.denominator), c.places);
    EXPECT_EQ(q.ToString(), c.expected)
        << c.numerator << " / " << c.denominator << " at " << c.places;
    EXPECT_LE(q.Normalized().scale(), c.places);
  }
}

TEST(DecimalTest, ToFixedStringPadsAndRounds) {
  const QuantizeCase kCases[] = {
      {"1.5", 2, "1.50"},
      {"0", 2, "0.00"},
      {"0", 0, "0"},
      {"-0.001", 2, "0.00"},
      {"-0.006", 2, "-0.01"},
      {"0.125", 2, "0.12"},
      {"0.135", 2, "0.14"},
      {"-0.125", 2, "-0.12"},
      {"2.5", 0, "2"},
      {"3.5", 0, "4"},
      {"30000", 2, "30000.00"},
      {"0.05", 1, "0.0"},
      {"0.0000001", 8, "0.00000010"},
      {"-12.3456", 3, "-12.346"},
      {"1234.5678", 0, "1235"},
      {"0.999", 2, "1.00"},
  };
  for (const QuantizeCase& c : kCases) {
    EXPECT_EQ(D(c.value).ToFixedString(c.places), c.expected)
        << c.value << " at " << c.places << " places";
  }
}

TEST(DecimalTest, StreamsCanonicalText) {
  std::ostringstream os;
  os << D("-001.2300");
  EXPECT_EQ(os.str(), "-1.23");
}

// ---------------------------------------------------------------------------
// The fixed-width fast path (|coefficient| < 2^127) and its arbitrary-precision
// fallback must be invisible: same values, same scales, same text.

// 2^127 - 1, the largest coefficient of the fast path, and its neighbours.
const char kMax127[] = "170141183460469231731687303715884105727";
const char kPow127[] = "170141183460469231731687303715884105728";
const char kPow127Plus1[] = "170141183460469231731687303715884105729";

TEST(DecimalFastPathTest, NearInt64Limits) {
  const Decimal max = Decimal::FromInt(INT64_MAX);
  const Decimal min = Decimal::FromInt(INT64_MIN);
  EXPECT_EQ((max + max).ToString(), "18446744073709551614");
  EXPECT_EQ((min + min).ToString(), "-18446744073709551616");
  EXPECT_EQ((min * min).ToString(), "85070591730234615865843651857942052864");
  EXPECT_EQ((min * Decimal::FromInt(-1)).ToString(), "9223372036854775808");
  EXPECT_EQ((-min).ToString(), "9223372036854775808");
  EXPECT_EQ(min.Abs().ToString(), "9223372036854775808");
  EXPECT_EQ(Decimal::FromScaled(INT64_MIN, 18).ToString(),
            "-9.223372036854775808");
  EXPECT_EQ(Decimal::FromScaled(INT64_MAX, 18).Normalized().ToString(),
            "9.223372036854775807");
  EXPECT_LT(min, max);
  EXPECT_GT(max + Decimal::FromScaled(1, 30), max);
}

TEST(DecimalFastPathTest, CrossesTheBoundaryBothWays) {
  const Decimal max = D(kMax127);
  const Decimal one = Decimal::FromInt(1);
  EXPECT_EQ(max.ToString(), kMax127);
  EXPECT_EQ((max + one).ToString(), kPow127);
  EXPECT_EQ((max + one + one).ToString(), kPow127Plus1);
  EXPECT_EQ((max + one - one).ToString(), kMax127);
  EXPECT_EQ((-max - one).ToString(), std::string("-") + kPow127);
  EXPECT_EQ((-max - one + one).ToString(), std::string("-") + kMax127);
  // A big value that shrinks again compares and formats like a small one.
  const Decimal back = (max + one) - D(kPow127) + Decimal::FromScaled(5, 1);
  EXPECT_EQ(back.ToString(), "0.5");
  EXPECT_EQ(back.scale(), 1);
  EXPECT_EQ(back, Decimal::FromScaled(5, 1));
  // Products that overflow 128 bits, and a quotient that comes back.
  const Decimal p = max * max;
  EXPECT_EQ(p.ToString(),
            "28948022309329048855892746252171976962977213799489202546401021394"
            "546514198529");
  EXPECT_EQ(Decimal::Divide(p, max, 0), max);
  EXPECT_EQ(Decimal::Divide(p, max, 0).ToString(), kMax127);
  // Scaling to a common scale overflows although both values are small.
  const Decimal coarse = D("100000000000000000000000000000000000000");  // 1e38
  const Decimal fine = Decimal::FromScaled(1, 30);
  EXPECT_EQ((coarse + fine).ToString(),
            "100000000000000000000000000000000000000."
            "000000000000000000000000000001");
  EXPECT_EQ((coarse - fine).scale(), 30);
  EXPECT_GT(coarse, fine);
  EXPECT_LT(-coarse, fine);
  EXPECT_LT(-coarse, -fine);
  EXPECT_GT(coarse + fine, coarse);
  EXPECT_EQ(Decimal::Compare(coarse, coarse * Decimal::FromScaled(10, 1)), 0);
}

TEST(DecimalFastPathTest, ComparesAcrossRepresentations) {
  const Decimal big = D(kPow127);           // arbitrary precision
  const Decimal small = D(kMax127);         // fast path
  const Decimal big_scaled = D("1701411834604692317316873037158841057280e-1");
  EXPECT_EQ(big, big_scaled);
  EXPECT_EQ(big_scaled.ToString(), kPow127);
  EXPECT_GT(big, small);
  EXPECT_LT(small, big);
  EXPECT_LT(-big, -small);
  EXPECT_LT(-big, small);
  EXPECT_GT(big, -big);
  EXPECT_LT(Decimal::FromScaled(-1, 40), big);
  EXPECT_EQ(Decimal::Min(big, small), small);
  EXPECT_EQ(Decimal::Min(-big, small), -big);
  EXPECT_EQ(big.sign(), 1);
  EXPECT_EQ((-big).sign(), -1);
  EXPECT_TRUE((big - big).is_zero());
  EXPECT_EQ((big - big).ToString(), "0");
}

TEST(DecimalFastPathTest, NegativeZeroIsZero) {
  for (const char* text : {"-0", "-0.000", "-0e5", "-.0", "+0.0"}) {
    const Decimal z = D(text);
    EXPECT_TRUE(z.is_zero()) << text;
    EXPECT_FALSE(z.is_negative()) << text;
    EXPECT_EQ(z.ToString(), "0") << text;
    EXPECT_EQ(z.ToFixedString(2), "0.00") << text;
    EXPECT_EQ(z, Decimal()) << text;
    EXPECT_EQ(z.scale(), 0) << text;
  }
  const Decimal neg_zero_product = D("-1.5") * Decimal();
  EXPECT_EQ(neg_zero_product.ToString(), "0");
  EXPECT_EQ(neg_zero_product.scale(), 1);
  EXPECT_EQ((-Decimal::FromScaled(0, 3)).ToString(), "0");
  EXPECT_EQ(Decimal::Divide(D("-0.000"), D("-3"), 4).ToString(), "0");
  EXPECT_EQ(D("-0.004").Quantize(2).ToString(), "0");
  EXPECT_EQ(D("-0.004").Quantize(2).scale(), 2);
}

TEST(DecimalFastPathTest, CopiesMovesAndAliasing) {
  const Decimal big = D(kPow127Plus1);
  Decimal copy = big;
  EXPECT_EQ(copy, big);
  copy += Decimal::FromInt(1);
  EXPECT_NE(copy, big);  // the copy is deep
  EXPECT_EQ(big.ToString(), kPow127Plus1);
  Decimal moved = std::move(copy);
  EXPECT_EQ(moved.ToString(), "170141183460469231731687303715884105730");
  copy = moved;  // assign into a moved-from value
  EXPECT_EQ(copy, moved);
  copy = Decimal::FromInt(3);  // big <- small
  EXPECT_EQ(copy.ToString(), "3");
  copy = big;  // small <- big
  EXPECT_EQ(copy, big);
  copy = copy;  // self-assignment keeps the value
  EXPECT_EQ(copy, big);
  Decimal x = big;
  x += x;
  EXPECT_EQ(x.ToString(), "340282366920938463463374607431768211458");
  x -= x;
  EXPECT_TRUE(x.is_zero());
  Decimal y = D(kMax127);
  y *= y;
  EXPECT_EQ(y, D(kMax127) * D(kMax127));
  Decimal z = D("3.5");
  z *= z;
  EXPECT_EQ(z.ToString(), "12.25");
  std::vector<Decimal> values(100, big);
  values.push_back(Decimal::FromInt(7));
  std::vector<Decimal> more = values;
  EXPECT_EQ(more[50], big);
  EXPECT_EQ(more.back(), Decimal::FromInt(7));
}

TEST(DecimalFastPathTest, ParseLimitsAcrossRepresentations) {
  // 38 digits stay in the fast path, 39 and more go to the fallback: both
  // read every digit, with or without a point and an exponent.
  const std::string d38(38, '9');
  const std::string d39(39, '9');
  EXPECT_EQ(D(d38.c_str()).ToString(), d38);
  EXPECT_EQ(D(d39.c_str()).ToString(), d39);
  EXPECT_EQ(D(("0." + d39).c_str()).ToString(), "0." + d39);
  EXPECT_EQ(D(("9.9" + std::string(30, '0') + "e10").c_str()).ToString(),
            "99000000000");
  // A small mantissa scaled beyond 128 bits by its exponent.
  EXPECT_EQ(D("123e50").ToString(), "123" + std::string(50, '0'));
  EXPECT_EQ(D("-1.7e38").ToString(), "-17" + std::string(37, '0'));
  EXPECT_EQ(D(kPow127).ToString(), kPow127);
  EXPECT_EQ(D((std::string("-") + kPow127).c_str()).ToString(),
            std::string("-") + kPow127);
  // The limits and messages are those of the supported range.
  auto too_many = Decimal::Parse(std::string(61, '7'));
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().message(),
            "decimal \"" + std::string(61, '7') +
                "\" has 61 significant digits; at most 60 are supported");
  auto too_fine = Decimal::Parse("1e-41");
  ASSERT_FALSE(too_fine.ok());
  EXPECT_EQ(too_fine.status().message(),
            "decimal \"1e-41\" has 41 digits after the point; at most 40 are "
            "supported");
  auto too_large = Decimal::Parse("12e59");
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.status().message(),
            "decimal \"12e59\" is too large: 61 integer digits; at most 60 "
            "are supported");
  auto stray = Decimal::Parse("1.5x");
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.status().message(),
            "not a decimal number: \"1.5x\" (unexpected character 'x' at "
            "position 4)");
}

TEST(DecimalFastPathTest, DivideAndQuantizeNearTheBoundary) {
  // Numerators that only fit after the fallback, denominators scaled up.
  EXPECT_EQ(Decimal::Divide(D(kMax127), D("0.000000000000000000001"), 0)
                .ToString(),
            std::string(kMax127) + std::string(21, '0'));
  EXPECT_EQ(Decimal::Divide(D("1"), D(kMax127), 40).ToString(),
            "0.0000000000000000000000000000000000000059");
  EXPECT_EQ(Decimal::Divide(D("-1"), D(kPow127), 38).ToString(),
            "-0.00000000000000000000000000000000000001");
  EXPECT_EQ(Decimal::Divide(D("2.5"), D("1"), 0).ToString(), "2");
  EXPECT_EQ(Decimal::Divide(D("3.5"), D("-1"), 0).ToString(), "-4");
  // Quantize dropping more digits than the fast path has.
  const Decimal tiny = D(("0." + std::string(39, '0') + "9").c_str());
  EXPECT_EQ(tiny.Quantize(0).ToString(), "0");
  EXPECT_EQ(D(kMax127).Quantize(0), D(kMax127));
  const Decimal scaled = D((std::string(kMax127) + "e-37").c_str());
  EXPECT_EQ(scaled.Quantize(0).ToString(), "17");
  EXPECT_EQ(scaled.Quantize(1).ToString(), "17");
  EXPECT_EQ(scaled.Quantize(2).ToString(), "17.01");
  EXPECT_EQ(D(kPow127Plus1).ToFixedString(2),
            std::string(kPow127Plus1) + ".00");
  EXPECT_EQ(D(kMax127).ToFixedString(3), std::string(kMax127) + ".000");
  EXPECT_EQ((-D(kMax127)).ToFixedString(0), std::string("-") + kMax127);
}

// A reference model: the arithmetic written out on cpp_int, as the original
// implementation did it, for a randomized comparison.
struct Ref {
  boost::multiprecision::cpp_int c;
  int scale = 0;
};

using BigInt = boost::multiprecision::cpp_int;

BigInt Pow10(int n) {
  BigInt p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

Ref RefParse(const std::string& text) {  // "[-]digits[.digits]"
  Ref r;
  bool negative = text[0] == '-';
  bool point = false;
  for (char ch : text) {
    if (ch == '-') continue;
    if (ch == '.') {
      point = true;
      continue;
    }
    r.c = r.c * 10 + (ch - '0');
    if (point) ++r.scale;
  }
  if (negative) r.c = -r.c;
  // Parse drops trailing fractional zeros, and gives Decimal() for zero.
  while (r.scale > 0 && r.c % 10 == 0) {
    r.c /= 10;
    --r.scale;
  }
  return r;
}

std::string RefText(const Ref& r) {
  if (r.c == 0) return "0";
  BigInt c = r.c;
  int s = r.scale;
  while (s > 0 && c % 10 == 0) {
    c /= 10;
    --s;
  }
  std::string digits = BigInt(abs(c)).str();
  std::string out = c < 0 ? "-" : "";
  if (s == 0) return out + digits;
  if (static_cast<int>(digits.size()) <= s) {
    return out + "0." + std::string(s - digits.size(), '0') + digits;
  }
  return out + digits.substr(0, digits.size() - s) + "." +
         digits.substr(digits.size() - s);
}

Ref RefAdd(const Ref& a, const Ref& b) {
  const int s = std::max(a.scale, b.scale);
  return Ref{a.c * Pow10(s - a.scale) + b.c * Pow10(s - b.scale), s};
}

int RefCompare(const Ref& a, const Ref& b) {
  const int s = std::max(a.scale, b.scale);
  const BigInt x = a.c * Pow10(s - a.scale);
  const BigInt y = b.c * Pow10(s - b.scale);
  return (x > y) - (x < y);
}

BigInt RefDivideHalfEven(const BigInt& n, const BigInt& d) {  // d > 0
  BigInt q = n / d;  // truncates toward zero
  BigInt r = n - q * d;
  if (r == 0) return q;
  BigInt twice = abs(r) * 2;
  if (twice > d || (twice == d && (abs(q) % 2) == 1)) q += n < 0 ? -1 : 1;
  return q;
}

Ref RefDivide(const Ref& n, const Ref& d, int places) {
  BigInt num = n.c;
  BigInt den = d.c;
  const int shift = places + d.scale - n.scale;
  if (shift >= 0) {
    num *= Pow10(shift);
  } else {
    den *= Pow10(-shift);
  }
  if (den < 0) {
    den = -den;
    num = -num;
  }
  return Ref{RefDivideHalfEven(num, den), places};
}

Ref RefQuantize(const Ref& a, int places) {
  if (places >= a.scale) return a;
  return Ref{RefDivideHalfEven(a.c, Pow10(a.scale - places)), places};
}

// Random plain-notation text with 1-45 significant digits (many near the
// 2^127 boundary: 37-40 digits) and 0-30 places.
std::string RandomText(uint64_t* state) {
  auto next = [state] {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
  };
  const int digits = next() % 3 == 0 ? 37 + next() % 4 : 1 + next() % 45;
  std::string s;
  for (int i = 0; i < digits; ++i) {
    s.push_back(static_cast<char>('0' + next() % 10));
  }
  if (next() % 4 == 0) s.append(next() % 5, '0');  // trailing zeros
  const int places = std::min<int>(next() % 31, static_cast<int>(s.size()));
  if (places > 0) s.insert(s.size() - places, ".");
  if (s[0] == '.') s.insert(0, "0");
  if (next() % 2 == 0) s.insert(0, "-");
  return s;
}

TEST(DecimalFastPathTest, AgreesWithArbitraryPrecisionReference) {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    const std::string ta = RandomText(&state);
    const std::string tb = RandomText(&state);
    SCOPED_TRACE(absl::StrCat("a=", ta, " b=", tb));
    const Decimal a = D(ta.c_str());
    const Decimal b = D(tb.c_str());
    const Ref ra = RefParse(ta);
    const Ref rb = RefParse(tb);
    ASSERT_EQ(a.ToString(), RefText(ra));
    ASSERT_EQ(a.scale(), ra.scale);

    const Decimal sum = a + b;
    const Ref rsum = RefAdd(ra, rb);
    EXPECT_EQ(sum.ToString(), RefText(rsum));
    EXPECT_EQ(sum.scale(), rsum.scale);
    const Decimal diff = a - b;
    const Ref rdiff = RefAdd(ra, Ref{-rb.c, rb.scale});
    EXPECT_EQ(diff.ToString(), RefText(rdiff));
    EXPECT_EQ(diff.scale(), rdiff.scale);
    const Decimal product = a * b;
    const Ref rproduct{ra.c * rb.c, ra.scale + rb.scale};
    EXPECT_EQ(product.ToString(), RefText(rproduct));
    EXPECT_EQ(product.scale(), rproduct.scale);
    EXPECT_EQ(Decimal::Compare(a, b), RefCompare(ra, rb));
    EXPECT_EQ(Decimal::Compare(b, a), RefCompare(rb, ra));
    EXPECT_EQ(Decimal::Compare(product, sum), RefCompare(rproduct, rsum));
    EXPECT_EQ(Decimal::Compare(a, a.Normalized()), 0);
    EXPECT_EQ(a.Normalized().ToString(), a.ToString());
    const int places = static_cast<int>(state % 25);
    if (!b.is_zero()) {
      const Decimal q = Decimal::Divide(a, b, places);
      EXPECT_EQ(q.ToString(), RefText(RefDivide(ra, rb, places)));
      EXPECT_EQ(q.scale(), places);
      const Decimal q2 = Decimal::Divide(product, b, places);
      EXPECT_EQ(q2.ToString(), RefText(RefDivide(rproduct, rb, places)));
    }
    const Decimal quantized = product.Quantize(places);
    const Ref rquantized = RefQuantize(rproduct, places);
    EXPECT_EQ(quantized.ToString(), RefText(rquantized));
    EXPECT_EQ(quantized.scale(), rquantized.scale);
    const Ref fixed = RefQuantize(ra, places);
    std::string expected_fixed = RefText(
        Ref{fixed.c * Pow10(places - fixed.scale), places});
    // RefText drops trailing zeros; pad back to `places` digits.
    if (places > 0) {
      size_t point = expected_fixed.find('.');
      if (point == std::string::npos) {
        expected_fixed += ".";
        point = expected_fixed.size() - 1;
      }
      expected_fixed.append(places - (expected_fixed.size() - 1 - point), '0');
    }
    EXPECT_EQ(a.ToFixedString(places), expected_fixed);
  }
}

TEST(DecimalFastPathTest, InlineDivideAndAddBoundariesAgreeWithReference) {
  // Divide scales the numerator by 10^shift inline up to shift 18, and up
  // to 36 when the numerator is below 10^(36 - shift); AddSmall rescales an
  // int64 operand against a 127-bit one. Values on both sides of each limit.
  const std::vector<std::string> numerators = {
      "1",
      "-1",
      "9",
      "99999999999999999",
      "100000000000000000",
      "999999999999999999",
      "1000000000000000000",
      "9223372036854775807",
      "-9223372036854775808",
      "9223372036854775808",
      "0.00000001",
      "0.0000000099999999",
      "-12345.6789",
      "170141183460469231731687303715",
      "0.999999999999999999999999999999"};
  const std::vector<std::string> denominators = {"1",
                                                 "-3",
                                                 "7",
                                                 "0.00000003",
                                                 "123456789.123456789",
                                                 "9223372036854775807",
                                                 "-9223372036854775808",
                                                 "18446744073709551616",
                                                 "0.5"};
  for (const std::string& tn : numerators) {
    for (const std::string& td : denominators) {
      const Decimal n = D(tn.c_str());
      const Decimal d = D(td.c_str());
      const Ref rn = RefParse(tn);
      const Ref rd = RefParse(td);
      for (int places = 0; places <= 40; ++places) {
        SCOPED_TRACE(absl::StrCat(tn, " / ", td, " at ", places));
        const Decimal q = Decimal::Divide(n, d, places);
        ASSERT_EQ(q.ToString(), RefText(RefDivide(rn, rd, places)));
        ASSERT_EQ(q.scale(), places);
      }
      SCOPED_TRACE(absl::StrCat(tn, " +- ", td));
      const Decimal sum = n + d;
      const Ref rsum = RefAdd(rn, rd);
      ASSERT_EQ(sum.ToString(), RefText(rsum));
      ASSERT_EQ(sum.scale(), rsum.scale);
      const Decimal diff = d - n;
      const Ref rdiff = RefAdd(rd, Ref{-rn.c, rn.scale});
      ASSERT_EQ(diff.ToString(), RefText(rdiff));
      ASSERT_EQ(diff.scale(), rdiff.scale);
      // A 127-bit operand against an int64 one 1-18 places apart.
      Decimal wide = D("170141183460469231731687303715.884105727");
      const Ref rwide = RefParse("170141183460469231731687303715.884105727");
      ASSERT_EQ(Decimal::Compare(wide - n, wide - d),
                RefCompare(RefAdd(rwide, Ref{-rn.c, rn.scale}),
                           RefAdd(rwide, Ref{-rd.c, rd.scale})));
      wide -= n;
      const Ref rw = RefAdd(rwide, Ref{-rn.c, rn.scale});
      ASSERT_EQ(wide.ToString(), RefText(rw));
      ASSERT_EQ(wide.scale(), rw.scale);
    }
  }
}

}  // namespace
}  // namespace fifo

namespace fifo {
namespace {

TEST(DecimalLimitsTest, DerivedValuesParseBeyondInputLimits) {
  // A cost basis: 40-place price times 40-place size has 80 places.
  const std::string eighty_places = "0." + std::string(79, '0') + "1";
  absl::StatusOr<Decimal> input = Decimal::Parse(eighty_places);
  EXPECT_EQ(input.status().code(), absl::StatusCode::kOutOfRange);
  absl::StatusOr<Decimal> derived =
      Decimal::ParseWithLimits(eighty_places, Decimal::kDerivedLimits);
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(derived->ToString(), eighty_places);
  Decimal a = *Decimal::Parse("0." + std::string(39, '0') + "1");
  EXPECT_EQ((a * a).ToString(), eighty_places);
}

TEST(DecimalLimitsTest, HugeExponentIsNotWrappedByLongFraction) {
  // 0.000...0001e10000001 with a million zeros is 10^9000000: too large, not
  // 0.1 (the exponent used to saturate at 10^6 digits).
  std::string text = "0." + std::string(1000000, '0') + "1e10000001";
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kOutOfRange) << d.status();
}

}  // namespace
}  // namespace fifo
