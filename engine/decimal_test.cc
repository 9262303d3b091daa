#include "engine/decimal.h"

#include <sstream>
#include <string>

#include "absl/status/status.h"
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

}  // namespace
}  // namespace fifo
