#include "core/computations.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "engine/fifo_engine.h"
#include "engine/timestamp.h"
#include "storage/segment_digest.h"
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

void LogUnmatched(const UnmatchedSell& u, const ComputationRun& run) {
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
            {"run_id", run.id}});
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


// Two closing states are the same lots (every field, in order) and the
// same high-water mark.
bool SameState(const SymbolState& a, const SymbolState& b) {
  if (a.high_water_mark != b.high_water_mark ||
      a.open_lots.size() != b.open_lots.size()) {
    return false;
  }
  for (size_t i = 0; i < a.open_lots.size(); ++i) {
    const OpenLot& x = a.open_lots[i];
    const OpenLot& y = b.open_lots[i];
    if (x.buy_order_id != y.buy_order_id || x.buy_time != y.buy_time ||
        x.price != y.price || x.size != y.size ||
        x.total_fees_usd != y.total_fees_usd ||
        x.consumed_size != y.consumed_size ||
        x.consumed_fee_share != y.consumed_fee_share) {
      return false;
    }
  }
  return true;
}

// Follows a symbol's computed rows against the basis version's segments of
// it, in order: each segment matches when the rows fed since its start are
// as many as it holds and have its digest (segment_digest.h). The first
// row that cannot belong to a matching segment diverges: that segment's
// rows from its start, and everything after, must be written anew.
class PrefixMatcher {
 public:
  enum class Step { kPending, kSegmentMatched, kDiverged };

  explicit PrefixMatcher(const std::vector<SegmentRef>& basis)
      : basis_(basis), empty_digest_(SegmentDigest().Finish()) {}

  Step Add(const Allocation& a) {
    if (diverged_ || !SkipEmpty() || index_ == basis_.size()) {
      diverged_ = true;
      return Step::kDiverged;
    }
    digest_.Add(a);
    if (digest_.count() < basis_[index_].row_count) return Step::kPending;
    if (digest_.Finish() != basis_[index_].digest) {
      diverged_ = true;
      return Step::kDiverged;
    }
    matched_rows_ += basis_[index_].row_count;
    ++index_;
    return Step::kSegmentMatched;
  }

  // At the end of the rows: true when they were exactly every basis
  // segment's rows.
  bool Finish() {
    if (diverged_ || !SkipEmpty() || index_ < basis_.size() ||
        digest_.count() > 0) {
      diverged_ = true;
    }
    return !diverged_;
  }

  // The basis segments matched so far (a prefix of the list), and their rows.
  std::vector<SegmentRef> matched() const {
    return std::vector<SegmentRef>(basis_.begin(), basis_.begin() + index_);
  }
  int64_t matched_rows() const { return matched_rows_; }

 private:
  // Matches the empty segments at the current place (an incremental run
  // that saw only buys wrote one); false when one is not empty as recorded.
  bool SkipEmpty() {
    while (index_ < basis_.size() && basis_[index_].row_count == 0) {
      if (basis_[index_].digest != empty_digest_) return false;
      ++index_;
    }
    return true;
  }

  const std::vector<SegmentRef>& basis_;
  const std::string empty_digest_;
  SegmentDigest digest_;
  size_t index_ = 0;
  int64_t matched_rows_ = 0;
  bool diverged_ = false;
};

}  // namespace

// Alerts of a run, posted once it has committed.
// and its unmatched sells, counted for the run's summary log line.
struct Computations::PendingAlerts {
  std::vector<UnmatchedSell> sells;  // at most kMaxAlertsPerRun
  int64_t more = 0;                  // unmatched sells beyond those
  int64_t unmatched = 0;             // all of them (each is in the queue)
};

namespace {

// A run logs its first unmatched sells one line each, then one summary
// line: a ledger with thousands of them must not flood the log (every one
// is in the review queue, with its details).
constexpr int64_t kMaxUnmatchedLogLines = 20;

void LogUnmatchedSummary(int64_t unmatched, const ComputationRun& run) {
  if (unmatched == 0) return;
  LogEvent(LogLevel::kError, "unmatched_sells_summary",
           {{"run_id", run.id},
            {"allocation_version", run.allocation_version},
            {"unmatched_sells", unmatched},
            {"logged", std::min(unmatched, kMaxUnmatchedLogLines)},
            {"review", "fifoctl review list"}});
}

}  // namespace

// The segments of a symbol in the version a run may reuse, and the
// symbol's snapshot there (unset when the version has none).
struct Computations::ReuseBasis {
  std::vector<SegmentRef> segments;
  std::optional<SymbolState> snapshot;
};

// One symbol's pass: trades from the store through the engine into the run.
// With a reuse basis, the computed rows are first matched against the
// basis's segments (PrefixMatcher): the matching prefix is referenced, only
// the rest is written, and a symbol whose rows and closing state are both
// unchanged writes nothing at all. Rows of the segment being matched are
// kept in memory up to kReuseBufferRows; a longer segment that then turns
// out different costs a second pass over the symbol's trades.
struct Computations::SymbolPass {
  static constexpr size_t kReuseBufferRows = 65536;

  static absl::Status Run(LedgerStore& store, RunWriter& writer,
                          const std::string& symbol, const SymbolConfig& config,
                          SymbolState opening, int64_t ingest_seq_seen,
                          const ComputeOptions& options, RunStats& stats,
                          PendingAlerts* alerts, const ReuseBasis* reuse) {
    std::optional<TradeKey> after = opening.high_water_mark;
    std::vector<Allocation> out;  // rows waiting to be written
    out.reserve(kWriteBatch);
    int64_t written = 0;
    int64_t reused = 0;
    auto flush = [&](bool all) -> absl::Status {
      if (out.empty() || (!all && out.size() < kWriteBatch)) {
        return absl::OkStatus();
      }
      FIFO_RETURN_IF_ERROR(writer.WriteAllocations(out));
      written += static_cast<int64_t>(out.size());
      out.clear();
      return absl::OkStatus();
    };
    // Runs `allocator` over the symbol's trades, handing each row to
    // `on_row`; stops early (OK) when `on_row` sets *stop.
    auto scan = [&](SymbolAllocator& allocator,
                    const std::function<absl::Status(Allocation&&, bool*)>&
                        on_row) -> absl::Status {
      std::vector<Allocation> batch;
      bool stop = false;
      absl::Status s = store.ScanTrades(
          symbol, after, [&](const std::vector<Trade>& page) -> absl::Status {
            if (options.should_stop && options.should_stop()) {
              return absl::CancelledError("computation stopped before it ended");
            }
            for (const Trade& trade : page) {
              FIFO_RETURN_IF_ERROR(allocator.Add(trade, &batch));
              for (Allocation& a : batch) {
                FIFO_RETURN_IF_ERROR(on_row(std::move(a), &stop));
                if (stop) break;
              }
              batch.clear();
              if (stop) return absl::CancelledError("pass stopped");
            }
            return absl::OkStatus();
          });
      return stop ? absl::OkStatus() : s;
    };

    auto allocator = std::make_unique<SymbolAllocator>(symbol, config, opening);
    bool writing = reuse == nullptr;
    bool second_pass = false;
    std::optional<PrefixMatcher> matcher;
    std::vector<Allocation> pending;  // rows of the segment being matched
    bool pending_complete = true;     // pending holds all of them
    // Starts writing: references the matched prefix, then the rows that
    // follow it.
    auto start_writing = [&]() -> absl::Status {
      FIFO_ASSIGN_OR_RETURN(int64_t rows,
                            writer.ReuseSegments(symbol, matcher->matched()));
      reused += rows;
      writing = true;
      for (Allocation& a : pending) out.push_back(std::move(a));
      pending.clear();
      return flush(false);
    };
    if (reuse != nullptr) matcher.emplace(reuse->segments);
    FIFO_RETURN_IF_ERROR(scan(*allocator, [&](Allocation&& a,
                                              bool* stop) -> absl::Status {
      if (writing) {
        out.push_back(std::move(a));
        return flush(false);
      }
      switch (matcher->Add(a)) {
        case PrefixMatcher::Step::kPending:
          if (pending_complete) {
            pending.push_back(std::move(a));
            if (pending.size() > kReuseBufferRows) {
              pending.clear();
              pending_complete = false;
            }
          }
          return absl::OkStatus();
        case PrefixMatcher::Step::kSegmentMatched:
          pending.clear();
          pending_complete = true;
          return absl::OkStatus();
        case PrefixMatcher::Step::kDiverged:
          if (!pending_complete) {
            second_pass = true;
            *stop = true;
            return absl::OkStatus();
          }
          pending.push_back(std::move(a));
          return start_writing();
      }
      return absl::OkStatus();
    }));
    bool write_snapshot = true;
    if (!writing && !second_pass) {
      // Every row matched so far: the rows end where the basis ends?
      const bool all = matcher->Finish();
      if (all && reuse->snapshot.has_value() &&
          SameState(allocator->ClosingState(), *reuse->snapshot)) {
        FIFO_ASSIGN_OR_RETURN(reused,
                              writer.ReuseSegments(symbol, reuse->segments));
        write_snapshot = false;  // the basis's last segment has it
      } else if (pending_complete) {
        FIFO_RETURN_IF_ERROR(start_writing());
      } else {
        second_pass = true;
      }
    }
    if (second_pass) {
      // The rows after the matched prefix, computed again from the start.
      FIFO_ASSIGN_OR_RETURN(reused,
                            writer.ReuseSegments(symbol, matcher->matched()));
      int64_t skip = matcher->matched_rows();
      allocator = std::make_unique<SymbolAllocator>(symbol, config, opening);
      FIFO_RETURN_IF_ERROR(scan(*allocator, [&](Allocation&& a,
                                                bool*) -> absl::Status {
        if (skip > 0) {
          --skip;
          return absl::OkStatus();
        }
        out.push_back(std::move(a));
        return flush(false);
      }));
    }
    FIFO_RETURN_IF_ERROR(flush(true));
    const SymbolStats& s = allocator->stats();
    if (s.buys_processed + s.sells_processed == 0) {
      return absl::OkStatus();  // Nothing new: the snapshot stays as it is.
    }
    if (write_snapshot) {
      FIFO_RETURN_IF_ERROR(writer.WriteSnapshot(
          symbol, allocator->ClosingState(), ingest_seq_seen));
    }
    for (const UnmatchedSell& u : allocator->unmatched_sells()) {
      if (++alerts->unmatched <= kMaxUnmatchedLogLines) {
        LogUnmatched(u, writer.run());
      }
      FIFO_RETURN_IF_ERROR(writer.EnqueueReview(u));
      if (alerts->sells.size() < static_cast<size_t>(kMaxAlertsPerRun)) {
        alerts->sells.push_back(u);
      } else {
        ++alerts->more;
      }
    }
    for (const DustRemainder& d : allocator->dust_remainders()) {
      LogEvent(LogLevel::kDebug, "dust_remainder",
               {{"sell_order_id", d.sell_order_id},
                {"symbol", symbol},
                {"remainder", d.remainder.ToString()}});
    }
    stats.buys_processed += s.buys_processed;
    stats.sells_processed += s.sells_processed;
    stats.allocations_created += written;
    stats.allocations_reused += reused;
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
  for (const UnmatchedSell& u : pending.sells) {
    alerts_->Post(UnmatchedSellAlert(u, run));
  }
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
  // The latest completed version is the basis: a symbol whose computed
  // rows and closing state equal what it holds there is referenced, not
  // written again (unless --rewrite). A symbol run's version takes the
  // other symbols from the latest version when it publishes (RunWriter).
  std::optional<int64_t> basis;
  if (!options.rewrite) {
    FIFO_ASSIGN_OR_RETURN(basis, store_->LatestCompletedVersion());
  }
  run_options.basis_version = basis;
  FIFO_ASSIGN_OR_RETURN(int64_t ingest_seq, store_->MaxIngestSeq());
  std::vector<std::string> symbols;
  if (run_options.symbol.has_value() && run_options.mode == RunMode::kSymbol) {
    symbols.push_back(*run_options.symbol);
  } else {
    FIFO_ASSIGN_OR_RETURN(symbols, store_->ListSymbols());
  }
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<RunWriter> writer,
                        store_->StartRun(run_options));
  const ComputationRun& started = writer->run();
  LogEvent(LogLevel::kInfo, "computation_started",
           {{"run_id", started.id},
            {"batch_id", started.batch_id},
            {"mode", std::string(RunModeName(run_options.mode))},
            {"basis_version", basis.has_value() ? absl::StrCat(*basis) : ""},
            {"symbols", symbols.size()}});

  RunStats stats;
  PendingAlerts pending;
  PendingAlerts* const alerts = &pending;
  absl::Status status = [&]() -> absl::Status {
    std::map<std::string, ReuseBasis> reuse;
    if (basis.has_value()) {
      // One read of the basis's manifest (a few rows per symbol).
      FIFO_ASSIGN_OR_RETURN(
          std::vector<SegmentRef> segments,
          store_->ListVersionSegments(
              *basis, run_options.mode == RunMode::kSymbol
                          ? run_options.symbol
                          : std::optional<std::string>()));
      for (SegmentRef& segment : segments) {
        std::string symbol = segment.symbol;
        reuse[symbol].segments.push_back(std::move(segment));
      }
    }
    int64_t done = 0;
    for (const std::string& symbol : symbols) {
      ReuseBasis* basis_of_symbol = nullptr;
      ReuseBasis none;
      if (basis.has_value()) {
        auto it = reuse.find(symbol);
        basis_of_symbol = it == reuse.end() ? &none : &it->second;
        if (!basis_of_symbol->segments.empty()) {
          absl::StatusOr<StoredSnapshot> snapshot =
              store_->LoadSnapshot(*basis, symbol);
          if (snapshot.ok()) {
            basis_of_symbol->snapshot = std::move(snapshot->state);
          } else if (!absl::IsNotFound(snapshot.status())) {
            return snapshot.status();
          }
        }
      }
      FIFO_RETURN_IF_ERROR(SymbolPass::Run(
          *store_, *writer, symbol, configs_.For(symbol), SymbolState{},
          ingest_seq, options, stats, alerts, basis_of_symbol));
      ++done;
      if (options.progress) {
        options.progress(done, static_cast<int64_t>(symbols.size()), symbol);
      }
    }
    return absl::OkStatus();
  }();
  return PublishOrAbort(*writer, std::move(status), stats, pending, options);
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
  RunStats stats;
  PendingAlerts pending;
  PendingAlerts* const alerts = &pending;
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
                                           options, stats, alerts,
                                           /*reuse=*/nullptr));
      ++done;
      if (options.progress) {
        options.progress(done, static_cast<int64_t>(plan.symbols.size()),
                         symbol);
      }
    }
    return absl::OkStatus();
  }();
  return PublishOrAbort(*writer, std::move(status), stats, pending, options);
}

absl::StatusOr<ComputationRun> Computations::PublishOrAbort(
    RunWriter& writer, absl::Status status, const RunStats& stats,
    const PendingAlerts& pending, const ComputeOptions& options) {
  const ComputationRun started = writer.run();
  const bool incremental = started.mode == RunMode::kIncremental;
  if (status.ok() && options.should_stop && options.should_stop()) {
    // The caller gave up (deadline, cancellation, shutdown): do not publish.
    status = absl::CancelledError("computation stopped before it committed");
  }
  if (status.ok()) {
    absl::StatusOr<ComputationRun> committed = writer.Commit(stats);
    if (committed.ok()) {
      LogEvent(LogLevel::kInfo,
               incremental ? "incremental_completed" : "computation_completed",
               {{"run_id", committed->id},
                {"allocation_version", committed->allocation_version},
                {"allocations_created", committed->allocations_created},
                {"allocations_reused", committed->allocations_reused},
                {"total_pnl", stats.total_pnl.ToString()},
                {"duration_ms", committed->duration_ms.value_or(0)}});
      LogUnmatchedSummary(pending.unmatched, *committed);
      PostAlerts(pending, *committed);
      return committed;
    }
    status = committed.status();
  }
  absl::Status aborted = writer.Abort(std::string(status.message()));
  LogEvent(LogLevel::kError, "computation_failed",
           {{"run_id", started.id},
            {"mode", std::string(RunModeName(started.mode))},
            {"error", std::string(status.message())}});
  std::string message = absl::StrCat(
      "computation ", started.id, " (", RunModeName(started.mode),
      ") failed and was rolled back; ",
      incremental ? "nothing was committed" : "no version was published",
      ": ", status.message());
  if (!aborted.ok()) {
    absl::StrAppend(&message, " (marking it failed also failed: ",
                    aborted.message(), ")");
  }
  return absl::Status(status.code(), message);
}

}  // namespace fifo
