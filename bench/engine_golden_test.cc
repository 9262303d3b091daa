// Golden digests of ComputeLedger over generated ledgers.
//
// The digests below were computed by the engine on the original
// arbitrary-precision Decimal (boost cpp_int only), before the fixed-width
// fast path and the parallel ComputeLedger existed. The engine must keep
// producing the same allocations, closing inventories, statistics and events,
// byte for byte in their canonical text, whatever representation Decimal uses
// inside and however many threads run. A change here means the engine's
// output changed: that needs a kAlgorithmVersion bump, not a new digest.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/ledger_generator.h"
#include "engine/decimal.h"
#include "engine/fifo_engine.h"
#include "engine/symbol_config.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"

namespace fifo {
namespace bench {
namespace {

// FNV-1a over a stream of fields, each followed by a separator.
class Digest {
 public:
  void Add(absl::string_view text) {
    for (unsigned char c : text) {
      hash_ ^= c;
      hash_ *= 0x100000001b3ull;
    }
    hash_ ^= 0x1f;
    hash_ *= 0x100000001b3ull;
  }
  void Add(const Decimal& d) {
    Add(d.ToString());
    Add(absl::StrCat(d.scale()));
  }
  void Add(absl::Time t) { Add(FormatTimestamp(t)); }
  void Add(int64_t n) { Add(absl::StrCat(n)); }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

uint64_t LedgerDigest(const std::vector<SymbolComputation>& result) {
  Digest d;
  for (const SymbolComputation& c : result) {
    d.Add(c.symbol);
    for (const Allocation& a : c.allocations) {
      d.Add(a.sell_order_id);
      d.Add(a.buy_order_id.value_or("<unmatched>"));
      d.Add(a.symbol);
      d.Add(a.allocated_size);
      d.Add(a.sell_price);
      d.Add(a.sell_fees_per_unit);
      d.Add(a.sell_fee_share);
      d.Add(a.proceeds_usd);
      d.Add(a.net_proceeds_usd);
      d.Add(a.sell_time);
      d.Add(a.buy_price);
      d.Add(a.buy_fees_per_unit);
      d.Add(a.buy_fee_share);
      d.Add(a.cost_basis_usd);
      d.Add(a.pnl_usd);
      d.Add(a.buy_time);
    }
    for (const OpenLot& lot : c.closing.open_lots) {
      d.Add(lot.buy_order_id);
      d.Add(lot.buy_time);
      d.Add(lot.price);
      d.Add(lot.size);
      d.Add(lot.total_fees_usd);
      d.Add(lot.consumed_size);
      d.Add(lot.consumed_fee_share);
    }
    if (c.closing.high_water_mark.has_value()) {
      d.Add(c.closing.high_water_mark->order_id);
      d.Add(c.closing.high_water_mark->order_time);
    }
    d.Add(c.stats.buys_processed);
    d.Add(c.stats.sells_processed);
    d.Add(c.stats.matched_allocations);
    d.Add(c.stats.unmatched_allocations);
    d.Add(c.stats.matched_size);
    d.Add(c.stats.unmatched_size);
    d.Add(c.stats.dust_size);
    d.Add(c.stats.realized_pnl);
    for (const UnmatchedSell& u : c.unmatched_sells) {
      d.Add(u.sell_order_id);
      d.Add(u.symbol);
      d.Add(u.sell_time);
      d.Add(u.sell_size);
      d.Add(u.unmatched_size);
      for (const auto& [id, size] : u.available_inventory) {
        d.Add(id);
        d.Add(size);
      }
    }
    for (const DustRemainder& r : c.dust_remainders) {
      d.Add(r.sell_order_id);
      d.Add(r.remainder);
    }
  }
  return d.value();
}

// Every third symbol (the first included) has a dust threshold, so dust lots
// and dust remainders are part of what is checked.
SymbolConfigs Configs(const LedgerOptions& options) {
  SymbolConfigs configs;
  std::vector<Trade> probe = GenerateLedger(options);
  for (const Trade& t : probe) {
    if (configs.by_symbol.count(t.symbol) > 0) continue;
    const size_t n = configs.by_symbol.size() + 1;
    SymbolConfig config;
    if (n % 3 == 1) config.dust_threshold = *Decimal::Parse("0.0005");
    configs.by_symbol.emplace(t.symbol, config);
  }
  return configs;
}

struct GoldenCase {
  LedgerShape shape;
  int64_t trades;
  int symbols;
  uint64_t digest;
};

TEST(EngineGoldenTest, OutputIsUnchangedByteForByte) {
  const GoldenCase kCases[] = {
      {LedgerShape::kSmallFills, 20000, 0, 0xfaed7567e48bfc74},
      {LedgerShape::kDeepInventory, 20000, 0, 0xdff9ef8da393d98},
      {LedgerShape::kManySymbols, 20000, 50, 0x510cd8d40e8130bb},
      {LedgerShape::kLongHistory, 20000, 0, 0x74c4036b9ea24b3},
      {LedgerShape::kMixed, 20000, 0, 0x6ef6292dfa3931dd},
      {LedgerShape::kMixed, 20000, 6, 0xd16329227611454f},
  };
  size_t unmatched = 0;
  size_t dust = 0;
  for (const GoldenCase& c : kCases) {
    LedgerOptions options;
    options.shape = c.shape;
    options.trades = c.trades;
    options.symbols = c.symbols;
    options.seed = 2024;
    const SymbolConfigs configs = Configs(options);
    for (int threads : {1, 2, 0}) {
      auto result = ComputeLedger(GenerateLedger(options), configs, threads);
      ASSERT_TRUE(result.ok()) << result.status();
      for (const SymbolComputation& computed : *result) {
        unmatched += computed.unmatched_sells.size();
        dust += computed.dust_remainders.size();
      }
      EXPECT_EQ(LedgerDigest(*result), c.digest)
          << LedgerShapeName(c.shape) << " trades " << c.trades << " symbols "
          << c.symbols << " threads " << threads << ": digest 0x" << std::hex
          << LedgerDigest(*result);
    }
  }
  // The ledgers exercise the unmatched and dust paths.
  EXPECT_GT(unmatched, 0u);
  EXPECT_GT(dust, 0u);
}

// Symbols run in parallel, but the error is the one a sequential run
// returns: the first failing symbol in bytewise order.
TEST(EngineGoldenTest, ErrorDoesNotDependOnThreads) {
  LedgerOptions options;
  options.shape = LedgerShape::kManySymbols;
  options.trades = 20000;
  options.symbols = 40;
  options.seed = 99;
  std::vector<Trade> trades = GenerateLedger(options);
  // Break one late trade of SYM0031 and one of SYM0007 (an invalid price).
  int broken = 0;
  for (auto it = trades.rbegin(); it != trades.rend() && broken < 2; ++it) {
    if ((it->symbol == "SYM0031-USD" && broken == 0) ||
        (it->symbol == "SYM0007-USD" && broken == 1)) {
      it->price = -it->price;
      ++broken;
    }
  }
  ASSERT_EQ(broken, 2);
  auto sequential = ComputeLedger(trades, {}, 1);
  ASSERT_FALSE(sequential.ok());
  EXPECT_EQ(sequential.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(sequential.status().message().find("price"), std::string::npos)
      << sequential.status();
  for (int threads : {2, 3, 8, 0}) {
    for (int run = 0; run < 5; ++run) {
      auto parallel = ComputeLedger(trades, {}, threads);
      ASSERT_FALSE(parallel.ok());
      EXPECT_EQ(parallel.status(), sequential.status())
          << "threads " << threads;
    }
  }
  // Which trade of SYM0007 was broken: the error names it.
  std::string first_id;
  for (const Trade& t : trades) {
    if (t.symbol == "SYM0007-USD" && t.price.is_negative())
      first_id = t.order_id;
  }
  EXPECT_NE(sequential.status().message().find(first_id), std::string::npos)
      << sequential.status();
}

TEST(EngineGoldenTest, EmptyLedgerAndMoreThreadsThanSymbols) {
  auto empty = ComputeLedger({}, {}, 2);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  LedgerOptions options;
  options.shape = LedgerShape::kMixed;
  options.trades = 3000;
  options.symbols = 3;
  auto few = ComputeLedger(GenerateLedger(options), {}, 16);
  ASSERT_TRUE(few.ok()) << few.status();
  ASSERT_EQ(few->size(), 3u);
  EXPECT_EQ((*few)[0].symbol, "SYM0000-USD");
  EXPECT_EQ((*few)[2].symbol, "SYM0002-USD");
  auto one = ComputeLedger(GenerateLedger(options), {}, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(LedgerDigest(*few), LedgerDigest(*one));
}

}  // namespace
}  // namespace bench
}  // namespace fifo
