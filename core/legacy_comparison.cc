#include "core/legacy_comparison.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "common/status_macros.h"

namespace fifo {

absl::StatusOr<LegacyPnlComparison> CompareLegacyPnl(
    LedgerStore& store, int64_t version,
    const std::optional<std::string>& symbol) {
  LegacyPnlComparison out;
  out.version = version;
  // Sells arrive by (symbol, order_id): one LegacyPnlSymbol per run.
  FIFO_RETURN_IF_ERROR(store.ScanLegacySells(
      symbol,
      [&](const std::vector<LegacySell>& page) {
        for (const LegacySell& s : page) {
          if (out.symbols.empty() || out.symbols.back().symbol != s.symbol) {
            out.symbols.emplace_back();
            out.symbols.back().symbol = s.symbol;
          }
          LegacyPnlRow row;
          row.symbol = s.symbol;
          row.order_id = s.order_id;
          row.sell_time = s.order_time;
          row.old_pnl = s.pnl_usd;
          out.symbols.back().rows.push_back(std::move(row));
        }
        return absl::OkStatus();
      },
      LedgerStore::kDefaultScanPageSize));

  for (LegacyPnlSymbol& sym : out.symbols) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < sym.rows.size(); ++i) {
      index.emplace(sym.rows[i].order_id, i);
    }
    AllocationFilter filter;
    filter.version = version;
    filter.symbol = sym.symbol;
    FIFO_RETURN_IF_ERROR(store.ScanAllocations(
        filter, [&](const std::vector<StoredAllocation>& page) {
          for (const StoredAllocation& s : page) {
            const Allocation& a = s.allocation;
            auto it = index.find(a.sell_order_id);
            if (it == index.end()) continue;  // not a sell (invariant 4)
            LegacyPnlRow& row = sym.rows[it->second];
            if (!row.new_pnl.has_value()) row.new_pnl = Decimal();
            if (a.matched()) {
              *row.new_pnl += a.pnl_usd;
            } else {
              row.unmatched_size += a.allocated_size;
            }
          }
          return absl::OkStatus();
        }));
    for (LegacyPnlRow& row : sym.rows) {
      ++sym.sells;
      if (row.old_pnl.has_value()) {
        ++sym.sells_with_old;
        sym.old_total += *row.old_pnl;
      }
      if (row.new_pnl.has_value()) sym.new_total += *row.new_pnl;
      if (row.old_pnl.has_value() && row.new_pnl.has_value()) {
        row.difference = *row.new_pnl - *row.old_pnl;
      }
    }
    sym.difference = sym.new_total - sym.old_total;
    std::sort(sym.rows.begin(), sym.rows.end(),
              [](const LegacyPnlRow& a, const LegacyPnlRow& b) {
                if (a.difference.has_value() != b.difference.has_value()) {
                  return a.difference.has_value();
                }
                if (a.difference.has_value()) {
                  const int c = Decimal::Compare(a.difference->Abs(),
                                                 b.difference->Abs());
                  if (c != 0) return c > 0;
                }
                return a.order_id < b.order_id;
              });
    out.old_total += sym.old_total;
    out.new_total += sym.new_total;
  }
  out.difference = out.new_total - out.old_total;
  return out;
}

}  // namespace fifo
