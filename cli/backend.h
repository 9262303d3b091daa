// File: cli/backend.h
//
// Backend: what fifoctl's store subcommands need, behind one interface with
// two implementations, so that every subcommand prints the same output
// whether it runs against a local store (--db, the default) or through a
// fifo_server (--server HOST:PORT):
//
//   LocalBackend   opens the LedgerStore itself and calls the service core
//                  (core/) in-process.
//   RemoteBackend  calls the gRPC API (proto/fifo/v1) and converts replies
//                  back into the same domain types.
//
// Thread safety: not thread-safe; one per command.
#ifndef FIFO_CLI_BACKEND_H_
#define FIFO_CLI_BACKEND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/cli_common.h"
#include "engine/trade.h"
#include "core/reports.h"
#include "core/validations.h"
#include "storage/ledger_store.h"

namespace fifo::cli {

class Backend {
 public:
  virtual ~Backend() = default;

  // Local only: applies pending migrations (kUnimplemented remotely: the
  // migration Job runs fifoctl against the database).
  virtual absl::StatusOr<std::vector<AppliedMigration>> Migrate() = 0;

  // Receives each trade of an import, in input order.
  using TradeReceiver = std::function<absl::Status(Trade&& trade)>;
  // Reads the input, handing every trade to the receiver; stops at the
  // first error (a bad row), which aborts the import.
  using TradeReader = std::function<absl::Status(const TradeReceiver&)>;

  // Imports every trade `read` produces in ONE transaction (ERRATA 9):
  // all or nothing. Locally the trades go to the store in batches, so memory
  // is bounded by a batch whatever the input's size; remotely they stream
  // over TradeLedger.ImportTrades.
  virtual absl::StatusOr<ImportResult> ImportTrades(const TradeReader& read,
                                                    bool dry_run) = 0;

  // `rewrite`: write every row anew instead of referencing the latest
  // version's identical rows (ComputeOptions::rewrite).
  virtual absl::StatusOr<ComputationRun> ComputeAllSymbols(RunTrigger trigger,
                                                           bool rewrite) = 0;
  virtual absl::StatusOr<ComputationRun> ComputeSymbol(
      const std::string& symbol, RunTrigger trigger, bool rewrite) = 0;
  virtual absl::StatusOr<ComputationRun> ComputeIncremental(
      std::optional<absl::Time> since, RunTrigger trigger) = 0;

  virtual absl::StatusOr<VersionValidation> Validate(
      std::optional<int64_t> version,
      const std::optional<std::string>& symbol) = 0;
  virtual absl::StatusOr<VersionComparison> CompareVersions(
      int64_t version_a, int64_t version_b) = 0;

  virtual absl::StatusOr<PnlReport> GetPnlReport(
      const PnlReportQuery& query) = 0;

  // The completed version to read (latest when unset); kNotFound if none.
  virtual absl::StatusOr<int64_t> ResolveVersion(
      std::optional<int64_t> version) = 0;
  // Streams a version's allocations by symbol, then row order.
  virtual absl::Status ScanAllocations(int64_t version,
                                       const std::optional<std::string>& symbol,
                                       const AllocationSink& sink) = 0;

  virtual absl::StatusOr<RunPage> ListRuns(int limit,
                                           const std::string& page_token) = 0;

  // Retention (core/retention.h; AllocationEngine.PruneVersions remotely).
  virtual absl::StatusOr<PruneResult> PruneVersions(
      const PruneOptions& options) = 0;

  virtual absl::StatusOr<std::vector<ReviewItem>> ListReviewItems(
      ReviewFilter filter) = 0;
  virtual absl::StatusOr<ReviewItem> ResolveReviewItem(
      int64_t id, const std::string& note) = 0;
};

// A LocalBackend over --db / $FIFO_DB / sqlite:fifo.db, or a RemoteBackend
// when --server is set. An empty SQLite database is migrated on open (zero
// set-up); any other store must be current (`fifoctl migrate`) unless
// `for_migrate` is true. `read_only` commands never create a SQLite file:
// a missing one is kNotFound naming it (RequireExistingSqliteFile).
absl::StatusOr<std::unique_ptr<Backend>> OpenBackend(
    const GlobalOptions& global, bool for_migrate = false,
    bool read_only = false);

}  // namespace fifo::cli

#endif  // FIFO_CLI_BACKEND_H_
