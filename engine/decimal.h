// File: engine/decimal.h
//
// Decimal: the one exact decimal type for money and sizes in this service.
//
// A Decimal is `coefficient * 10^-scale` with an arbitrary-precision integer
// coefficient (Boost.Multiprecision cpp_int) and a non-negative scale. Values
// that fit in 64 bits stay in a machine word; anything larger moves to the
// arbitrary-precision representation, checked, so no operation can overflow
// silently.
//
// Addition, subtraction, multiplication and comparison are exact. Division and
// rounding exist only with an explicit scale and round half to even
// (banker's rounding), which is the only rounding the design allows.
//
// Parsing accepts plain and exponent notation ("12.50", "-0.001", "1.5e-7",
// "+3E2") and rejects empty text, NaN, Inf, stray characters and values beyond
// the supported range with a Status that says why. Formatting is canonical:
// plain notation, no exponent, no trailing fractional zeros, "0" for zero.
//
// Supported range on input: at most kMaxSignificantDigits significant digits
// and at most kMaxScale digits after the point (after dropping trailing
// zeros). Results of arithmetic are not limited.
//
// Thread safety: a Decimal is a value; const methods may be called
// concurrently.
#ifndef FIFO_ENGINE_DECIMAL_H_
#define FIFO_ENGINE_DECIMAL_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/multiprecision/cpp_int.hpp"

namespace fifo {

class Decimal {
 public:
  static constexpr int kMaxSignificantDigits = 60;
  static constexpr int kMaxScale = 40;

  // Zero.
  Decimal() = default;

  // The integer `value` (scale 0).
  static Decimal FromInt(int64_t value);

  // `coefficient * 10^-scale`. REQUIRES: 0 <= scale.
  static Decimal FromScaled(int64_t coefficient, int scale);

  // Parses plain or exponent notation. Errors (kInvalidArgument): empty text,
  // NaN/Inf, whitespace or any other character outside
  // `[+-]digits[.digits][(e|E)[+-]digits]`, no digit. kOutOfRange: more than
  // kMaxSignificantDigits significant digits, more than kMaxScale decimal
  // places, or an exponent beyond that range.
  static absl::StatusOr<Decimal> Parse(absl::string_view text);

  // Canonical plain notation: "-12.5", "0.000001", "30000", "0".
  std::string ToString() const;

  // Plain notation with exactly `places` digits after the point, rounding half
  // to even when the value has more ("1.5" at 2 places is "1.50").
  std::string ToFixedString(int places) const;

  // -1, 0 or +1.
  int sign() const;
  bool is_zero() const { return sign() == 0; }
  bool is_negative() const { return sign() < 0; }
  bool is_positive() const { return sign() > 0; }

  // Number of digits after the point in this representation (not
  // normalised: 1.50 + 0 keeps scale 2). Use Normalized() for the minimum.
  int scale() const { return scale_; }

  // The same value with trailing fractional zeros removed.
  Decimal Normalized() const;

  Decimal Abs() const;

  // Rounds half to even to `places` digits after the point (exact when the
  // value already has no more). REQUIRES: places >= 0.
  Decimal Quantize(int places) const;

  // numerator / denominator rounded half to even to `places` digits.
  // REQUIRES: denominator != 0, places >= 0.
  static Decimal Divide(const Decimal& numerator, const Decimal& denominator,
                        int places);

  Decimal operator-() const;
  Decimal& operator+=(const Decimal& other);
  Decimal& operator-=(const Decimal& other);
  Decimal& operator*=(const Decimal& other);
  friend Decimal operator+(Decimal a, const Decimal& b) { return a += b; }
  friend Decimal operator-(Decimal a, const Decimal& b) { return a -= b; }
  friend Decimal operator*(Decimal a, const Decimal& b) { return a *= b; }

  // Three-way comparison by value (1.50 == 1.5).
  static int Compare(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) {
    return Compare(a, b) == 0;
  }
  friend bool operator!=(const Decimal& a, const Decimal& b) {
    return Compare(a, b) != 0;
  }
  friend bool operator<(const Decimal& a, const Decimal& b) {
    return Compare(a, b) < 0;
  }
  friend bool operator<=(const Decimal& a, const Decimal& b) {
    return Compare(a, b) <= 0;
  }
  friend bool operator>(const Decimal& a, const Decimal& b) {
    return Compare(a, b) > 0;
  }
  friend bool operator>=(const Decimal& a, const Decimal& b) {
    return Compare(a, b) >= 0;
  }

  static const Decimal& Min(const Decimal& a, const Decimal& b) {
    return Compare(b, a) < 0 ? b : a;
  }

  friend std::ostream& operator<<(std::ostream& os, const Decimal& d) {
    return os << d.ToString();
  }

 private:
  using BigInt = boost::multiprecision::cpp_int;

  Decimal(BigInt coefficient, int scale)
      : coefficient_(std::move(coefficient)), scale_(scale) {}

  // Multiplies the coefficient by 10^places and adds `places` to the scale.
  void Rescale(int places);

  BigInt coefficient_ = 0;
  int scale_ = 0;
};

}  // namespace fifo

#endif  // FIFO_ENGINE_DECIMAL_H_
