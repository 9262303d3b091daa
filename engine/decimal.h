// File: engine/decimal.h
//
// Decimal: the one exact decimal type for money and sizes in this service.
//
// A Decimal is `coefficient * 10^-scale` with an arbitrary-precision integer
// coefficient and a non-negative scale. A coefficient whose magnitude is below
// 2^127 lives in a 128-bit machine integer (the fast path: no allocation,
// overflow-checked with compiler builtins); anything larger moves to a
// Boost.Multiprecision cpp_int on the heap, and results that fit again move
// back. Every operation gives exactly the value (and the scale) the
// arbitrary-precision arithmetic gives: the representation is invisible.
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

#include "absl/base/attributes.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fifo {

class Decimal {
 public:
  static constexpr int kMaxSignificantDigits = 60;
  static constexpr int kMaxScale = 40;

  // Zero. User-provided, so that a value-initialised Decimal (`Decimal()`,
  // `{}`, an omitted aggregate member) is not zero-filled in bulk, padding
  // included, before the members are initialised.
  Decimal() noexcept {}

  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal(const Decimal& other)
      : small_(other.small_), scale_(other.scale_), is_big_(other.is_big_) {
    if (is_big_) SetBigPointer(CloneBig(*other.big()));
  }
  // Leaves `other` a valid value (zero when it was arbitrary-precision).
  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal(Decimal&& other) noexcept
      : small_(other.small_), scale_(other.scale_), is_big_(other.is_big_) {
    if (other.is_big_) other.ReleaseBig();
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal& operator=(const Decimal& other) {
    if (!is_big_ && !other.is_big_) {
      small_ = other.small_;
      scale_ = other.scale_;
      return *this;
    }
    return AssignSlow(other);
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal& operator=(Decimal&& other) noexcept {
    if (this != &other) {
      if (is_big_) DeleteBig(big());
      small_ = other.small_;
      scale_ = other.scale_;
      is_big_ = other.is_big_;
      if (other.is_big_) other.ReleaseBig();
    }
    return *this;
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE ~Decimal() {
    if (is_big_) DeleteBig(big());
  }

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

  // Limits for ParseWithLimits.
  struct ParseLimits {
    int max_significant_digits;
    int max_scale;
  };
  // The limits of Parse: what a trade or configuration may say.
  static constexpr ParseLimits kInputLimits{kMaxSignificantDigits, kMaxScale};
  // Generous limits for values this service derived and stored itself
  // (a cost basis is price * size: up to twice the input's digits and
  // places), read back from a store or a peer.
  static constexpr ParseLimits kDerivedLimits{1000, 500};

  // Parse with other limits; errors as Parse.
  static absl::StatusOr<Decimal> ParseWithLimits(absl::string_view text,
                                                 const ParseLimits& limits);

  // Canonical plain notation: "-12.5", "0.000001", "30000", "0".
  std::string ToString() const;

  // Plain notation with exactly `places` digits after the point, rounding half
  // to even when the value has more ("1.5" at 2 places is "1.50").
  std::string ToFixedString(int places) const;

  // -1, 0 or +1.
  ABSL_ATTRIBUTE_ALWAYS_INLINE int sign() const {
    if (is_big_) return BigSign(*big());
    return (small_ > 0) - (small_ < 0);
  }
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
  ABSL_ATTRIBUTE_ALWAYS_INLINE static Decimal Divide(const Decimal& numerator,
                                                     const Decimal& denominator,
                                                     int places) {
    // The usual case inline: both coefficients within int64 and the
    // numerator scaled by 10^shift to below 2^127: shift <= 18 (then the
    // scaled magnitude is below 2^63 * 10^18 < 2^123), or shift <= 36 with
    // a numerator below 10^(36 - shift) (then it is below 10^36).
    if (!numerator.is_big_ && !denominator.is_big_ &&
        Fits64(numerator.small_) && Fits64(denominator.small_)) {
      const int shift = places + denominator.scale_ - numerator.scale_;
      const int64_t n = static_cast<int64_t>(numerator.small_);
      const int64_t d = static_cast<int64_t>(denominator.small_);
      // Magnitudes as unsigned: |INT64_MIN| fits.
      uint64_t n_abs =
          n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
      int low_shift = shift;
      if (shift > kMaxPow10Int64 && shift <= 2 * kMaxPow10Int64 &&
          n_abs <
              static_cast<uint64_t>(kPow10Int64[2 * kMaxPow10Int64 - shift])) {
        // n_abs * 10^(shift - 18) < 10^18: no overflow.
        n_abs *= static_cast<uint64_t>(kPow10Int64[shift - kMaxPow10Int64]);
        low_shift = kMaxPow10Int64;
      }
      if (low_shift >= 0 && low_shift <= kMaxPow10Int64) {
        const uint64_t d_abs =
            d < 0 ? 0 - static_cast<uint64_t>(d) : static_cast<uint64_t>(d);
        const UInt128 q =
            DivideHalfEven64(static_cast<UInt128>(n_abs) *
                                 static_cast<uint64_t>(kPow10Int64[low_shift]),
                             d_abs);
        Decimal result;
        result.small_ = (n < 0) != (d < 0) ? -static_cast<Int128>(q)
                                           : static_cast<Int128>(q);
        result.scale_ = places;
        return result;
      }
    }
    return DivideSlow(numerator, denominator, places);
  }

  Decimal operator-() const;
  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal& operator+=(const Decimal& other) {
    if (!is_big_ && !other.is_big_ && AddSmall(other.small_, other.scale_)) {
      return *this;
    }
    return AddSlow(other, /*negate=*/false);
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal& operator-=(const Decimal& other) {
    if (!is_big_ && !other.is_big_ && AddSmall(-other.small_, other.scale_)) {
      return *this;
    }
    return AddSlow(other, /*negate=*/true);
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE Decimal& operator*=(const Decimal& other) {
    if (!is_big_ && !other.is_big_ && Fits64(small_) && Fits64(other.small_)) {
      // |product| <= 2^126: one 64x64->128 multiplication.
      small_ = static_cast<Int128>(static_cast<int64_t>(small_)) *
               static_cast<int64_t>(other.small_);
      scale_ += other.scale_;
      return *this;
    }
    return MultiplySlow(other);
  }
  friend Decimal operator+(Decimal a, const Decimal& b) {
    a += b;
    return a;
  }
  friend Decimal operator-(Decimal a, const Decimal& b) {
    a -= b;
    return a;
  }
  friend Decimal operator*(Decimal a, const Decimal& b) {
    a *= b;
    return a;
  }

  // Three-way comparison by value (1.50 == 1.5).
  ABSL_ATTRIBUTE_ALWAYS_INLINE static int Compare(const Decimal& a,
                                                  const Decimal& b) {
    if (!a.is_big_ && !b.is_big_) {
      Int128 x = a.small_;
      Int128 y = b.small_;
      if (a.scale_ != b.scale_) {
        // Different signs (or a zero) decide without rescaling.
        const int sa = (x > 0) - (x < 0);
        const int sb = (y > 0) - (y < 0);
        if (sa != sb) return sa < sb ? -1 : 1;
        if (!Fits64(x) || !Fits64(y)) return CompareSlow(a, b);
        const int diff = a.scale_ - b.scale_;
        // One 64x64->128 multiplication each (both fit in int64).
        if (diff > 0) {
          if (diff > kMaxPow10Int64) return CompareSlow(a, b);
          y = Mul64(y, kPow10Int64[diff]);
        } else {
          if (-diff > kMaxPow10Int64) return CompareSlow(a, b);
          x = Mul64(x, kPow10Int64[-diff]);
        }
      }
      return (x > y) - (x < y);
    }
    return CompareSlow(a, b);
  }
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
  __extension__ typedef __int128 Int128;
  __extension__ typedef unsigned __int128 UInt128;
  // The arbitrary-precision coefficient (a cpp_int; defined in decimal.cc).
  struct Big;
  // Out-of-line helpers with access to the representation (decimal.cc).
  friend struct DecimalOps;

  // The largest magnitude of the fast path, 2^127 - 1: -2^127 is excluded so
  // that negation and Abs never overflow.
  static constexpr Int128 kSmallMax =
      (static_cast<Int128>(INT64_MAX) << 64) | static_cast<Int128>(UINT64_MAX);

  // *out = a + b when the sum is within +-kSmallMax. REQUIRES: a and b are.
  ABSL_ATTRIBUTE_ALWAYS_INLINE static bool CheckedAdd(Int128 a, Int128 b,
                                                      Int128* out) {
    Int128 sum;
    if (__builtin_add_overflow(a, b, &sum) || sum == -kSmallMax - 1) {
      return false;
    }
    *out = sum;
    return true;
  }

  // 10^0 .. 10^18. A value within int64 times one of them, plus another
  // value within int64, is far within +-kSmallMax: no check needed.
  static constexpr int kMaxPow10Int64 = 18;
  static constexpr int64_t kPow10Int64[kMaxPow10Int64 + 1] = {
      1LL,
      10LL,
      100LL,
      1000LL,
      10000LL,
      100000LL,
      1000000LL,
      10000000LL,
      100000000LL,
      1000000000LL,
      10000000000LL,
      100000000000LL,
      1000000000000LL,
      10000000000000LL,
      100000000000000LL,
      1000000000000000LL,
      10000000000000000LL,
      100000000000000000LL,
      1000000000000000000LL};

  ABSL_ATTRIBUTE_ALWAYS_INLINE static bool Fits64(Int128 v) {
    return v == static_cast<int64_t>(v);
  }

  // a * b as one 64x64->128 multiplication. REQUIRES: Fits64(a).
  ABSL_ATTRIBUTE_ALWAYS_INLINE static Int128 Mul64(Int128 a, int64_t b) {
    return static_cast<Int128>(static_cast<int64_t>(a)) * b;
  }

  // *this += b * 10^-b_scale on the fast path when that is cheap: equal
  // scales, or scales at most 18 apart and the coefficient of the coarser
  // operand (the one rescaled) within int64; in both cases without
  // overflow. False (and *this unchanged) otherwise.
  // REQUIRES: !is_big_, |b| <= kSmallMax.
  ABSL_ATTRIBUTE_ALWAYS_INLINE bool AddSmall(Int128 b, int b_scale) {
    if (scale_ == b_scale) {
      Int128 sum;
      if (!CheckedAdd(small_, b, &sum)) return false;
      small_ = sum;
      return true;
    }
    // The operand to rescale must be within int64 (then, times at most
    // 10^18, it stays below 2^123); the other may use all 127 bits.
    const int diff = scale_ - b_scale;
    Int128 sum;
    if (diff > 0) {
      if (diff > kMaxPow10Int64 || !Fits64(b) ||
          !CheckedAdd(small_, Mul64(b, kPow10Int64[diff]), &sum)) {
        return false;
      }
    } else {
      if (-diff > kMaxPow10Int64 || !Fits64(small_) ||
          !CheckedAdd(Mul64(small_, kPow10Int64[-diff]), b, &sum)) {
        return false;
      }
      scale_ = b_scale;
    }
    small_ = sum;
    return true;
  }

  // n / d rounded half to even (decimal.cc). REQUIRES: d > 0.
  static UInt128 DivideHalfEven64(UInt128 n, uint64_t d);
  static Decimal DivideSlow(const Decimal& numerator,
                            const Decimal& denominator, int places);

  static Big* CloneBig(const Big& big);
  static void DeleteBig(Big* big);
  static int BigSign(const Big& big);
  Decimal& AssignSlow(const Decimal& other);
  Decimal& AddSlow(const Decimal& other, bool negate);
  Decimal& MultiplySlow(const Decimal& other);
  static int CompareSlow(const Decimal& a, const Decimal& b);

  // The arbitrary-precision coefficient. REQUIRES: is_big_.
  Big* big() const {
    return reinterpret_cast<Big*>(static_cast<uintptr_t>(small_));
  }
  void SetBigPointer(Big* big) {
    small_ = static_cast<Int128>(reinterpret_cast<uintptr_t>(big));
    is_big_ = true;
  }
  // Forgets the Big (now owned elsewhere): the value becomes zero.
  void ReleaseBig() {
    small_ = 0;
    is_big_ = false;
  }

  // A 128-bit integer aligned to 8 bytes only, so that a Decimal takes 24
  // bytes rather than 32.
  __extension__ typedef __int128 PackedInt128 __attribute__((aligned(8)));

  // The coefficient: small_ while is_big_ is false; otherwise small_ holds
  // the address of the owned Big, whose magnitude is at least 2^127 (one
  // representation per value and scale).
  PackedInt128 small_ = 0;
  int scale_ = 0;
  bool is_big_ = false;
};

}  // namespace fifo

#endif  // FIFO_ENGINE_DECIMAL_H_
