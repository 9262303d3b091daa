// ComputeAllocationHealth on a small real SQLite store.
#include "core/health.h"

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "core/test_ledger.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

class HealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<LedgerStore>> store =
        testing::OpenTempSqliteStore("health");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  absl::StatusOr<ComputationRun> Compute() {
    return testing::ComputeAll(*store_);
  }

  std::unique_ptr<LedgerStore> store_;
};

TEST_F(HealthTest, NoVersionYetIsNotFound) {
  absl::StatusOr<AllocationHealthReport> health =
      ComputeAllocationHealth(*store_, std::nullopt);
  EXPECT_EQ(health.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(HealthTest, FiguresOfTheSmallLedger) {
  ASSERT_TRUE(store_->ImportTrades(testing::SmallLedger(), false).ok());
  absl::StatusOr<ComputationRun> run = Compute();
  ASSERT_TRUE(run.ok()) << run.status();
  for (std::optional<int64_t> version :
       {std::optional<int64_t>(),
        std::optional<int64_t>(run->allocation_version)}) {
    absl::StatusOr<AllocationHealthReport> health =
        ComputeAllocationHealth(*store_, version);
    ASSERT_TRUE(health.ok()) << health.status();
    EXPECT_EQ(health->version, run->allocation_version);
    EXPECT_EQ(health->total_allocations, 5);
    EXPECT_EQ(health->unmatched_allocations, 1);
    EXPECT_EQ(health->sells_matched, 3);
    EXPECT_EQ(health->buys_used, 3);
    EXPECT_EQ(health->total_pnl_usd.ToString(), "265");
    ASSERT_TRUE(health->first_sell_time.has_value());
    EXPECT_EQ(FormatTimestamp(*health->first_sell_time),
              "2025-02-01T00:00:00.000000Z");
    ASSERT_TRUE(health->last_sell_time.has_value());
    EXPECT_EQ(FormatTimestamp(*health->last_sell_time),
              "2025-03-02T00:00:00.000000Z");
    ASSERT_TRUE(health->latest_computation.has_value());
    EXPECT_EQ(health->latest_computation->id, run->id);
  }
}

TEST_F(HealthTest, AVersionWithoutRowsHasNoSellTimes) {
  // Buys only: a completed version without allocation rows.
  ASSERT_TRUE(
      store_
          ->ImportTrades({testing::MakeTrade("b1", "BTC-USD", Side::kBuy, "1",
                                             "100", "2025-01-10T00:00:00Z")},
                         false)
          .ok());
  ASSERT_TRUE(Compute().ok());
  absl::StatusOr<AllocationHealthReport> health =
      ComputeAllocationHealth(*store_, std::nullopt);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->total_allocations, 0);
  EXPECT_EQ(health->total_pnl_usd.ToString(), "0");
  EXPECT_FALSE(health->first_sell_time.has_value());
  EXPECT_FALSE(health->last_sell_time.has_value());
}

TEST_F(HealthTest, UnknownVersionIsNotFoundAndStopIsCancelled) {
  ASSERT_TRUE(store_->ImportTrades(testing::SmallLedger(), false).ok());
  ASSERT_TRUE(Compute().ok());
  absl::StatusOr<AllocationHealthReport> unknown =
      ComputeAllocationHealth(*store_, 42);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(),
            "allocation version 42 has no completed run");
  absl::StatusOr<AllocationHealthReport> stopped =
      ComputeAllocationHealth(*store_, std::nullopt, [] { return true; });
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace fifo
