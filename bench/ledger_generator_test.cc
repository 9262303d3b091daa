#include "bench/ledger_generator.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
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

  auto invalid = [](const std::function<void(LedgerOptions&)>& change) {
    LedgerOptions bad;
    change(bad);
    return ValidateLedgerOptions(bad).code() ==
           absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.orphan_sells = -1; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.symbol_names = {"A", ""}; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.symbol_names = {"A", "A"}; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) {
    o.symbol_names = {"A", "B"};
    o.orphan_sells = 1;
    o.orphan_symbol = "B";
  }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) {
    o.orphan_sells = 1;
    o.orphan_symbol = "SYM0003-USD";  // one of mixed's eight
  }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.backfill_id_prefix = "t"; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.id_digits = 21; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.spacing = absl::Seconds(-1); }));
  EXPECT_TRUE(
      invalid([](LedgerOptions& o) { o.spacing = absl::Nanoseconds(1500); }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.size_places = {0, 9}; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.price_places = {1, 8}; }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) { o.fee_places = {5, 4}; }));
  EXPECT_FALSE(invalid([](LedgerOptions& o) {
    o.shape = LedgerShape::kAdversarial;
    o.size_places = {0, 18};
    o.price_places = {0, 18};
    o.fee_places = {0, 20};
  }));
  EXPECT_TRUE(invalid([](LedgerOptions& o) {
    o.shape = LedgerShape::kAdversarial;
    o.fee_places = {0, Decimal::kMaxScale + 1};
  }));
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
// equal to engine order (every shape but adversarial), decimals within the
// promised precision.
TEST(LedgerGeneratorTest, TradesAreValidAndInLedgerOrder) {
  for (LedgerShape shape : AllLedgerShapes()) {
    SCOPED_TRACE(LedgerShapeName(shape));
    const bool ordered = shape != LedgerShape::kAdversarial;
    const std::vector<Trade> trades = GenerateLedger(Options(shape, 20000));
    ASSERT_EQ(trades.size(), 20000u);
    std::set<std::string> ids;
    std::set<std::string> symbols;
    int ties = 0;
    int unordered = 0;
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
      if (i > 0 && ordered) {
        ASSERT_TRUE(EngineOrderLess(trades[i - 1], t)) << i;
      }
      if (i > 0 && !ordered && EngineOrderLess(t, trades[i - 1])) ++unordered;
    }
    std::vector<Trade> sorted = trades;
    std::sort(sorted.begin(), sorted.end(), EngineOrderLess);
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i - 1].order_time == sorted[i].order_time) ++ties;
    }
    EXPECT_GT(ties, 0);
    EXPECT_EQ(unordered > 0, !ordered) << unordered;
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
  for (LedgerShape shape : BenchmarkLedgerShapes()) {
    const Profile p = profile(shape);
    EXPECT_GT(p.unmatched, 0) << LedgerShapeName(shape);
    EXPECT_LT(p.unmatched * 100, p.sells) << LedgerShapeName(shape);
  }
  // Balanced: buys a little more often than sells, sells that take more
  // than one lot, and a few percent of them more than the inventory.
  const Profile balanced = profile(LedgerShape::kBalanced);
  EXPECT_GT(balanced.buys, balanced.sells);
  EXPECT_LT(balanced.buys, 2 * balanced.sells);
  EXPECT_GT(balanced.allocations, balanced.sells);
  EXPECT_GT(balanced.unmatched * 100, balanced.sells);
  EXPECT_LT(balanced.unmatched * 100, 20 * balanced.sells);
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

// The same sequence on every platform and standard library: the first draws
// of a seed are fixed.
TEST(DeterministicRandomTest, SequenceIsFixedAndRangesHold) {
  DeterministicRandom a(1);
  DeterministicRandom b(1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.Next(), b.Next());
  DeterministicRandom c(42);
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = c.Range(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    ASSERT_LT(c.Below(7), 7u);
  }
  EXPECT_FALSE(c.Chance(0, 5));
  EXPECT_TRUE(c.Chance(5, 5));
}

// FNV-1a of the ledger's CSV text.
uint64_t CsvDigest(const LedgerOptions& options) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : Csv(GenerateLedger(options))) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

// Every shape's ledger, byte for byte, for one seed: a change to the
// generator shows here first (the benchmark shapes' are also pinned through
// the engine's output by engine_golden_test).
TEST(LedgerGeneratorTest, LedgersArePinned) {
  const std::pair<LedgerShape, uint64_t> kPinned[] = {
      {LedgerShape::kSmallFills, 0xe69aa3553b6d7fd6},
      {LedgerShape::kDeepInventory, 0xdc00755e10192c37},
      {LedgerShape::kManySymbols, 0x45224ea974c4c730},
      {LedgerShape::kLongHistory, 0x494feb82c51159bb},
      {LedgerShape::kMixed, 0xf9c9d027bb83bf1b},
      {LedgerShape::kBalanced, 0xa3d9b66c3a89d2f9},
      {LedgerShape::kAdversarial, 0x9633383b66c5235},
  };
  for (const auto& [shape, digest] : kPinned) {
    EXPECT_EQ(CsvDigest(Options(shape, 2000, 11)), digest)
        << LedgerShapeName(shape) << ": 0x" << std::hex
        << CsvDigest(Options(shape, 2000, 11));
  }
}

TEST(LedgerGeneratorTest, NamesIdsStartAndSpacing) {
  LedgerOptions options = Options(LedgerShape::kBalanced, 500);
  options.symbol_names = {"BTC-USD", "ETH-USD"};
  options.id_prefix = "G-";
  options.id_digits = 6;
  options.start = absl::FromUnixSeconds(1735689600);
  options.spacing = absl::Seconds(37);
  const std::vector<Trade> trades = GenerateLedger(options);
  ASSERT_EQ(trades.size(), 500u);
  std::set<std::string> symbols;
  for (size_t i = 0; i < trades.size(); ++i) {
    EXPECT_EQ(trades[i].order_id, absl::StrCat("G-", absl::Dec(i, absl::kZeroPad6)));
    EXPECT_EQ(trades[i].order_time,
              options.start + static_cast<int64_t>(i) * options.spacing);
    symbols.insert(trades[i].symbol);
  }
  EXPECT_EQ(symbols, (std::set<std::string>{"BTC-USD", "ETH-USD"}));
  EXPECT_EQ(EffectiveSymbolCount(options), 2);
  // No padding with id_digits 0.
  options.id_digits = 0;
  options.trades = 11;
  EXPECT_EQ(GenerateLedger(options).back().order_id, "G-10");
}

TEST(LedgerGeneratorTest, OrphanSellsAreSellsOnlyAndSpreadOut) {
  LedgerOptions options = Options(LedgerShape::kBalanced, 3000);
  options.orphan_sells = 1000;
  options.orphan_symbol = "ZZZ-USD";
  const std::vector<Trade> trades = GenerateLedger(options);
  ASSERT_EQ(trades.size(), 4000u);
  int orphans = 0;
  int orphans_in_first_half = 0;
  for (size_t i = 0; i < trades.size(); ++i) {
    if (trades[i].symbol != "ZZZ-USD") continue;
    EXPECT_EQ(trades[i].side, Side::kSell);
    ++orphans;
    if (i < 2000) ++orphans_in_first_half;
  }
  EXPECT_EQ(orphans, 1000);
  EXPECT_GT(orphans_in_first_half, 400);
  EXPECT_LT(orphans_in_first_half, 600);
  auto result = ComputeLedger(trades, {});
  ASSERT_TRUE(result.ok()) << result.status();
  for (const SymbolComputation& c : *result) {
    if (c.symbol == "ZZZ-USD") {
      EXPECT_EQ(c.stats.unmatched_allocations, 1000);
    }
  }
  // Only orphans.
  options.trades = 0;
  options.orphan_sells = 5;
  EXPECT_EQ(GenerateLedger(options).size(), 5u);
}

// Growing a ledger: Append after every trade so far, Backfill within it,
// AddSymbol and Append of one symbol.
TEST(LedgerGeneratorTest, AppendBackfillAndAddSymbol) {
  LedgerOptions options = Options(LedgerShape::kBalanced, 100);
  options.symbol_names = {"BTC-USD", "ETH-USD"};
  options.backfill_id_prefix = "BF-";
  LedgerGenerator generator(options);
  std::vector<Trade> ledger;
  Trade trade;
  while (generator.Next(&trade)) ledger.push_back(trade);
  ASSERT_EQ(ledger.size(), 100u);
  const std::vector<Trade> more = generator.Append(50);
  ASSERT_EQ(more.size(), 50u);
  EXPECT_TRUE(EngineOrderLess(ledger.back(), more.front()));
  for (size_t i = 1; i < more.size(); ++i) {
    EXPECT_TRUE(EngineOrderLess(more[i - 1], more[i]));
  }
  ledger.insert(ledger.end(), more.begin(), more.end());
  const std::vector<Trade> backfills = generator.Backfill(20);
  ASSERT_EQ(backfills.size(), 20u);
  int earlier = 0;
  for (const Trade& t : backfills) {
    EXPECT_TRUE(absl::StartsWith(t.order_id, "BF-")) << t.order_id;
    EXPECT_GE(t.order_time, options.start);
    EXPECT_LE(t.order_time, ledger.back().order_time);
    earlier += t.order_time < ledger.back().order_time;
  }
  EXPECT_GT(earlier, 10);
  ledger.insert(ledger.end(), backfills.begin(), backfills.end());
  const int added = generator.AddSymbol("NEW-USD");
  EXPECT_EQ(added, 2);
  EXPECT_EQ(generator.symbol_count(), 3);
  EXPECT_EQ(generator.symbol_name(added), "NEW-USD");
  const std::vector<Trade> fresh = generator.Append(10, added);
  for (const Trade& t : fresh) {
    EXPECT_EQ(t.symbol, "NEW-USD");
    EXPECT_GE(t.order_time, more.back().order_time);
  }
  ledger.insert(ledger.end(), fresh.begin(), fresh.end());
  EXPECT_EQ(generator.produced(), 180);
  std::set<std::string> ids;
  for (const Trade& t : ledger) {
    ASSERT_TRUE(ValidateTrade(t).ok()) << ValidateTrade(t);
    EXPECT_TRUE(ids.insert(t.order_id).second) << t.order_id;
  }
  EXPECT_TRUE(ComputeLedger(ledger, {}).ok());
}

// The adversarial shape's edge cases are there, at the precision asked for.
TEST(LedgerGeneratorTest, AdversarialHasItsEdgeCases) {
  LedgerOptions options = Options(LedgerShape::kAdversarial, 4000, 3);
  options.size_places = {0, 18};
  options.price_places = {0, 18};
  options.fee_places = {0, 20};
  LedgerGenerator generator(options);
  std::vector<Trade> trades;
  Trade trade;
  while (generator.Next(&trade)) trades.push_back(trade);
  const SymbolConfigs configs = generator.configs();
  int exact = 0, smallest = 0, deep_sizes = 0, deep_fees = 0;
  std::map<std::string, std::set<std::string>> buy_sizes;
  for (const Trade& t : trades) {
    ASSERT_TRUE(ValidateTrade(t).ok()) << ValidateTrade(t);
    const std::string size = t.size.ToString();
    if (t.side == Side::kBuy) {
      buy_sizes[t.symbol].insert(size);
    } else if (buy_sizes[t.symbol].count(size) > 0) {
      ++exact;
    }
    smallest += t.size == Decimal::FromScaled(1, 18);
    deep_sizes += t.size.scale() > 8;
    deep_fees += t.total_fees_usd.scale() > 18;
  }
  EXPECT_GT(exact, 50);
  EXPECT_GT(smallest, 10);
  EXPECT_GT(deep_sizes, 100);
  EXPECT_GT(deep_fees, 10);
  int dust = 0;
  for (const auto& [symbol, config] : configs.by_symbol) {
    dust += config.dust_threshold.is_positive();
  }
  EXPECT_GT(dust, 0);
  // Over seeds, dust thresholds and dust remainders happen.
  int64_t remainders = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    LedgerOptions o = Options(LedgerShape::kAdversarial, 300, seed);
    LedgerGenerator g(o);
    std::vector<Trade> ledger;
    while (g.Next(&trade)) ledger.push_back(trade);
    auto result = ComputeLedger(ledger, g.configs());
    ASSERT_TRUE(result.ok()) << result.status();
    for (const SymbolComputation& c : *result) {
      remainders += static_cast<int64_t>(c.dust_remainders.size());
    }
  }
  EXPECT_GT(remainders, 0);
}

TEST(LedgerGeneratorTest, PrecisionOptionsBoundThePlaces) {
  LedgerOptions options = Options(LedgerShape::kMixed, 5000);
  options.size_places = {0, 3};
  options.price_places = {2, 2};
  options.fee_places = {4, 4};
  for (const Trade& t : GenerateLedger(options)) {
    EXPECT_LE(t.size.scale(), 3) << t.size;
    EXPECT_LE(t.price.scale(), 2) << t.price;
    EXPECT_LE(t.total_fees_usd.scale(), 4) << t.total_fees_usd;
  }
}

}  // namespace
}  // namespace bench
}  // namespace fifo
