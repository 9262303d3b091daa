// File: core/health.h
//
// The health figures of one completed allocation version (the API's
// PnlReports.GetAllocationHealth): how many allocation rows it has, how many
// of them are unmatched, how many distinct sells were matched and buys used,
// its total realized PnL, the span of its sell times and the run that
// completed it. One pass over the version's allocations
// (LedgerStore::ScanAllocations); memory O(distinct matched sells + buys).
//
// Thread safety: a stateless function; safe to call concurrently (the store
// serialises its own calls).
#ifndef FIFO_CORE_HEALTH_H_
#define FIFO_CORE_HEALTH_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "storage/ledger_store.h"

namespace fifo {

struct AllocationHealthReport {
  int64_t version = 0;            // the version read (resolved)
  int64_t total_allocations = 0;  // allocation rows, matched or not
  int64_t unmatched_allocations = 0;
  int64_t sells_matched = 0;  // distinct sell order ids with a matched row
  int64_t buys_used = 0;      // distinct buy order ids of matched rows
  Decimal total_pnl_usd;      // sum of the matched rows' pnl_usd, exact
  // Earliest and latest sell_time of any row; unset for a version without
  // rows.
  std::optional<absl::Time> first_sell_time, last_sell_time;
  // The latest completed run of the version (LedgerStore::LatestCompletedRun).
  std::optional<ComputationRun> latest_computation;
};

// The health of `version` (the latest completed one when unset;
// ResolveVersion, core/validations.h). `should_stop` (optional) is polled
// once per page of allocations; when it returns true the scan stops with
// kCancelled ("cancelled"). Errors: kNotFound when there is no such
// completed version (or none at all); store errors.
absl::StatusOr<AllocationHealthReport> ComputeAllocationHealth(
    LedgerStore& store, std::optional<int64_t> version,
    const std::function<bool()>& should_stop = nullptr);

}  // namespace fifo

#endif  // FIFO_CORE_HEALTH_H_
