#include "core/computations.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "engine/fifo_engine.h"
#include "engine/timestamp.h"
#include "formats/symbol_config_json.h"

namespace fifo {
namespace {

// Allocations are handed to the store in batches of this many rows, so a
// run's memory is one batch plus the open lots, not the history.
constexpr size_t kWriteBatch = 8192;

std::string DescribeKey(const TradeKey& key) {
  return absl::StrCat(key.order_id, " at ", FormatTimestamp(key.order_time));
}

// Checks that a stored snapshot is internally consistent before an
// incremental run builds on it. Returns a reason when it is not.
std::optional<std::string> SnapshotProblem(const std::string& symbol,
                                           const StoredSnapshot& snapshot) {
  if (!snapshot.state.high_water_mark.has_value()) {
    return absl::StrCat("snapshot of ", symbol, " has no high-water mark");
  }
  // The engine's own check of an opening state (one home for the rule).
  absl::Status valid = ValidateSymbolState(snapshot.state);
  if (!valid.ok()) {
    return absl::StrCat("snapshot of ", symbol, ": ", valid.message());
  }
  return std::nullopt;
}

void LogUnmatched(const UnmatchedSell& u, int64_t version) {
  std::string inventory = "{";
  for (size_t i = 0; i < u.available_inventory.size(); ++i) {
    if (i > 0) inventory += ",";
    absl::StrAppend(&inventory, "\"", JsonEscape(u.available_inventory[i].first),
                    "\":\"", u.available_inventory[i].second.ToString(), "\"");
  }
  inventory += "}";
  LogEvent(LogLevel::kError, "UNMATCHED SELL DETECTED",
           {{"sell_order_id", u.sell_order_id},
            {"symbol", u.symbol},
            {"sell_size", u.sell_size.ToString()},
            {"unmatched_size", u.unmatched_size.ToString()},
            {"sell_time", FormatTimestamp(u.sell_time)},
            {"available_inventory", inventory},
            {"allocation_version", absl::StrCat(version)}});
}

// The design's alert for an unmatched sell (title, then message).
std::string UnmatchedSellAlert(const UnmatchedSell& u, const ComputationRun& run) {
  return FormatAlertText(
      absl::StrCat("Unmatched SELL: ", u.symbol),
      absl::StrCat("Sell ", u.sell_order_id, " has ", u.unmatched_size.ToString(),
                   " unmatched. Manual investigation required.\n",
                   "Severity HIGH. Sell size ", u.sell_size.ToString(), " at ",
                   FormatTimestamp(u.sell_time), "; allocation version ",
                   run.allocation_version, ", run ", run.id,
                   ". Queued for manual review (fifoctl review list)."));
}

}  // namespace

// Alerts of a run, posted once it has committed.
struct Computations::PendingAlerts {
  std::vector<std::string> texts;  // at most kMaxAlertsPerRun
  int64_t more = 0;                // unmatched sells beyond those
};

// One symbol's pass: trades from the store through the engine into the run.
struct Computations::SymbolPass {
  static absl::Status Run(LedgerStore& store, RunWriter& writer,
                          const std::string& symbol, const SymbolConfig& config,
                          SymbolState opening, int64_t ingest_seq_seen,
                          const ComputeOptions& options, RunStats& stats,
                          PendingAlerts* alerts) {
    std::optional<TradeKey> after = opening.high_water_mark;
    SymbolAllocator allocator(symbol, config, std::move(opening));
    std::vector<Allocation> batch;
    batch.reserve(kWriteBatch);
    int64_t written = 0;
    FIFO_RETURN_IF_ERROR(store.ScanTrades(
        symbol, after, [&](const std::vector<Trade>& page) -> absl::Status {
          if (options.should_stop && options.should_stop()) {
            return absl::CancelledError("computation stopped before it ended");
          }
          for (const Trade& trade : page) {
            FIFO_RETURN_IF_ERROR(allocator.Add(trade, &batch));
            if (batch.size() >= kWriteBatch) {
              FIFO_RETURN_IF_ERROR(writer.WriteAllocations(batch));
              written += static_cast<int64_t>(batch.size());
              batch.clear();
            }
          }
          return absl::OkStatus();
        }));
    if (!batch.empty()) {
      FIFO_RETURN_IF_ERROR(writer.WriteAllocations(batch));
      written += static_cast<int64_t>(batch.size());
    }
    const SymbolStats& s = allocator.stats();
    if (s.buys_processed + s.sells_processed == 0) {
      return absl::OkStatus();  // Nothing new: the snapshot stays as it is.
    }
    FIFO_RETURN_IF_ERROR(
        writer.WriteSnapshot(symbol, allocator.ClosingState(), ingest_seq_seen));
    for (const UnmatchedSell& u : allocator.unmatched_sells()) {
      LogUnmatched(u, writer.run().allocation_version);
      FIFO_RETURN_IF_ERROR(writer.EnqueueReview(u));
      if (alerts != nullptr) {
        if (alerts->texts.size() < static_cast<size_t>(kMaxAlertsPerRun)) {
          alerts->texts.push_back(UnmatchedSellAlert(u, writer.run()));
        } else {
          ++alerts->more;
        }
      }
    }
    for (const DustRemainder& d : allocator.dust_remainders()) {
      LogEvent(LogLevel::kDebug, "dust_remainder",
               {{"sell_order_id", d.sell_order_id},
                {"symbol", symbol},
                {"remainder", d.remainder.ToString()}});
    }
    stats.buys_processed += s.buys_processed;
    stats.sells_processed += s.sells_processed;
    stats.allocations_created += written;
    stats.total_pnl += s.realized_pnl;
    stats.symbols_processed.push_back(symbol);
    return absl::OkStatus();
  }
};

Computations::Computations(LedgerStore* store, SymbolConfigs configs,
                           AlertSink* alerts)
    : store_(store),
      alerts_(alerts),
      configs_(std::move(configs)),
      config_hash_(SymbolConfigHash(configs_)) {}

void Computations::PostAlerts(const PendingAlerts& pending,
                              const ComputationRun& run) {
  if (alerts_ == nullptr) return;
  for (const std::string& text : pending.texts) alerts_->Post(text);
  if (pending.more > 0) {
    alerts_->Post(FormatAlertText(
        absl::StrCat("Unmatched SELLs: ", pending.more, " more"),
        absl::StrCat("Run ", run.id, " (allocation version ",
                     run.allocation_version, ") found ", pending.more,
                     " more unmatched sells than alerted above. Manual "
                     "investigation required (fifoctl review list).")));
  }
}

absl::StatusOr<ComputationRun> Computations::ComputeAllSymbols(
    const ComputeOptions& options) {
  RunOptions run;
  run.mode = RunMode::kFull;
  run.triggered_by = options.triggered_by;
  return RunFull(std::move(run), options);
}

absl::StatusOr<ComputationRun> Computations::ComputeSymbol(
    const std::string& symbol, const ComputeOptions& options) {
  FIFO_ASSIGN_OR_RETURN(int64_t count, store_->CountTrades(symbol));
  if (count == 0) {
    return absl::NotFoundError(
        absl::StrCat("unknown symbol ", symbol, ": the ledger has no trade of it"));
  }
  RunOptions run;
  run.mode = RunMode::kSymbol;
  run.symbol = symbol;
  run.triggered_by = options.triggered_by;
  return RunFull(std::move(run), options);
}

absl::StatusOr<ComputationRun> Computations::RunFull(
    RunOptions run_options, const ComputeOptions& options) {
  run_options.algorithm_version = kAlgorithmVersion;
  run_options.config_hash = config_hash_;
  // A symbol run carries the other symbols of the latest completed version.
  std::optional<int64_t> carry_from;
  if (run_options.mode == RunMode::kSymbol) {
    FIFO_ASSIGN_OR_RETURN(carry_from, store_->LatestCompletedVersion());
  }
  FIFO_ASSIGN_OR_RETURN(int64_t ingest_seq, store_->MaxIngestSeq());
  std::vector<std::string> symbols;
  if (run_options.symbol.has_value()) {
    symbols.push_back(*run_options.symbol);
  } else {
    FIFO_ASSIGN_OR_RETURN(symbols, store_->ListSymbols());
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<RunWriter> writer,
                        store_->StartRun(run_options));
  const ComputationRun& started = writer->run();
  LogEvent(LogLevel::kInfo, "computation_started",
           {{"run_id", absl::StrCat(started.id)},
            {"allocation_version", absl::StrCat(started.allocation_version)},
            {"batch_id", started.batch_id},
            {"mode", std::string(RunModeName(run_options.mode))},
            {"symbols", absl::StrCat(symbols.size())}});

  RunStats stats;
  PendingAlerts pending;
  PendingAlerts* const alerts = alerts_ != nullptr ? &pending : nullptr;
  absl::Status status = [&]() -> absl::Status {
    if (carry_from.has_value()) {
      FIFO_RETURN_IF_ERROR(
          writer->CarryForward(*carry_from, {*run_options.symbol}).status());
    }
    int64_t done = 0;
    for (const std::string& symbol : symbols) {
      FIFO_RETURN_IF_ERROR(SymbolPass::Run(*store_, *writer, symbol,
                                           configs_.For(symbol), SymbolState{},
                                           ingest_seq, options, stats, alerts));
      ++done;
      if (options.progress) {
        options.progress(done, static_cast<int64_t>(symbols.size()), symbol);
      }
    }
    return absl::OkStatus();
  }();
  if (status.ok() && options.should_stop && options.should_stop()) {
    // The caller gave up (deadline, cancellation, shutdown): do not publish.
    status = absl::CancelledError("computation stopped before it committed");
  }
  if (status.ok()) {
    absl::StatusOr<ComputationRun> committed = writer->Commit(stats);
    if (committed.ok()) {
      LogEvent(LogLevel::kInfo, "computation_completed",
               {{"run_id", absl::StrCat(committed->id)},
                {"allocation_version",
                 absl::StrCat(committed->allocation_version)},
                {"allocations_created",
                 absl::StrCat(committed->allocations_created)},
                {"total_pnl", stats.total_pnl.ToString()},
                {"duration_ms",
                 absl::StrCat(committed->duration_ms.value_or(0))}});
      PostAlerts(pending, *committed);
      return committed;
    }
    status = committed.status();
  }
  int64_t run_id = started.id;
  int64_t version = started.allocation_version;
  absl::Status aborted = writer->Abort(std::string(status.message()));
  LogEvent(LogLevel::kError, "computation_failed",
           {{"run_id", absl::StrCat(run_id)},
            {"allocation_version", absl::StrCat(version)},
            {"error", std::string(status.message())}});
  std::string message =
      absl::StrCat("computation ", run_id, " (version ", version,
                   ") failed and was rolled back: ", status.message());
  if (!aborted.ok()) {
    absl::StrAppend(&message, " (marking it failed also failed: ",
                    aborted.message(), ")");
  }
  return absl::Status(status.code(), message);
}

absl::StatusOr<Computations::IncrementalPlan> Computations::PlanIncremental(
    int64_t version) {
  IncrementalPlan plan;
  FIFO_ASSIGN_OR_RETURN(plan.ingest_seq, store_->MaxIngestSeq());
  FIFO_ASSIGN_OR_RETURN(plan.symbols, store_->ListSymbols());
  FIFO_ASSIGN_OR_RETURN(std::vector<std::string> snapshot_symbols,
                        store_->ListSnapshotSymbols(version));
  for (const std::string& symbol : snapshot_symbols) {
    FIFO_ASSIGN_OR_RETURN(StoredSnapshot snapshot,
                          store_->LoadSnapshot(version, symbol));
    if (auto problem = SnapshotProblem(symbol, snapshot)) {
      plan.fallback_reason =
          absl::StrCat("snapshot failed validation: ", *problem);
      return plan;
    }
    FIFO_ASSIGN_OR_RETURN(
        bool backfill,
        store_->HasTradesIngestedAfter(snapshot.ingest_seq_seen, symbol,
                                       *snapshot.state.high_water_mark));
    if (backfill) {
      plan.fallback_reason = absl::StrCat(
          "backfill detected: a trade of ", symbol,
          " was recorded at or before the high-water mark ",
          DescribeKey(*snapshot.state.high_water_mark));
      return plan;
    }
    plan.openings.emplace(symbol, std::move(snapshot.state));
  }
  // A symbol without a snapshot is new: all its trades are computed from
  // scratch. If the version already holds allocations of it, its snapshot
  // is missing and extending would duplicate them.
  for (const std::string& symbol : plan.symbols) {
    if (plan.openings.count(symbol) > 0) continue;
    AllocationFilter filter;
    filter.version = version;
    filter.symbol = symbol;
    filter.page_size = 1;
    bool has_rows = false;
    absl::Status scanned = store_->ScanAllocations(
        filter, [&](const std::vector<StoredAllocation>& page) {
          if (page.empty()) return absl::OkStatus();
          has_rows = true;
          return absl::CancelledError("one row is enough");
        });
    if (!scanned.ok() && !has_rows) return scanned;
    if (has_rows) {
      plan.fallback_reason = absl::StrCat("snapshot of ", symbol,
                                          " is missing from version ", version);
      return plan;
    }
  }
  return plan;
}

absl::StatusOr<ComputationRun> Computations::ComputeIncremental(
    std::optional<absl::Time> since, const ComputeOptions& options) {
  (void)since;  // High-water marks decide what is new (see the header).
  auto fall_back = [&](std::string reason) {
    LogEvent(LogLevel::kWarning, "incremental_fallback",
             {{"reason", reason}});
    RunOptions run;
    run.mode = RunMode::kFull;
    run.triggered_by = options.triggered_by;
    run.fallback_reason = std::move(reason);
    return RunFull(std::move(run), options);
  };

  FIFO_ASSIGN_OR_RETURN(std::optional<int64_t> latest,
                        store_->LatestCompletedVersion());
  if (!latest.has_value()) {
    return fall_back("no completed version to extend");
  }
  // The run that created (or last extended) the latest version records the
  // algorithm and configuration the snapshots were computed with.
  FIFO_ASSIGN_OR_RETURN(std::optional<ComputationRun> basis,
                        store_->LatestCompletedRun(*latest));
  if (!basis.has_value()) {
    return fall_back(absl::StrCat("no completed run found for version ", *latest));
  }
  if (basis->algorithm_version != kAlgorithmVersion) {
    return fall_back(absl::StrCat("algorithm version changed from ",
                                  basis->algorithm_version, " to ",
                                  kAlgorithmVersion));
  }
  if (basis->config_hash != config_hash_) {
    return fall_back("symbol configuration changed since version " +
                     absl::StrCat(*latest));
  }
  FIFO_ASSIGN_OR_RETURN(IncrementalPlan plan, PlanIncremental(*latest));
  if (plan.fallback_reason.has_value()) {
    return fall_back(*std::move(plan.fallback_reason));
  }

  RunOptions run_options;
  run_options.mode = RunMode::kIncremental;
  run_options.triggered_by = options.triggered_by;
  run_options.algorithm_version = kAlgorithmVersion;
  run_options.config_hash = config_hash_;
  run_options.extend_version = *latest;
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<RunWriter> writer,
                        store_->StartRun(run_options));
  const int64_t run_id = writer->run().id;
  RunStats stats;
  PendingAlerts pending;
  PendingAlerts* const alerts = alerts_ != nullptr ? &pending : nullptr;
  absl::Status status = [&]() -> absl::Status {
    // Hold the version's write lock, then plan again: another run may have
    // extended the version between the first plan and the lock.
    FIFO_RETURN_IF_ERROR(writer->Begin());
    FIFO_ASSIGN_OR_RETURN(plan, PlanIncremental(*latest));
    if (plan.fallback_reason.has_value()) {
      return absl::AbortedError(absl::StrCat(
          "the ledger changed while the run started (",
          *plan.fallback_reason, "); run it again"));
    }
    int64_t done = 0;
    for (const std::string& symbol : plan.symbols) {
      SymbolState opening;
      auto it = plan.openings.find(symbol);
      if (it != plan.openings.end()) opening = std::move(it->second);
      FIFO_RETURN_IF_ERROR(SymbolPass::Run(*store_, *writer, symbol,
                                           configs_.For(symbol),
                                           std::move(opening), plan.ingest_seq,
                                           options, stats, alerts));
      ++done;
      if (options.progress) {
        options.progress(done, static_cast<int64_t>(plan.symbols.size()),
                         symbol);
      }
    }
    return absl::OkStatus();
  }();
  if (status.ok() && options.should_stop && options.should_stop()) {
    // The caller gave up (deadline, cancellation, shutdown): do not publish.
    status = absl::CancelledError("computation stopped before it committed");
  }
  if (status.ok()) {
    absl::StatusOr<ComputationRun> committed = writer->Commit(stats);
    if (committed.ok()) {
      LogEvent(LogLevel::kInfo, "incremental_completed",
               {{"run_id", absl::StrCat(committed->id)},
                {"allocation_version",
                 absl::StrCat(committed->allocation_version)},
                {"allocations_created",
                 absl::StrCat(committed->allocations_created)}});
      PostAlerts(pending, *committed);
      return committed;
    }
    status = committed.status();
  }
  absl::Status aborted = writer->Abort(std::string(status.message()));
  std::string message =
      absl::StrCat("computation ", run_id, " (incremental) failed and was rolled back: ",
                   status.message());
  if (!aborted.ok()) {
    absl::StrAppend(&message, " (marking it failed also failed: ",
                    aborted.message(), ")");
  }
  return absl::Status(status.code(), message);
}

}  // namespace fifo
