// File: storage/ordered_worker.h
//
// Internal to //storage. OrderedWorker: the run writer's background thread
// (sql_run_writer.cc), which inserts a run's rows while the caller computes
// the next ones. The contract, including thread safety, is on the class.
#ifndef FIFO_STORAGE_ORDERED_WORKER_H_
#define FIFO_STORAGE_ORDERED_WORKER_H_

#include <cstddef>
#include <functional>
#include <memory>

#include "absl/status/status.h"

namespace fifo {
namespace storage_internal {

// Runs jobs in submission order on one background thread (started by the
// first Submit), with at most `max_queued` jobs waiting besides the one
// running: a writer hands it work and goes on computing. After a job fails
// the later ones are dropped, and Submit and Drain return that first error.
// Its methods are called from one thread (the owner's); the jobs must not
// touch what the owner uses meanwhile.
class OrderedWorker {
 public:
  using Job = std::function<absl::Status()>;

  explicit OrderedWorker(size_t max_queued);
  ~OrderedWorker();  // Stop()
  OrderedWorker(const OrderedWorker&) = delete;
  OrderedWorker& operator=(const OrderedWorker&) = delete;

  // Queues `job`, blocking while `max_queued` jobs wait. Returns the first
  // error of an earlier job instead (and drops `job`).
  absl::Status Submit(Job job);
  // Waits until every submitted job has run; returns the first error.
  absl::Status Drain();
  // Drops the waiting jobs, waits for the running one and joins the thread.
  // Submit starts a new thread afterwards.
  void Stop();
  bool started() const { return started_; }

 private:
  struct State;
  const size_t max_queued_;
  std::unique_ptr<State> state_;
  bool started_ = false;
};

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_ORDERED_WORKER_H_
