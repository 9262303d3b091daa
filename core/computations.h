// File: core/computations.h
//
// Computations: the design's FifoAllocationEngine over a LedgerStore. It
// reads trades from the store in engine order, runs the pure engine one
// symbol at a time, and writes a version (allocations, closing inventory
// snapshot, computation log, review queue) through one RunWriter, so a
// version appears whole or not at all.
//
//   full          ComputeAllSymbols: every symbol into a new version.
//   symbol        ComputeSymbol: one symbol into a new version; the other
//                 symbols' allocations and snapshots of the latest completed
//                 version are carried forward so the version is complete.
//   incremental   ComputeIncremental: extends the latest completed version
//                 with the trades after each symbol's high-water mark
//                 (ERRATA 6, 7); falls back to a full run when that is not
//                 safe, and records why.
//
// Both fifoctl (local mode) and the gRPC handlers call this class; it knows
// nothing of either.
//
// Thread safety: thread-safe; concurrent calls run concurrently and get
// distinct versions from the store.
#ifndef FIFO_CORE_COMPUTATIONS_H_
#define FIFO_CORE_COMPUTATIONS_H_

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/alert_webhook.h"
#include "engine/symbol_config.h"
#include "storage/ledger_store.h"

namespace fifo {

struct ComputeOptions {
  RunTrigger triggered_by = RunTrigger::kManual;
  // Polled between pages of work; when it returns true the run is rolled
  // back, marked failed, and kCancelled is returned (SIGTERM, deadlines).
  std::function<bool()> should_stop;
  // Called after each symbol with (symbols done, symbols total, symbol).
  std::function<void(int64_t, int64_t, const std::string&)> progress;
  // Full and symbol runs: write every symbol's rows anew instead of
  // referencing the basis version's identical segments (for when stored
  // rows are suspected; `validate` reports edited segments).
  bool rewrite = false;
};

class Computations {
 public:
  // `store` must outlive this object. `configs` is the symbol configuration
  // every run uses; its hash is recorded in the log. `alerts` (optional,
  // must outlive this object) receives one alert per unmatched sell of a
  // run, posted only after the run committed (a rolled-back run raises no
  // alarm), at most kMaxAlertsPerRun of them plus one summary of the rest.
  // AlertSink::Post never blocks, so alerts never slow a run down.
  Computations(LedgerStore* store, SymbolConfigs configs,
               AlertSink* alerts = nullptr);

  static constexpr int kMaxAlertsPerRun = 20;

  Computations(const Computations&) = delete;
  Computations& operator=(const Computations&) = delete;

  // Computes every symbol into a new version. Every symbol is computed
  // from its trades; where a symbol's rows (by count and digest) and
  // closing state equal those of the latest completed version, the new
  // version references that version's segments instead of writing them
  // (ComputeOptions::rewrite turns this off); the log row's
  // allocations_created counts rows written, allocations_reused rows
  // referenced. Returns the completed log row. Errors: those of the store; kCancelled when stopped; a failed run
  // is rolled back, logged 'failed', and its error returned with the run id.
  absl::StatusOr<ComputationRun> ComputeAllSymbols(
      const ComputeOptions& options);

  // Computes `symbol` into a new version, which holds the other symbols as
  // the latest completed version holds them when it publishes (by
  // reference: nothing of them is copied). Writes only `symbol`'s rows (or
  // none, when they are unchanged; see ComputeAllSymbols). Errors: kNotFound when the store has no trade
  // of `symbol`; otherwise as ComputeAllSymbols.
  absl::StatusOr<ComputationRun> ComputeSymbol(const std::string& symbol,
                                               const ComputeOptions& options);

  // Extends the latest completed version with new trades (ERRATA 6, 7), or
  // falls back to a full run (reason in the log row's fallback_reason) when
  // there is no version yet, the algorithm or symbol configuration changed,
  // a backfill was inserted at or before a high-water mark, or a snapshot
  // fails validation. `since` is accepted for compatibility with the
  // design's scheduled job and is not needed: the high-water marks decide
  // what is new, so overlapping windows change nothing.
  absl::StatusOr<ComputationRun> ComputeIncremental(
      std::optional<absl::Time> since, const ComputeOptions& options);

  const std::string& config_hash() const { return config_hash_; }
  const SymbolConfigs& configs() const { return configs_; }

 private:
  struct SymbolPass;
  struct PendingAlerts;
  struct ReuseBasis;

  // Posts a committed run's alerts (no-op without a sink).
  void PostAlerts(const PendingAlerts& pending, const ComputationRun& run);

  // What an incremental run would extend: the version's snapshots, or why
  // it cannot.
  struct IncrementalPlan {
    int64_t ingest_seq = 0;
    std::vector<std::string> symbols;
    std::map<std::string, SymbolState> openings;
    std::optional<std::string> fallback_reason;
  };
  absl::StatusOr<IncrementalPlan> PlanIncremental(int64_t version);

  absl::StatusOr<ComputationRun> RunFull(RunOptions run_options,
                                         const ComputeOptions& options);

  // The end of every run: publishes it (Commit) when `status` is OK and the
  // caller did not stop, logs and posts its alerts; otherwise aborts it and
  // returns the error with the run id and what was rolled back.
  absl::StatusOr<ComputationRun> PublishOrAbort(RunWriter& writer,
                                                absl::Status status,
                                                const RunStats& stats,
                                                const PendingAlerts& pending,
                                                const ComputeOptions& options);

  LedgerStore* const store_;
  AlertSink* const alerts_;  // may be null
  const SymbolConfigs configs_;
  const std::string config_hash_;
};

}  // namespace fifo

#endif  // FIFO_CORE_COMPUTATIONS_H_
