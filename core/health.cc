#include "core/health.h"

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "core/validations.h"

namespace fifo {

absl::StatusOr<AllocationHealthReport> ComputeAllocationHealth(
    LedgerStore& store, std::optional<int64_t> version,
    const std::function<bool()>& should_stop) {
  AllocationHealthReport health;
  FIFO_ASSIGN_OR_RETURN(health.version, ResolveVersion(store, version));
  std::set<std::string> sells, buys;
  AllocationFilter filter;
  filter.version = health.version;
  FIFO_RETURN_IF_ERROR(store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        if (should_stop && should_stop()) {
          return absl::CancelledError("cancelled");
        }
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          ++health.total_allocations;
          if (a.matched()) {
            sells.insert(a.sell_order_id);
            buys.insert(*a.buy_order_id);
            health.total_pnl_usd += a.pnl_usd;
          } else {
            ++health.unmatched_allocations;
          }
          if (!health.first_sell_time ||
              a.sell_time < *health.first_sell_time) {
            health.first_sell_time = a.sell_time;
          }
          if (!health.last_sell_time || a.sell_time > *health.last_sell_time) {
            health.last_sell_time = a.sell_time;
          }
        }
        return absl::OkStatus();
      }));
  health.sells_matched = static_cast<int64_t>(sells.size());
  health.buys_used = static_cast<int64_t>(buys.size());
  FIFO_ASSIGN_OR_RETURN(health.latest_computation,
                        store.LatestCompletedRun(health.version));
  return health;
}

}  // namespace fifo
