// File: storage/run_writer.h
//
// RunWriter: writes one computation run's results (segments of allocation
// rows with their closing snapshots, references to segments an earlier
// version holds, review items) into a new or extended allocation version,
// in ONE transaction of its own connection, and ends the run in the
// computation log. LedgerStore::StartRun (ledger_store.h)
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

// Writes one run's results as segments (records.h, SegmentRef): each
// symbol's new rows go into a segment of their own, written once and never
// rewritten; the run's version references those segments and, where the
// run says so, segments an earlier version already holds. Commit publishes
// the version's manifest (which segments of each symbol, in which order).
//
// Every write goes into ONE database transaction, begun at the first write
// and ended by Commit (everything becomes visible at once, and the log row
// turns 'completed') or Abort (nothing of it is kept, the log row turns
// 'failed'). If the process dies first, the transaction never commits: none
// of the run's rows are ever visible.
//
// Publishing: a full or symbol run takes its version number at Commit
// (the highest in the log + 1), under the store's publish lock, so versions
// are published in number order however runs overlap. A symbol run's
// version holds, for every other symbol, the segments of the latest
// completed version at that moment: concurrent symbol runs of different
// symbols each publish a complete version and none loses another's rows.
// An incremental run appends its segments to the lists of the version it
// extends, which must still be the latest completed one (kAborted
// otherwise: run it again).
//
// After any method fails, the transaction is unusable: call Abort. The
// destructor aborts a run that was neither committed nor aborted.
//
// Writes may overlap the caller's work: a large WriteAllocations (1,024 rows
// or more) may return once its rows are formatted and queued, while one
// background thread of the writer inserts them (at most a chunk waiting
// behind the one being written), and later snapshot and review writes queue
// behind it in call order. The error of a queued write is returned by the
// next call; the run then fails as above and nothing of it is committed.
// Commit waits for the queue to drain; Abort and the destructor drop what
// is queued and join the thread.
//
// Thread safety: not thread-safe; owned and driven by one thread.
class RunWriter {
 public:
  virtual ~RunWriter() = default;

  // The run's log row as StartRun created it (status running).
  virtual const ComputationRun& run() const = 0;

  // Begins the run's transaction now (instead of at the first write).
  // Incremental runs also take the extended version's write lock
  // (PostgreSQL: an advisory lock on the version; SQLite: the database's
  // write lock): what the caller reads after this cannot be changed by
  // another writer of that version until Commit or Abort. Blocks while
  // another writer holds the lock (SQLite: up to the busy timeout, then
  // kUnavailable).
  virtual absl::Status Begin() = 0;

  // Appends rows of ONE symbol to that symbol's open segment, opening a new
  // segment (after any segments already listed for the symbol) when none is
  // open; each row gets the next seq of its segment, in call order (so write
  // a symbol's rows in engine order). Every row's sell and (when matched)
  // buy must be trades in the store. Errors: kInvalidArgument (rows of
  // several symbols, or of another symbol than the open segment's),
  // kFailedPrecondition (a constraint: unknown trade, buy after sell, ...),
  // kAlreadyExists (same sell/buy pair twice in a segment).
  virtual absl::Status WriteAllocations(
      absl::Span<const Allocation> allocations) = 0;

  // Closes `symbol`'s open segment (opening an empty one when none is open:
  // a symbol whose new trades made no rows) with the symbol's closing state
  // after it: its open lots (in the given order), its high-water mark and
  // `ingest_seq_seen`, the LedgerStore::MaxIngestSeq() the run read before
  // scanning trades. Records the segment's row count and digest.
  virtual absl::Status WriteSnapshot(const std::string& symbol,
                                     const SymbolState& state,
                                     int64_t ingest_seq_seen) = 0;

  // Lists `segments` (of `symbol`, from the run's basis version, in their
  // order there) as the first segments of `symbol` in the run's version,
  // without copying a row; a segment written afterwards for the symbol
  // follows them. Only before any segment of `symbol` was written or
  // listed. Returns the rows referenced. Errors: kFailedPrecondition (a
  // segment that does not exist any more, e.g. pruned meanwhile, or of
  // another symbol; or the symbol already has segments in this run).
  virtual absl::StatusOr<int64_t> ReuseSegments(
      const std::string& symbol, const std::vector<SegmentRef>& segments) = 0;

  // Puts an unmatched sell into manual_review_queue (issue_type
  // "unmatched_sell", severity "high", details as JSON). An item still open
  // for the same order and issue is refreshed (version, details) instead of
  // duplicated. The item's version is set when the run publishes.
  virtual absl::Status EnqueueReview(const UnmatchedSell& unmatched) = 0;

  // Publishes: closes a segment still open (rows without a snapshot: the
  // version then has no snapshot of that symbol), writes the version's
  // manifest (see above), commits
  // everything written and marks the run completed with `stats`, its
  // version, end time and duration, in the same transaction. Returns the
  // final log row. Errors: kFailedPrecondition after a failed write or a
  // second Commit/Abort; kAborted when the log row is no longer 'running'
  // (marked abandoned meanwhile) or an incremental run's version is no
  // longer the latest: then nothing is committed.
  virtual absl::StatusOr<ComputationRun> Commit(const RunStats& stats) = 0;

  // Rolls back everything written and marks the run failed with
  // `error_message` (a separate small transaction). No-op error
  // kFailedPrecondition after Commit or Abort.
  virtual absl::Status Abort(const std::string& error_message) = 0;
};

}  // namespace fifo

#endif  // FIFO_STORAGE_RUN_WRITER_H_
