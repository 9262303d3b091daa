#include "cli/summary.h"

#include <string>

#include "cli/table.h"

namespace fifo::cli {

void PrintComputationSummary(std::ostream& os,
                             const std::vector<SymbolComputation>& computed) {
  Table table({"symbol", "buys", "sells", "matched_size", "unmatched_size",
               "realized_pnl_usd", "open_size", "open_cost_usd"});
  Decimal total_pnl;
  for (const SymbolComputation& s : computed) {
    Decimal open_size;
    Decimal open_cost;
    for (const OpenLot& lot : s.closing.open_lots) {
      open_size += lot.remaining_size();
      open_cost += lot.remaining_cost_usd();
    }
    total_pnl += s.stats.realized_pnl;
    table.AddRow({s.symbol, std::to_string(s.stats.buys_processed),
                  std::to_string(s.stats.sells_processed),
                  s.stats.matched_size.ToString(),
                  s.stats.unmatched_size.ToString(),
                  s.stats.realized_pnl.ToString(), open_size.ToString(),
                  open_cost.ToString()});
  }
  table.AddRow({"TOTAL", "", "", "", "", total_pnl.ToString(), "", ""});
  table.Print(os);
}

}  // namespace fifo::cli
