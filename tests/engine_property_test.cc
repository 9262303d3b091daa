// Randomized ledgers (fixed seeds; the same on every platform and standard
// library) run through ComputeLedger and compared, field by field, with a
// deliberately simple reference: an O(n^2) FIFO over each symbol's sorted trades that rescans every earlier buy
// for every sell and apportions fees with the ERRATA 5 formula written out
// (round_half_even(fee * cum / size) at max(18, fee places), differenced).
// Every engine result is also run through the allocation validator, which
// must find nothing, and a perturbed copy of it, which must find something.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/ledger_generator.h"
#include "engine/allocation.h"
#include "engine/decimal.h"
#include "engine/fifo_engine.h"
#include "engine/symbol_config.h"
#include "engine/timestamp.h"
#include "engine/trade.h"
#include "gtest/gtest.h"
#include "validation/allocation_validator.h"

namespace fifo {
namespace {

// ---------------------------------------------------------------------------
// Random ledgers: the adversarial shape of the project's one generator
// (bench/ledger_generator.h), which draws with its own PRNG and no standard
// library distribution, so the ledgers are the same everywhere. Per seed:
// one to four symbols, up to 100 trades per symbol on few distinct instants
// (many equal timestamps) in random order, sizes of 0 to 18 places (sells
// of exactly an earlier buy, or that less the dust threshold; the smallest
// unit; the threshold itself), prices up to 18 places, fees up to 20, and
// dust thresholds on some symbols.

struct RandomLedger {
  std::vector<Trade> trades;
  SymbolConfigs configs;
  // For the tests' own choices (where to split, what to corrupt).
  bench::DeterministicRandom random{0};
};

RandomLedger MakeLedger(uint32_t seed) {
  bench::DeterministicRandom random(seed);
  bench::LedgerOptions options;
  options.shape = bench::LedgerShape::kAdversarial;
  options.seed = random.Next();
  options.symbols = static_cast<int>(random.Range(1, 4));
  options.trades = random.Range(0, 100 * options.symbols);
  options.size_places = {0, 18};
  options.price_places = {0, 18};
  options.fee_places = {0, 20};
  options.start = absl::FromUnixSeconds(1763632800);  // 2025-11-20
  options.id_prefix = "#";
  options.id_digits = 0;
  bench::LedgerGenerator generator(options);
  RandomLedger ledger;
  Trade trade;
  while (generator.Next(&trade)) ledger.trades.push_back(trade);
  ledger.configs = generator.configs();
  ledger.random = bench::DeterministicRandom(random.Next());
  return ledger;
}

// ---------------------------------------------------------------------------
// The reference.

// round_half_even(fee * through / size) at max(18, places of fee).
Decimal CumulativeShare(const Decimal& fee, const Decimal& through,
                        const Decimal& size) {
  const int places = std::max(18, fee.Normalized().scale());
  return Decimal::Divide(fee * through, size, places);
}

Decimal PerUnit(const Decimal& fee, const Decimal& size) {
  return Decimal::Divide(fee, size, std::max(18, fee.Normalized().scale()));
}

struct Reference {
  std::string symbol;
  std::vector<Allocation> rows;
  std::vector<OpenLot> closing;
  std::vector<std::pair<std::string, Decimal>> unmatched;  // sell, size
  std::vector<std::pair<std::string, Decimal>> dust;       // sell, remainder
  Decimal realized_pnl;
};

Reference ReferenceFifo(const std::string& symbol, std::vector<Trade> trades,
                        const Decimal& dust) {
  std::sort(trades.begin(), trades.end(), [](const Trade& a, const Trade& b) {
    return std::make_pair(a.order_time, a.order_id) <
           std::make_pair(b.order_time, b.order_id);
  });
  Reference ref;
  ref.symbol = symbol;
  std::vector<Decimal> consumed(trades.size());  // by trade index, buys only
  for (size_t s = 0; s < trades.size(); ++s) {
    const Trade& sell = trades[s];
    if (sell.side != Side::kSell) continue;
    Decimal remaining = sell.size;
    Decimal sold;  // of this sell, so far
    auto row = [&](const Decimal& size) {
      Allocation a;
      a.sell_order_id = sell.order_id;
      a.symbol = symbol;
      a.allocated_size = size;
      a.sell_price = sell.price;
      a.sell_time = sell.order_time;
      a.sell_fees_per_unit = PerUnit(sell.total_fees_usd, sell.size);
      a.sell_fee_share =
          CumulativeShare(sell.total_fees_usd, sold + size, sell.size) -
          CumulativeShare(sell.total_fees_usd, sold, sell.size);
      sold += size;
      a.proceeds_usd = sell.price * size;
      a.net_proceeds_usd = a.proceeds_usd - a.sell_fee_share;
      return a;
    };
    // Every earlier buy, oldest first, rescanned from the start.
    for (size_t b = 0; b < s; ++b) {
      const Trade& buy = trades[b];
      if (buy.side != Side::kBuy) continue;
      if (remaining <= dust) break;
      const Decimal available = buy.size - consumed[b];
      if (available <= dust) continue;
      const Decimal take = available < remaining ? available : remaining;
      Allocation a = row(take);
      a.buy_order_id = buy.order_id;
      a.buy_price = buy.price;
      a.buy_time = buy.order_time;
      a.buy_fees_per_unit = PerUnit(buy.total_fees_usd, buy.size);
      a.buy_fee_share =
          CumulativeShare(buy.total_fees_usd, consumed[b] + take, buy.size) -
          CumulativeShare(buy.total_fees_usd, consumed[b], buy.size);
      a.cost_basis_usd = buy.price * take + a.buy_fee_share;
      a.pnl_usd = a.net_proceeds_usd - a.cost_basis_usd;
      ref.realized_pnl += a.pnl_usd;
      consumed[b] += take;
      remaining -= take;
      ref.rows.push_back(std::move(a));
    }
    if (remaining > dust) {
      ref.rows.push_back(row(remaining));
      ref.unmatched.emplace_back(sell.order_id, remaining);
    } else if (remaining.is_positive()) {
      ref.dust.emplace_back(sell.order_id, remaining);
    }
  }
  for (size_t b = 0; b < trades.size(); ++b) {
    const Trade& buy = trades[b];
    if (buy.side != Side::kBuy || !(buy.size - consumed[b]).is_positive()) {
      continue;
    }
    OpenLot lot;
    lot.buy_order_id = buy.order_id;
    lot.buy_time = buy.order_time;
    lot.price = buy.price;
    lot.size = buy.size;
    lot.total_fees_usd = buy.total_fees_usd;
    lot.consumed_size = consumed[b];
    lot.consumed_fee_share =
        CumulativeShare(buy.total_fees_usd, consumed[b], buy.size);
    ref.closing.push_back(std::move(lot));
  }
  return ref;
}

// ---------------------------------------------------------------------------
// Comparison: the first difference, or "".

std::string Diff(const std::string& what, const std::string& a,
                 const std::string& b) {
  return a == b ? "" : absl::StrCat(what, ": engine ", a, ", reference ", b);
}
std::string Diff(const std::string& what, const Decimal& a, const Decimal& b) {
  return a == b ? "" : Diff(what, a.ToString(), b.ToString() + " ");
}
std::string Diff(const std::string& what, absl::Time a, absl::Time b) {
  return a == b ? "" : Diff(what, FormatTimestamp(a), FormatTimestamp(b) + " ");
}

std::string DiffRows(const Allocation& a, const Allocation& b) {
  for (std::string d : {
           Diff("sell_order_id", a.sell_order_id, b.sell_order_id),
           Diff("buy_order_id", a.buy_order_id.value_or("<unmatched>"),
                b.buy_order_id.value_or("<unmatched>")),
           Diff("symbol", a.symbol, b.symbol),
           Diff("allocated_size", a.allocated_size, b.allocated_size),
           Diff("sell_price", a.sell_price, b.sell_price),
           Diff("sell_fees_per_unit", a.sell_fees_per_unit,
                b.sell_fees_per_unit),
           Diff("sell_fee_share", a.sell_fee_share, b.sell_fee_share),
           Diff("proceeds_usd", a.proceeds_usd, b.proceeds_usd),
           Diff("net_proceeds_usd", a.net_proceeds_usd, b.net_proceeds_usd),
           Diff("sell_time", a.sell_time, b.sell_time),
           Diff("buy_price", a.buy_price, b.buy_price),
           Diff("buy_fees_per_unit", a.buy_fees_per_unit, b.buy_fees_per_unit),
           Diff("buy_fee_share", a.buy_fee_share, b.buy_fee_share),
           Diff("cost_basis_usd", a.cost_basis_usd, b.cost_basis_usd),
           Diff("pnl_usd", a.pnl_usd, b.pnl_usd),
           Diff("buy_time", a.buy_time, b.buy_time),
       }) {
    if (!d.empty()) return d;
  }
  return "";
}

std::string DiffLots(const OpenLot& a, const OpenLot& b) {
  for (std::string d : {
           Diff("buy_order_id", a.buy_order_id, b.buy_order_id),
           Diff("buy_time", a.buy_time, b.buy_time),
           Diff("price", a.price, b.price),
           Diff("size", a.size, b.size),
           Diff("total_fees_usd", a.total_fees_usd, b.total_fees_usd),
           Diff("consumed_size", a.consumed_size, b.consumed_size),
           Diff("consumed_fee_share", a.consumed_fee_share,
                b.consumed_fee_share),
       }) {
    if (!d.empty()) return d;
  }
  return "";
}

std::string DiffComputation(const SymbolComputation& c, const Reference& r) {
  if (c.symbol != r.symbol) return Diff("symbol", c.symbol, r.symbol);
  const std::string at = absl::StrCat(c.symbol, ": ");
  if (c.allocations.size() != r.rows.size()) {
    return absl::StrCat(at, "engine has ", c.allocations.size(),
                        " rows, reference ", r.rows.size());
  }
  for (size_t i = 0; i < r.rows.size(); ++i) {
    std::string d = DiffRows(c.allocations[i], r.rows[i]);
    if (!d.empty()) return absl::StrCat(at, "row ", i, ": ", d);
  }
  if (c.closing.open_lots.size() != r.closing.size()) {
    return absl::StrCat(at, "engine has ", c.closing.open_lots.size(),
                        " open lots, reference ", r.closing.size());
  }
  for (size_t i = 0; i < r.closing.size(); ++i) {
    std::string d = DiffLots(c.closing.open_lots[i], r.closing[i]);
    if (!d.empty()) return absl::StrCat(at, "open lot ", i, ": ", d);
  }
  if (c.unmatched_sells.size() != r.unmatched.size()) {
    return absl::StrCat(at, "unmatched sells differ in number");
  }
  for (size_t i = 0; i < r.unmatched.size(); ++i) {
    if (c.unmatched_sells[i].sell_order_id != r.unmatched[i].first ||
        c.unmatched_sells[i].unmatched_size != r.unmatched[i].second) {
      return absl::StrCat(at, "unmatched sell ", i, " differs");
    }
  }
  if (c.dust_remainders.size() != r.dust.size()) {
    return absl::StrCat(at, "dust remainders differ in number");
  }
  for (size_t i = 0; i < r.dust.size(); ++i) {
    if (c.dust_remainders[i].sell_order_id != r.dust[i].first ||
        c.dust_remainders[i].remainder != r.dust[i].second) {
      return absl::StrCat(at, "dust remainder ", i, " differs");
    }
  }
  std::string d = Diff("realized_pnl", c.stats.realized_pnl, r.realized_pnl);
  if (!d.empty()) return at + d;
  const int64_t matched =
      static_cast<int64_t>(r.rows.size() - r.unmatched.size());
  if (c.stats.matched_allocations != matched ||
      c.stats.unmatched_allocations !=
          static_cast<int64_t>(r.unmatched.size())) {
    return absl::StrCat(at, "row counts in stats differ");
  }
  return "";
}

std::string Describe(const ValidationReport& report) {
  std::string out;
  for (const Violation& v : report.violations) {
    absl::StrAppend(&out, "\n  ", v.ToString());
  }
  return out;
}

constexpr int kSeeds = 500;

TEST(EnginePropertyTest, EngineMatchesTheReferenceAndValidates) {
  int64_t rows = 0, unmatched = 0, dust = 0, fee_rows = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RandomLedger ledger = MakeLedger(seed);
    auto computed = ComputeLedger(ledger.trades, ledger.configs);
    ASSERT_TRUE(computed.ok()) << computed.status();

    std::map<std::string, std::vector<Trade>> by_symbol;
    for (const Trade& t : ledger.trades) by_symbol[t.symbol].push_back(t);
    ASSERT_EQ(computed->size(), by_symbol.size());
    size_t i = 0;
    std::vector<Allocation> all_rows;
    for (const auto& [symbol, trades] : by_symbol) {
      const SymbolComputation& c = (*computed)[i++];
      Reference ref = ReferenceFifo(symbol, trades,
                                    ledger.configs.For(symbol).dust_threshold);
      ASSERT_EQ(DiffComputation(c, ref), "");
      all_rows.insert(all_rows.end(), c.allocations.begin(),
                      c.allocations.end());
      unmatched += ref.unmatched.size();
      dust += ref.dust.size();
    }
    for (const Allocation& a : all_rows) {
      fee_rows += !a.buy_fee_share.is_zero() || !a.sell_fee_share.is_zero();
    }
    rows += all_rows.size();

    for (bool known : {true, false}) {
      ValidateOptions options;
      options.fee_shares_known = known;
      ValidationReport report =
          ValidateAllocations(ledger.trades, all_rows, ledger.configs, options);
      EXPECT_TRUE(report.ok())
          << "fee shares known: " << known << Describe(report);
      EXPECT_EQ(report.allocations_checked,
                static_cast<int64_t>(all_rows.size()));
      EXPECT_EQ(report.trades_checked,
                static_cast<int64_t>(ledger.trades.size()));
    }
  }
  std::cout << "compared " << rows << " rows over " << kSeeds
            << " ledgers: " << unmatched << " unmatched rows, " << dust
            << " dust remainders, " << fee_rows << " rows with fee shares\n";
  // The generator exercises what it should.
  EXPECT_GT(rows, 1000);
  EXPECT_GT(unmatched, 50);
  EXPECT_GT(dust, 10);
  EXPECT_GT(fee_rows, 500);
}

TEST(EnginePropertyTest, SplitRunsFromClosingStateEqualOneFullRun) {
  for (uint32_t seed = 1; seed <= kSeeds / 2; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RandomLedger ledger = MakeLedger(seed);
    std::map<std::string, std::vector<Trade>> by_symbol;
    for (const Trade& t : ledger.trades) by_symbol[t.symbol].push_back(t);
    for (auto& [symbol, trades] : by_symbol) {
      std::sort(trades.begin(), trades.end(), EngineOrderLess);
      const SymbolConfig& config = ledger.configs.For(symbol);
      auto full = ComputeSymbol(symbol, trades, config);
      ASSERT_TRUE(full.ok()) << full.status();
      const size_t split = ledger.random.Range(0, trades.size());
      auto first = ComputeSymbol(
          symbol, std::vector<Trade>(trades.begin(), trades.begin() + split),
          config);
      ASSERT_TRUE(first.ok()) << first.status();
      auto second = ComputeSymbol(
          symbol, std::vector<Trade>(trades.begin() + split, trades.end()),
          config, first->closing);
      ASSERT_TRUE(second.ok()) << second.status();
      // Glue the halves into one computation and compare with the full one
      // through the same differ.
      Reference joined;
      joined.symbol = symbol;
      joined.rows = first->allocations;
      joined.rows.insert(joined.rows.end(), second->allocations.begin(),
                         second->allocations.end());
      joined.closing = second->closing.open_lots;
      for (const auto* part : {&*first, &*second}) {
        for (const UnmatchedSell& u : part->unmatched_sells) {
          joined.unmatched.emplace_back(u.sell_order_id, u.unmatched_size);
        }
        for (const DustRemainder& d : part->dust_remainders) {
          joined.dust.emplace_back(d.sell_order_id, d.remainder);
        }
        joined.realized_pnl += part->stats.realized_pnl;
      }
      EXPECT_EQ(DiffComputation(*full, joined), "")
          << symbol << " split at " << split;
      EXPECT_EQ(second->closing.high_water_mark, full->closing.high_water_mark);
    }
  }
}

// The validator is not vacuous: the smallest corruption of a valid result is
// reported.
TEST(EnginePropertyTest, ValidatorCatchesTheSmallestCorruption) {
  const Decimal tick = Decimal::FromScaled(1, 30);
  int checked = 0;
  for (uint32_t seed = 1; seed <= kSeeds / 2; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    RandomLedger ledger = MakeLedger(seed);
    auto computed = ComputeLedger(ledger.trades, ledger.configs);
    ASSERT_TRUE(computed.ok()) << computed.status();
    std::vector<Allocation> rows;
    // Sells left with a dust remainder are not fully covered: a tiny excess
    // on them is legitimately within the threshold.
    std::set<std::string> short_sells;
    for (const SymbolComputation& c : *computed) {
      rows.insert(rows.end(), c.allocations.begin(), c.allocations.end());
      for (const DustRemainder& d : c.dust_remainders) {
        short_sells.insert(d.sell_order_id);
      }
    }
    if (rows.empty()) continue;
    const size_t pick = ledger.random.Below(rows.size());
    const bool short_sell = short_sells.count(rows[pick].sell_order_id) > 0;
    for (int kind = 0; kind < 5; ++kind) {
      if (short_sell && (kind == 0 || kind == 2)) continue;
      std::vector<Allocation> broken = rows;
      Allocation& a = broken[pick];
      std::string expected;
      switch (kind) {
        case 0:  // a sell covered by more than its size, repriced
          a.allocated_size += tick;
          a.proceeds_usd = a.sell_price * a.allocated_size;
          a.net_proceeds_usd = a.proceeds_usd - a.sell_fee_share;
          if (a.matched()) {
            a.cost_basis_usd = a.buy_price * a.allocated_size + a.buy_fee_share;
            a.pnl_usd = a.net_proceeds_usd - a.cost_basis_usd;
          }
          expected = std::string(invariant::kSellFullyAllocated);
          break;
        case 1:
          a.proceeds_usd += tick;
          expected = std::string(invariant::kProceedsCorrect);
          break;
        case 2:  // a fee share too large, the row consistent with it
          a.sell_fee_share += tick;
          a.net_proceeds_usd -= tick;
          a.pnl_usd -= tick;
          expected = std::string(invariant::kFeeConserved);
          break;
        case 3:
          a.pnl_usd -= tick;
          expected = a.matched()
                         ? std::string(invariant::kPnlCorrect)
                         : std::string(invariant::kUnmatchedRowHasNoBuy);
          break;
        case 4:
          broken.push_back(a);
          expected = std::string(invariant::kNoDuplicatePair);
          break;
      }
      ValidationReport report =
          ValidateAllocations(ledger.trades, broken, ledger.configs);
      EXPECT_GE(report.CountOf(expected), 1)
          << "kind " << kind << Describe(report);
      ++checked;
    }
  }
  EXPECT_GT(checked, 200);
}

}  // namespace
}  // namespace fifo
