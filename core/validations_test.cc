// FindDiscrepancies (and CompareVersions, which it restricts) on a small
// real SQLite store: version 1 is the small ledger, version 2 adds an
// earlier BTC-USD buy, which re-allocates sell s1 and nothing else.
#include "core/validations.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/test_ledger.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

class FindDiscrepanciesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<LedgerStore>> store =
        testing::OpenTempSqliteStore("validations");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->ImportTrades(testing::SmallLedger(), false).ok());
    version_a_ = Compute();
    // A backfilled buy before b1: s1 now takes b0 1 (+250) and b1 0.5 (+100).
    ASSERT_TRUE(
        store_
            ->ImportTrades({testing::MakeTrade("b0", "BTC-USD", Side::kBuy, "1",
                                               "50", "2025-01-05T00:00:00Z")},
                           false)
            .ok());
    version_b_ = Compute();
    ASSERT_GT(version_a_, 0);
    ASSERT_GT(version_b_, version_a_);
  }

  int64_t Compute() {
    absl::StatusOr<ComputationRun> run = testing::ComputeAll(*store_);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? run->allocation_version : 0;
  }

  std::unique_ptr<LedgerStore> store_;
  int64_t version_a_ = 0, version_b_ = 0;
};

TEST_F(FindDiscrepanciesTest, AllSymbolsIsCompareVersions) {
  absl::StatusOr<VersionComparison> all =
      FindDiscrepancies(*store_, version_a_, version_b_, std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status();
  absl::StatusOr<VersionComparison> compared =
      CompareVersions(*store_, version_a_, version_b_);
  ASSERT_TRUE(compared.ok()) << compared.status();
  EXPECT_EQ(all->version_a, version_a_);
  EXPECT_EQ(all->version_b, version_b_);
  ASSERT_EQ(all->sells.size(), 1u);
  EXPECT_EQ(all->sells[0].sell_order_id, "s1");
  EXPECT_EQ(all->sells[0].pnl_delta.ToString(), "100");
  ASSERT_EQ(all->sells[0].changes.size(),
            3u);  // b0 added, b1 changed, b2 removed
  EXPECT_EQ(all->sells[0].changes[0].kind, PairChange::Kind::kAdded);
  EXPECT_EQ(all->sells[0].changes[1].kind, PairChange::Kind::kChanged);
  EXPECT_EQ(all->sells[0].changes[2].kind, PairChange::Kind::kRemoved);
  ASSERT_EQ(all->symbols.size(), 2u);
  EXPECT_EQ(all->symbols[0].sells_changed, 1);
  EXPECT_EQ(all->symbols[1].sells_changed, 0);
  EXPECT_EQ(all->pnl_a.ToString(), "265");
  EXPECT_EQ(all->pnl_b.ToString(), "365");
  EXPECT_EQ(all->pnl_delta.ToString(), "100");
  ASSERT_EQ(compared->sells.size(), all->sells.size());
  ASSERT_EQ(compared->symbols.size(), all->symbols.size());
  EXPECT_EQ(compared->pnl_delta, all->pnl_delta);
}

TEST_F(FindDiscrepanciesTest, OneSymbolHasThatSymbolsTotals) {
  absl::StatusOr<VersionComparison> btc =
      FindDiscrepancies(*store_, version_a_, version_b_, "BTC-USD");
  ASSERT_TRUE(btc.ok()) << btc.status();
  ASSERT_EQ(btc->sells.size(), 1u);
  ASSERT_EQ(btc->symbols.size(), 1u);
  EXPECT_EQ(btc->symbols[0].symbol, "BTC-USD");
  EXPECT_EQ(btc->pnl_a.ToString(), "250");
  EXPECT_EQ(btc->pnl_b.ToString(), "350");
  EXPECT_EQ(btc->pnl_delta.ToString(), "100");

  absl::StatusOr<VersionComparison> eth =
      FindDiscrepancies(*store_, version_a_, version_b_, "ETH-USD");
  ASSERT_TRUE(eth.ok()) << eth.status();
  EXPECT_TRUE(eth->sells.empty());
  ASSERT_EQ(eth->symbols.size(), 1u);
  EXPECT_EQ(eth->symbols[0].rows_a, 3);
  EXPECT_EQ(eth->symbols[0].rows_b, 3);
  EXPECT_EQ(eth->pnl_a.ToString(), "15");
  EXPECT_EQ(eth->pnl_delta.ToString(), "0");
}

TEST_F(FindDiscrepanciesTest, ASymbolOfNeitherVersionIsEmpty) {
  absl::StatusOr<VersionComparison> none =
      FindDiscrepancies(*store_, version_a_, version_b_, "DOGE-USD");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->version_a, version_a_);
  EXPECT_EQ(none->version_b, version_b_);
  EXPECT_TRUE(none->sells.empty());
  EXPECT_TRUE(none->symbols.empty());
  EXPECT_TRUE(none->pnl_a.is_zero());
  EXPECT_TRUE(none->pnl_b.is_zero());
  EXPECT_TRUE(none->pnl_delta.is_zero());
}

TEST_F(FindDiscrepanciesTest, UnknownVersionIsNotFound) {
  absl::StatusOr<VersionComparison> c =
      FindDiscrepancies(*store_, version_a_, 77, "BTC-USD");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), "allocation version 77 has no completed run");
}

}  // namespace
}  // namespace fifo
