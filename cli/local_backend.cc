// LocalBackend: the store and the service core in this process.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/backend.h"
#include "cli/remote_backend.h"
#include "common/alert_webhook.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "core/computations.h"
#include "core/retention.h"
#include "core/open_store.h"

namespace fifo::cli {

namespace {

// Trades handed to the store per TradeImport::Add: bounds an import's
// memory whatever the file's size.
constexpr size_t kImportBatch = 10000;

class LocalBackend : public Backend {
 public:
  LocalBackend(std::unique_ptr<LedgerStore> store, SymbolConfigs configs,
               bool progress, std::unique_ptr<AlertWebhook> alerts)
      : progress_(progress),
        alerts_(std::move(alerts)),
        store_(std::move(store)),
        configs_(configs),
        computations_(store_.get(), std::move(configs), alerts_.get()) {}

  // A CLI run must not lose its alerts: wait a bounded time for delivery
  // (retries included) before the process exits.
  ~LocalBackend() override {
    if (alerts_ != nullptr &&
        !alerts_->Flush(absl::Now() + kAlertFlushTimeout)) {
      std::cerr << "fifoctl: gave up waiting for the alert webhook after "
                << absl::FormatDuration(kAlertFlushTimeout) << "\n";
    }
  }

  absl::StatusOr<std::vector<AppliedMigration>> Migrate() override {
    return store_->Migrate();
  }

  absl::StatusOr<ImportResult> ImportTrades(const TradeReader& read,
                                            bool dry_run) override {
    FIFO_ASSIGN_OR_RETURN(std::unique_ptr<TradeImport> import,
                          store_->BeginImport(dry_run));
    std::vector<Trade> batch;
    batch.reserve(kImportBatch);
    FIFO_RETURN_IF_ERROR(read([&](Trade&& trade) -> absl::Status {
      batch.push_back(std::move(trade));
      if (batch.size() < kImportBatch) return absl::OkStatus();
      absl::Status added = import->Add(batch);
      batch.clear();
      return added;
    }));
    FIFO_RETURN_IF_ERROR(import->Add(batch));
    return import->Finish();
  }

  absl::StatusOr<ComputationRun> ComputeAllSymbols(RunTrigger trigger,
                                                   bool rewrite) override {
    MarkAbandonedRuns();
    ComputeOptions options = Options(trigger);
    options.rewrite = rewrite;
    return computations_.ComputeAllSymbols(options);
  }

  absl::StatusOr<ComputationRun> ComputeSymbol(const std::string& symbol,
                                               RunTrigger trigger,
                                               bool rewrite) override {
    MarkAbandonedRuns();
    ComputeOptions options = Options(trigger);
    options.rewrite = rewrite;
    return computations_.ComputeSymbol(symbol, options);
  }

  absl::StatusOr<ComputationRun> ComputeIncremental(
      std::optional<absl::Time> since, RunTrigger trigger) override {
    MarkAbandonedRuns();
    return computations_.ComputeIncremental(since, Options(trigger));
  }

  absl::StatusOr<VersionValidation> Validate(
      std::optional<int64_t> version,
      const std::optional<std::string>& symbol) override {
    return ValidateVersion(*store_, configs_, version, symbol);
  }

  absl::StatusOr<VersionComparison> CompareVersions(int64_t a,
                                                    int64_t b) override {
    return fifo::CompareVersions(*store_, a, b);
  }

  absl::StatusOr<PnlReport> GetPnlReport(const PnlReportQuery& query) override {
    return BuildPnlReport(*store_, query);
  }

  absl::StatusOr<int64_t> ResolveVersion(
      std::optional<int64_t> version) override {
    return fifo::ResolveVersion(*store_, version);
  }

  absl::Status ScanAllocations(int64_t version,
                               const std::optional<std::string>& symbol,
                               const AllocationSink& sink) override {
    AllocationFilter filter;
    filter.version = version;
    filter.symbol = symbol;
    return store_->ScanAllocations(filter, sink);
  }

  absl::StatusOr<RunPage> ListRuns(int limit,
                                   const std::string& page_token) override {
    MarkAbandonedRuns();
    return store_->ListRuns(limit, page_token);
  }

  absl::StatusOr<PruneResult> PruneVersions(
      const PruneOptions& options) override {
    MarkAbandonedRuns();
    return fifo::PruneVersions(*store_, options);
  }

  absl::StatusOr<std::vector<ReviewItem>> ListReviewItems(
      ReviewFilter filter) override {
    return store_->ListReviewItems(filter);
  }

  absl::StatusOr<ReviewItem> ResolveReviewItem(
      int64_t id, const std::string& note) override {
    return store_->ResolveReviewItem(id, note);
  }

 private:
  // Marks the runs of dead processes failed/abandoned before runs are read
  // or a computation starts (LedgerStore::MarkAbandonedRuns), so that
  // `fifoctl runs` never shows a dead run as running. Best effort: a store
  // that cannot be written (read-only, or its write lock busy with a live
  // run) must not fail the command; the failure is logged and the next
  // command (or StartRun itself, on SQLite) retries.
  void MarkAbandonedRuns() {
    absl::StatusOr<int64_t> marked = store_->MarkAbandonedRuns();
    if (!marked.ok()) {
      LogEvent(LogLevel::kWarning, "mark_abandoned_runs_failed",
               {{"error", std::string(marked.status().message())}});
    } else if (*marked > 0) {
      LogEvent(LogLevel::kWarning, "abandoned_runs_marked",
               {{"runs", *marked}});
    }
  }

  ComputeOptions Options(RunTrigger trigger) const {
    ComputeOptions options;
    options.triggered_by = trigger;
    if (progress_) {
      const absl::Time start = absl::Now();
      options.progress = [start](int64_t done, int64_t total,
                                 const std::string& symbol) {
        std::cerr << "\rcomputed "
                  << ProgressFigures(done, total, absl::Now() - start)
                  << " symbols, last " << symbol << "\x1b[K"
                  << (done == total ? "\n" : "") << std::flush;
      };
    }
    return options;
  }

  static constexpr absl::Duration kAlertFlushTimeout = absl::Seconds(20);

  const bool progress_;  // progress lines on stderr (a terminal)
  const std::unique_ptr<AlertWebhook> alerts_;  // may be null
  const std::unique_ptr<LedgerStore> store_;
  const SymbolConfigs configs_;
  Computations computations_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> OpenBackend(
    const GlobalOptions& global, bool for_migrate, bool read_only) {
  // Remote mode; its Migrate() is kUnimplemented (migrations run with --db).
  if (!global.server.empty()) return OpenRemoteBackend(global);
  FIFO_ASSIGN_OR_RETURN(SymbolConfigs configs, LoadSymbolConfigs(global));
  std::unique_ptr<AlertWebhook> alerts;
  if (!global.alert_webhook.empty()) {
    FIFO_ASSIGN_OR_RETURN(alerts, AlertWebhook::Create(global.alert_webhook));
  }
  std::string url = global.db.empty() ? DefaultStoreUrl() : global.db;
  if (read_only) FIFO_RETURN_IF_ERROR(RequireExistingSqliteFile(url));
  // `fifoctl migrate` migrates whatever version it finds; every other
  // command needs a current schema (an empty SQLite file is migrated).
  FIFO_ASSIGN_OR_RETURN(
      std::unique_ptr<LedgerStore> store,
      for_migrate ? OpenLedgerStore(url) : OpenStoreForUse(url));
  return std::unique_ptr<Backend>(
      new LocalBackend(std::move(store), std::move(configs),
                       !global.quiet && isatty(STDERR_FILENO),
                       std::move(alerts)));
}

}  // namespace fifo::cli
