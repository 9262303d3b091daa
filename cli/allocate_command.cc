#include "cli/allocate_command.h"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/summary.h"
#include "common/status_macros.h"
#include "engine/fifo_engine.h"
#include "formats/allocations_csv.h"
#include "formats/trades_csv.h"

namespace fifo::cli {
namespace {

struct AllocateOptions {
  std::string trades;
  std::string out;
  int64_t version = 1;
};

absl::Status RunAllocate(const AllocateOptions& options,
                         const GlobalOptions& global) {
  FIFO_ASSIGN_OR_RETURN(SymbolConfigs configs, LoadSymbolConfigs(global));
  FIFO_ASSIGN_OR_RETURN(std::vector<Trade> trades,
                        ReadTradesCsvFile(options.trades));
  FIFO_ASSIGN_OR_RETURN(std::vector<SymbolComputation> computed,
                        ComputeLedger(std::move(trades), configs));
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<Output> out,
                        Output::Open(options.out));
  AllocationsCsvWriter writer(out->stream());
  FIFO_RETURN_IF_ERROR(writer.WriteHeader());
  for (const SymbolComputation& symbol : computed) {
    for (const Allocation& a : symbol.allocations) {
      FIFO_RETURN_IF_ERROR(writer.Write(options.version, a));
    }
  }
  FIFO_RETURN_IF_ERROR(out->Close());
  if (!global.quiet) {
    for (const SymbolComputation& symbol : computed) {
      for (const UnmatchedSell& u : symbol.unmatched_sells) {
        std::cerr << "warning: UNMATCHED SELL " << u.sell_order_id << " ("
                  << u.symbol << "): " << u.unmatched_size.ToString() << " of "
                  << u.sell_size.ToString()
                  << " not covered by earlier buys; manual review required\n";
      }
    }
    PrintComputationSummary(std::cerr, computed);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterAllocateCommand(CLI::App& app, GlobalOptions& global,
                             int& exit_code) {
  auto options = std::make_shared<AllocateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "allocate",
      "Run the FIFO engine in memory on a trades CSV and write the "
      "allocations CSV (no store involved)");
  cmd->add_option("--trades", options->trades,
                  "Trades CSV: order_id,symbol,side,size,price,order_time,"
                  "total_fees_usd,source (columns in any order)")
      ->required();
  cmd->add_option("--out", options->out,
                  "Allocations CSV to write (default: stdout)");
  cmd->add_option("--version", options->version,
                  "Value of the allocation_version column")
      ->capture_default_str();
  cmd->callback([options, &global, &exit_code] {
    absl::Status status = RunAllocate(*options, global);
    exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace fifo::cli
