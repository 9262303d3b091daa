#include "engine/fifo_engine.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/allocation.h"
#include "engine/decimal.h"
#include "engine/symbol_config.h"
#include "engine/timestamp.h"
#include "engine/trade.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

constexpr char kBtc[] = "BTC-USD";

Decimal D(const std::string& text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

absl::Time At(const std::string& text) {
  auto t = ParseTimestamp(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : absl::Time();
}

// 2025-11-20 at HH:MM UTC.
absl::Time Clock(const std::string& hh_mm) {
  return At("2025-11-20T" + hh_mm + ":00Z");
}

Trade MakeTrade(const std::string& id, Side side, const std::string& size,
                const std::string& price, absl::Time time,
                const std::string& fee = "0",
                const std::string& symbol = kBtc) {
  Trade t;
  t.order_id = id;
  t.symbol = symbol;
  t.side = side;
  t.size = D(size);
  t.price = D(price);
  t.order_time = time;
  t.total_fees_usd = D(fee);
  t.source = "manual";
  return t;
}

Trade Buy(const std::string& id, const std::string& size,
          const std::string& price, absl::Time time,
          const std::string& fee = "0", const std::string& symbol = kBtc) {
  return MakeTrade(id, Side::kBuy, size, price, time, fee, symbol);
}

Trade Sell(const std::string& id, const std::string& size,
           const std::string& price, absl::Time time,
           const std::string& fee = "0", const std::string& symbol = kBtc) {
  return MakeTrade(id, Side::kSell, size, price, time, fee, symbol);
}

SymbolConfig WithDust(const std::string& dust) {
  SymbolConfig config;
  config.dust_threshold = D(dust);
  return config;
}

SymbolComputation RunBtc(std::vector<Trade> trades,
                         const SymbolConfig& config = {},
                         SymbolState opening = {}) {
  auto result =
      ComputeSymbol(kBtc, std::move(trades), config, std::move(opening));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : SymbolComputation();
}

// Every field of two allocations, with the row named in failures.
void ExpectSameAllocation(const Allocation& a, const Allocation& b,
                          const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(a.sell_order_id, b.sell_order_id);
  EXPECT_EQ(a.buy_order_id, b.buy_order_id);
  EXPECT_EQ(a.symbol, b.symbol);
  EXPECT_EQ(a.allocated_size, b.allocated_size);
  EXPECT_EQ(a.sell_price, b.sell_price);
  EXPECT_EQ(a.sell_fees_per_unit, b.sell_fees_per_unit);
  EXPECT_EQ(a.sell_fee_share, b.sell_fee_share);
  EXPECT_EQ(a.proceeds_usd, b.proceeds_usd);
  EXPECT_EQ(a.net_proceeds_usd, b.net_proceeds_usd);
  EXPECT_EQ(a.sell_time, b.sell_time);
  EXPECT_EQ(a.buy_price, b.buy_price);
  EXPECT_EQ(a.buy_fees_per_unit, b.buy_fees_per_unit);
  EXPECT_EQ(a.buy_fee_share, b.buy_fee_share);
  EXPECT_EQ(a.cost_basis_usd, b.cost_basis_usd);
  EXPECT_EQ(a.pnl_usd, b.pnl_usd);
  EXPECT_EQ(a.buy_time, b.buy_time);
}

void ExpectSameAllocations(const std::vector<Allocation>& a,
                           const std::vector<Allocation>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ExpectSameAllocation(a[i], b[i], "row " + std::to_string(i));
  }
}

void ExpectSameLots(const std::vector<OpenLot>& a,
                    const std::vector<OpenLot>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("lot " + std::to_string(i));
    EXPECT_EQ(a[i].buy_order_id, b[i].buy_order_id);
    EXPECT_EQ(a[i].buy_time, b[i].buy_time);
    EXPECT_EQ(a[i].price, b[i].price);
    EXPECT_EQ(a[i].size, b[i].size);
    EXPECT_EQ(a[i].total_fees_usd, b[i].total_fees_usd);
    EXPECT_EQ(a[i].consumed_size, b[i].consumed_size);
    EXPECT_EQ(a[i].consumed_fee_share, b[i].consumed_fee_share);
  }
}

// The buy ids of the lots, in order.
std::vector<std::string> LotIds(const std::vector<OpenLot>& lots) {
  std::vector<std::string> ids;
  for (const OpenLot& lot : lots) ids.push_back(lot.buy_order_id);
  return ids;
}

// "SELL>BUY size" (or "SELL>- size" for an unmatched row) for each row.
std::vector<std::string> Shape(const std::vector<Allocation>& rows) {
  std::vector<std::string> out;
  for (const Allocation& a : rows) {
    out.push_back(a.sell_order_id + ">" + a.buy_order_id.value_or("-") + " " +
                  a.allocated_size.ToString());
  }
  return out;
}

using Strings = std::vector<std::string>;

// The design's appendix: one sell matched to two buys.
TEST(FifoEngineTest, DesignAppendixExample) {
  SymbolComputation c = RunBtc({
      Buy("BUY-1", "0.5", "30000", Clock("10:00")),
      Buy("BUY-2", "0.3", "31000", Clock("10:05")),
      Sell("SELL-1", "0.7", "32000", Clock("10:10")),
  });
  ASSERT_EQ(c.allocations.size(), 2u);
  const Allocation& row1 = c.allocations[0];
  EXPECT_EQ(row1.sell_order_id, "SELL-1");
  EXPECT_EQ(row1.buy_order_id, "BUY-1");
  EXPECT_EQ(row1.symbol, kBtc);
  EXPECT_EQ(row1.allocated_size, D("0.5"));
  EXPECT_EQ(row1.buy_price, D("30000"));
  EXPECT_EQ(row1.sell_price, D("32000"));
  EXPECT_EQ(row1.cost_basis_usd, D("15000"));
  EXPECT_EQ(row1.proceeds_usd, D("16000"));
  EXPECT_EQ(row1.net_proceeds_usd, D("16000"));
  EXPECT_EQ(row1.pnl_usd, D("1000"));
  EXPECT_EQ(row1.buy_time, Clock("10:00"));
  EXPECT_EQ(row1.sell_time, Clock("10:10"));
  EXPECT_TRUE(row1.buy_fee_share.is_zero());
  EXPECT_TRUE(row1.sell_fee_share.is_zero());

  const Allocation& row2 = c.allocations[1];
  EXPECT_EQ(row2.sell_order_id, "SELL-1");
  EXPECT_EQ(row2.buy_order_id, "BUY-2");
  EXPECT_EQ(row2.allocated_size, D("0.2"));
  EXPECT_EQ(row2.cost_basis_usd, D("6200"));
  EXPECT_EQ(row2.proceeds_usd, D("6400"));
  EXPECT_EQ(row2.pnl_usd, D("200"));
  EXPECT_EQ(row2.buy_time, Clock("10:05"));

  EXPECT_EQ(c.stats.realized_pnl, D("1200"));
  EXPECT_EQ(c.stats.buys_processed, 2);
  EXPECT_EQ(c.stats.sells_processed, 1);
  EXPECT_EQ(c.stats.matched_allocations, 2);
  EXPECT_EQ(c.stats.unmatched_allocations, 0);
  EXPECT_EQ(c.stats.matched_size, D("0.7"));
  EXPECT_TRUE(c.stats.unmatched_size.is_zero());
  EXPECT_TRUE(c.unmatched_sells.empty());
  EXPECT_TRUE(c.dust_remainders.empty());

  // BUY-1 is used up; BUY-2 carries 0.1 forward.
  ASSERT_EQ(c.closing.open_lots.size(), 1u);
  const OpenLot& lot = c.closing.open_lots[0];
  EXPECT_EQ(lot.buy_order_id, "BUY-2");
  EXPECT_EQ(lot.size, D("0.3"));
  EXPECT_EQ(lot.consumed_size, D("0.2"));
  EXPECT_EQ(lot.remaining_size(), D("0.1"));
  EXPECT_EQ(lot.remaining_cost_usd(), D("3100"));
  ASSERT_TRUE(c.closing.high_water_mark.has_value());
  EXPECT_EQ(c.closing.high_water_mark->order_id, "SELL-1");
  EXPECT_EQ(c.closing.high_water_mark->order_time, Clock("10:10"));
}

TEST(FifoEngineTest, OneSellOverManyBuys) {
  SymbolComputation c = RunBtc({
      Buy("B1", "1", "100", Clock("10:00")),
      Buy("B2", "2", "110", Clock("10:01")),
      Buy("B3", "0.25", "120", Clock("10:02")),
      Buy("B4", "3", "130", Clock("10:03")),
      Buy("B5", "1", "140", Clock("10:04")),
      Sell("S1", "4.75", "150", Clock("10:05")),
  });
  EXPECT_EQ(Shape(c.allocations),
            (Strings{"S1>B1 1", "S1>B2 2", "S1>B3 0.25", "S1>B4 1.5"}));
  // 50 + 80 + 7.5 + 30.
  EXPECT_EQ(c.stats.realized_pnl, D("167.5"));
  EXPECT_EQ(LotIds(c.closing.open_lots), (Strings{"B4", "B5"}));
  EXPECT_EQ(c.closing.open_lots[0].remaining_size(), D("1.5"));
  EXPECT_EQ(c.closing.open_lots[1].remaining_size(), D("1"));
}

TEST(FifoEngineTest, OneBuyOverManySells) {
  SymbolComputation c = RunBtc({
      Buy("B1", "10", "100", Clock("10:00")),
      Sell("S1", "1", "101", Clock("10:01")),
      Sell("S2", "2.5", "99", Clock("10:02")),
      Sell("S3", "6.5", "102", Clock("10:03")),
      Sell("S4", "1", "103", Clock("10:04")),
  });
  EXPECT_EQ(Shape(c.allocations),
            (Strings{"S1>B1 1", "S2>B1 2.5", "S3>B1 6.5", "S4>- 1"}));
  EXPECT_EQ(c.allocations[0].pnl_usd, D("1"));
  EXPECT_EQ(c.allocations[1].pnl_usd, D("-2.5"));
  EXPECT_EQ(c.allocations[2].pnl_usd, D("13"));
  EXPECT_EQ(c.stats.realized_pnl, D("11.5"));
  EXPECT_TRUE(c.closing.open_lots.empty());
  ASSERT_EQ(c.unmatched_sells.size(), 1u);
  EXPECT_EQ(c.unmatched_sells[0].sell_order_id, "S4");
}

TEST(FifoEngineTest, LongQueuesWrapAndGrowInFifoOrder) {
  // The open lots live in a ring that grows while partly consumed: buys and
  // sells interleave so that the ring wraps and grows several times with
  // its head in the middle. A plain reference FIFO gives the expected rows.
  std::vector<Trade> trades;
  std::vector<std::pair<std::string, Decimal>> reference;  // id, remaining
  size_t reference_head = 0;
  Strings expected;
  absl::Time t = Clock("10:00");
  int buys = 0;
  int sells = 0;
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 3 + round * 4; ++i) {
      const std::string id =
          absl::StrCat("B", absl::Dec(buys++, absl::kZeroPad3));
      const std::string size = absl::StrCat(1 + i % 3, ".5");
      trades.push_back(Buy(id, size, "100", t += absl::Seconds(1), "0.03"));
      reference.emplace_back(id, D(size));
    }
    for (int i = 0; i < 2 + round; ++i) {
      const std::string id =
          absl::StrCat("S", absl::Dec(sells++, absl::kZeroPad3));
      const std::string size = absl::StrCat(2 + i % 4, ".25");
      trades.push_back(Sell(id, size, "101", t += absl::Seconds(1), "0.01"));
      Decimal left = D(size);
      while (left.is_positive() && reference_head < reference.size()) {
        auto& [buy, remaining] = reference[reference_head];
        const Decimal take = Decimal::Min(left, remaining);
        expected.push_back(absl::StrCat(id, ">", buy, " ", take.ToString()));
        left -= take;
        remaining -= take;
        if (!remaining.is_positive()) ++reference_head;
      }
      if (left.is_positive()) {
        expected.push_back(absl::StrCat(id, ">- ", left.ToString()));
      }
    }
  }
  SymbolComputation c = RunBtc(trades);
  EXPECT_EQ(Shape(c.allocations), expected);
  Strings open;
  for (size_t i = reference_head; i < reference.size(); ++i) {
    open.push_back(reference[i].first);
  }
  EXPECT_EQ(LotIds(c.closing.open_lots), open);
  // Every fully consumed buy's fee shares add up to its fee exactly.
  std::map<std::string, Decimal> buy_fees;
  for (const Allocation& a : c.allocations) {
    if (a.matched()) buy_fees[*a.buy_order_id] += a.buy_fee_share;
  }
  for (size_t i = 0; i < reference_head; ++i) {
    EXPECT_EQ(buy_fees[reference[i].first], D("0.03")) << reference[i].first;
  }
}

TEST(FifoEngineTest, EqualTimestampsAreOrderedByOrderIdBytewise) {
  const absl::Time t = Clock("10:00");
  // "A-SELL" < "B-BUY": the sell comes first and must not consume the buy.
  // "C-SELL" > "B-BUY": it may.
  SymbolComputation c = RunBtc({
      Buy("B-BUY", "1", "100", t),
      Sell("A-SELL", "0.4", "110", t),
      Sell("C-SELL", "0.4", "110", t),
  });
  EXPECT_EQ(Shape(c.allocations),
            (Strings{"A-SELL>- 0.4", "C-SELL>B-BUY 0.4"}));

  // Bytewise, not numeric and not case-insensitive: "S-10" < "S-9" and
  // "Z" (0x5A) < "a" (0x61).
  SymbolComputation d = RunBtc({
      Buy("a", "1", "100", t),
      Sell("Z", "1", "110", t),
      Buy("S-9", "1", "100", t),
      Sell("S-10", "1", "110", t),
  });
  EXPECT_EQ(Shape(d.allocations), (Strings{"S-10>- 1", "Z>S-9 1"}));
  EXPECT_EQ(LotIds(d.closing.open_lots), (Strings{"a"}));
}

TEST(FifoEngineTest, InputOrderDoesNotMatter) {
  std::vector<Trade> trades = {
      Buy("B1", "1.5", "100", Clock("10:00"), "0.3"),
      Buy("B2", "2", "101", Clock("10:01"), "0.7"),
      Sell("S1", "1", "105", Clock("10:02"), "0.1"),
      Buy("B3", "0.5", "99", Clock("10:02")),  // "B3" < "S1": before it
      Sell("S2", "2.5", "107", Clock("10:03"), "0.2"),
      Sell("S3", "1", "108", Clock("10:04"), "0.05"),
      Buy("B4", "1", "98", Clock("10:05"), "0.01"),
  };
  SymbolComputation sorted = RunBtc(trades);
  EXPECT_EQ(
      Shape(sorted.allocations),
      (Strings{"S1>B1 1", "S2>B1 0.5", "S2>B2 2", "S3>B3 0.5", "S3>- 0.5"}));
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(trades.begin(), trades.end(), rng);
    SymbolComputation shuffled = RunBtc(trades);
    SCOPED_TRACE("shuffle " + std::to_string(round));
    ExpectSameAllocations(shuffled.allocations, sorted.allocations);
    ExpectSameLots(shuffled.closing.open_lots, sorted.closing.open_lots);
  }
}

TEST(FifoEngineTest, UnmatchedRemainderGetsARowWithoutBuySide) {
  SymbolComputation c = RunBtc({
      Buy("B1", "0.5", "100", Clock("10:00"), "0.5"),
      Sell("S1", "0.8", "120", Clock("10:01"), "0.8"),
  });
  ASSERT_EQ(c.allocations.size(), 2u);
  const Allocation& matched = c.allocations[0];
  EXPECT_EQ(matched.buy_order_id, "B1");
  EXPECT_EQ(matched.allocated_size, D("0.5"));
  EXPECT_EQ(matched.buy_fee_share, D("0.5"));
  EXPECT_EQ(matched.sell_fee_share, D("0.5"));
  EXPECT_EQ(matched.cost_basis_usd, D("50.5"));
  EXPECT_EQ(matched.net_proceeds_usd, D("59.5"));
  EXPECT_EQ(matched.pnl_usd, D("9"));

  const Allocation& unmatched = c.allocations[1];
  EXPECT_FALSE(unmatched.matched());
  EXPECT_FALSE(unmatched.buy_order_id.has_value());
  EXPECT_EQ(unmatched.sell_order_id, "S1");
  EXPECT_EQ(unmatched.symbol, kBtc);
  EXPECT_EQ(unmatched.allocated_size, D("0.3"));
  // Sell side set...
  EXPECT_EQ(unmatched.sell_price, D("120"));
  EXPECT_EQ(unmatched.sell_time, Clock("10:01"));
  EXPECT_EQ(unmatched.sell_fees_per_unit, D("1"));
  EXPECT_EQ(unmatched.sell_fee_share, D("0.3"));
  EXPECT_EQ(unmatched.proceeds_usd, D("36"));
  EXPECT_EQ(unmatched.net_proceeds_usd, D("35.7"));
  // ...buy side and PnL empty.
  EXPECT_TRUE(unmatched.buy_price.is_zero());
  EXPECT_TRUE(unmatched.buy_fees_per_unit.is_zero());
  EXPECT_TRUE(unmatched.buy_fee_share.is_zero());
  EXPECT_TRUE(unmatched.cost_basis_usd.is_zero());
  EXPECT_TRUE(unmatched.pnl_usd.is_zero());
  EXPECT_EQ(unmatched.buy_time, absl::Time());

  ASSERT_EQ(c.unmatched_sells.size(), 1u);
  const UnmatchedSell& event = c.unmatched_sells[0];
  EXPECT_EQ(event.sell_order_id, "S1");
  EXPECT_EQ(event.symbol, kBtc);
  EXPECT_EQ(event.sell_time, Clock("10:01"));
  EXPECT_EQ(event.sell_size, D("0.8"));
  EXPECT_EQ(event.unmatched_size, D("0.3"));
  EXPECT_TRUE(event.available_inventory.empty());
  EXPECT_EQ(c.stats.unmatched_allocations, 1);
  EXPECT_EQ(c.stats.unmatched_size, D("0.3"));
  EXPECT_EQ(c.stats.matched_size, D("0.5"));
  // PnL counts matched rows only.
  EXPECT_EQ(c.stats.realized_pnl, D("9"));
}

TEST(FifoEngineTest, SellBeforeAnyBuyIsUnmatched) {
  SymbolComputation c = RunBtc({
      Sell("S1", "2", "100", Clock("09:00"), "1"),
      Buy("B1", "3", "90", Clock("10:00")),
  });
  ASSERT_EQ(c.allocations.size(), 1u);
  EXPECT_FALSE(c.allocations[0].matched());
  EXPECT_EQ(c.allocations[0].allocated_size, D("2"));
  EXPECT_EQ(c.allocations[0].sell_fee_share, D("1"));
  EXPECT_EQ(c.allocations[0].net_proceeds_usd, D("199"));
  ASSERT_EQ(c.unmatched_sells.size(), 1u);
  EXPECT_EQ(c.unmatched_sells[0].unmatched_size, D("2"));
  // The later buy is untouched.
  ASSERT_EQ(c.closing.open_lots.size(), 1u);
  EXPECT_EQ(c.closing.open_lots[0].buy_order_id, "B1");
  EXPECT_TRUE(c.closing.open_lots[0].consumed_size.is_zero());
}

TEST(FifoEngineTest, DustInventoryIsSkippedAndDustRemaindersAreNotUnmatched) {
  SymbolComputation c = RunBtc(
      {
          Buy("B0-DUST", "0.0005", "100", Clock("09:59")),
          Buy("B1", "1", "100", Clock("10:00")),
          Buy("B1-DUST", "0.0002", "100", Clock("10:01")),
          // Skips the dust lot; leaves B1 with 0.0005, dust.
          Sell("S1", "0.9995", "110", Clock("10:02")),
          // Nothing above dust is left: unmatched, and the event lists the
          // dust lots in engine order (B1 turned into dust after B1-DUST
          // was recorded, yet comes before it).
          Sell("S2", "0.5", "110", Clock("10:03")),
          // A sell at or below the dust threshold: no row at all.
          Sell("S3", "0.001", "110", Clock("10:04")),
          Buy("B2", "1", "100", Clock("10:05")),
          // Matches 1 from B2; the 0.0009 left over is dust, not unmatched.
          Sell("S4", "1.0009", "110", Clock("10:06")),
          // A lot exactly at the threshold is dust too.
          Buy("B3", "0.001", "100", Clock("10:07")),
          Buy("B4", "2", "100", Clock("10:08")),
          Sell("S5", "1.5", "110", Clock("10:09")),
          // Leaves B4 with exactly the threshold: dust, never matched.
          Sell("S6", "0.499", "110", Clock("10:10")),
          Sell("S7", "0.3", "110", Clock("10:11")),
      },
      WithDust("0.001"));
  EXPECT_EQ(Shape(c.allocations),
            (Strings{"S1>B1 0.9995", "S2>- 0.5", "S4>B2 1", "S5>B4 1.5",
                     "S6>B4 0.499", "S7>- 0.3"}));
  ASSERT_EQ(c.unmatched_sells.size(), 2u);
  EXPECT_EQ(c.unmatched_sells[1].sell_order_id, "S7");
  EXPECT_EQ(c.unmatched_sells[1].available_inventory.size(), 5u);
  EXPECT_EQ(c.unmatched_sells[0].sell_order_id, "S2");
  EXPECT_EQ(c.unmatched_sells[0].unmatched_size, D("0.5"));
  const auto& inventory = c.unmatched_sells[0].available_inventory;
  ASSERT_EQ(inventory.size(), 3u);
  EXPECT_EQ(inventory[0].first, "B0-DUST");
  EXPECT_EQ(inventory[0].second, D("0.0005"));
  EXPECT_EQ(inventory[1].first, "B1");
  EXPECT_EQ(inventory[1].second, D("0.0005"));
  EXPECT_EQ(inventory[2].first, "B1-DUST");
  EXPECT_EQ(inventory[2].second, D("0.0002"));

  ASSERT_EQ(c.dust_remainders.size(), 2u);
  EXPECT_EQ(c.dust_remainders[0].sell_order_id, "S3");
  EXPECT_EQ(c.dust_remainders[0].remainder, D("0.001"));
  EXPECT_EQ(c.dust_remainders[1].sell_order_id, "S4");
  EXPECT_EQ(c.dust_remainders[1].remainder, D("0.0009"));
  EXPECT_EQ(c.stats.dust_size, D("0.0019"));
  EXPECT_EQ(c.stats.unmatched_size, D("0.8"));

  // The closing inventory lists every lot with something left, dust
  // included, in engine order.
  EXPECT_EQ(LotIds(c.closing.open_lots),
            (Strings{"B0-DUST", "B1", "B1-DUST", "B3", "B4"}));
  EXPECT_EQ(c.closing.open_lots[1].remaining_size(), D("0.0005"));
  EXPECT_EQ(c.closing.open_lots[4].remaining_size(), D("0.001"));
}

TEST(FifoEngineTest, DustThresholdZeroIsExact) {
  SymbolComputation c = RunBtc({
      Buy("B1", "1", "100", Clock("10:00")),
      Sell("S1", "1.000000000000000001", "100", Clock("10:01")),
  });
  EXPECT_EQ(Shape(c.allocations),
            (Strings{"S1>B1 1", "S1>- 0.000000000000000001"}));
  EXPECT_TRUE(c.dust_remainders.empty());
}

// ERRATA 5: a fee of 1.00 over 3 units consumed in three partial fills.
TEST(FifoEngineTest, BuyFeeSharesAddUpExactly) {
  SymbolComputation c = RunBtc({
      Buy("B1", "3", "100", Clock("10:00"), "1.00"),
      Sell("S1", "1", "110", Clock("10:01")),
      Sell("S2", "1", "110", Clock("10:02")),
      Sell("S3", "1", "110", Clock("10:03")),
  });
  ASSERT_EQ(c.allocations.size(), 3u);
  // Cumulative rounding at scale 18, half-even:
  //   round(1/3) = 0.333333333333333333
  //   round(2/3) = 0.666666666666666667
  //   3/3        = 1
  EXPECT_EQ(c.allocations[0].buy_fee_share, D("0.333333333333333333"));
  EXPECT_EQ(c.allocations[1].buy_fee_share, D("0.333333333333333334"));
  EXPECT_EQ(c.allocations[2].buy_fee_share, D("0.333333333333333333"));
  Decimal total;
  for (const Allocation& a : c.allocations) {
    total += a.buy_fee_share;
    EXPECT_EQ(a.buy_fees_per_unit, D("0.333333333333333333"));
    EXPECT_EQ(a.cost_basis_usd, D("100") + a.buy_fee_share);
    EXPECT_EQ(a.pnl_usd, D("10") - a.buy_fee_share);
  }
  EXPECT_EQ(total, D("1"));
  EXPECT_EQ(c.stats.realized_pnl, D("29"));
  EXPECT_TRUE(c.closing.open_lots.empty());
}

TEST(FifoEngineTest, SellFeeSharesAddUpExactly) {
  SymbolComputation c = RunBtc({
      Buy("B1", "1", "100", Clock("10:00"), "0.07"),
      Buy("B2", "1", "100", Clock("10:01"), "0.07"),
      Buy("B3", "1", "100", Clock("10:02"), "0.07"),
      Sell("S1", "3", "110", Clock("10:03"), "1.00"),
  });
  ASSERT_EQ(c.allocations.size(), 3u);
  EXPECT_EQ(c.allocations[0].sell_fee_share, D("0.333333333333333333"));
  EXPECT_EQ(c.allocations[1].sell_fee_share, D("0.333333333333333334"));
  EXPECT_EQ(c.allocations[2].sell_fee_share, D("0.333333333333333333"));
  Decimal sell_total, pnl;
  for (const Allocation& a : c.allocations) {
    sell_total += a.sell_fee_share;
    pnl += a.pnl_usd;
    EXPECT_EQ(a.buy_fee_share, D("0.07"));
    EXPECT_EQ(a.net_proceeds_usd, a.proceeds_usd - a.sell_fee_share);
  }
  EXPECT_EQ(sell_total, D("1"));
  // 30 - 1 - 3 * 0.07, exactly.
  EXPECT_EQ(pnl, D("28.79"));
  EXPECT_EQ(c.stats.realized_pnl, D("28.79"));
}

TEST(FifoEngineTest, FeeSharesOfAPartlyConsumedLotFollowTheCumulativeRule) {
  SymbolComputation c = RunBtc({
      Buy("B1", "7", "10", Clock("10:00"), "0.1"),
      Sell("S1", "1", "11", Clock("10:01")),
      Sell("S2", "2", "11", Clock("10:02")),
  });
  ASSERT_EQ(c.allocations.size(), 2u);
  // round(0.1 * 1/7) = 0.014285714285714286, round(0.1 * 3/7) =
  // 0.042857142857142857.
  EXPECT_EQ(c.allocations[0].buy_fee_share, D("0.014285714285714286"));
  EXPECT_EQ(c.allocations[1].buy_fee_share, D("0.028571428571428571"));
  ASSERT_EQ(c.closing.open_lots.size(), 1u);
  EXPECT_EQ(c.closing.open_lots[0].consumed_fee_share,
            D("0.042857142857142857"));
  EXPECT_EQ(c.closing.open_lots[0].remaining_fee_share(),
            D("0.057142857142857143"));
  EXPECT_EQ(c.closing.open_lots[0].remaining_cost_usd(),
            D("40.057142857142857143"));
}

TEST(FifoEngineTest, FeesFinerThanScale18AreKeptExactly) {
  // A fee with 30 places is apportioned at its own scale.
  SymbolComputation c = RunBtc({
      Buy("B1", "2", "1", Clock("10:00"), "0.000000000000000000000000000003"),
      Sell("S1", "1", "1", Clock("10:01")),
      Sell("S2", "1", "1", Clock("10:02")),
  });
  ASSERT_EQ(c.allocations.size(), 2u);
  // 1.5e-30 rounds half-even to 2e-30; the rest is 1e-30.
  EXPECT_EQ(c.allocations[0].buy_fee_share,
            D("0.000000000000000000000000000002"));
  EXPECT_EQ(c.allocations[1].buy_fee_share,
            D("0.000000000000000000000000000001"));
}

TEST(FifoEngineTest, ExtremeMagnitudesStayExact) {
  SymbolComputation c = RunBtc({
      Buy("B1", "1000000000000", "0.000000000000000001", Clock("10:00"),
          "0.000000000000000001"),
      Buy("B2", "0.000000000000000001", "123456789.123456789012345678",
          Clock("10:01"), "0.000000000000000001"),
      Sell("S1", "999999999999.999999999999999999", "0.000000000000000003",
           Clock("10:02"), "1000000"),
      Sell("S2", "0.000000000000000002", "987654321.987654321098765432",
           Clock("10:03")),
  });
  EXPECT_EQ(
      Shape(c.allocations),
      (Strings{"S1>B1 999999999999.999999999999999999",
               "S2>B1 0.000000000000000001", "S2>B2 0.000000000000000001"}));
  const Allocation& a = c.allocations[0];
  EXPECT_EQ(a.proceeds_usd, D("0.000002999999999999999999999999999997"));
  // The buy fee 1e-18 over 1e12 units: cumulative share of all but 1e-18
  // units rounds to 1e-18, so the whole fee lands on the first row.
  EXPECT_EQ(a.buy_fee_share, D("0.000000000000000001"));
  EXPECT_EQ(a.sell_fee_share, D("1000000"));
  EXPECT_EQ(a.cost_basis_usd, D("0.000001000000000000999999999999999999"));
  EXPECT_EQ(a.pnl_usd, a.net_proceeds_usd - a.cost_basis_usd);
  EXPECT_EQ(a.pnl_usd, D("-999999.999998000000000001000000000000000002"));
  const Allocation& b = c.allocations[1];
  EXPECT_TRUE(b.buy_fee_share.is_zero());
  EXPECT_EQ(b.proceeds_usd, D("0.000000000987654321987654321098765432"));
  EXPECT_EQ(b.cost_basis_usd, D("0.000000000000000000000000000000000001"));
  const Allocation& e = c.allocations[2];
  EXPECT_EQ(e.buy_fee_share, D("0.000000000000000001"));
  EXPECT_EQ(e.cost_basis_usd, D("0.000000000123456789123456789012345678") +
                                  D("0.000000000000000001"));
  EXPECT_TRUE(c.closing.open_lots.empty());
}

// A ledger with fees, dust, unmatched sells and equal times, used to check
// that splitting a run anywhere gives the same result as one full run.
std::vector<Trade> MixedLedger() {
  return {
      Buy("B01", "1.5", "100", Clock("10:00"), "0.30"),
      Buy("B02", "0.0004", "101", Clock("10:00"), "0.01"),  // dust
      Sell("S01", "0.7", "105", Clock("10:01"), "0.07"),
      Buy("B03", "2", "99.5", Clock("10:02"), "1.00"),
      Sell("S02", "1.3", "106", Clock("10:02"), "0.11"),
      Sell("S03", "1.4996", "107", Clock("10:03"), "0.13"),
      Sell("S04", "0.5", "108", Clock("10:04"), "0.05"),  // unmatched
      Buy("B04", "3", "98", Clock("10:05"), "1.00"),
      Sell("S05", "1", "97", Clock("10:06"), "0.01"),
      Sell("S06", "1", "96", Clock("10:06"), "0.01"),
      Buy("B05", "0.25", "95", Clock("10:07")),
      Sell("S07", "0.0005", "96", Clock("10:08")),  // dust remainder
      Sell("S08", "1.25", "99", Clock("10:09"), "0.02"),
      Buy("B06", "5", "100", Clock("10:10"), "0.5"),
      Sell("S09", "4.9995", "101", Clock("10:11"), "0.1"),
  };
}

TEST(FifoEngineTest, SplitRunFromClosingStateEqualsOneFullRun) {
  std::vector<Trade> ledger = MixedLedger();
  std::sort(ledger.begin(), ledger.end(), EngineOrderLess);
  const SymbolConfig config = WithDust("0.0005");
  SymbolComputation full = RunBtc(ledger, config);
  ASSERT_GE(full.unmatched_sells.size(), 1u);
  ASSERT_GE(full.dust_remainders.size(), 1u);
  for (size_t split = 0; split <= ledger.size(); ++split) {
    SCOPED_TRACE("split before trade " + std::to_string(split));
    std::vector<Trade> first(ledger.begin(), ledger.begin() + split);
    std::vector<Trade> second(ledger.begin() + split, ledger.end());
    SymbolComputation a = RunBtc(first, config);
    SymbolComputation b = RunBtc(second, config, a.closing);
    std::vector<Allocation> joined = a.allocations;
    joined.insert(joined.end(), b.allocations.begin(), b.allocations.end());
    ExpectSameAllocations(joined, full.allocations);
    ExpectSameLots(b.closing.open_lots, full.closing.open_lots);
    EXPECT_EQ(b.closing.high_water_mark, full.closing.high_water_mark);
    EXPECT_EQ(a.stats.realized_pnl + b.stats.realized_pnl,
              full.stats.realized_pnl);
    EXPECT_EQ(a.unmatched_sells.size() + b.unmatched_sells.size(),
              full.unmatched_sells.size());
    EXPECT_EQ(a.dust_remainders.size() + b.dust_remainders.size(),
              full.dust_remainders.size());
    // A third run from the second's closing state with no trades changes
    // nothing.
    SymbolComputation idle = RunBtc({}, config, b.closing);
    EXPECT_TRUE(idle.allocations.empty());
    ExpectSameLots(idle.closing.open_lots, full.closing.open_lots);
  }
}

TEST(FifoEngineTest, SymbolAllocatorFeedsOneTradeAtATime) {
  std::vector<Trade> ledger = MixedLedger();
  std::sort(ledger.begin(), ledger.end(), EngineOrderLess);
  const SymbolConfig config = WithDust("0.0005");
  SymbolAllocator allocator(kBtc, config);
  std::vector<Allocation> rows;
  for (const Trade& t : ledger) {
    ASSERT_TRUE(allocator.Add(t, &rows).ok()) << t.order_id;
  }
  SymbolComputation full = RunBtc(ledger, config);
  ExpectSameAllocations(rows, full.allocations);
  ExpectSameLots(allocator.ClosingState().open_lots, full.closing.open_lots);
  EXPECT_EQ(allocator.stats().realized_pnl, full.stats.realized_pnl);
  EXPECT_EQ(allocator.symbol(), kBtc);
}

TEST(FifoEngineTest, TradeAtOrBeforeTheHighWaterMarkIsFailedPrecondition) {
  SymbolComputation first = RunBtc({
      Buy("B1", "1", "100", Clock("10:00")),
      Sell("S1", "0.5", "100", Clock("10:05")),
  });
  // Same time, smaller order id: before the mark.
  auto before = ComputeSymbol(kBtc, {Buy("A0", "1", "100", Clock("10:05"))}, {},
                              first.closing);
  EXPECT_EQ(before.status().code(), absl::StatusCode::kFailedPrecondition)
      << before.status();
  EXPECT_NE(before.status().message().find("A0"), std::string::npos);
  EXPECT_NE(before.status().message().find("S1"), std::string::npos);
  // The mark itself.
  auto at = ComputeSymbol(kBtc, {Sell("S1", "0.5", "100", Clock("10:05"))}, {},
                          first.closing);
  EXPECT_EQ(at.status().code(), absl::StatusCode::kFailedPrecondition);
  // Earlier.
  auto earlier = ComputeSymbol(kBtc, {Buy("B9", "1", "100", Clock("09:00"))},
                               {}, first.closing);
  EXPECT_EQ(earlier.status().code(), absl::StatusCode::kFailedPrecondition);
  // Same time, larger order id: after the mark, fine.
  auto after = ComputeSymbol(kBtc, {Sell("S2", "0.5", "100", Clock("10:05"))},
                             {}, first.closing);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(Shape(after->allocations), (Strings{"S2>B1 0.5"}));
}

TEST(FifoEngineTest, AllocatorRejectsOutOfOrderTradesWithoutChangingState) {
  SymbolAllocator allocator(kBtc, {});
  std::vector<Allocation> rows;
  ASSERT_TRUE(allocator.Add(Buy("B1", "1", "100", Clock("10:00")), &rows).ok());
  ASSERT_TRUE(
      allocator.Add(Sell("S1", "0.5", "100", Clock("10:05")), &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  absl::Status s =
      allocator.Add(Sell("S0", "0.5", "100", Clock("10:01")), &rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  s = allocator.Add(Sell("S1", "0.5", "100", Clock("10:05")), &rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(allocator.stats().sells_processed, 1);
  // The failed trades left no trace: the next one still sees 0.5 in B1.
  ASSERT_TRUE(
      allocator.Add(Sell("S2", "0.5", "100", Clock("10:06")), &rows).ok());
  EXPECT_EQ(Shape(rows), (Strings{"S1>B1 0.5", "S2>B1 0.5"}));
}

TEST(FifoEngineTest, DuplicateOrderIdIsRejected) {
  auto one_symbol = ComputeSymbol(kBtc,
                                  {Buy("X1", "1", "100", Clock("10:00")),
                                   Sell("X1", "1", "100", Clock("10:01"))},
                                  {});
  EXPECT_EQ(one_symbol.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(one_symbol.status().message().find("duplicate order_id X1"),
            std::string::npos)
      << one_symbol.status();
  // Across symbols in one ledger.
  auto ledger =
      ComputeLedger({Buy("X1", "1", "100", Clock("10:00"), "0", "BTC-USD"),
                     Buy("X1", "1", "100", Clock("10:00"), "0", "ETH-USD")},
                    {});
  EXPECT_EQ(ledger.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ledger.status().message().find("X1"), std::string::npos);
}

TEST(FifoEngineTest, WrongSymbolIsRejected) {
  auto result =
      ComputeSymbol(kBtc,
                    {Buy("B1", "1", "100", Clock("10:00")),
                     Sell("E1", "1", "100", Clock("10:01"), "0", "ETH-USD")},
                    {});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("E1"), std::string::npos)
      << result.status();
  EXPECT_NE(result.status().message().find("ETH-USD"), std::string::npos);

  SymbolAllocator allocator(kBtc, {});
  std::vector<Allocation> rows;
  absl::Status s = allocator.Add(
      Buy("E2", "1", "100", Clock("10:00"), "0", "ETH-USD"), &rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

TEST(FifoEngineTest, MalformedTradesAreRejected) {
  struct Case {
    Trade trade;
    const char* field;
  };
  Trade zero_size = Buy("Z1", "1", "100", Clock("10:00"));
  zero_size.size = Decimal();
  Trade negative_price = Buy("Z2", "1", "100", Clock("10:00"));
  negative_price.price = D("-1");
  Trade negative_fee = Sell("Z3", "1", "100", Clock("10:00"));
  negative_fee.total_fees_usd = D("-0.01");
  Trade sub_micro = Buy("Z4", "1", "100", Clock("10:00"));
  sub_micro.order_time += absl::Nanoseconds(1);
  Trade no_symbol = Buy("Z5", "1", "100", Clock("10:00"));
  no_symbol.symbol.clear();
  Trade no_id = Buy("", "1", "100", Clock("10:00"));
  const Case kCases[] = {
      {zero_size, "size"},
      {negative_price, "price"},
      {negative_fee, "total_fees_usd"},
      {sub_micro, "order_time"},
      {no_symbol, "symbol"},
      {no_id, "order_id"},
  };
  for (const Case& c : kCases) {
    auto result = ComputeLedger({c.trade}, {});
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
        << c.field << ": " << result.status();
    EXPECT_NE(result.status().message().find(c.field), std::string::npos)
        << c.field << ": " << result.status();
  }
}

TEST(FifoEngineTest, OrderTimeMustBeAWholeMicrosecond) {
  Trade t = Buy("W1", "1", "100", Clock("10:00"));
  EXPECT_TRUE(ValidateTrade(t).ok());
  const absl::Time before_epoch =
      absl::UnixEpoch() - absl::Hours(24 * 365 * 50) - absl::Microseconds(7);
  t.order_time = before_epoch;
  EXPECT_TRUE(ValidateTrade(t).ok());
  for (absl::Duration off : {absl::Nanoseconds(1), absl::Nanoseconds(999),
                             absl::Nanoseconds(-1), absl::Nanoseconds(1) / 4}) {
    t.order_time = before_epoch + off;
    EXPECT_EQ(ValidateTrade(t).code(), absl::StatusCode::kInvalidArgument)
        << off;
    t.order_time = Clock("10:00") + off;
    EXPECT_EQ(ValidateTrade(t).code(), absl::StatusCode::kInvalidArgument)
        << off;
  }
  for (absl::Time inf : {absl::InfiniteFuture(), absl::InfinitePast()}) {
    t.order_time = inf;
    EXPECT_EQ(ValidateTrade(t).code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(FifoEngineTest, LedgerRunsEachSymbolWithItsOwnConfig) {
  SymbolConfigs configs;
  configs.by_symbol["ETH-USD"] = WithDust("0.01");
  auto result = ComputeLedger(
      {
          Sell("E-S1", "1.005", "2100", Clock("10:02"), "0", "ETH-USD"),
          Buy("B-B1", "1", "30000", Clock("10:00"), "0", "BTC-USD"),
          Buy("E-B1", "1", "2000", Clock("10:00"), "0", "ETH-USD"),
          Sell("B-S1", "1.005", "31000", Clock("10:01"), "0", "BTC-USD"),
          Buy("S-B1", "1", "150", Clock("10:00"), "0", "SOL-USD"),
      },
      configs);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->size(), 3u);
  // Sorted by symbol.
  EXPECT_EQ((*result)[0].symbol, "BTC-USD");
  EXPECT_EQ((*result)[1].symbol, "ETH-USD");
  EXPECT_EQ((*result)[2].symbol, "SOL-USD");
  // BTC uses the default (exact): 0.005 is unmatched.
  EXPECT_EQ(Shape((*result)[0].allocations),
            (Strings{"B-S1>B-B1 1", "B-S1>- 0.005"}));
  // ETH has dust 0.01: 0.005 is a dust remainder.
  EXPECT_EQ(Shape((*result)[1].allocations), (Strings{"E-S1>E-B1 1"}));
  ASSERT_EQ((*result)[1].dust_remainders.size(), 1u);
  EXPECT_EQ((*result)[1].dust_remainders[0].remainder, D("0.005"));
  // A symbol with only buys still gets its inventory.
  EXPECT_TRUE((*result)[2].allocations.empty());
  EXPECT_EQ(LotIds((*result)[2].closing.open_lots), (Strings{"S-B1"}));

  auto empty = ComputeLedger({}, configs);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(FifoEngineTest, OpeningLotsAtOrBelowDustAreCarriedButNotMatched) {
  SymbolState opening;
  OpenLot dust;
  dust.buy_order_id = "OLD-1";
  dust.buy_time = Clock("09:00");
  dust.price = D("90");
  dust.size = D("1");
  dust.consumed_size = D("0.9995");
  OpenLot live;
  live.buy_order_id = "OLD-2";
  live.buy_time = Clock("09:30");
  live.price = D("95");
  live.size = D("2");
  live.total_fees_usd = D("0.2");
  live.consumed_size = D("1");
  live.consumed_fee_share = D("0.1");
  opening.open_lots = {dust, live};
  opening.high_water_mark = TradeKey{Clock("09:45"), "S-OLD"};
  SymbolComputation c = RunBtc({Sell("S1", "1.5", "100", Clock("10:00"))},
                               WithDust("0.001"), opening);
  EXPECT_EQ(Shape(c.allocations), (Strings{"S1>OLD-2 1", "S1>- 0.5"}));
  EXPECT_EQ(c.allocations[0].buy_fee_share, D("0.1"));
  EXPECT_EQ(c.allocations[0].cost_basis_usd, D("95.1"));
  EXPECT_EQ(LotIds(c.closing.open_lots), (Strings{"OLD-1"}));
}

TEST(FifoEngineTest, AnInvalidOpeningStateIsRejectedNotDividedBy) {
  OpenLot good;
  good.buy_order_id = "OLD-1";
  good.buy_time = Clock("09:00");
  good.price = D("90");
  good.size = D("1");
  struct Case {
    const char* name;
    std::function<void(SymbolState*)> spoil;
    std::string message;
  };
  const Case cases[] = {
      {"zero size", [](SymbolState* s) { s->open_lots[0].size = D("0"); },
       "opening state: lot 0 (buy \"OLD-1\"): size must be > 0, got 0"},
      {"zero price", [](SymbolState* s) { s->open_lots[0].price = D("0"); },
       "opening state: lot 0 (buy \"OLD-1\"): price must be > 0, got 0"},
      {"fully consumed",
       [](SymbolState* s) { s->open_lots[0].consumed_size = D("1"); },
       "opening state: lot 0 (buy \"OLD-1\"): consumed_size must be in "
       "[0, size 1), got 1"},
      {"fee share above the fee",
       [](SymbolState* s) { s->open_lots[0].consumed_fee_share = D("0.01"); },
       "opening state: lot 0 (buy \"OLD-1\"): consumed_fee_share must be the "
       "cumulative share of consumed_size (ERRATA 5), 0, got 0.01"},
      {"no buy id", [](SymbolState* s) { s->open_lots[0].buy_order_id = ""; },
       "opening state: lot 0 (buy \"\"): buy_order_id is empty"},
      {"out of order",
       [](SymbolState* s) {
         s->open_lots.push_back(s->open_lots[0]);
       },
       "opening state: lot 1 (buy \"OLD-1\"): lots are not in strictly "
       "increasing engine order"},
      {"no high-water mark",
       [](SymbolState* s) { s->high_water_mark.reset(); },
       "opening state: open lots without a high-water mark"},
      {"lot after the mark",
       [](SymbolState* s) {
         s->high_water_mark = TradeKey{Clock("08:00"), "S-OLD"};
       },
       "opening state: the last open lot comes after the high-water mark"},
  };
  for (const Case& c : cases) {
    SymbolState opening;
    opening.open_lots = {good};
    opening.high_water_mark = TradeKey{Clock("09:45"), "S-OLD"};
    EXPECT_TRUE(ValidateSymbolState(opening).ok()) << c.name;
    c.spoil(&opening);
    EXPECT_EQ(ValidateSymbolState(opening),
              absl::InvalidArgumentError(c.message))
        << c.name;
    auto result = ComputeSymbol(kBtc, {Sell("S1", "0.5", "100", Clock("10:00"))},
                                SymbolConfig(), opening);
    EXPECT_EQ(result.status(), absl::InvalidArgumentError(c.message)) << c.name;
    SymbolAllocator allocator(kBtc, SymbolConfig(), opening);
    std::vector<Allocation> out;
    EXPECT_EQ(allocator.Add(Sell("S2", "0.5", "100", Clock("10:00")), &out),
              absl::InvalidArgumentError(c.message))
        << c.name;
    EXPECT_TRUE(out.empty()) << c.name;
  }
}

}  // namespace
}  // namespace fifo
