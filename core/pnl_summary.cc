#include "core/pnl_summary.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "engine/timestamp.h"

namespace fifo {

absl::StatusOr<std::vector<PnlRow>> SummarizePnl(LedgerStore& store,
                                                 const PnlQuery& query) {
  struct Group {
    PnlRow row;
    std::set<std::string> sells;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  AllocationFilter filter;
  filter.version = query.version;
  filter.symbol = query.symbol;
  filter.sell_time_from = query.sell_time_from;
  filter.sell_time_to = query.sell_time_to;
  FIFO_RETURN_IF_ERROR(store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          std::string period;
          if (query.grouping != PnlGrouping::kNone) {
            // "2025-11-20T..." in UTC: the day or the month prefix.
            period = FormatTimestamp(a.sell_time)
                         .substr(0, query.grouping == PnlGrouping::kDay ? 10 : 7);
          }
          Group& g = groups[{a.symbol, period}];
          g.row.symbol = a.symbol;
          g.row.period = period;
          g.sells.insert(a.sell_order_id);
          if (a.matched()) {
            ++g.row.matched_allocations;
            g.row.matched_size += a.allocated_size;
            g.row.proceeds_usd += a.proceeds_usd;
            g.row.net_proceeds_usd += a.net_proceeds_usd;
            g.row.cost_basis_usd += a.cost_basis_usd;
            g.row.realized_pnl_usd += a.pnl_usd;
          } else {
            ++g.row.unmatched_allocations;
            g.row.unmatched_size += a.allocated_size;
          }
        }
        return absl::OkStatus();
      }));
  std::vector<PnlRow> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) {
    g.row.sells = static_cast<int64_t>(g.sells.size());
    out.push_back(std::move(g.row));
  }
  return out;
}

}  // namespace fifo
