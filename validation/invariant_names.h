// File: validation/invariant_names.h
//
// The names of the allocation invariants, shared by every checker that
// reports them so that no layer matches another's string literals: the
// in-memory validator (validation/allocation_validator.h, Violation::
// invariant), the store's SQL invariant queries (LedgerStore::
// RunInvariantQueries, InvariantViolation::invariant) and the API's
// mapping to fifo.v1.Invariant (api/convert.cc). The words are stable: they
// are stored in reports and shown to users.
//
// Thread safety: constants.
#ifndef FIFO_VALIDATION_INVARIANT_NAMES_H_
#define FIFO_VALIDATION_INVARIANT_NAMES_H_

#include "absl/strings/string_view.h"

namespace fifo {

// The in-memory validator reports every name below but the two store-only
// ones; the store reports kSellFullyAllocated, kBuyNotOverAllocated,
// kNoOrphans and its own three.
namespace invariant {
// Design 1 + ERRATA 3: matched + unmatched size of every sell equals its size;
// a shortfall at or below the symbol's dust threshold is allowed, an excess
// never is.
inline constexpr absl::string_view kSellFullyAllocated = "sell_fully_allocated";
// Design 2: the matched size of every buy is at most its size (exact).
inline constexpr absl::string_view kBuyNotOverAllocated =
    "buy_not_over_allocated";
// Design 3 (exact): pnl_usd == net_proceeds_usd - cost_basis_usd.
inline constexpr absl::string_view kPnlCorrect = "pnl_correct";
// cost_basis_usd == buy_price * allocated_size + buy_fee_share (only when
// fee shares are known).
inline constexpr absl::string_view kCostBasisCorrect = "cost_basis_correct";
// proceeds_usd == sell_price * allocated_size.
inline constexpr absl::string_view kProceedsCorrect = "proceeds_correct";
// net_proceeds_usd == proceeds_usd - sell_fee_share (only when fee shares
// are known).
inline constexpr absl::string_view kNetProceedsCorrect = "net_proceeds_correct";
// Design 4 + ERRATA 3: every referenced order id exists in the ledger
// (unmatched rows reference no buy).
inline constexpr absl::string_view kNoOrphans = "no_orphans";
// sell_order_id names a sell and buy_order_id names a buy.
inline constexpr absl::string_view kWrongSide = "wrong_side";
// The row, its sell and its buy all have the same symbol.
inline constexpr absl::string_view kSymbolMismatch = "symbol_mismatch";
// The row's denormalised prices and times equal those of its trades.
inline constexpr absl::string_view kTradeFieldsMatch = "trade_fields_match";
// Design 5 + ERRATA 1: buy_time <= sell_time, and the buy comes strictly
// before the sell in (order_time, order_id bytewise) order.
inline constexpr absl::string_view kTimeOrdering = "time_ordering";
// allocated_size > 0.
inline constexpr absl::string_view kAllocatedSizePositive =
    "allocated_size_positive";
// ERRATA 3: an unmatched row has every buy-side field at its default (zero
// decimals, buy_time == absl::Time()), so cost basis and PnL are zero.
inline constexpr absl::string_view kUnmatchedRowHasNoBuy =
    "unmatched_row_has_no_buy";
// At most one row per (sell, buy) pair, and at most one unmatched row per
// sell.
inline constexpr absl::string_view kNoDuplicatePair = "no_duplicate_pair";
// ERRATA 5: the fee shares of a fully consumed buy (a sell whose rows cover
// its whole size) add up to its total_fees_usd exactly; those of any other
// buy or sell add up to at most its fee.
inline constexpr absl::string_view kFeeConserved = "fee_conserved";
// No row carries a negative fee share.
inline constexpr absl::string_view kFeeShareNonNegative =
    "fee_share_non_negative";
// Order ids are unique in the ledger (later duplicates are ignored).
inline constexpr absl::string_view kUniqueOrderId = "unique_order_id";

// The store's own (LedgerStore::RunInvariantQueries, the design's queries
// 3 and 5): pnl_usd == net_proceeds_usd - cost_basis_usd exactly, the whole
// of what the validator splits into kPnlCorrect and its fee checks ...
inline constexpr absl::string_view kPnlConsistent = "pnl_consistent";
// ... and buy_time <= sell_time, the time half of kTimeOrdering.
inline constexpr absl::string_view kBuyBeforeSell = "buy_before_sell";
// The store's stored rows are intact: each segment of the version still
// holds the row count and the digest (storage/segment_digest.h) recorded
// when it was written. A mismatch means rows were edited in SQL.
inline constexpr absl::string_view kSegmentIntact = "segment_intact";
}  // namespace invariant

}  // namespace fifo

#endif  // FIFO_VALIDATION_INVARIANT_NAMES_H_
