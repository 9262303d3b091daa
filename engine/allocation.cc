#include "engine/allocation.h"

#include <algorithm>

namespace fifo {

int FeeShareScale(const Decimal& fee) {
  // Normalising only lowers the scale: no need when it is within the minimum.
  if (fee.scale() <= kFeeShareScale) return kFeeShareScale;
  return std::max(kFeeShareScale, fee.Normalized().scale());
}

Decimal FeeShareThrough(const Decimal& fee, const Decimal& through,
                        const Decimal& size) {
  if (fee.is_zero() || through.is_zero()) return Decimal();
  if (through == size) return fee;
  return Decimal::Divide(fee * through, size, FeeShareScale(fee));
}

}  // namespace fifo
