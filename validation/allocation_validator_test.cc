#include "validation/allocation_validator.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "engine/fifo_engine.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

using Strings = std::vector<std::string>;

constexpr char kBtc[] = "BTC-USD";
constexpr char kEth[] = "ETH-USD";

Decimal D(const std::string& text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

absl::Time Clock(const std::string& hh_mm) {
  auto t = ParseTimestamp("2025-11-20T" + hh_mm + ":00Z");
  EXPECT_TRUE(t.ok()) << hh_mm;
  return t.ok() ? *t : absl::Time();
}

Trade MakeTrade(const std::string& id, Side side, const std::string& size,
                const std::string& price, const std::string& hh_mm,
                const std::string& fee, const std::string& symbol = kBtc) {
  Trade t;
  t.order_id = id;
  t.symbol = symbol;
  t.side = side;
  t.size = D(size);
  t.price = D(price);
  t.order_time = Clock(hh_mm);
  t.total_fees_usd = D(fee);
  t.source = "manual";
  return t;
}

// Recomputes a row's money from its size, prices and fee shares, so that a
// test can change one thing without tripping the arithmetic checks.
void Reprice(Allocation& a) {
  a.proceeds_usd = a.sell_price * a.allocated_size;
  a.net_proceeds_usd = a.proceeds_usd - a.sell_fee_share;
  if (a.matched()) {
    a.cost_basis_usd = a.buy_price * a.allocated_size + a.buy_fee_share;
    a.pnl_usd = a.net_proceeds_usd - a.cost_basis_usd;
  }
}

// "invariant sell buy row" for each violation ('-' for none).
Strings Found(const ValidationReport& report) {
  Strings out;
  for (const Violation& v : report.violations) {
    out.push_back(absl::StrCat(
        v.invariant, " ", v.sell_order_id.empty() ? "-" : v.sell_order_id, " ",
        v.buy_order_id.empty() ? "-" : v.buy_order_id, " ",
        v.allocation_index.has_value() ? absl::StrCat(*v.allocation_index)
                                       : "-"));
  }
  return out;
}

std::string Dump(const ValidationReport& report) {
  std::string out;
  for (const Violation& v : report.violations) {
    absl::StrAppend(&out, "\n  ", v.ToString());
  }
  return out;
}

class AllocationValidatorTest : public ::testing::Test {
 protected:
  // BTC-USD, dust 0.001. The engine gives:
  //   row 0  S1 > B1  1
  //   row 1  S1 > B2  0.5
  //   row 2  S2 > B2  1.5
  //   row 3  S2 > -   0.5   (unmatched)
  //   row 4  S3 > B3  0.5   (B3 keeps 0.5)
  void SetUp() override {
    trades_ = {
        MakeTrade("B1", Side::kBuy, "1", "100", "10:00", "0.30"),
        MakeTrade("B2", Side::kBuy, "2", "101", "10:01", "1.00"),
        MakeTrade("S1", Side::kSell, "1.5", "110", "10:02", "0.10"),
        MakeTrade("S2", Side::kSell, "2", "111", "10:03", "0.20"),
        MakeTrade("B3", Side::kBuy, "1", "99", "10:04", "0.03"),
        MakeTrade("S3", Side::kSell, "0.5", "100", "10:05", "0"),
        MakeTrade("EB1", Side::kBuy, "1", "100", "09:00", "0", kEth),
    };
    configs_.by_symbol[kBtc].dust_threshold = D("0.001");
    auto computed = ComputeLedger(trades_, configs_);
    ASSERT_TRUE(computed.ok()) << computed.status();
    for (const SymbolComputation& c : *computed) {
      rows_.insert(rows_.end(), c.allocations.begin(), c.allocations.end());
    }
    ASSERT_EQ(rows_.size(), 5u);
    ASSERT_EQ(rows_[3].buy_order_id, std::nullopt);
    ASSERT_EQ(rows_[4].buy_order_id, "B3");
  }

  ValidationReport Check(bool fee_shares_known = true) const {
    ValidateOptions options;
    options.fee_shares_known = fee_shares_known;
    return ValidateAllocations(trades_, rows_, configs_, options);
  }

  // Expects exactly `expected` in both modes (or only in the mode given).
  void ExpectFound(const Strings& expected) const {
    ValidationReport known = Check(true);
    EXPECT_EQ(Found(known), expected) << "fee shares known:" << Dump(known);
    ValidationReport derived = Check(false);
    EXPECT_EQ(Found(derived), expected)
        << "fee shares derived:" << Dump(derived);
  }

  std::vector<Trade> trades_;
  std::vector<Allocation> rows_;
  SymbolConfigs configs_;
};

TEST_F(AllocationValidatorTest, CleanEngineResultHasNoViolation) {
  for (bool known : {true, false}) {
    ValidationReport report = Check(known);
    EXPECT_TRUE(report.ok()) << "known=" << known << Dump(report);
    EXPECT_EQ(report.trades_checked, 7);
    EXPECT_EQ(report.buys_checked, 4);
    EXPECT_EQ(report.sells_checked, 3);
    EXPECT_EQ(report.allocations_checked, 5);
    EXPECT_EQ(report.matched_allocations, 4);
    EXPECT_EQ(report.unmatched_allocations, 1);
  }
}

TEST_F(AllocationValidatorTest, SellShortOfItsSize) {
  rows_.erase(rows_.begin() + 1);  // S1 > B2 0.5
  ExpectFound({"sell_fully_allocated S1 - -"});
  ValidationReport report = Check();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].symbol, kBtc);
  EXPECT_NE(report.violations[0].message.find("shortfall 0.5"),
            std::string::npos)
      << report.violations[0].message;
}

TEST_F(AllocationValidatorTest, SellShortfallWithinDustIsFine) {
  rows_[3].allocated_size -= D("0.001");  // exactly the threshold
  Reprice(rows_[3]);
  ExpectFound({});
  rows_[3].allocated_size -= D("0.000000000000000001");
  Reprice(rows_[3]);
  ExpectFound({"sell_fully_allocated S2 - -"});
}

TEST_F(AllocationValidatorTest, SellOverAllocatedEvenByDust) {
  rows_[3].allocated_size += D("0.0001");
  Reprice(rows_[3]);
  ExpectFound({"sell_fully_allocated S2 - -"});
}

TEST_F(AllocationValidatorTest, BuyOverAllocated) {
  // Move 0.2 of S1 from B2 to B1, which only had 1.
  rows_[0].allocated_size = D("1.2");
  rows_[1].allocated_size = D("0.3");
  Reprice(rows_[0]);
  Reprice(rows_[1]);
  ExpectFound({"buy_not_over_allocated - B1 -"});
}

TEST_F(AllocationValidatorTest, BuyOverAllocatedByTheSmallestUnit) {
  rows_[4].allocated_size += D("0.5");  // B3 fully used ...
  rows_[4].buy_fee_share = D("0.03");
  Reprice(rows_[4]);
  rows_.push_back(rows_[4]);  // ... and once more by a new sell
  trades_.push_back(MakeTrade("S4", Side::kSell, "0.000000000000000001", "100",
                              "10:06", "0"));
  Allocation& extra = rows_.back();
  extra.sell_order_id = "S4";
  extra.sell_time = Clock("10:06");
  extra.allocated_size = D("0.000000000000000001");
  extra.buy_fee_share = Decimal();
  Reprice(extra);
  // S3 now covers 1 of its 0.5.
  // Totals are reported in ledger order: B3 comes before S3.
  ExpectFound({"buy_not_over_allocated - B3 -", "sell_fully_allocated S3 - -"});
}

TEST_F(AllocationValidatorTest, PnlIsCheckedExactly) {
  rows_[4].pnl_usd += D("0.000000000000000001");
  ExpectFound({"pnl_correct S3 B3 4"});
}

TEST_F(AllocationValidatorTest, CostBasisWithoutItsFeeShare) {
  // cost_basis off by 1 (pnl consistent with it).
  rows_[0].cost_basis_usd += D("1");
  rows_[0].pnl_usd -= D("1");
  ValidationReport known = Check(true);
  EXPECT_EQ(Found(known), Strings{"cost_basis_correct S1 B1 0"}) << Dump(known);
  // Without fee-share columns the 1 looks like extra fee on B1.
  ValidationReport derived = Check(false);
  EXPECT_EQ(Found(derived), Strings{"fee_conserved - B1 -"}) << Dump(derived);
  EXPECT_NE(derived.violations[0].message.find("1.3"), std::string::npos)
      << derived.violations[0].message;
}

TEST_F(AllocationValidatorTest, ProceedsNotPriceTimesSize) {
  rows_[2].proceeds_usd += D("1");
  rows_[2].net_proceeds_usd += D("1");
  rows_[2].pnl_usd += D("1");
  ExpectFound({"proceeds_correct S2 B2 2"});
}

TEST_F(AllocationValidatorTest, NetProceedsWithoutTheSellFeeShare) {
  rows_[1].net_proceeds_usd -= D("0.05");
  rows_[1].pnl_usd -= D("0.05");
  ValidationReport known = Check(true);
  EXPECT_EQ(Found(known), Strings{"net_proceeds_correct S1 B2 1"})
      << Dump(known);
  ValidationReport derived = Check(false);
  EXPECT_EQ(Found(derived), Strings{"fee_conserved S1 - -"}) << Dump(derived);
}

TEST_F(AllocationValidatorTest, UnknownBuyIsAnOrphan) {
  rows_[0].buy_order_id = "B404";
  ExpectFound({"no_orphans S1 B404 0"});
}

TEST_F(AllocationValidatorTest, UnknownSellIsAnOrphan) {
  rows_[4].sell_order_id = "S404";
  // S3 has lost its only row.
  ExpectFound({"no_orphans S404 B3 4", "sell_fully_allocated S3 - -"});
}

TEST_F(AllocationValidatorTest, BuyIdNamingASellIsTheWrongSide) {
  rows_[4].buy_order_id = "S1";
  ExpectFound({"wrong_side S3 S1 4"});
}

TEST_F(AllocationValidatorTest, SellIdNamingABuyIsTheWrongSide) {
  rows_[4].sell_order_id = "B1";
  ExpectFound({"wrong_side B1 B3 4", "sell_fully_allocated S3 - -"});
}

TEST_F(AllocationValidatorTest, BuyOfAnotherSymbol) {
  rows_[4].buy_order_id = "EB1";
  rows_[4].buy_price = D("100");
  rows_[4].buy_time = Clock("09:00");
  rows_[4].buy_fee_share = Decimal();
  Reprice(rows_[4]);
  ExpectFound({"symbol_mismatch S3 EB1 4"});
}

TEST_F(AllocationValidatorTest, RowOfAnotherSymbol) {
  rows_[4].symbol = kEth;
  ExpectFound({"symbol_mismatch S3 B3 4", "symbol_mismatch S3 B3 4"});
}

TEST_F(AllocationValidatorTest, DenormalisedFieldsDifferFromTheTrades) {
  rows_[0].sell_price = D("110.01");
  Reprice(rows_[0]);
  rows_[2].buy_time = Clock("10:02");
  rows_[3].sell_time = Clock("10:04");
  rows_[4].buy_price = D("98");
  Reprice(rows_[4]);
  ExpectFound({"trade_fields_match S1 B1 0", "trade_fields_match S2 B2 2",
               "trade_fields_match S2 - 3", "trade_fields_match S3 B3 4"});
}

TEST_F(AllocationValidatorTest, BuyAfterTheSell) {
  trades_.push_back(MakeTrade("B4", Side::kBuy, "1", "99", "10:06", "0"));
  rows_[4].buy_order_id = "B4";
  rows_[4].buy_time = Clock("10:06");
  rows_[4].buy_fee_share = Decimal();
  Reprice(rows_[4]);
  ExpectFound({"time_ordering S3 B4 4"});
  ValidationReport report = Check();
  EXPECT_NE(report.violations[0].message.find("is after sell_time"),
            std::string::npos)
      << report.violations[0].message;
}

TEST_F(AllocationValidatorTest, EqualTimesButTheBuyIdComesAfterTheSell) {
  // Same instant as S3; "Z-BUY" > "S3" bytewise, so the buy comes after.
  trades_.push_back(MakeTrade("Z-BUY", Side::kBuy, "1", "99", "10:05", "0"));
  rows_[4].buy_order_id = "Z-BUY";
  rows_[4].buy_time = Clock("10:05");
  rows_[4].buy_fee_share = Decimal();
  Reprice(rows_[4]);
  ExpectFound({"time_ordering S3 Z-BUY 4"});
  ValidationReport report = Check();
  EXPECT_NE(report.violations[0].message.find("(order_time, order_id)"),
            std::string::npos)
      << report.violations[0].message;
  // "A-BUY" < "S3": fine.
  trades_.back().order_id = "A-BUY";
  rows_[4].buy_order_id = "A-BUY";
  ExpectFound({});
}

TEST_F(AllocationValidatorTest, ZeroSizedRow) {
  Allocation zero = rows_[0];  // S1 > B1
  zero.sell_order_id = "S3";
  zero.sell_price = D("100");
  zero.sell_time = Clock("10:05");
  zero.allocated_size = Decimal();
  zero.buy_fee_share = Decimal();
  zero.sell_fee_share = Decimal();
  Reprice(zero);
  rows_.push_back(zero);
  ExpectFound({"allocated_size_positive S3 B1 5"});
}

TEST_F(AllocationValidatorTest, UnmatchedRowWithBuyFields) {
  rows_[3].buy_price = D("100");
  rows_[3].cost_basis_usd = D("50");
  rows_[3].buy_time = Clock("10:00");
  ExpectFound({"unmatched_row_has_no_buy S2 - 3"});
  ValidationReport report = Check();
  const std::string& message = report.violations[0].message;
  EXPECT_NE(message.find("buy_price=100"), std::string::npos) << message;
  EXPECT_NE(message.find("cost_basis_usd=50"), std::string::npos) << message;
  EXPECT_NE(message.find("buy_time=2025-11-20T10:00:00.000000Z"),
            std::string::npos)
      << message;
}

TEST_F(AllocationValidatorTest, DuplicatePair) {
  // Split S3 > B3 (B3's fee share 0.015) into two rows of the same pair.
  rows_[4].allocated_size = D("0.25");
  rows_[4].buy_fee_share = D("0.0075");
  Reprice(rows_[4]);
  rows_.push_back(rows_[4]);
  ExpectFound({"no_duplicate_pair S3 B3 5"});
}

TEST_F(AllocationValidatorTest, TwoUnmatchedRowsForOneSell) {
  rows_[3].allocated_size = D("0.25");
  rows_[3].sell_fee_share = D("0.025");
  Reprice(rows_[3]);
  rows_.push_back(rows_[3]);
  ExpectFound({"no_duplicate_pair S2 - 5"});
}

TEST_F(AllocationValidatorTest, FeeOfAFullyConsumedBuyNotConserved) {
  // One unit of 1e-18 too much on B1, which is fully consumed.
  rows_[0].buy_fee_share += D("0.000000000000000001");
  Reprice(rows_[0]);
  ExpectFound({"fee_conserved - B1 -"});
}

TEST_F(AllocationValidatorTest, FeeOfAFullyMatchedSellNotConserved) {
  rows_[1].sell_fee_share -= D("0.000000000000000001");
  Reprice(rows_[1]);
  ExpectFound({"fee_conserved S1 - -"});
}

TEST_F(AllocationValidatorTest, FeeOfAPartlyConsumedBuyExceeded) {
  // B3 (fee 0.03) is half consumed; its share may not exceed the fee.
  rows_[4].buy_fee_share = D("0.030000000000000001");
  Reprice(rows_[4]);
  ExpectFound({"fee_conserved - B3 -"});
  rows_[4].buy_fee_share = D("0.03");  // the whole fee early: allowed
  Reprice(rows_[4]);
  ExpectFound({});
}

TEST_F(AllocationValidatorTest, NegativeFeeShare) {
  // B2's shares still add up to 1.00, but one is negative.
  rows_[1].buy_fee_share = D("1.1");
  rows_[2].buy_fee_share = D("-0.1");
  Reprice(rows_[1]);
  Reprice(rows_[2]);
  ExpectFound({"fee_share_non_negative S2 B2 2"});
}

TEST_F(AllocationValidatorTest, DuplicateOrderIdInTheLedger) {
  trades_.push_back(MakeTrade("B1", Side::kBuy, "5", "1", "11:00", "0"));
  ExpectFound({"unique_order_id - B1 -"});
  EXPECT_EQ(Check().trades_checked, 7);
}

TEST_F(AllocationValidatorTest, ReportsEveryViolationNotJustTheFirst) {
  rows_[0].pnl_usd += D("1");        // row 0
  rows_[1].buy_order_id = "B404";    // row 1
  rows_[3].cost_basis_usd = D("1");  // row 3
  rows_.erase(rows_.begin() + 4);    // S3 uncovered
  ValidationReport report = Check();
  EXPECT_EQ(Found(report),
            (Strings{"pnl_correct S1 B1 0", "no_orphans S1 B404 1",
                     "unmatched_row_has_no_buy S2 - 3",
                     "sell_fully_allocated S3 - -"}))
      << Dump(report);
  EXPECT_EQ(report.CountOf(invariant::kPnlCorrect), 1);
  EXPECT_EQ(report.CountOf(invariant::kNoOrphans), 1);
  EXPECT_EQ(report.CountOf(invariant::kTimeOrdering), 0);
  EXPECT_FALSE(report.ok());
}

TEST_F(AllocationValidatorTest, SymbolFilter) {
  rows_.erase(rows_.begin() + 4);  // breaks BTC-USD only
  ValidateOptions options;
  options.symbol = kEth;
  ValidationReport eth = ValidateAllocations(trades_, rows_, configs_, options);
  EXPECT_TRUE(eth.ok()) << Dump(eth);
  EXPECT_EQ(eth.trades_checked, 1);
  EXPECT_EQ(eth.allocations_checked, 0);
  options.symbol = kBtc;
  ValidationReport btc = ValidateAllocations(trades_, rows_, configs_, options);
  EXPECT_EQ(Found(btc), Strings{"sell_fully_allocated S3 - -"}) << Dump(btc);
  EXPECT_EQ(btc.trades_checked, 6);
  EXPECT_EQ(btc.allocations_checked, 4);
}

TEST_F(AllocationValidatorTest, EmptyInputsAreClean) {
  ValidationReport report = ValidateAllocations({}, {}, configs_);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.trades_checked, 0);
  // A ledger with no rows at all: every sell is uncovered.
  rows_.clear();
  ExpectFound({"sell_fully_allocated S1 - -", "sell_fully_allocated S2 - -",
               "sell_fully_allocated S3 - -"});
}

TEST(ViolationTest, ToStringNamesEverything) {
  Violation v;
  v.invariant = "pnl_correct";
  v.symbol = "BTC-USD";
  v.sell_order_id = "S1";
  v.buy_order_id = "B1";
  v.allocation_index = 3;
  v.message = "pnl_usd is 1; net_proceeds_usd - cost_basis_usd is 2";
  EXPECT_EQ(v.ToString(),
            "pnl_correct: pnl_usd is 1; net_proceeds_usd - cost_basis_usd is "
            "2 [symbol=BTC-USD, sell=S1, buy=B1, row=3]");
  Violation bare;
  bare.invariant = "x";
  bare.message = "y";
  EXPECT_EQ(bare.ToString(), "x: y");
}

}  // namespace
}  // namespace fifo
