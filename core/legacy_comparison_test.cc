// CompareLegacyPnl over a real store (a SQLite file, and a fresh PostgreSQL
// database unless FIFO_TEST_POSTGRES_URL is unset) that adopted an old
// system's trade_records with wrong legacy PnL values
// (storage/testing/legacy_ledger.h), against a version computed by
// Computations.
#include "core/legacy_comparison.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/computations.h"
#include "engine/decimal.h"
#include "gtest/gtest.h"
#include "storage/testing/legacy_ledger.h"
#include "storage/testing/store_fixture.h"
#include "storage/testing/test_store.h"

namespace fifo {
namespace {

using ::fifo::testing::StoreFixture;

Decimal D(const std::string& text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

class LegacyComparisonTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    absl::Status created =
        ::fifo::testing::CreateOldSystemDatabase(*test_store_);
    ASSERT_TRUE(created.ok()) << created;
    absl::StatusOr<std::vector<AppliedMigration>> migrated = store_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.status();
  }

  // A full run over the adopted trades; its version.
  int64_t ComputeVersion() {
    Computations computations(store_.get(), SymbolConfigs{});
    absl::StatusOr<ComputationRun> run =
        computations.ComputeAllSymbols(ComputeOptions{});
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? run->allocation_version : 0;
  }
};

TEST_P(LegacyComparisonTest, ComparesEverySellAgainstAVersion) {
  const int64_t version = ComputeVersion();
  ASSERT_GT(version, 0);
  // The FIFO PnL of each sell (fees apportioned, ERRATA 5): SELL-1 takes
  // BUY-1 whole and 0.2 of BUY-2, SELL-2 the last 0.1 of BUY-2; E-SELL takes
  // E-BUY's 2 and leaves 1 unmatched, E-SELL2 is all unmatched.
  const std::map<std::string, Decimal> expected = {{"SELL-1", D("1198.1")},
                                                   {"SELL-2", D("199.9")},
                                                   {"E-SELL", D("199.3")},
                                                   {"E-SELL2", D("0")}};

  absl::StatusOr<LegacyPnlComparison> cmp =
      CompareLegacyPnl(*store_, version, std::nullopt);
  ASSERT_TRUE(cmp.ok()) << cmp.status();
  EXPECT_EQ(cmp->version, version);
  ASSERT_EQ(cmp->symbols.size(), 2u);
  const LegacyPnlSymbol& btc = cmp->symbols[0];
  const LegacyPnlSymbol& eth = cmp->symbols[1];
  EXPECT_EQ(btc.symbol, "BTC-USD");
  EXPECT_EQ(eth.symbol, "ETH-USD");

  const std::map<std::string, Decimal> old_pnl = {
      {"SELL-1", D("-12.345678901234567891")},
      {"SELL-2", D("250")},
      {"E-SELL", D("999.99")}};
  for (const LegacyPnlSymbol* sym : {&btc, &eth}) {
    Decimal old_total, new_total;
    for (const LegacyPnlRow& row : sym->rows) {
      SCOPED_TRACE(row.order_id);
      ASSERT_TRUE(row.new_pnl.has_value());
      EXPECT_EQ(*row.new_pnl, expected.at(row.order_id));
      new_total += *row.new_pnl;
      auto old = old_pnl.find(row.order_id);
      if (old == old_pnl.end()) {
        EXPECT_FALSE(row.old_pnl.has_value());
        EXPECT_FALSE(row.difference.has_value());
        continue;
      }
      old_total += old->second;
      ASSERT_TRUE(row.old_pnl.has_value());
      EXPECT_EQ(*row.old_pnl, old->second);
      ASSERT_TRUE(row.difference.has_value());
      EXPECT_EQ(*row.difference, *row.new_pnl - old->second);  // exact
    }
    EXPECT_EQ(sym->old_total, old_total);
    EXPECT_EQ(sym->new_total, new_total);
    EXPECT_EQ(sym->difference, new_total - old_total);
    // By |difference| descending, rows without one last.
    for (size_t i = 1; i < sym->rows.size(); ++i) {
      const LegacyPnlRow& a = sym->rows[i - 1];
      const LegacyPnlRow& b = sym->rows[i];
      if (!b.difference.has_value()) continue;
      ASSERT_TRUE(a.difference.has_value()) << a.order_id << " " << b.order_id;
      EXPECT_GE(a.difference->Abs(), b.difference->Abs())
          << a.order_id << " " << b.order_id;
    }
  }
  EXPECT_EQ(btc.sells, 2);
  EXPECT_EQ(btc.sells_with_old, 2);
  EXPECT_EQ(eth.sells, 2);
  EXPECT_EQ(eth.sells_with_old, 1);
  ASSERT_EQ(eth.rows.size(), 2u);
  EXPECT_EQ(eth.rows[0].order_id, "E-SELL");
  EXPECT_EQ(eth.rows[1].order_id, "E-SELL2");  // no legacy value: last
  EXPECT_EQ(eth.rows[0].unmatched_size.ToString(), "1");
  EXPECT_EQ(eth.rows[1].unmatched_size.ToString(), "0.1");
  EXPECT_EQ(cmp->old_total, btc.old_total + eth.old_total);
  EXPECT_EQ(cmp->new_total, btc.new_total + eth.new_total);
  EXPECT_EQ(cmp->difference, cmp->new_total - cmp->old_total);

  // One symbol; a version without rows leaves the new side empty.
  cmp = CompareLegacyPnl(*store_, version, std::string("ETH-USD"));
  ASSERT_TRUE(cmp.ok()) << cmp.status();
  ASSERT_EQ(cmp->symbols.size(), 1u);
  EXPECT_EQ(cmp->symbols[0].symbol, "ETH-USD");
  cmp = CompareLegacyPnl(*store_, version + 100, std::nullopt);
  ASSERT_TRUE(cmp.ok()) << cmp.status();
  for (const LegacyPnlSymbol& sym : cmp->symbols) {
    for (const LegacyPnlRow& row : sym.rows) {
      EXPECT_FALSE(row.new_pnl.has_value()) << row.order_id;
      EXPECT_FALSE(row.difference.has_value()) << row.order_id;
    }
  }
}

TEST_P(LegacyComparisonTest, FailsOnceTheLegacyColumnsAreDropped) {
  const int64_t version = ComputeVersion();
  ASSERT_GT(version, 0);
  absl::StatusOr<LegacyDropResult> dropped = store_->DropLegacyColumns();
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(CompareLegacyPnl(*store_, version, std::nullopt).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Stores, LegacyComparisonTest,
                         ::testing::ValuesIn(::fifo::testing::StoreKinds()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fifo
