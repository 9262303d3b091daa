// File: storage/run_writer.h
//
// RunWriter: writes one computation run's results (allocations, closing
// snapshots, carried-forward symbols, review items) into a new or extended
// allocation version, in ONE transaction of its own connection, and ends the
// run in the computation log. LedgerStore::StartRun (ledger_store.h)
// creates it; the contract, including thread safety, is on the class.
#ifndef FIFO_STORAGE_RUN_WRITER_H_
#define FIFO_STORAGE_RUN_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/allocation.h"
#include "engine/fifo_engine.h"
#include "storage/records.h"

namespace fifo {

// Writes one run's results. Every write goes into ONE database transaction,
// begun at the first write and ended by Commit (everything becomes visible
// at once, and the log row turns 'completed') or Abort (nothing of it is
// kept, the log row turns 'failed'). If the process dies first, the
// transaction never commits: none of the run's rows are ever visible.
//
// After any method fails, the transaction is unusable: call Abort. The
// destructor aborts a run that was neither committed nor aborted.
//
// Writes may overlap the caller's work: a large WriteAllocations (1,024 rows
// or more) may return once its rows are formatted and queued, while one
// background thread of the writer inserts them (at most a chunk waiting
// behind the one being written), and later snapshot and review writes queue
// behind it in call order. The error of a queued write is returned by the
// next WriteAllocations, WriteSnapshot, EnqueueReview, CarryForward or
// Commit; the run then fails as above and nothing of it is committed.
// CarryForward and Commit wait for the queue to drain; Abort and the
// destructor drop what is queued and join the thread.
//
// Thread safety: not thread-safe; owned and driven by one thread.
class RunWriter {
 public:
  virtual ~RunWriter() = default;

  // The run's log row as StartRun created it (status running).
  virtual const ComputationRun& run() const = 0;

  // Begins the run's transaction now (instead of at the first write) and
  // takes the version's write lock: PostgreSQL's advisory lock on the
  // version, SQLite's database write lock. What the caller reads after this
  // cannot be changed by another writer of the same version until Commit or
  // Abort; an incremental run calls it before reading the snapshots it
  // extends. Blocks while another writer holds the lock (SQLite: up to the
  // busy timeout, then kUnavailable).
  virtual absl::Status Begin() = 0;

  // Appends allocations to the run's version; each row gets the next seq, in
  // call order (so write a symbol's rows in engine order). Every row's
  // symbol, sell and (when matched) buy must be trades in the store.
  // Errors: kFailedPrecondition (a constraint: unknown trade, buy after
  // sell, ...), kAlreadyExists (same sell/buy pair twice in the version).
  virtual absl::Status WriteAllocations(
      absl::Span<const Allocation> allocations) = 0;

  // Replaces the version's snapshot of `symbol`: its open lots (in the given
  // order) and its high-water mark, plus `ingest_seq_seen`, the
  // LedgerStore::MaxIngestSeq() the run read before scanning trades.
  virtual absl::Status WriteSnapshot(const std::string& symbol,
                                     const SymbolState& state,
                                     int64_t ingest_seq_seen) = 0;

  // Copies the allocations and snapshot (lots and watermark) of every symbol
  // of the completed version `from_version` except `exclude_symbols` into
  // this run's version, so that a per-symbol run still yields a complete
  // version. Carried rows keep their allocation_time, take this run's batch
  // id and get the next seqs (by symbol, then their old seq). Returns the
  // number of allocation rows copied. Errors: kFailedPrecondition when
  // `from_version` has no completed run or is this run's version.
  virtual absl::StatusOr<int64_t> CarryForward(
      int64_t from_version, const std::vector<std::string>& exclude_symbols) = 0;

  // Puts an unmatched sell into manual_review_queue (issue_type
  // "unmatched_sell", severity "high", details as JSON). An item still open
  // for the same order and issue is refreshed (version, details) instead of
  // duplicated.
  virtual absl::Status EnqueueReview(const UnmatchedSell& unmatched) = 0;

  // Commits everything written and marks the run completed with `stats`,
  // its end time and duration, in the same transaction. Returns the final
  // log row. Errors: kFailedPrecondition after a failed write or a second
  // Commit/Abort; kAborted when the log row is no longer 'running' (marked
  // abandoned meanwhile): then nothing is committed.
  virtual absl::StatusOr<ComputationRun> Commit(const RunStats& stats) = 0;

  // Rolls back everything written and marks the run failed with
  // `error_message` (a separate small transaction). No-op error
  // kFailedPrecondition after Commit or Abort.
  virtual absl::Status Abort(const std::string& error_message) = 0;
};

}  // namespace fifo

#endif  // FIFO_STORAGE_RUN_WRITER_H_
