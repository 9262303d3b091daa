#include "service/writer_queue.h"

#include <utility>

namespace fifo {

WriterQueue::Turn& WriterQueue::Turn::operator=(Turn&& other) noexcept {
  if (this != &other) {
    if (queue_ != nullptr) queue_->Release();
    queue_ = other.queue_;
    other.queue_ = nullptr;
  }
  return *this;
}

WriterQueue::Turn::~Turn() {
  if (queue_ != nullptr) queue_->Release();
}

absl::StatusOr<WriterQueue::Turn> WriterQueue::Wait(
    const std::function<bool()>& cancelled, absl::Duration poll) {
  absl::MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  while (serving_ != ticket) {
    if (cancelled && cancelled()) {
      abandoned_.insert(ticket);
      return absl::CancelledError(
          "the call was cancelled while waiting for the store's write lock");
    }
    turn_changed_.WaitWithTimeout(&mu_, poll);
  }
  return Turn(this);
}

int64_t WriterQueue::Pending() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(next_ticket_ - serving_ - abandoned_.size());
}

void WriterQueue::Release() {
  absl::MutexLock lock(&mu_);
  ++serving_;
  while (abandoned_.erase(serving_) > 0) ++serving_;
  turn_changed_.SignalAll();
}

}  // namespace fifo
