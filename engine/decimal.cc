#include "engine/decimal.h"

#include <algorithm>
#include <cassert>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/multiprecision/cpp_int.hpp"

namespace fifo {

using BigInt = boost::multiprecision::cpp_int;

struct Decimal::Big {
  BigInt value;
};

static_assert(sizeof(Decimal) == 24, "a Decimal is 16 + 4 + 1 bytes, padded");

namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr Int128 kSmallMax = static_cast<Int128>(~static_cast<UInt128>(0) >> 1);
constexpr uint64_t kPow19 = 10000000000000000000ull;  // 10^19

// 10^0 .. 10^38: every power of ten below 2^127.
constexpr int kMaxSmallPower = 38;
struct PowersOfTen {
  UInt128 value[kMaxSmallPower + 1];
  constexpr PowersOfTen() : value() {
    UInt128 p = 1;
    for (int i = 0; i <= kMaxSmallPower; ++i) {
      value[i] = p;
      p *= 10;
    }
  }
};
constexpr PowersOfTen kPow10;

// 10^n, cached for the exponents the engine uses every day.
const BigInt& BigPowerOfTen(int n) {
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
  boost::multiprecision::divide_qr(numerator, denominator, quotient, remainder);
  // divide_qr truncates toward zero; remainder has the numerator's sign.
  if (remainder == 0) return quotient;
  BigInt twice = boost::multiprecision::abs(remainder) * 2;
  int cmp = twice.compare(denominator);
  bool away =
      cmp > 0 || (cmp == 0 && boost::multiprecision::bit_test(
                                  boost::multiprecision::abs(quotient), 0));
  if (away) quotient += (numerator.sign() < 0) ? -1 : 1;
  return quotient;
}

UInt128 Magnitude(Int128 v) {
  return v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
}

// (high * 2^64 + low) / d and the remainder. REQUIRES: high < d (so the
// quotient fits in 64 bits).
inline uint64_t Divide128By64(uint64_t high, uint64_t low, uint64_t d,
                              uint64_t* remainder) {
#if defined(__x86_64__)
  uint64_t quotient;
  __asm__("divq %[d]"
          : "=a"(quotient), "=d"(*remainder)
          : [d] "rm"(d), "a"(low), "d"(high));
  return quotient;
#else
  const UInt128 n = (static_cast<UInt128>(high) << 64) | low;
  *remainder = static_cast<uint64_t>(n % d);
  return static_cast<uint64_t>(n / d);
#endif
}

// n / d rounded half to even. REQUIRES: d > 0.
UInt128 DivideHalfEven(UInt128 n, UInt128 d) {
  UInt128 q;
  UInt128 r;
  if ((d >> 64) == 0) {
    // The usual case: a 64-bit divisor, one or two hardware divisions.
    const uint64_t d64 = static_cast<uint64_t>(d);
    const uint64_t high = static_cast<uint64_t>(n >> 64);
    const uint64_t low = static_cast<uint64_t>(n);
    uint64_t r64;
    if (high == 0) {
      q = low / d64;
      r64 = low % d64;
    } else if (high < d64) {
      // A quotient below 2^64 (fee shares at 18 places, for instance).
      q = Divide128By64(high, low, d64, &r64);
    } else {
      const uint64_t q_high = high / d64;
      const uint64_t q_low = Divide128By64(high % d64, low, d64, &r64);
      q = (static_cast<UInt128>(q_high) << 64) | q_low;
    }
    r = r64;
  } else {
    q = n / d;
    r = n - q * d;
  }
  if (r != 0) {
    const UInt128 rest = d - r;  // r * 2 compared with d, without overflow
    if (r > rest || (r == rest && (q & 1) != 0)) ++q;
  }
  return q;
}

// kSmallMax / 10^i: the largest magnitude that can be scaled by 10^i.
struct ScaleLimits {
  UInt128 value[kMaxSmallPower + 1];
  constexpr ScaleLimits() : value() {
    for (int i = 0; i <= kMaxSmallPower; ++i) {
      value[i] = static_cast<UInt128>(kSmallMax) / kPow10.value[i];
    }
  }
};
constexpr ScaleLimits kScaleLimit;

// *out = a * b when the product is within +-kSmallMax.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool CheckedMul(Int128 a, Int128 b,
                                                    Int128* out) {
  if (a == static_cast<int64_t>(a) && b == static_cast<int64_t>(b)) {
    // One 64x64->128 multiplication; |a * b| <= 2^126.
    *out =
        static_cast<Int128>(static_cast<int64_t>(a)) * static_cast<int64_t>(b);
    return true;
  }
  Int128 product;
  if (__builtin_mul_overflow(a, b, &product) || product == -kSmallMax - 1) {
    return false;
  }
  *out = product;
  return true;
}

// *out = a * 10^places when that is within +-kSmallMax. REQUIRES: places >= 0.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool CheckedScale(Int128 a, int places,
                                                      Int128* out) {
  if (places == 0) {
    *out = a;
    return true;
  }
  if (places > kMaxSmallPower) {
    *out = 0;
    return a == 0;
  }
  if (Magnitude(a) > kScaleLimit.value[places]) return false;
  *out = a * static_cast<Int128>(kPow10.value[places]);
  return true;
}

BigInt ToBigInt(Int128 v) {
  const UInt128 m = Magnitude(v);
  BigInt b = static_cast<uint64_t>(m >> 64);
  b <<= 64;
  b += static_cast<uint64_t>(m);
  if (v < 0) b = -b;
  return b;
}

// "00" .. "99".
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";

// Writes v backwards ending at `p`, two digits at a time, exactly `width`
// digits (zero-padded) when width > 0, else as many as v has; returns the
// first digit written.
char* WriteDigits(uint64_t v, char* p, int width) {
  char* const stop = p - width;
  while (v >= 100) {
    const uint64_t pair = (v % 100) * 2;
    v /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (v >= 10) {
    *--p = kDigitPairs[v * 2 + 1];
    *--p = kDigitPairs[v * 2];
  } else {
    *--p = static_cast<char>('0' + v);
  }
  while (p > stop) *--p = '0';
  return p;
}

// The decimal digits of v, written backwards ending at `end`; returns the
// first digit. "0" for zero. `end` must have 39 chars of room before it.
char* FormatMagnitude(UInt128 v, char* end) {
  char* p = end;
  while ((v >> 64) != 0) {
    // Split off the low 19 digits with 128-by-64-bit divisions.
    const uint64_t high = static_cast<uint64_t>(v >> 64);
    const uint64_t low = static_cast<uint64_t>(v);
    uint64_t chunk;
    const uint64_t q_low = Divide128By64(high % kPow19, low, kPow19, &chunk);
    v = (static_cast<UInt128>(high / kPow19) << 64) | q_low;
    p = WriteDigits(chunk, p, 19);
  }
  return WriteDigits(static_cast<uint64_t>(v), p, 0);
}

// Canonical text of a non-zero value whose digits (no leading zeros) have no
// trailing zero among the `scale` fractional ones.
std::string LayoutCanonical(bool negative, absl::string_view digits,
                            int scale) {
  std::string out;
  out.reserve(digits.size() + scale + 3);
  if (negative) out.push_back('-');
  if (scale == 0) {
    out.append(digits.data(), digits.size());
  } else if (static_cast<int>(digits.size()) <= scale) {
    out += "0.";
    out.append(scale - digits.size(), '0');
    out.append(digits.data(), digits.size());
  } else {
    const size_t int_digits = digits.size() - scale;
    out.append(digits.data(), int_digits);
    out.push_back('.');
    out.append(digits.data() + int_digits, scale);
  }
  return out;
}

// Text with exactly `places` fractional digits from the digits of the
// coefficient at that scale.
std::string LayoutFixed(bool negative, absl::string_view digits, int places) {
  std::string out;
  if (negative) out.push_back('-');
  if (places == 0) {
    out.append(digits.data(), digits.size());
    return out;
  }
  if (static_cast<int>(digits.size()) <= places) {
    out += "0.";
    out.append(places - digits.size(), '0');
    out.append(digits.data(), digits.size());
    return out;
  }
  const size_t int_digits = digits.size() - places;
  out.append(digits.data(), int_digits);
  out.push_back('.');
  out.append(digits.data() + int_digits, places);
  return out;
}

absl::Status ParseError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "not a decimal number: \"", absl::CEscape(text), "\" (", why, ")"));
}

}  // namespace

// Builds Decimals and reads their coefficients for the out-of-line code.
struct DecimalOps {
  static Decimal Make(Int128 coefficient, int scale) {
    Decimal d;
    d.small_ = coefficient;
    d.scale_ = scale;
    return d;
  }

  // Back to the fast path whenever the value fits.
  static Decimal Make(BigInt coefficient, int scale) {
    Decimal d;
    d.scale_ = scale;
    if (coefficient.is_zero()) return d;
    // cpp_int keeps a sign and the magnitude's 64-bit limbs, lowest first.
    const auto& backend = coefficient.backend();
    static_assert(sizeof(*backend.limbs()) == sizeof(uint64_t),
                  "cpp_int limbs are 64 bits");
    if (FitsSmall(coefficient)) {
      const unsigned size = backend.size();
      UInt128 m = backend.limbs()[0];
      if (size == 2) m |= static_cast<UInt128>(backend.limbs()[1]) << 64;
      const Int128 c = static_cast<Int128>(m);
      d.small_ = backend.sign() ? -c : c;
      return d;
    }
    d.SetBigPointer(new Decimal::Big{std::move(coefficient)});
    return d;
  }

  // *d = coefficient * 10^-scale, reusing d's heap cpp_int if it has one
  // and the value still needs one.
  static void Assign(BigInt coefficient, int scale, Decimal* d) {
    if (d->is_big_ && !FitsSmall(coefficient)) {
      d->big()->value = std::move(coefficient);
      d->scale_ = scale;
      return;
    }
    *d = Make(std::move(coefficient), scale);
  }

  static bool FitsSmall(const BigInt& coefficient) {
    const auto& backend = coefficient.backend();
    const unsigned size = backend.size();
    return size == 1 || (size == 2 && (backend.limbs()[1] >> 63) == 0);
  }

  static BigInt Coefficient(const Decimal& d) {
    return d.is_big_ ? d.big()->value : ToBigInt(d.small_);
  }

  // The coefficient without copying an arbitrary-precision one: *storage
  // holds the conversion of a small one.
  static const BigInt& CoefficientRef(const Decimal& d, BigInt* storage) {
    if (d.is_big_) return d.big()->value;
    *storage = ToBigInt(d.small_);
    return *storage;
  }
};

Decimal::Big* Decimal::CloneBig(const Big& big) { return new Big(big); }

void Decimal::DeleteBig(Big* big) { delete big; }

int Decimal::BigSign(const Big& big) { return big.value.sign(); }

Decimal& Decimal::AssignSlow(const Decimal& other) {
  if (this == &other) return *this;
  Big* copy = other.is_big_ ? CloneBig(*other.big()) : nullptr;
  if (is_big_) DeleteBig(big());
  if (copy != nullptr) {
    SetBigPointer(copy);
  } else {
    small_ = other.small_;
    is_big_ = false;
  }
  scale_ = other.scale_;
  return *this;
}

Decimal Decimal::FromInt(int64_t value) {
  return DecimalOps::Make(static_cast<Int128>(value), 0);
}

Decimal Decimal::FromScaled(int64_t coefficient, int scale) {
  assert(scale >= 0);
  return DecimalOps::Make(static_cast<Int128>(coefficient), scale);
}

absl::StatusOr<Decimal> Decimal::Parse(absl::string_view text) {
  return ParseWithLimits(text, kInputLimits);
}

absl::StatusOr<Decimal> Decimal::ParseWithLimits(absl::string_view text,
                                                 const ParseLimits& limits) {
  const int64_t max_digits = limits.max_significant_digits;
  const int64_t max_scale = limits.max_scale;
  if (text.empty()) return ParseError(text, "empty");
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  {
    const absl::string_view rest = text.substr(i);
    if (absl::EqualsIgnoreCase(rest, "nan") ||
        absl::EqualsIgnoreCase(rest, "inf") ||
        absl::EqualsIgnoreCase(rest, "infinity") ||
        absl::EqualsIgnoreCase(rest, "snan")) {
      return ParseError(text, "NaN and infinity are not amounts");
    }
  }
  // Locate the digits of the mantissa without the point and without leading
  // zeros: they start at text[first_significant] and number
  // `significant_digits`, the last `trailing_zeros` of them zeros.
  size_t first_significant = 0;
  int64_t significant_digits = 0;
  int64_t trailing_zeros = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (seen_point) ++fraction_digits;
      if (significant_digits > 0 || c != '0') {
        if (significant_digits == 0) first_significant = i;
        ++significant_digits;
        trailing_zeros = c == '0' ? trailing_zeros + 1 : 0;
      }
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
      // Saturate far above any offset the mantissa's digits can give, so a
      // huge exponent stays huge (and is rejected) instead of wrapping.
      if (exponent < (int64_t{1} << 50)) exponent = exponent * 10 + (d - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (significant_digits == 0) return Decimal();  // Zero, whatever exponent.

  // value = digits * 10^(exponent - fraction_digits). Drop trailing zeros of
  // the digits first so that 1.000e3 or 0.5000 are not penalised.
  int64_t power = exponent - fraction_digits + trailing_zeros;
  const int64_t digit_count = significant_digits - trailing_zeros;
  if (digit_count > max_digits) {
    return absl::OutOfRangeError(
        absl::StrCat("decimal \"", absl::CEscape(text), "\" has ", digit_count,
                     " significant digits; at most ", max_digits,
                     " are supported"));
  }
  if (-power > max_scale) {
    return absl::OutOfRangeError(absl::StrCat(
        "decimal \"", absl::CEscape(text), "\" has ", -power,
        " digits after the point; at most ", max_scale, " are supported"));
  }
  if (power > 0 && digit_count + power > max_digits) {
    return absl::OutOfRangeError(absl::StrCat(
        "decimal \"", absl::CEscape(text),
        "\" is too large: ", digit_count + power, " integer digits; at most ",
        max_digits, " are supported"));
  }
  const int scale = power > 0 ? 0 : static_cast<int>(-power);

  // Reads the next `n` (<= 19) digits, skipping the point.
  size_t pos = first_significant;
  auto next_chunk = [&](int64_t n) {
    uint64_t chunk = 0;
    for (int64_t k = 0; k < n; ++pos) {
      const char c = text[pos];
      if (c == '.') continue;
      chunk = chunk * 10 + static_cast<uint64_t>(c - '0');
      ++k;
    }
    return chunk;
  };

  if (digit_count <= kMaxSmallPower) {
    // At most 38 digits: below 10^38 < 2^127.
    UInt128 magnitude = 0;
    int64_t left = digit_count;
    while (left > 0) {
      const int64_t n = std::min<int64_t>(19, left);
      magnitude = magnitude * kPow10.value[n] + next_chunk(n);
      left -= n;
    }
    Int128 coefficient = negative ? -static_cast<Int128>(magnitude)
                                  : static_cast<Int128>(magnitude);
    if (power <= 0 ||
        CheckedScale(coefficient, static_cast<int>(power), &coefficient)) {
      return DecimalOps::Make(coefficient, scale);
    }
    pos = first_significant;  // too large once scaled: start again below
  }
  // Accumulate 18 digits at a time (never through cpp_int's string
  // constructor, which would read a leading 0 as octal).
  BigInt coefficient = 0;
  int64_t left = digit_count;
  while (left > 0) {
    const int64_t n = std::min<int64_t>(18, left);
    coefficient =
        coefficient * BigPowerOfTen(static_cast<int>(n)) + next_chunk(n);
    left -= n;
  }
  if (power > 0) coefficient *= BigPowerOfTen(static_cast<int>(power));
  if (negative) coefficient = -coefficient;
  return DecimalOps::Make(std::move(coefficient), scale);
}

std::string Decimal::ToString() const {
  if (is_big_) {
    const Decimal n = Normalized();
    if (!n.is_big_) return n.ToString();
    const std::string digits =
        BigInt(boost::multiprecision::abs(n.big()->value)).str();
    return LayoutCanonical(n.big()->value.sign() < 0, digits, n.scale_);
  }
  if (small_ == 0) return "0";
  char buffer[40];
  char* end = buffer + sizeof(buffer);
  const char* begin = FormatMagnitude(Magnitude(small_), end);
  int scale = scale_;
  while (scale > 0 && end[-1] == '0') {
    --end;
    --scale;
  }
  return LayoutCanonical(small_ < 0, absl::string_view(begin, end - begin),
                         scale);
}

std::string Decimal::ToFixedString(int places) const {
  assert(places >= 0);
  const Decimal q = Quantize(places);
  Int128 scaled;
  if (!q.is_big_ && CheckedScale(q.small_, places - q.scale_, &scaled)) {
    char buffer[40];
    char* end = buffer + sizeof(buffer);
    const char* begin = FormatMagnitude(Magnitude(scaled), end);
    return LayoutFixed(scaled < 0, absl::string_view(begin, end - begin),
                       places);
  }
  BigInt c = DecimalOps::Coefficient(q);
  if (places > q.scale_) c *= BigPowerOfTen(places - q.scale_);
  const std::string digits = BigInt(boost::multiprecision::abs(c)).str();
  return LayoutFixed(c.sign() < 0, digits, places);
}

Decimal Decimal::Normalized() const {
  if (is_big_) {
    BigInt c = big()->value;
    int s = scale_;
    while (s > 0) {
      BigInt q;
      BigInt r;
      boost::multiprecision::divide_qr(c, BigInt(10), q, r);
      if (r != 0) break;
      c = std::move(q);
      --s;
    }
    return DecimalOps::Make(std::move(c), s);
  }
  if (small_ == 0) return Decimal();
  UInt128 m = Magnitude(small_);
  int s = scale_;
  while (s > 0 && (m >> 64) != 0 && m % 10 == 0) {
    m /= 10;
    --s;
  }
  if ((m >> 64) == 0) {
    uint64_t m64 = static_cast<uint64_t>(m);
    while (s > 0 && m64 % 10 == 0) {
      m64 /= 10;
      --s;
    }
    m = m64;
  }
  const Int128 c = static_cast<Int128>(m);
  return DecimalOps::Make(small_ < 0 ? -c : c, s);
}

Decimal Decimal::Abs() const {
  if (is_big_) {
    return DecimalOps::Make(BigInt(boost::multiprecision::abs(big()->value)),
                            scale_);
  }
  return DecimalOps::Make(small_ < 0 ? -small_ : small_, scale_);
}

Decimal Decimal::Quantize(int places) const {
  assert(places >= 0);
  if (places >= scale_) return *this;
  const int drop = scale_ - places;
  if (!is_big_) {
    // |coefficient| < 2^127, so 2 * |coefficient| < 10^39: dropping more
    // than 38 digits always rounds to zero.
    if (drop > kMaxSmallPower) return DecimalOps::Make(Int128{0}, places);
    const Int128 q = static_cast<Int128>(
        DivideHalfEven(Magnitude(small_), kPow10.value[drop]));
    return DecimalOps::Make(small_ < 0 ? -q : q, places);
  }
  return DecimalOps::Make(DivideHalfEven(big()->value, BigPowerOfTen(drop)),
                          places);
}

Decimal::UInt128 Decimal::DivideHalfEven64(UInt128 n, uint64_t d) {
  // DivideHalfEven for a 64-bit divisor with fewer unpredictable branches:
  // one hardware division whenever the quotient fits in 64 bits (a high
  // half of zero included), and the rounding without a branch.
  const uint64_t high = static_cast<uint64_t>(n >> 64);
  const uint64_t low = static_cast<uint64_t>(n);
  uint64_t r;
  UInt128 q;
  if (high < d) {
    q = Divide128By64(high, low, d, &r);
  } else {
    const uint64_t q_high = high / d;
    q = (static_cast<UInt128>(q_high) << 64) |
        Divide128By64(high % d, low, d, &r);
  }
  // Away from zero when r * 2 > d, or r * 2 == d and q is odd (r < d, so
  // d - r does not wrap; r == 0 never rounds).
  const uint64_t rest = d - r;
  q += static_cast<uint64_t>((r > rest) |
                             ((r == rest) & static_cast<bool>(q & 1)));
  return q;
}

Decimal Decimal::DivideSlow(const Decimal& numerator,
                            const Decimal& denominator, int places) {
  assert(!denominator.is_zero());
  assert(places >= 0);
  // n/d * 10^places = (a * 10^(places + sd - sn)) / b.
  const int shift = places + denominator.scale_ - numerator.scale_;
  if (!numerator.is_big_ && !denominator.is_big_) {
    Int128 num = numerator.small_;
    Int128 den = denominator.small_;
    if (shift >= 0 ? CheckedScale(num, shift, &num)
                   : CheckedScale(den, -shift, &den)) {
      const Int128 q =
          static_cast<Int128>(DivideHalfEven(Magnitude(num), Magnitude(den)));
      return DecimalOps::Make((num < 0) != (den < 0) ? -q : q, places);
    }
  }
  BigInt num = DecimalOps::Coefficient(numerator);
  BigInt den = DecimalOps::Coefficient(denominator);
  if (shift >= 0) {
    num *= BigPowerOfTen(shift);
  } else {
    den *= BigPowerOfTen(-shift);
  }
  if (den.sign() < 0) {
    den = -den;
    num = -num;
  }
  return DecimalOps::Make(DivideHalfEven(num, den), places);
}

Decimal Decimal::operator-() const {
  if (is_big_) return DecimalOps::Make(BigInt(-big()->value), scale_);
  return DecimalOps::Make(-small_, scale_);
}

Decimal& Decimal::AddSlow(const Decimal& other, bool negate) {
  if (!is_big_ && !other.is_big_) {
    Int128 a = small_;
    Int128 b = negate ? -other.small_ : other.small_;
    int scale = scale_;
    bool ok;
    if (scale_ == other.scale_) {
      ok = false;  // the inline fast path already found the sum too large
    } else if (scale_ > other.scale_) {
      ok = CheckedScale(b, scale_ - other.scale_, &b);
    } else {
      ok = CheckedScale(a, other.scale_ - scale_, &a);
      scale = other.scale_;
    }
    if (ok && CheckedAdd(a, b, &a)) {
      small_ = a;
      scale_ = scale;
      return *this;
    }
  }
  // Reuse this value's own cpp_int when it has one (and `other` is not it).
  BigInt a = is_big_ && &other != this ? std::move(big()->value)
                                       : DecimalOps::Coefficient(*this);
  BigInt b_storage;
  const BigInt& b = DecimalOps::CoefficientRef(other, &b_storage);
  int scale = scale_;
  if (scale_ < other.scale_) {
    a *= BigPowerOfTen(other.scale_ - scale_);
    scale = other.scale_;
  }
  if (scale_ > other.scale_) {
    BigInt scaled = b * BigPowerOfTen(scale_ - other.scale_);
    if (negate) {
      a -= scaled;
    } else {
      a += scaled;
    }
  } else if (negate) {
    a -= b;
  } else {
    a += b;
  }
  DecimalOps::Assign(std::move(a), scale, this);
  return *this;
}

Decimal& Decimal::MultiplySlow(const Decimal& other) {
  const int scale = scale_ + other.scale_;
  Int128 product;
  if (!is_big_ && !other.is_big_ &&
      CheckedMul(small_, other.small_, &product)) {
    small_ = product;
    scale_ = scale;
    return *this;
  }
  BigInt a_storage;
  BigInt b_storage;
  *this =
      DecimalOps::Make(BigInt(DecimalOps::CoefficientRef(*this, &a_storage) *
                              DecimalOps::CoefficientRef(other, &b_storage)),
                       scale);
  return *this;
}

int Decimal::CompareSlow(const Decimal& a, const Decimal& b) {
  const int sa = a.sign();
  const int sb = b.sign();
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  if (!a.is_big_ && !b.is_big_) {
    Int128 x = a.small_;
    Int128 y = b.small_;
    // Bring both to the larger scale; a side that no longer fits is the
    // larger in magnitude.
    if (a.scale_ > b.scale_) {
      if (!CheckedScale(y, a.scale_ - b.scale_, &y)) {
        return sa > 0 ? -1 : 1;  // |b| > |a|
      }
    } else if (a.scale_ < b.scale_) {
      if (!CheckedScale(x, b.scale_ - a.scale_, &x)) {
        return sa > 0 ? 1 : -1;  // |a| > |b|
      }
    }
    return (x > y) - (x < y);
  }
  BigInt a_storage;
  BigInt b_storage;
  const BigInt& x = DecimalOps::CoefficientRef(a, &a_storage);
  const BigInt& y = DecimalOps::CoefficientRef(b, &b_storage);
  int cmp;
  if (a.scale_ == b.scale_) {
    cmp = x.compare(y);
  } else if (a.scale_ > b.scale_) {
    BigInt scaled = y * BigPowerOfTen(a.scale_ - b.scale_);
    cmp = x.compare(scaled);
  } else {
    BigInt scaled = x * BigPowerOfTen(b.scale_ - a.scale_);
    cmp = scaled.compare(y);
  }
  return (cmp > 0) - (cmp < 0);
}

}  // namespace fifo
