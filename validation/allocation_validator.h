// File: validation/allocation_validator.h
//
// An in-memory checker of the allocation invariants: the design's five
// ("Validation & Invariants": sells fully allocated, buys not over-allocated,
// PnL correct, no orphans, time ordering) as corrected by ERRATA 3 and 4, and
// the stricter checks ERRATA 1, 3 and 5 imply. Everything is exact: no 0.01
// or 1e-8 tolerance; the only slack is a symbol's dust threshold on a sell's
// coverage.
//
// Input is one allocation version (ERRATA 4: the caller picks the version),
// the ledger it was computed from and the symbol configuration. The result
// lists every violation found, not just the first, in a deterministic order:
// ledger checks (trade order), then row checks (allocation order), then
// per-sell and per-buy totals (trade order).
//
// Cost: O(trades + allocations) time and memory.
//
// Example:
//   ValidationReport report = ValidateAllocations(trades, rows, configs);
//   if (!report.ok()) for (const Violation& v : report.violations)
//     LOG(ERROR) << v.ToString();
//
// Thread safety: a pure function over values; safe to call concurrently.
#ifndef FIFO_VALIDATION_ALLOCATION_VALIDATOR_H_
#define FIFO_VALIDATION_ALLOCATION_VALIDATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/allocation.h"
#include "engine/symbol_config.h"
#include "engine/trade.h"
#include "validation/invariant_names.h"

namespace fifo {

struct ValidateOptions {
  // True for allocations straight from the engine or a store that keeps the
  // fee shares: buy_fee_share and sell_fee_share are checked and used. False
  // for allocations read back without those columns (the allocations CSV):
  // the shares are then derived from the row as
  //   buy share  = cost_basis_usd - buy_price * allocated_size
  //   sell share = proceeds_usd - net_proceeds_usd
  // and the fee checks use the derived values (cost_basis_correct and
  // net_proceeds_correct then hold by construction and are not reported).
  bool fee_shares_known = true;
  // When set, only trades and allocations of this symbol are checked (an
  // allocation counts as of the symbol when its `symbol` field says so).
  std::optional<std::string> symbol;
};

struct Violation {
  std::string invariant;      // one of the names in fifo::invariant
                              // (validation/invariant_names.h)
  std::string symbol;         // the symbol concerned, if known
  std::string sell_order_id;  // empty when no sell is involved
  std::string buy_order_id;   // empty when no buy is involved
  // Index of the offending row in the allocations given, for row checks.
  std::optional<size_t> allocation_index;
  std::string message;  // what was expected and what was found

  // "invariant: message [sell=..., buy=..., row=N]", for logs.
  std::string ToString() const;
};

struct ValidationReport {
  std::vector<Violation> violations;
  int64_t trades_checked = 0;
  int64_t buys_checked = 0;
  int64_t sells_checked = 0;
  int64_t allocations_checked = 0;
  int64_t matched_allocations = 0;
  int64_t unmatched_allocations = 0;

  bool ok() const { return violations.empty(); }
  // The number of violations named `name`.
  int64_t CountOf(absl::string_view name) const;
};

// Checks `allocations` (one version) against `trades` (the whole ledger of the
// symbols concerned) and `configs` (dust thresholds). Never fails: every
// problem found, including rows that name unknown trades and duplicate order
// ids in the ledger, is a Violation in the report. The trades themselves are
// assumed valid (ValidateTrade); the report borrows nothing from the inputs.
ValidationReport ValidateAllocations(const std::vector<Trade>& trades,
                                     const std::vector<Allocation>& allocations,
                                     const SymbolConfigs& configs,
                                     const ValidateOptions& options = {});

}  // namespace fifo

#endif  // FIFO_VALIDATION_ALLOCATION_VALIDATOR_H_
