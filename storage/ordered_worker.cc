#include "storage/ordered_worker.h"

#include <algorithm>
#include <deque>
#include <thread>  // NOLINT(build/c++11): the writer's background thread.
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace fifo {
namespace storage_internal {

struct OrderedWorker::State {
  absl::Mutex mu;
  std::deque<Job> jobs ABSL_GUARDED_BY(mu);
  bool running ABSL_GUARDED_BY(mu) = false;
  bool stop ABSL_GUARDED_BY(mu) = false;
  absl::Status error ABSL_GUARDED_BY(mu);
  std::thread thread;

  void Loop() {
    while (true) {
      Job job;
      {
        absl::MutexLock lock(&mu);
        auto ready = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return !jobs.empty() || stop;
        };
        mu.Await(absl::Condition(&ready));
        if (jobs.empty()) return;  // stopped
        job = std::move(jobs.front());
        jobs.pop_front();
        running = true;
      }
      absl::Status s = job();
      job = nullptr;  // frees what the job held before the next one
      absl::MutexLock lock(&mu);
      running = false;
      if (!s.ok() && error.ok()) error = std::move(s);
      if (!error.ok()) jobs.clear();
    }
  }
};

OrderedWorker::OrderedWorker(size_t max_queued)
    : max_queued_(std::max<size_t>(max_queued, 1)),
      state_(std::make_unique<State>()) {}

OrderedWorker::~OrderedWorker() { Stop(); }

absl::Status OrderedWorker::Submit(Job job) {
  if (!started_) {
    {
      absl::MutexLock lock(&state_->mu);
      state_->stop = false;
    }
    state_->thread = std::thread([state = state_.get()] { state->Loop(); });
    started_ = true;
  }
  State* st = state_.get();
  absl::MutexLock lock(&st->mu);
  const size_t max = max_queued_;
  auto room = [st, max]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return st->jobs.size() < max || !st->error.ok();
  };
  st->mu.Await(absl::Condition(&room));
  if (!st->error.ok()) return st->error;
  st->jobs.push_back(std::move(job));
  return absl::OkStatus();
}

absl::Status OrderedWorker::Drain() {
  if (!started_) return absl::OkStatus();
  State* st = state_.get();
  absl::MutexLock lock(&st->mu);
  auto idle = [st]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return st->jobs.empty() && !st->running;
  };
  st->mu.Await(absl::Condition(&idle));
  return st->error;
}

void OrderedWorker::Stop() {
  if (!started_) return;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stop = true;
    state_->jobs.clear();
  }
  state_->thread.join();
  started_ = false;
}

}  // namespace storage_internal
}  // namespace fifo
