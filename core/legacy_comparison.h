// File: core/legacy_comparison.h
//
// The design's Phase 1 "Compare results" (Migration Strategy): the old
// system's PnL of every sell (the store's legacy pnl_usd column, see
// storage/ledger_store.h "legacy PnL columns") against a version's, exactly,
// per sell and per symbol: what `fifoctl legacy compare` prints.
//
// Thread safety: CompareLegacyPnl is as thread-safe as the store it reads (a
// LedgerStore is); it keeps no state.
#ifndef FIFO_CORE_LEGACY_COMPARISON_H_
#define FIFO_CORE_LEGACY_COMPARISON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "storage/ledger_store.h"

namespace fifo {

// One sell: the old system's PnL against a version's.
struct LegacyPnlRow {
  std::string symbol;
  std::string order_id;
  absl::Time sell_time;
  std::optional<Decimal> old_pnl;     // legacy pnl_usd; nullopt when NULL
  // Sum of pnl_usd over the version's matched rows of this sell; nullopt
  // when the version has no row of it (a sell after its high-water mark).
  std::optional<Decimal> new_pnl;
  std::optional<Decimal> difference;  // new_pnl - old_pnl, when both are set
  Decimal unmatched_size;             // the version's unmatched remainder
};

struct LegacyPnlSymbol {
  std::string symbol;
  int64_t sells = 0;           // sells of the symbol
  int64_t sells_with_old = 0;  // of which with a legacy pnl_usd
  Decimal old_total;           // sum of the legacy pnl_usd (NULLs skipped)
  Decimal new_total;           // sum of new_pnl
  Decimal difference;          // new_total - old_total
  // By |difference| descending, then order_id; rows without a difference
  // (no legacy value or no new row) last, by order_id.
  std::vector<LegacyPnlRow> rows;
};

struct LegacyPnlComparison {
  int64_t version = 0;
  std::vector<LegacyPnlSymbol> symbols;  // bytewise by symbol
  Decimal old_total;
  Decimal new_total;
  Decimal difference;
};

// Design Phase 1 "Compare results": per symbol and per sell, the legacy
// pnl_usd against the sum of `version`'s allocation pnl_usd, exactly (the
// design's two SUM queries, per sell). `version` should be a completed one
// (core ResolveVersion); an unknown version just has no new rows.
// Memory O(sells). Errors as ScanLegacySells and ScanAllocations.
absl::StatusOr<LegacyPnlComparison> CompareLegacyPnl(
    LedgerStore& store, int64_t version,
    const std::optional<std::string>& symbol);

}  // namespace fifo

#endif  // FIFO_CORE_LEGACY_COMPARISON_H_
