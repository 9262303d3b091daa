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

// Waits until `queue` has `n` writers waiting or writing. A failure is
// returned, not asserted, so that the caller checks it where it can still
// release and join its threads.
::testing::AssertionResult AwaitPending(const WriterQueue& queue, int64_t n) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (queue.Pending() != n && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (queue.Pending() == n) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "pending " << queue.Pending() << ", expected " << n;
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
      EXPECT_TRUE(turn.ok()) << turn.status();
      if (!turn.ok()) return;
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
    EXPECT_TRUE(AwaitPending(queue, i + 2)) << "writer " << i;
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
  EXPECT_TRUE(AwaitPending(queue, 2));
  absl::Notification entered;
  std::thread patient([&] {
    absl::StatusOr<WriterQueue::Turn> turn = queue.Wait(nullptr);
    EXPECT_TRUE(turn.ok()) << turn.status();
    entered.Notify();
  });
  EXPECT_TRUE(AwaitPending(queue, 3));
  give_up = true;
  quitter.join();
  EXPECT_EQ(cancelled_status.code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(AwaitPending(queue, 2));
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
  WriterQueue queue;
  absl::StatusOr<WriterQueue::Turn> held = queue.Wait(nullptr);
  ASSERT_TRUE(held.ok());
  {
    WriterQueue::Turn nothing;
    WriterQueue::Turn also = std::move(nothing);
    // Dropping and overwriting empty turns releases no one's turn.
    also = WriterQueue::Turn();
  }
  EXPECT_EQ(queue.Pending(), 1);
  // Overwriting the held turn with an empty one releases it, once.
  *held = WriterQueue::Turn();
  EXPECT_EQ(queue.Pending(), 0);
  absl::StatusOr<WriterQueue::Turn> next =
      queue.Wait([] { return false; }, absl::Milliseconds(1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(queue.Pending(), 1);
}

}  // namespace
}  // namespace fifo
