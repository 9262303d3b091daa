// File: core/pnl_summary.h
//
// Realized PnL of a version, summed per symbol (and per day or month of the
// sell) exactly with Decimal from the version's stored allocations: the
// figures behind fifoctl report and the PnlReports RPCs (core/reports.h).
//
// Thread safety: SummarizePnl is as thread-safe as the store it reads (a
// LedgerStore is); it keeps no state.
#ifndef FIFO_CORE_PNL_SUMMARY_H_
#define FIFO_CORE_PNL_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "storage/ledger_store.h"

namespace fifo {

enum class PnlGrouping { kNone, kDay, kMonth };

struct PnlQuery {
  int64_t version = 0;
  std::optional<std::string> symbol;
  std::optional<absl::Time> sell_time_from;  // inclusive
  std::optional<absl::Time> sell_time_to;    // exclusive
  PnlGrouping grouping = PnlGrouping::kNone;
};

// Realized PnL of one symbol (and period) of a version.
struct PnlRow {
  std::string symbol;
  std::string period;  // "" (kNone), "2025-11-20" (kDay), "2025-11" (kMonth)
  int64_t sells = 0;   // distinct sells with a row in the group
  int64_t matched_allocations = 0;
  int64_t unmatched_allocations = 0;
  Decimal matched_size;
  Decimal unmatched_size;
  Decimal proceeds_usd;      // matched rows
  Decimal net_proceeds_usd;  // matched rows
  Decimal cost_basis_usd;    // matched rows
  Decimal realized_pnl_usd;  // sum of pnl_usd over matched rows
};

// Sums a version's allocations (by sell_time, UTC) exactly with Decimal,
// one row per symbol (and period), by symbol then period. Errors as
// ScanAllocations.
absl::StatusOr<std::vector<PnlRow>> SummarizePnl(LedgerStore& store,
                                                 const PnlQuery& query);

}  // namespace fifo

#endif  // FIFO_CORE_PNL_SUMMARY_H_
