// File: core/validations.h
//
// The design's AllocationValidator over a store: validate one version
// (ValidateVersion) and compare two (CompareVersions, the design's
// find_discrepancies; FindDiscrepancies, the same for one symbol).
//
// ValidateVersion runs both checkers:
//  * the store's invariant queries (LedgerStore::RunInvariantQueries: the
//    design's five queries corrected per ERRATA 3 and 4), and
//  * the in-memory validator (validation/allocation_validator.h), one symbol
//    at a time against the ledger up to that symbol's high-water mark in the
//    version (trades recorded after the version was computed are not yet
//    allocated and are not violations).
// Memory is bounded by one symbol's trades and allocations.
//
// Thread safety: stateless functions; safe to call concurrently.
#ifndef FIFO_CORE_VALIDATIONS_H_
#define FIFO_CORE_VALIDATIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/decimal.h"
#include "engine/symbol_config.h"
#include "storage/ledger_store.h"
#include "validation/allocation_validator.h"

namespace fifo {

struct VersionValidation {
  int64_t version = 0;
  std::vector<InvariantViolation> store_violations;
  // Every violation of the in-memory validator, all symbols.
  std::vector<Violation> violations;
  int64_t symbols_checked = 0;
  int64_t trades_checked = 0;
  int64_t allocations_checked = 0;

  bool ok() const { return store_violations.empty() && violations.empty(); }
};

// Validates `version` (the latest completed one when unset), restricted to
// `symbol` when given. Errors: kNotFound when there is no such version (or
// no completed version at all); store errors.
absl::StatusOr<VersionValidation> ValidateVersion(
    LedgerStore& store, const SymbolConfigs& configs,
    std::optional<int64_t> version, const std::optional<std::string>& symbol);

// One buy -> sell pair (or unmatched row, buy unset) that differs.
struct PairChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::optional<std::string> buy_order_id;
  std::optional<Decimal> size_a, size_b;  // unset where the row is absent
  std::optional<Decimal> pnl_a, pnl_b;    // unset where absent or unmatched
};

absl::string_view PairChangeKindName(PairChange::Kind kind);

struct SellDiscrepancy {
  std::string symbol;
  std::string sell_order_id;
  std::vector<PairChange> changes;
  Decimal pnl_a, pnl_b;  // realized PnL of the sell in each version
  Decimal pnl_delta;     // pnl_b - pnl_a
};

struct SymbolComparison {
  std::string symbol;
  int64_t rows_a = 0, rows_b = 0;
  Decimal pnl_a, pnl_b, pnl_delta;
  int64_t sells_changed = 0;
};

struct VersionComparison {
  int64_t version_a = 0, version_b = 0;
  std::vector<SellDiscrepancy> sells;     // by symbol, then sell_order_id
  std::vector<SymbolComparison> symbols;  // every symbol of either version
  Decimal pnl_a, pnl_b, pnl_delta;        // totals
};

// Compares the allocations of two versions. Errors: kNotFound when either
// version has no completed run.
absl::StatusOr<VersionComparison> CompareVersions(LedgerStore& store,
                                                  int64_t version_a,
                                                  int64_t version_b);

// The API's FindDiscrepancies: CompareVersions restricted to `symbol` when
// given. Then `sells` and `symbols` hold that symbol's entries only (none
// when neither version has the symbol), the totals (pnl_a, pnl_b,
// pnl_delta) are that symbol's (zero when neither version has it), and only
// that symbol's allocations are read. Without `symbol`, CompareVersions.
// Errors: as CompareVersions.
absl::StatusOr<VersionComparison> FindDiscrepancies(
    LedgerStore& store, int64_t version_a, int64_t version_b,
    const std::optional<std::string>& symbol);

// The completed version to read: `requested` when it has a completed run,
// else the latest. kNotFound naming the version otherwise.
absl::StatusOr<int64_t> ResolveVersion(LedgerStore& store,
                                       std::optional<int64_t> requested);

}  // namespace fifo

#endif  // FIFO_CORE_VALIDATIONS_H_
