// Tests of storage/ordered_worker.h: order, the bounded queue, the first
// error, and Stop.
#include "storage/ordered_worker.h"

#include <atomic>
#include <thread>  // NOLINT(build/c++11)
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace fifo {
namespace storage_internal {
namespace {

TEST(OrderedWorkerTest, RunsJobsInOrderAndDrains) {
  OrderedWorker worker(1);
  std::vector<int> seen;  // touched by the worker only until Drain
  EXPECT_FALSE(worker.started());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(worker
                    .Submit([&seen, i] {
                      seen.push_back(i);
                      return absl::OkStatus();
                    })
                    .ok());
  }
  EXPECT_TRUE(worker.started());
  ASSERT_TRUE(worker.Drain().ok());
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
  worker.Stop();
  EXPECT_FALSE(worker.started());
  EXPECT_TRUE(worker.Drain().ok());
}

TEST(OrderedWorkerTest, BoundsTheQueue) {
  OrderedWorker worker(1);
  absl::Notification release;
  std::atomic<int> ran{0};
  auto blocking = [&] {
    release.WaitForNotification();
    ++ran;
    return absl::OkStatus();
  };
  ASSERT_TRUE(worker.Submit(blocking).ok());  // runs (and blocks)
  // Returns once the worker has taken the first job.
  std::atomic<bool> third_submitted{false};
  ASSERT_TRUE(worker.Submit([&] {
                      ++ran;
                      return absl::OkStatus();
                    })
                  .ok());
  std::thread submitter([&] {
    worker
        .Submit([&] {
          ++ran;
          return absl::OkStatus();
        })
        .IgnoreError();
    third_submitted = true;
  });
  absl::SleepFor(absl::Milliseconds(100));
  // One job runs (blocked) and one waits: the third Submit must block.
  EXPECT_FALSE(third_submitted.load());
  release.Notify();
  submitter.join();
  EXPECT_TRUE(third_submitted.load());
  ASSERT_TRUE(worker.Drain().ok());
  EXPECT_EQ(ran.load(), 3);
}

TEST(OrderedWorkerTest, FirstErrorSurfacesAndLaterJobsAreDropped) {
  OrderedWorker worker(2);
  std::atomic<int> ran{0};
  ASSERT_TRUE(worker
                  .Submit([&] {
                    ++ran;
                    return absl::FailedPreconditionError("first");
                  })
                  .ok());
  absl::Status s;
  // Later submits either get queued (then dropped) or see the error.
  for (int i = 0; i < 50 && s.ok(); ++i) {
    s = worker.Submit([&] {
      ++ran;
      return absl::InternalError("later");
    });
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "first");
  absl::Status drained = worker.Drain();
  EXPECT_EQ(drained.message(), "first");
  EXPECT_EQ(ran.load(), 1);
}

TEST(OrderedWorkerTest, StopDropsQueuedJobsAndJoins) {
  std::atomic<int> ran{0};
  absl::Notification started, release;
  {
    OrderedWorker worker(4);
    ASSERT_TRUE(worker
                    .Submit([&] {
                      started.Notify();
                      release.WaitForNotification();
                      ++ran;
                      return absl::OkStatus();
                    })
                    .ok());
    started.WaitForNotification();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(worker
                      .Submit([&] {
                        ran += 100;
                        return absl::OkStatus();
                      })
                      .ok());
    }
    std::thread releaser([&] {
      absl::SleepFor(absl::Milliseconds(50));
      release.Notify();
    });
    worker.Stop();  // waits for the running job, drops the three others
    releaser.join();
    EXPECT_EQ(ran.load(), 1);
    // A stopped worker starts again on Submit.
    ASSERT_TRUE(worker
                    .Submit([&] {
                      ran += 10;
                      return absl::OkStatus();
                    })
                    .ok());
    ASSERT_TRUE(worker.Drain().ok());
    EXPECT_EQ(ran.load(), 11);
  }  // the destructor joins
}

}  // namespace
}  // namespace storage_internal
}  // namespace fifo

