#include "engine/decimal.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fifo {
namespace {

using BigInt = boost::multiprecision::cpp_int;

// 10^n, cached for the exponents the engine uses every day.
const BigInt& PowerOfTen(int n) {
  static const std::vector<BigInt>* const kPowers = [] {
    auto* powers = new std::vector<BigInt>();
    powers->reserve(256);
    BigInt p = 1;
    for (int i = 0; i < 256; ++i) {
      powers->push_back(p);
      p *= 10;
    }
    return powers;
  }();
  if (n < static_cast<int>(kPowers->size())) return (*kPowers)[n];
  thread_local BigInt big;
  big = boost::multiprecision::pow(BigInt(10), static_cast<unsigned>(n));
  return big;
}

// Rounds numerator / denominator (denominator > 0) half to even.
BigInt DivideHalfEven(const BigInt& numerator, const BigInt& denominator) {
  BigInt quotient;
  BigInt remainder;
  boost::multiprecision::divide_qr(numerator, denominator, quotient,
                                   remainder);
  // divide_qr truncates toward zero; remainder has the numerator's sign.
  if (remainder == 0) return quotient;
  BigInt twice = boost::multiprecision::abs(remainder) * 2;
  int cmp = twice.compare(denominator);
  bool away = cmp > 0 || (cmp == 0 && boost::multiprecision::bit_test(
                                          boost::multiprecision::abs(quotient),
                                          0));
  if (away) quotient += (numerator.sign() < 0) ? -1 : 1;
  return quotient;
}

absl::Status ParseError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not a decimal number: \"", absl::CEscape(text), "\" (",
                   why, ")"));
}

}  // namespace

Decimal Decimal::FromInt(int64_t value) { return Decimal(BigInt(value), 0); }

Decimal Decimal::FromScaled(int64_t coefficient, int scale) {
  assert(scale >= 0);
  return Decimal(BigInt(coefficient), scale);
}

absl::StatusOr<Decimal> Decimal::Parse(absl::string_view text) {
  if (text.empty()) return ParseError(text, "empty");
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  {
    std::string rest = absl::AsciiStrToLower(text.substr(i));
    if (rest == "nan" || rest == "inf" || rest == "infinity" ||
        rest == "snan") {
      return ParseError(text, "NaN and infinity are not amounts");
    }
  }
  // Collect the digits of the mantissa, without the point and without
  // leading zeros.
  std::string digits;
  digits.reserve(text.size());
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (seen_point) ++fraction_digits;
      if (!(digits.empty() && c == '0')) digits.push_back(c);
    } else if (c == '.') {
      if (seen_point) return ParseError(text, "more than one '.'");
      seen_point = true;
    } else {
      break;
    }
  }
  // Anything but an exponent marker here is a stray character (" 1", "1 ",
  // "1,5", "--1"): say so rather than "no digits".
  if (i < text.size() && text[i] != 'e' && text[i] != 'E') {
    return ParseError(
        text, absl::StrCat("unexpected character '",
                           absl::CEscape(absl::string_view(&text[i], 1)),
                           "' at position ", i + 1));
  }
  if (!seen_digit) return ParseError(text, "no digits");
  int64_t exponent = 0;
  if (i < text.size()) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return ParseError(text, "exponent has no digits");
    for (; i < text.size(); ++i) {
      char d = text[i];
      if (d < '0' || d > '9') {
        return ParseError(
            text, absl::StrCat("unexpected character '",
                               absl::CEscape(absl::string_view(&text[i], 1)),
                               "' in exponent at position ", i + 1));
      }
      if (exponent < 1000000) exponent = exponent * 10 + (d - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (digits.empty()) return Decimal();  // Zero, whatever its exponent.

  // value = digits * 10^(exponent - fraction_digits). Drop trailing zeros of
  // the digit string first so that 1.000e3 or 0.5000 are not penalised.
  int64_t power = exponent - fraction_digits;
  size_t last = digits.find_last_not_of('0');
  power += static_cast<int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  if (static_cast<int64_t>(digits.size()) > kMaxSignificantDigits) {
    return absl::OutOfRangeError(absl::StrCat(
        "decimal \"", absl::CEscape(text), "\" has ", digits.size(),
        " significant digits; at most ", kMaxSignificantDigits,
        " are supported"));
  }
  if (-power > kMaxScale) {
    return absl::OutOfRangeError(absl::StrCat(
        "decimal \"", absl::CEscape(text), "\" has ", -power,
        " digits after the point; at most ", kMaxScale, " are supported"));
  }
  if (power > 0 &&
      static_cast<int64_t>(digits.size()) + power > kMaxSignificantDigits) {
    return absl::OutOfRangeError(absl::StrCat(
        "decimal \"", absl::CEscape(text), "\" is too large: ",
        static_cast<int64_t>(digits.size()) + power,
        " integer digits; at most ", kMaxSignificantDigits,
        " are supported"));
  }
  // Accumulate 18 digits at a time (never through cpp_int's string
  // constructor, which would read a leading 0 as octal).
  BigInt coefficient = 0;
  size_t pos = 0;
  while (pos < digits.size()) {
    size_t n = std::min<size_t>(18, digits.size() - pos);
    uint64_t chunk = 0;
    for (size_t k = 0; k < n; ++k) chunk = chunk * 10 + (digits[pos + k] - '0');
    coefficient = coefficient * PowerOfTen(static_cast<int>(n)) + chunk;
    pos += n;
  }
  int scale = 0;
  if (power > 0) {
    coefficient *= PowerOfTen(static_cast<int>(power));
  } else {
    scale = static_cast<int>(-power);
  }
  if (negative) coefficient = -coefficient;
  return Decimal(std::move(coefficient), scale);
}

std::string Decimal::ToString() const {
  Decimal n = Normalized();
  std::string digits = BigInt(boost::multiprecision::abs(n.coefficient_)).str();
  std::string out;
  if (n.coefficient_.sign() < 0) out.push_back('-');
  if (n.scale_ == 0) {
    out += digits;
    return out;
  }
  if (static_cast<int>(digits.size()) <= n.scale_) {
    out += "0.";
    out.append(n.scale_ - digits.size(), '0');
    out += digits;
  } else {
    out.append(digits, 0, digits.size() - n.scale_);
    out.push_back('.');
    out.append(digits, digits.size() - n.scale_, std::string::npos);
  }
  return out;
}

std::string Decimal::ToFixedString(int places) const {
  assert(places >= 0);
  Decimal q = Quantize(places);
  q.Rescale(places - q.scale_);
  std::string digits = BigInt(boost::multiprecision::abs(q.coefficient_)).str();
  std::string out;
  if (q.coefficient_.sign() < 0) out.push_back('-');
  if (places == 0) return out + digits;
  if (static_cast<int>(digits.size()) <= places) {
    digits.insert(0, places + 1 - digits.size(), '0');
  }
  out.append(digits, 0, digits.size() - places);
  out.push_back('.');
  out.append(digits, digits.size() - places, std::string::npos);
  return out;
}

int Decimal::sign() const { return coefficient_.sign(); }

Decimal Decimal::Normalized() const {
  if (coefficient_ == 0) return Decimal();
  BigInt c = coefficient_;
  int s = scale_;
  while (s > 0) {
    BigInt q;
    BigInt r;
    boost::multiprecision::divide_qr(c, BigInt(10), q, r);
    if (r != 0) break;
    c = std::move(q);
    --s;
  }
  return Decimal(std::move(c), s);
}

Decimal Decimal::Abs() const {
  return Decimal(boost::multiprecision::abs(coefficient_), scale_);
}

void Decimal::Rescale(int places) {
  if (places <= 0) return;
  coefficient_ *= PowerOfTen(places);
  scale_ += places;
}

Decimal Decimal::Quantize(int places) const {
  assert(places >= 0);
  if (places >= scale_) return *this;
  return Decimal(DivideHalfEven(coefficient_, PowerOfTen(scale_ - places)),
                 places);
}

Decimal Decimal::Divide(const Decimal& numerator, const Decimal& denominator,
                        int places) {
  assert(!denominator.is_zero());
  assert(places >= 0);
  // n/d * 10^places = (a * 10^(places + sd - sn)) / b.
  int shift = places + denominator.scale_ - numerator.scale_;
  BigInt num = numerator.coefficient_;
  BigInt den = denominator.coefficient_;
  if (shift >= 0) {
    num *= PowerOfTen(shift);
  } else {
    den *= PowerOfTen(-shift);
  }
  if (den.sign() < 0) {
    den = -den;
    num = -num;
  }
  return Decimal(DivideHalfEven(num, den), places);
}

Decimal Decimal::operator-() const { return Decimal(-coefficient_, scale_); }

Decimal& Decimal::operator+=(const Decimal& other) {
  if (scale_ == other.scale_) {
    coefficient_ += other.coefficient_;
  } else if (scale_ > other.scale_) {
    coefficient_ += other.coefficient_ * PowerOfTen(scale_ - other.scale_);
  } else {
    Rescale(other.scale_ - scale_);
    coefficient_ += other.coefficient_;
  }
  return *this;
}

Decimal& Decimal::operator-=(const Decimal& other) {
  if (scale_ == other.scale_) {
    coefficient_ -= other.coefficient_;
  } else if (scale_ > other.scale_) {
    coefficient_ -= other.coefficient_ * PowerOfTen(scale_ - other.scale_);
  } else {
    Rescale(other.scale_ - scale_);
    coefficient_ -= other.coefficient_;
  }
  return *this;
}

Decimal& Decimal::operator*=(const Decimal& other) {
  coefficient_ *= other.coefficient_;
  scale_ += other.scale_;
  return *this;
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  int sa = a.sign();
  int sb = b.sign();
  if (sa != sb) return sa < sb ? -1 : 1;
  int cmp;
  if (a.scale_ == b.scale_) {
    cmp = a.coefficient_.compare(b.coefficient_);
  } else if (a.scale_ > b.scale_) {
    BigInt scaled = b.coefficient_ * PowerOfTen(a.scale_ - b.scale_);
    cmp = a.coefficient_.compare(scaled);
  } else {
    BigInt scaled = a.coefficient_ * PowerOfTen(b.scale_ - a.scale_);
    cmp = scaled.compare(b.coefficient_);
  }
  return (cmp > 0) - (cmp < 0);
}

}  // namespace fifo
