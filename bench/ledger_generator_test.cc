#include "bench/ledger_generator.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/decimal.h"
#include "engine/fifo_engine.h"
#include "engine/trade.h"
#include "formats/trades_csv.h"
#include "gtest/gtest.h"

namespace fifo {
namespace bench {
namespace {

LedgerOptions Options(LedgerShape shape, int64_t trades, uint64_t seed = 7) {
  LedgerOptions options;
  options.shape = shape;
  options.trades = trades;
  options.seed = seed;
  return options;
}

std::string Csv(const std::vector<Trade>& trades) {
  std::ostringstream out;
  EXPECT_TRUE(WriteTradesCsv(out, trades).ok());
  return out.str();
}

TEST(LedgerGeneratorTest, ShapeNamesRoundTrip) {
  for (LedgerShape shape : AllLedgerShapes()) {
    auto parsed = ParseLedgerShape(LedgerShapeName(shape));
    ASSERT_TRUE(parsed.ok()) << LedgerShapeName(shape);
    EXPECT_EQ(*parsed, shape);
  }
  auto bad = ParseLedgerShape("tiny");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("small-fills"), std::string::npos)
      << bad.status();
}

TEST(LedgerGeneratorTest, ValidatesOptions) {
  LedgerOptions options;
  options.trades = -1;
  EXPECT_EQ(ValidateLedgerOptions(options).code(),
            absl::StatusCode::kInvalidArgument);
  options.trades = 0;
  options.symbols = -2;
  EXPECT_EQ(ValidateLedgerOptions(options).code(),
            absl::StatusCode::kInvalidArgument);
  options.symbols = 3;
  EXPECT_TRUE(ValidateLedgerOptions(options).ok());
  EXPECT_TRUE(GenerateLedger(options).empty());
}

TEST(LedgerGeneratorTest, SameOptionsSameLedgerByteForByte) {
  for (LedgerShape shape : AllLedgerShapes()) {
    const std::string a = Csv(GenerateLedger(Options(shape, 3000)));
    const std::string b = Csv(GenerateLedger(Options(shape, 3000)));
    EXPECT_EQ(a, b) << LedgerShapeName(shape);
    const std::string other = Csv(GenerateLedger(Options(shape, 3000, 8)));
    EXPECT_NE(a, other) << LedgerShapeName(shape);
  }
}

TEST(LedgerGeneratorTest, StreamingEqualsMaterialised) {
  const LedgerOptions options = Options(LedgerShape::kMixed, 2000);
  const std::vector<Trade> all = GenerateLedger(options);
  LedgerGenerator generator(options);
  Trade trade;
  size_t i = 0;
  while (generator.Next(&trade)) {
    ASSERT_LT(i, all.size());
    EXPECT_EQ(Csv({trade}), Csv({all[i]})) << "trade " << i;
    ++i;
  }
  EXPECT_EQ(i, all.size());
  EXPECT_EQ(generator.produced(), 2000);
  EXPECT_FALSE(generator.Next(&trade));
}

// Valid trades, unique ids, non-decreasing times with some ties, file order
// equal to engine order, decimals within the promised precision.
TEST(LedgerGeneratorTest, TradesAreValidAndInLedgerOrder) {
  for (LedgerShape shape : AllLedgerShapes()) {
    SCOPED_TRACE(LedgerShapeName(shape));
    const std::vector<Trade> trades = GenerateLedger(Options(shape, 20000));
    ASSERT_EQ(trades.size(), 20000u);
    std::set<std::string> ids;
    std::set<std::string> symbols;
    int ties = 0;
    int zero_fees = 0;
    std::set<int> price_scales;
    for (size_t i = 0; i < trades.size(); ++i) {
      const Trade& t = trades[i];
      ASSERT_TRUE(ValidateTrade(t).ok()) << ValidateTrade(t);
      ASSERT_TRUE(ids.insert(t.order_id).second) << t.order_id;
      symbols.insert(t.symbol);
      EXPECT_LE(t.size.scale(), 8) << t.size;
      EXPECT_LE(t.price.scale(), 8) << t.price;
      EXPECT_LE(t.total_fees_usd.scale(), 8) << t.total_fees_usd;
      price_scales.insert(t.price.scale());
      if (t.total_fees_usd.is_zero()) ++zero_fees;
      if (i > 0) {
        ASSERT_TRUE(EngineOrderLess(trades[i - 1], t)) << i;
        if (trades[i - 1].order_time == t.order_time) ++ties;
      }
    }
    EXPECT_GT(ties, 0);
    EXPECT_GT(zero_fees, 0);
    EXPECT_LT(zero_fees, 20000);
    EXPECT_GT(price_scales.size(), 1u);
    EXPECT_EQ(static_cast<int>(symbols.size()),
              std::min(20000, EffectiveSymbolCount(Options(shape, 20000))));
  }
}

TEST(LedgerGeneratorTest, SymbolsOptionOverridesTheShapeDefault) {
  LedgerOptions options = Options(LedgerShape::kSmallFills, 5000);
  options.symbols = 5;
  std::set<std::string> symbols;
  for (const Trade& t : GenerateLedger(options)) symbols.insert(t.symbol);
  EXPECT_EQ(symbols.size(), 5u);
}

// The shapes differ where the benchmarks need them to.
TEST(LedgerGeneratorTest, ShapesHaveTheirCharacter) {
  struct Profile {
    int64_t buys = 0;
    int64_t sells = 0;
    int64_t allocations = 0;
    int64_t unmatched = 0;
  };
  auto profile = [](LedgerShape shape) {
    auto result = ComputeLedger(GenerateLedger(Options(shape, 50000)), {});
    EXPECT_TRUE(result.ok()) << result.status();
    Profile p;
    if (!result.ok()) return p;
    for (const SymbolComputation& c : *result) {
      p.buys += c.stats.buys_processed;
      p.sells += c.stats.sells_processed;
      p.allocations += static_cast<int64_t>(c.allocations.size());
      p.unmatched += c.stats.unmatched_allocations;
    }
    return p;
  };
  const Profile small = profile(LedgerShape::kSmallFills);
  EXPECT_GT(small.sells, 20 * small.buys);
  EXPECT_LT(small.allocations, 2 * small.sells);
  const Profile deep = profile(LedgerShape::kDeepInventory);
  EXPECT_GT(deep.buys, 10 * deep.sells);
  EXPECT_GT(deep.allocations, 10 * deep.sells);
  const Profile history = profile(LedgerShape::kLongHistory);
  EXPECT_GT(history.allocations, history.sells);
  EXPECT_LT(history.allocations, 4 * history.sells);
  for (LedgerShape shape : AllLedgerShapes()) {
    const Profile p = profile(shape);
    EXPECT_GT(p.unmatched, 0) << LedgerShapeName(shape);
    EXPECT_LT(p.unmatched * 100, p.sells) << LedgerShapeName(shape);
  }
}

TEST(LedgerGeneratorTest, LongHistorySpansYears) {
  const std::vector<Trade> trades =
      GenerateLedger(Options(LedgerShape::kLongHistory, 10000));
  const absl::Duration span =
      trades.back().order_time - trades.front().order_time;
  EXPECT_GT(span, absl::Hours(24 * 365 * 3));
  EXPECT_LT(span, absl::Hours(24 * 365 * 8));
}

TEST(LedgerGeneratorTest, CsvRoundTripGivesEqualTrades) {
  const std::vector<Trade> trades =
      GenerateLedger(Options(LedgerShape::kManySymbols, 3000));
  std::istringstream in(Csv(trades));
  std::vector<Trade> back;
  absl::Status status = ReadTradesCsv(in, "generated", [&](Trade&& t, int64_t) {
    back.push_back(std::move(t));
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(back.size(), trades.size());
  for (size_t i = 0; i < trades.size(); ++i) {
    EXPECT_EQ(back[i].order_id, trades[i].order_id);
    EXPECT_EQ(back[i].size, trades[i].size);
    EXPECT_EQ(back[i].size.scale(), trades[i].size.scale());
    EXPECT_EQ(back[i].price, trades[i].price);
    EXPECT_EQ(back[i].total_fees_usd, trades[i].total_fees_usd);
    EXPECT_EQ(back[i].order_time, trades[i].order_time);
  }
}

}  // namespace
}  // namespace bench
}  // namespace fifo
