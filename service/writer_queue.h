// File: service/writer_queue.h
//
// WriterQueue: first come, first served admission of writers to a store that
// lets one writer in at a time (SQLite). Without it, the server's concurrent
// writers (computations, imports) meet inside SQLite's busy handler, which
// polls with sleeps of up to 100 ms: the write lock sits idle between runs,
// unlucky callers starve, and some fail with "database is locked" after the
// 30 s busy timeout while others get through. With it, the server's writers
// wait here in arrival order and each enters when the previous one leaves,
// so a writer waits only for those that came before it. Writers of other
// processes (fifoctl, a second server on the same file) still meet SQLite's
// own lock.
//
// A waiter whose call is cancelled (client gone, deadline passed) leaves the
// queue without blocking those behind it. Thread-safe.
#ifndef FIFO_SERVICE_WRITER_QUEUE_H_
#define FIFO_SERVICE_WRITER_QUEUE_H_

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace fifo {

class WriterQueue {
 public:
  // The right to write, held until destroyed (or moved from). A default
  // Turn holds nothing: what callers get when no queue applies.
  class Turn {
   public:
    Turn() = default;
    Turn(Turn&& other) noexcept : queue_(other.queue_) {
      other.queue_ = nullptr;
    }
    Turn& operator=(Turn&& other) noexcept;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn();

   private:
    friend class WriterQueue;
    explicit Turn(WriterQueue* queue) : queue_(queue) {}
    WriterQueue* queue_ = nullptr;
  };

  // Waits for the caller's turn, checking `cancelled` every `poll`.
  // Errors: kCancelled when `cancelled` returned true first (the caller
  // gave up its place).
  absl::StatusOr<Turn> Wait(const std::function<bool()>& cancelled,
                            absl::Duration poll = absl::Milliseconds(20));

  // Writers waiting or writing now (for logs and tests).
  int64_t Pending() const;

 private:
  // Ends the current turn: the next ticket not abandoned is served.
  void Release();

  mutable absl::Mutex mu_;
  absl::CondVar turn_changed_;
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t serving_ ABSL_GUARDED_BY(mu_) = 0;
  // Tickets behind `serving_` whose holders gave up; skipped on release.
  absl::flat_hash_set<uint64_t> abandoned_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fifo

#endif  // FIFO_SERVICE_WRITER_QUEUE_H_
