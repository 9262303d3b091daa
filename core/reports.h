// File: core/reports.h
//
// The design's PnL report (scripts.pnl_report): realized PnL by symbol (and by
// day or month of the sell), the unmatched sells to investigate, and the open
// inventory per symbol, all for ONE completed version (ERRATA 4: the latest
// unless a version is given). Every figure is exact; rounding for display is
// the caller's (RoundForSymbol, half-even).
//
// Periods: "all", "last-30-days" (the 30 days before `now`), "ytd" (from
// January 1st of now's UTC year), or "FROM..TO" where each end is a date
// (YYYY-MM-DD, UTC) or an RFC 3339 timestamp; a date as TO includes that whole
// day; a timestamp as TO is exclusive. Either end may be empty ("..2025-12-31").
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef FIFO_CORE_REPORTS_H_
#define FIFO_CORE_REPORTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/pnl_summary.h"
#include "engine/decimal.h"
#include "storage/ledger_store.h"

namespace fifo {

struct TimeRange {
  std::optional<absl::Time> from;  // inclusive
  std::optional<absl::Time> to;    // exclusive
};

// Parses a period as described above. kInvalidArgument naming the period.
absl::StatusOr<TimeRange> ParsePeriod(absl::string_view period, absl::Time now);

struct PnlReportQuery {
  std::optional<int64_t> version;  // unset: latest completed
  std::optional<std::string> symbol;
  std::string period = "all";
  PnlGrouping grouping = PnlGrouping::kNone;
  absl::Time now;  // for relative periods
};

struct UnmatchedSellRow {
  std::string symbol;
  std::string sell_order_id;
  absl::Time sell_time;
  Decimal unmatched_size;
  Decimal sell_price;
};

struct OpenInventoryRow {
  std::string symbol;
  int64_t open_lots = 0;
  Decimal remaining_size;
  Decimal remaining_cost_usd;
  // remaining_cost_usd / remaining_size, half-even at 18 places.
  Decimal average_cost_usd;
};

struct PnlReport {
  int64_t version = 0;
  std::string period;
  TimeRange range;
  std::vector<PnlRow> rows;  // by symbol, then period bucket
  Decimal total_realized_pnl_usd;
  std::vector<UnmatchedSellRow> unmatched;    // in the period
  std::vector<OpenInventoryRow> inventory;    // as of the version
};

// Builds the report. Errors: kInvalidArgument (bad period), kNotFound
// (no such version), store errors.
absl::StatusOr<PnlReport> BuildPnlReport(LedgerStore& store,
                                         const PnlReportQuery& query);

}  // namespace fifo

#endif  // FIFO_CORE_REPORTS_H_
