#include "engine/allocation.h"

#include <algorithm>

namespace fifo {

int FeeShareScale(const Decimal& fee) {
  return std::max(kFeeShareScale, fee.Normalized().scale());
}

Decimal FeeShareThrough(const Decimal& fee, const Decimal& through,
                        const Decimal& size) {
  if (fee.is_zero() || through.is_zero()) return Decimal();
  if (through == size) return fee;
  return Decimal::Divide(fee * through, size, FeeShareScale(fee));
}

Decimal FeesPerUnit(const Decimal& fee, const Decimal& size) {
  if (fee.is_zero()) return Decimal();
  return Decimal::Divide(fee, size, FeeShareScale(fee));
}

}  // namespace fifo
