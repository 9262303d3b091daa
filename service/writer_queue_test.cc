#include "service/writer_queue.h"

#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

// Waits until `queue` has `n` writers waiting or writing.
void AwaitPending(const WriterQueue& queue, int64_t n) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (queue.Pending() != n && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(queue.Pending(), n);
}

TEST(WriterQueueTest, WritersEnterOneAtATimeInArrivalOrder) {
  WriterQueue queue;
  absl::StatusOr<WriterQueue::Turn> first = queue.Wait(nullptr);
  ASSERT_TRUE(first.ok());
  absl::Mutex mu;
  std::vector<int> order;
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 6; ++i) {
    writers.emplace_back([&, i] {
      absl::StatusOr<WriterQueue::Turn> turn = queue.Wait(nullptr);
      ASSERT_TRUE(turn.ok());
      const int now = ++inside;
      int seen = most_inside.load();
      while (now > seen && !most_inside.compare_exchange_weak(seen, now)) {
      }
      {
        absl::MutexLock lock(&mu);
        order.push_back(i);
      }
      absl::SleepFor(absl::Milliseconds(2));
      --inside;
    });
    // Each writer queues before the next one starts: arrival order is i.
    AwaitPending(queue, i + 2);
  }
  *first = WriterQueue::Turn();  // the first writer leaves
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(most_inside.load(), 1);
  EXPECT_EQ(queue.Pending(), 0);
}

TEST(WriterQueueTest, ACancelledWaiterLeavesWithoutBlockingThoseBehind) {
  WriterQueue queue;
  absl::StatusOr<WriterQueue::Turn> holder = queue.Wait(nullptr);
  ASSERT_TRUE(holder.ok());
  std::atomic<bool> give_up{false};
  absl::Status cancelled_status;
  std::thread quitter([&] {
    absl::StatusOr<WriterQueue::Turn> turn =
        queue.Wait([&] { return give_up.load(); }, absl::Milliseconds(1));
    cancelled_status = turn.status();
  });
  AwaitPending(queue, 2);
  absl::Notification entered;
  std::thread patient([&] {
    absl::StatusOr<WriterQueue::Turn> turn = queue.Wait(nullptr);
    ASSERT_TRUE(turn.ok());
    entered.Notify();
  });
  AwaitPending(queue, 3);
  give_up = true;
  quitter.join();
  EXPECT_EQ(cancelled_status.code(), absl::StatusCode::kCancelled);
  AwaitPending(queue, 2);
  EXPECT_FALSE(entered.HasBeenNotified());
  *holder = WriterQueue::Turn();  // releases: the quitter's ticket is skipped
  EXPECT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  patient.join();
  EXPECT_EQ(queue.Pending(), 0);
}

TEST(WriterQueueTest, AMovedTurnReleasesOnce) {
  WriterQueue queue;
  {
    absl::StatusOr<WriterQueue::Turn> turn = queue.Wait(nullptr);
    ASSERT_TRUE(turn.ok());
    WriterQueue::Turn moved = *std::move(turn);
    EXPECT_EQ(queue.Pending(), 1);
  }
  EXPECT_EQ(queue.Pending(), 0);
  // The queue still serves in order afterwards.
  absl::StatusOr<WriterQueue::Turn> again = queue.Wait(nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(queue.Pending(), 1);
}

TEST(WriterQueueTest, ADefaultTurnHoldsNothing) {
  WriterQueue::Turn nothing;
  WriterQueue::Turn also = std::move(nothing);
  (void)also;
}

}  // namespace
}  // namespace fifo
