// File: storage/ledger_store.h
//
// LedgerStore: the one interface to the FIFO ledger database (design:
// "Database Schema"; ERRATA 3, 4, 9, 10). Two implementations sit behind it,
// both over SOCI 4.0.3:
//
//   sqlite:PATH                   embedded SQLite file (the default,
//                                 "sqlite:fifo.db"); WAL journal, foreign
//                                 keys on, 30 s busy timeout.
//   postgresql://... postgres://  PostgreSQL through libpq (URI or
//                                 "postgresql:" + keyword=value string).
//
// What it stores: immutable trades (trade_records, guarded by triggers:
// facts cannot be UPDATEd, rows cannot be DELETEd), allocation versions
// (fifo_allocations) written by computation runs (fifo_computation_log),
// each version's closing inventory and per-symbol high-water mark
// (fifo_inventory_snapshot, fifo_snapshot_watermark) and the manual review
// queue. Decimals are exact everywhere (NUMERIC in PostgreSQL, canonical TEXT
// in SQLite; never double); times are UTC instants with microsecond
// precision; order ids and symbols order bytewise.
//
// Errors: every method returns absl::Status / StatusOr; SOCI exceptions never
// escape. Common codes: kUnavailable (cannot connect, database busy or
// locked for too long), kFailedPrecondition (schema missing or not current,
// a constraint or immutability trigger rejected a write), kAlreadyExists
// (a key already taken), kInvalidArgument (bad input), kNotFound,
// kInternal (anything unexpected). Messages never contain passwords.
//
// Thread safety: a LedgerStore is thread-safe; concurrent calls are
// serialised on its connection. A RunWriter owns a second connection and is
// NOT thread-safe (one thread drives a run). Several stores (processes) may
// share one database: imports serialise on a lock, runs get distinct
// versions. With SQLite, writers take the database's single write lock; a
// run holds it from its first write until Commit/Abort, so other writers
// wait up to the busy timeout (30 s) and then fail with kUnavailable.
//
// The records the store exchanges are in storage/records.h, the run writer
// in storage/run_writer.h and the streaming import in storage/trade_import.h;
// this header includes all three. Reports over a store (PnL summaries, the
// legacy comparison) are in core/.
#ifndef FIFO_STORAGE_LEDGER_STORE_H_
#define FIFO_STORAGE_LEDGER_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "engine/trade.h"
#include "storage/records.h"
#include "storage/run_writer.h"
#include "storage/trade_import.h"

namespace fifo {

// ------------------------------------------------- legacy PnL columns ----
//
// Design "Migration Strategy" (Phase 1 parallel operation, Phase 3 cleanup)
// and "Historical Corrupted Data". The old system stored derived values on
// trade_records; migration 0002 keeps them as DEPRECATED nullable columns
// (NUMERIC in PostgreSQL, canonical TEXT in SQLite) on every store:
//
//   parent_id, parent_ids, pnl_usd, cost_basis_usd, sale_proceeds_usd,
//   net_sale_proceeds_usd, realized_profit
//
// Where the values come from: Migrate() adopts a legacy database, i.e. one
// at schema version 0 that already has a trade_records table of its own.
// Before 0001 that table (and, on PostgreSQL, its indexes, prefixed
// "legacy_"; on SQLite its own indexes and triggers are dropped, their names
// being database-wide) is renamed to legacy_trade_records and kept as it
// is; in 0002's transaction every legacy row is copied into the new
// trade_records with its legacy values. Required legacy columns: order_id,
// symbol, side, size, price, order_time; optional: every other column of
// the design's trade_records and the seven legacy columns (missing source:
// "legacy"; missing total_fees_usd: 0). Values are converted exactly
// (decimals with Decimal::Parse, times with ParseTimestamp, a time without
// an offset taken as UTC; side in any letter case); ingest_seq follows
// engine order (order_time, order_id). A row that does not convert fails
// migration 0002 (kFailedPrecondition naming the order and the column) and
// nothing is copied: the database stays at version 1 with the old table
// renamed; fix the row in legacy_trade_records and run Migrate again.
//
// The legacy values are frozen: a trigger rejects any UPDATE that changes
// them (like the trade facts, ERRATA 9); the store never writes them after
// adoption (trades recorded by this system have NULL legacy values). Only
// DropLegacyColumns removes them.


// ------------------------------------------------------------ the store ----

class LedgerStore {
 public:
  virtual ~LedgerStore() = default;

  // "sqlite" or "postgresql".
  virtual absl::string_view dialect() const = 0;

  // --- Schema -------------------------------------------------------------

  // Applies every embedded migration newer than the database's schema, in
  // order, each in its own transaction, and records it in
  // schema_migrations. Idempotent: returns the migrations applied by this
  // call (empty when already current). A database at version 0 that
  // already has a trade_records table of its own (an old system's) is
  // adopted: see "legacy PnL columns" above. Errors: kFailedPrecondition
  // when the database has a version this binary does not know (newer binary
  // ran), or when a legacy table cannot be adopted (a required column is
  // missing, a row does not convert: the message names order and column).
  virtual absl::StatusOr<std::vector<AppliedMigration>> Migrate() = 0;

  // Migrate, but only up to migration `version` (a staged rollout, or a
  // test of an upgrade from an older schema). kInvalidArgument for a
  // version this binary does not have.
  virtual absl::StatusOr<std::vector<AppliedMigration>> MigrateTo(
      int version) = 0;

  // The highest applied migration version; 0 for an empty database.
  virtual absl::StatusOr<int> SchemaVersion() = 0;

  // OK when the schema is exactly the one this binary embeds;
  // kFailedPrecondition (saying to run migrate, or that the database is
  // newer) otherwise.
  virtual absl::Status CheckSchema() = 0;

  // --- Trades -------------------------------------------------------------

  // Records `trades` in ONE transaction (ERRATA 9). A trade whose order_id is
  // already stored with identical facts (decimals compared by value) is a
  // no-op counted as unchanged; the same order_id twice in the batch counts
  // once. Errors, and then nothing of the batch is written:
  // kInvalidArgument (ValidateTrade fails, or a year outside 1..9999, naming
  // the order), kAlreadyExists ("order_id X ... field F ..." for the first
  // differing field, against the store or within the batch).
  // `dry_run`: the same checks and counts, nothing written.
  // Returns a streaming import: the same contract as ImportTrades for all
  // the trades given to its Add calls together, in ONE transaction, with
  // memory bounded by one batch (a file of any size). The import holds this
  // store's connection (other calls on this store wait) until Finish or its
  // destruction. Errors: as ImportTrades, plus kUnavailable when the write
  // lock cannot be taken.
  virtual absl::StatusOr<std::unique_ptr<TradeImport>> BeginImport(
      bool dry_run) = 0;

  // BeginImport, one Add of `trades`, Finish.
  absl::StatusOr<ImportResult> ImportTrades(const std::vector<Trade>& trades,
                                            bool dry_run);

  // Distinct symbols, bytewise ascending.
  virtual absl::StatusOr<std::vector<std::string>> ListSymbols() = 0;

  // Number of trades (of one symbol when given).
  virtual absl::StatusOr<int64_t> CountTrades(
      const std::optional<std::string>& symbol) = 0;

  // One page of trades by (symbol, order_time, order_id). Errors:
  // kInvalidArgument for a bad page size or token (tokens are opaque and
  // only valid with the same symbol filter).
  virtual absl::StatusOr<TradePage> ListTrades(const TradeFilter& filter) = 0;

  // Streams `symbol`'s trades in engine order (order_time, order_id bytewise)
  // strictly after `after` (all when unset) in pages of at most
  // `page_size` (keyset pagination; memory bounded by the page).
  // kInvalidArgument for page_size < 1.
  virtual absl::Status ScanTrades(const std::string& symbol,
                                  const std::optional<TradeKey>& after,
                                  const TradeSink& sink, int page_size) = 0;

  // ScanTrades in pages of kDefaultScanPageSize.
  static constexpr int kDefaultScanPageSize = 10000;
  absl::Status ScanTrades(const std::string& symbol,
                          const std::optional<TradeKey>& after,
                          const TradeSink& sink) {
    return ScanTrades(symbol, after, sink, kDefaultScanPageSize);
  }

  // The highest ingest_seq (insert order) of any trade; 0 when empty.
  virtual absl::StatusOr<int64_t> MaxIngestSeq() = 0;

  // True when a trade of `symbol` was inserted after `ingest_seq` (its
  // ingest_seq is greater) yet sorts at or before `at_or_before`: a
  // backfill that an incremental run must not skip (ERRATA 7).
  virtual absl::StatusOr<bool> HasTradesIngestedAfter(
      int64_t ingest_seq, const std::string& symbol,
      const TradeKey& at_or_before) = 0;

  // --- Runs ---------------------------------------------------------------

  // Creates the run's log row (status 'running', committed on its own so it
  // is visible while the run works) and returns its writer. A full or
  // symbol run gets its version number when it publishes (RunWriter::
  // Commit: concurrent runs never share a version, and versions are
  // published in number order); until then the row's version is NULL (0
  // in ComputationRun). An incremental run extends
  // `options.extend_version`. `options.basis_version` is recorded so that
  // PruneVersions keeps that version while the run works. Errors:
  // kInvalidArgument (missing symbol for kSymbol, extend_version given or
  // missing wrongly), kFailedPrecondition (the version to extend has no
  // completed run).
  virtual absl::StatusOr<std::unique_ptr<RunWriter>> StartRun(
      const RunOptions& options) = 0;

  // Marks runs still 'running' whose process is gone as 'failed' with error
  // "abandoned" (a run that commits or aborts meanwhile is left as it ends);
  // returns how many were marked. Cheap (one indexed query, plus one lock
  // probe per running run on PostgreSQL): fifo_server calls it at start,
  // before GetComputation/ListComputations and every 10 s; fifoctl before
  // `runs` and computations. How death is told, and how soon:
  //   PostgreSQL: exact. A live run's own session holds a session advisory
  //   lock (StartRun), released by the server when that session ends; a
  //   lock probe that succeeds means the owner is gone. The session ends at
  //   once when the owner process dies (its kernel closes the socket; the
  //   backend notices within 5 s even mid-statement, by
  //   client_connection_check_interval on PostgreSQL 14+), and within about
  //   30 s when its host dies or the network is cut (server-side TCP
  //   keepalives idle 10 s + 3 probes 5 s apart, tcp_user_timeout 25 s;
  //   SqlSession sets them on every session). So any process on the
  //   database tells within ~5 s of a process death (~30 s of a host death)
  //   and marks at its next call: a fifo_server replica within a further
  //   10 s without any call.
  //   SQLite: the owner's pid and process start time (Linux /proc) are
  //   checked, so a death is seen at once, a zombie (killed, not yet
  //   reaped) counting as dead; runs of other hosts are left alone (cannot
  //   tell). StartRun also marks them, under the write lock, before a new
  //   run starts. The mark needs the write lock: this call waits for it at
  //   most 2 s and then fails with kUnavailable (retry later: a live run of
  //   another process holds it until that run ends).
  // Errors: as any write (kUnavailable when the lock stays busy; a
  // read-only database or role refuses the UPDATE); callers on read paths
  // log them and answer anyway, the next call retries.
  virtual absl::StatusOr<int64_t> MarkAbandonedRuns() = 0;

  // The highest version with a completed run; nullopt when none.
  virtual absl::StatusOr<std::optional<int64_t>> LatestCompletedVersion() = 0;

  // The newest completed run of `version` (the run that created it or last
  // extended it); nullopt when the version has none. One index probe,
  // whatever the number of runs.
  virtual absl::StatusOr<std::optional<ComputationRun>> LatestCompletedRun(
      int64_t version) = 0;

  // kNotFound for an unknown id.
  virtual absl::StatusOr<ComputationRun> GetRun(int64_t id) = 0;

  // Runs, newest first. `limit` 1..1000; kInvalidArgument for a bad token.
  virtual absl::StatusOr<RunPage> ListRuns(int limit,
                                           const std::string& page_token) = 0;

  // --- Versions -----------------------------------------------------------

  // Streams a version's allocations ordered by symbol (bytewise), then by
  // the symbol's segments in the version's order, then by seq within a
  // segment: each symbol's rows in the order they were computed, whichever
  // run wrote them. Filters apply in SQL; an unknown or pruned version just
  // yields nothing.
  virtual absl::Status ScanAllocations(const AllocationFilter& filter,
                                       const AllocationSink& sink) = 0;

  // The segments `version` references (of `symbol` when given), by symbol
  // (bytewise) then their order in the version. Empty for an unknown or
  // pruned version.
  virtual absl::StatusOr<std::vector<SegmentRef>> ListVersionSegments(
      int64_t version, const std::optional<std::string>& symbol) = 0;

  // Retention: deletes the manifests of the completed versions that
  // `options` allows to remove, then the segments (rows and lots) that no
  // version references any more, in ONE transaction under the publish lock
  // (a concurrent publish waits, or fails cleanly with kAborted when a
  // segment it reused is gone). Never removes the latest completed version,
  // a version in `options.keep`, or the basis version of a running run.
  // The removed versions' runs stay in the log with pruned_at set. Errors:
  // kInvalidArgument (neither keep_last nor older_than, keep_last < 1, a
  // negative duration).
  virtual absl::StatusOr<PruneResult> PruneVersions(
      const PruneOptions& options) = 0;

  // The symbol's snapshot in a version is that of its last segment.
  // kNotFound when the version has no snapshot of `symbol`.
  virtual absl::StatusOr<StoredSnapshot> LoadSnapshot(
      int64_t version, const std::string& symbol) = 0;

  // Symbols with a snapshot in `version`, bytewise ascending.
  virtual absl::StatusOr<std::vector<std::string>> ListSnapshotSymbols(
      int64_t version) = 0;

  // The design's five invariant queries for ONE version, corrected per
  // ERRATA 3/4: matched + unmatched size of every sell up to its symbol's
  // high-water mark equals its size (within tolerance); no buy is
  // over-allocated; pnl = net_proceeds - cost_basis exactly; no allocation
  // names a missing trade or one of another symbol (NULL buys skipped); no
  // buy after its sell. Computed in C++ with exact Decimals over scanned
  // rows on both stores (SQLite cannot do decimal arithmetic exactly in
  // SQL); memory is bounded by one symbol's trades. Empty = all hold.
  // kNotFound for a version with no run.
  virtual absl::StatusOr<std::vector<InvariantViolation>> RunInvariantQueries(
      int64_t version, const InvariantOptions& options) = 0;

  // --- Review queue -------------------------------------------------------

  // Items by id ascending.
  virtual absl::StatusOr<std::vector<ReviewItem>> ListReviewItems(
      ReviewFilter filter) = 0;

  // How many items ListReviewItems would return (one COUNT query).
  virtual absl::StatusOr<int64_t> CountReviewItems(ReviewFilter filter) = 0;

  // Marks an open item resolved with `note`. Errors: kNotFound (unknown
  // id), kFailedPrecondition (already resolved).
  virtual absl::StatusOr<ReviewItem> ResolveReviewItem(
      int64_t id, const std::string& note) = 0;
  // --- Legacy PnL columns (see the section above LedgerStore) -------------

  // Where the store is in the legacy life cycle (read-only).
  virtual absl::StatusOr<LegacyStatus> GetLegacyStatus() = 0;

  // Design "Historical Corrupted Data", step 1: creates the table
  // historical_pnl_snapshot_YYYYMMDD (`day`) with (order_id, old_parent_id,
  // old_pnl_usd, old_cost_basis, note = 'corrupted_historical',
  // snapshot_time = now) for every sell, in one transaction. Errors:
  // kAlreadyExists naming the table when it exists (it is never replaced);
  // kFailedPrecondition when parent_id, pnl_usd or cost_basis_usd were
  // dropped.
  virtual absl::StatusOr<LegacySnapshotResult> CreateLegacySnapshot(
      absl::CivilDay day) = 0;

  // Streams every sell (of `symbol` when given) with its legacy values, by
  // (symbol, order_id), in pages of at most `page_size` (keyset
  // pagination). Errors: kInvalidArgument for page_size < 1;
  // kFailedPrecondition when any legacy column is missing.
  virtual absl::Status ScanLegacySells(const std::optional<std::string>& symbol,
                                       const LegacySellSink& sink,
                                       int page_size) = 0;

  // Design Phase 3, in ONE transaction: creates kLegacyBackupTable
  // (order_id, parent_id, parent_ids, pnl_usd, cost_basis_usd) when
  // missing, inserts every sell not yet in it, drops the legacy immutability
  // trigger (and its function on PostgreSQL) and then every legacy column
  // still present. Irreversible except from the backup; the space is
  // reclaimed only by VACUUM (FULL) afterwards. On any error nothing
  // changes. Errors: kFailedPrecondition when no legacy
  // column is left (already dropped), or when the backup table exists
  // without the columns it needs.
  virtual absl::StatusOr<LegacyDropResult> DropLegacyColumns() = 0;
};

// Opens (and creates, for SQLite) the database at `url` ("sqlite:PATH",
// "postgresql://...", "postgres://...", or "postgresql:" followed by a libpq
// keyword=value string). Does not migrate. Errors: kInvalidArgument for
// another scheme or an empty/":memory:" SQLite path (the store needs a file
// that several connections share), kUnavailable when the database cannot be
// reached.
absl::StatusOr<std::unique_ptr<LedgerStore>> OpenLedgerStore(
    const std::string& url);

// $FIFO_DB when set and non-empty, else "sqlite:fifo.db".
std::string DefaultStoreUrl();

// `url` with any password replaced by "***" (for logs and messages).
std::string RedactStoreUrl(const std::string& url);

}  // namespace fifo

#endif  // FIFO_STORAGE_LEDGER_STORE_H_
