// File: engine/allocation.h
//
// What the engine derives from the ledger: allocations (one row per
// buy -> sell pair, or one unmatched row per sell remainder, ERRATA 3) and
// open lots (the inventory a symbol carries forward).
//
// Money follows ERRATA 5: each allocation carries the exact fee shares that
// were apportioned to it; cost basis, net proceeds and PnL use those shares,
// so the shares of a fully consumed buy or a fully matched sell add up to its
// total_fees_usd exactly. The *_fees_per_unit columns are for display only.
//
// Thread safety: plain values.
#ifndef FIFO_ENGINE_ALLOCATION_H_
#define FIFO_ENGINE_ALLOCATION_H_

#include <optional>
#include <string>

#include "absl/base/attributes.h"
#include "absl/time/time.h"
#include "engine/decimal.h"

namespace fifo {

// Fee shares and per-unit fees are computed at this many decimal places
// (half-even), or at the fee's own scale when that is finer, so that a fully
// apportioned fee is always reproduced exactly.
inline constexpr int kFeeShareScale = 18;

struct Allocation {
  // User-provided so that a value-initialised row (`Allocation()`,
  // `emplace_back()`) is not zeroed in bulk before its members are
  // initialised: every member has its own default (empty, zero, unset).
  Allocation() {}
  // A row of `symbol` for the sell `sell_order_id`, matched to the buy
  // `*buy_order_id` (unmatched when null); every other member as by default.
  // The engine builds its rows with it: copy-constructing the strings is
  // cheaper than assigning them.
  ABSL_ATTRIBUTE_ALWAYS_INLINE Allocation(const std::string& sell_order_id,
                                          const std::string* buy_order_id,
                                          const std::string& symbol)
      : sell_order_id(sell_order_id), symbol(symbol) {
    if (buy_order_id != nullptr) this->buy_order_id.emplace(*buy_order_id);
  }

  std::string sell_order_id;
  // Unset for an unmatched row: a sell remainder no earlier buy could cover.
  std::optional<std::string> buy_order_id;
  std::string symbol;
  Decimal allocated_size;  // > 0

  // Sell side: present on every row.
  Decimal sell_price;
  Decimal sell_fees_per_unit;  // display: sell fee / sell size
  Decimal sell_fee_share;      // the part of the sell's fee on this row
  Decimal proceeds_usd;        // sell_price * allocated_size
  Decimal net_proceeds_usd;    // proceeds_usd - sell_fee_share
  absl::Time sell_time;

  // Buy side: meaningful only when matched().
  Decimal buy_price;
  Decimal buy_fees_per_unit;  // display: buy fee / buy size
  Decimal buy_fee_share;      // the part of the buy's fee on this row
  Decimal cost_basis_usd;     // buy_price * allocated_size + buy_fee_share
  Decimal pnl_usd;            // net_proceeds_usd - cost_basis_usd
  absl::Time buy_time;

  bool matched() const { return buy_order_id.has_value(); }
};

// A buy with inventory left (or, in a closing inventory, any buy whose
// remaining size is above zero, dust included).
struct OpenLot {
  std::string buy_order_id;
  absl::Time buy_time;
  Decimal price;
  Decimal size;
  Decimal total_fees_usd;
  // Allocated to sells so far, and the fee shares apportioned with it:
  // consumed_fee_share == FeeShareThrough(total_fees_usd, consumed_size, size).
  Decimal consumed_size;
  Decimal consumed_fee_share;

  Decimal remaining_size() const { return size - consumed_size; }
  Decimal remaining_fee_share() const {
    return total_fees_usd - consumed_fee_share;
  }
  // What the remaining inventory cost: price * remaining + unapportioned fee.
  Decimal remaining_cost_usd() const {
    return price * remaining_size() + remaining_fee_share();
  }
};

// The decimal places used for `fee`'s shares: max(kFeeShareScale, the fee's
// own number of decimal places).
int FeeShareScale(const Decimal& fee);

// The cumulative fee share of the first `through` units of a trade of `size`
// units that paid `fee`: round_half_even(fee * through / size) at
// FeeShareScale(fee). Equals `fee` exactly when through == size.
// REQUIRES: size > 0.
Decimal FeeShareThrough(const Decimal& fee, const Decimal& through,
                        const Decimal& size);

// fee / size at FeeShareScale(fee), half-even (display only).
// REQUIRES: size != 0.
inline Decimal FeesPerUnit(const Decimal& fee, const Decimal& size) {
  if (fee.is_zero()) return Decimal();
  // FeeShareScale(fee) without a call when the fee's scale is within it.
  const int places =
      fee.scale() <= kFeeShareScale ? kFeeShareScale : FeeShareScale(fee);
  return Decimal::Divide(fee, size, places);
}

}  // namespace fifo

#endif  // FIFO_ENGINE_ALLOCATION_H_
