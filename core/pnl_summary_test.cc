// SummarizePnl over a real store (a SQLite file, and a fresh PostgreSQL
// database unless FIFO_TEST_POSTGRES_URL is unset): a version computed by
// Computations, summed per symbol and per day or month, with each filter.
#include "core/pnl_summary.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/computations.h"
#include "engine/decimal.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"
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

absl::Time T(const std::string& text) {
  absl::StatusOr<absl::Time> t = ParseTimestamp(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : absl::UnixEpoch();
}

// BTC-USD: SELL-1 (0.7, fee 0.70) takes BUY-1 whole and 0.2 of BUY-2 on
// 2025-11-20; PnL 998.5 + 199.6. ETH-USD: E-SELL (3, fee 0.3) on 2025-11-21
// takes E-BUY's 2 (PnL 199.3) and leaves 1 unmatched.
struct Fill {
  const char* order_id;
  const char* symbol;
  Side side;
  const char* size;
  const char* price;
  const char* time;
  const char* fees;
};
constexpr Fill kLedger[] = {
    {"BUY-1", "BTC-USD", Side::kBuy, "0.5", "30000", "2025-11-20T10:00:00Z",
     "1.00"},
    {"BUY-2", "BTC-USD", Side::kBuy, "0.3", "31000", "2025-11-20T10:05:00Z",
     "0.30"},
    {"SELL-1", "BTC-USD", Side::kSell, "0.7", "32000", "2025-11-20T10:10:00Z",
     "0.70"},
    {"E-BUY", "ETH-USD", Side::kBuy, "2", "2000", "2025-11-20T09:00:00Z",
     "0.5"},
    {"E-SELL", "ETH-USD", Side::kSell, "3", "2100", "2025-11-21T09:00:00Z",
     "0.3"},
};

// What a PnlRow must hold; decimals compared by value.
struct Expected {
  std::string symbol;
  std::string period;
  int64_t sells;
  int64_t matched_allocations;
  int64_t unmatched_allocations;
  std::string matched_size;
  std::string unmatched_size;
  std::string proceeds_usd;
  std::string net_proceeds_usd;
  std::string cost_basis_usd;
  std::string realized_pnl_usd;
};

Expected Btc(const std::string& period) {
  return {"BTC-USD", period, 1,         2,         0,        "0.7",
          "0",       "22400", "22399.3", "21201.2", "1198.1"};
}

Expected Eth(const std::string& period) {
  return {"ETH-USD", period, 1,        1,        1,       "2",
          "1",       "4200", "4199.8", "4000.5", "199.3"};
}

class PnlSummaryTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    absl::StatusOr<std::vector<AppliedMigration>> migrated = store_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.status();
    std::vector<Trade> trades;
    for (const Fill& f : kLedger) {
      Trade t;
      t.order_id = f.order_id;
      t.symbol = f.symbol;
      t.side = f.side;
      t.size = D(f.size);
      t.price = D(f.price);
      t.order_time = T(f.time);
      t.total_fees_usd = D(f.fees);
      t.source = "manual";
      trades.push_back(t);
    }
    absl::StatusOr<ImportResult> imported = store_->ImportTrades(trades, false);
    ASSERT_TRUE(imported.ok()) << imported.status();
    Computations computations(store_.get(), SymbolConfigs{});
    absl::StatusOr<ComputationRun> run =
        computations.ComputeAllSymbols(ComputeOptions{});
    ASSERT_TRUE(run.ok()) << run.status();
    version_ = run->allocation_version;
  }

  int64_t version_ = 0;
};

TEST_P(PnlSummaryTest, SumsEachGroupExactly) {
  struct Case {
    std::string name;
    std::optional<std::string> symbol;
    std::optional<std::string> from;
    std::optional<std::string> to;
    PnlGrouping grouping;
    std::vector<Expected> rows;
  };
  const std::vector<Case> cases = {
      {"every symbol", std::nullopt, std::nullopt, std::nullopt,
       PnlGrouping::kNone, {Btc(""), Eth("")}},
      {"by day", std::nullopt, std::nullopt, std::nullopt, PnlGrouping::kDay,
       {Btc("2025-11-20"), Eth("2025-11-21")}},
      {"by month", std::nullopt, std::nullopt, std::nullopt,
       PnlGrouping::kMonth, {Btc("2025-11"), Eth("2025-11")}},
      {"one symbol", "ETH-USD", std::nullopt, std::nullopt, PnlGrouping::kNone,
       {Eth("")}},
      {"from a day on (inclusive)", std::nullopt, "2025-11-21T09:00:00Z",
       std::nullopt, PnlGrouping::kDay, {Eth("2025-11-21")}},
      {"up to a time (exclusive)", std::nullopt, std::nullopt,
       "2025-11-21T09:00:00Z", PnlGrouping::kNone, {Btc("")}},
      {"an empty period", std::nullopt, "2025-12-01T00:00:00Z", std::nullopt,
       PnlGrouping::kNone, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PnlQuery query;
    query.version = version_;
    query.symbol = c.symbol;
    if (c.from.has_value()) query.sell_time_from = T(*c.from);
    if (c.to.has_value()) query.sell_time_to = T(*c.to);
    query.grouping = c.grouping;
    absl::StatusOr<std::vector<PnlRow>> rows = SummarizePnl(*store_, query);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), c.rows.size());
    for (size_t i = 0; i < c.rows.size(); ++i) {
      const PnlRow& got = (*rows)[i];
      const Expected& want = c.rows[i];
      SCOPED_TRACE(absl::StrCat(want.symbol, " ", want.period));
      EXPECT_EQ(got.symbol, want.symbol);
      EXPECT_EQ(got.period, want.period);
      EXPECT_EQ(got.sells, want.sells);
      EXPECT_EQ(got.matched_allocations, want.matched_allocations);
      EXPECT_EQ(got.unmatched_allocations, want.unmatched_allocations);
      EXPECT_EQ(got.matched_size, D(want.matched_size));
      EXPECT_EQ(got.unmatched_size, D(want.unmatched_size));
      EXPECT_EQ(got.proceeds_usd, D(want.proceeds_usd));
      EXPECT_EQ(got.net_proceeds_usd, D(want.net_proceeds_usd));
      EXPECT_EQ(got.cost_basis_usd, D(want.cost_basis_usd));
      EXPECT_EQ(got.realized_pnl_usd, D(want.realized_pnl_usd));
    }
  }
}

TEST_P(PnlSummaryTest, AnUnknownVersionHasNoRows) {
  absl::StatusOr<std::vector<PnlRow>> rows =
      SummarizePnl(*store_, PnlQuery{version_ + 1});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_TRUE(rows->empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, PnlSummaryTest,
                         ::testing::ValuesIn(::fifo::testing::StoreKinds()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fifo
