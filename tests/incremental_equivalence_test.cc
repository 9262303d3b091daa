// Incremental computation equals full recomputation (ERRATA 6 and 7), on
// SQLite and PostgreSQL.
//
// Random (but deterministic) sequences of imports (new trades, backfills
// into the past, new symbols) and computations (incremental, repeated
// incremental, one symbol, all symbols) run against a real store. After
// every computation the latest version, exported from the store, must equal
// the in-memory engine run over every trade imported so far, field by
// field; it must pass the validator; a backfill must force a full run whose
// log row says why; and a repeated incremental run must add nothing.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/ledger_generator.h"
#include "engine/fifo_engine.h"
#include "gtest/gtest.h"
#include "core/computations.h"
#include "storage/ledger_store.h"
#include "storage/testing/test_store.h"
#include "validation/allocation_validator.h"

namespace fifo {
namespace {

Decimal Dec(int64_t units, int scale) { return Decimal::FromScaled(units, scale); }

// The trades: the balanced shape of the project's one generator
// (bench/ledger_generator.h) over BTC-USD and ETH-USD, grown batch by batch:
// Append() after everything so far (equal timestamps happen), Backfill() at
// random earlier times, AddSymbol() for new symbols. Its own PRNG (no
// standard library distribution) also picks the steps, so a seed is the
// same sequence everywhere.
bench::LedgerOptions GeneratorOptions(uint64_t seed) {
  bench::LedgerOptions options;
  options.shape = bench::LedgerShape::kBalanced;
  options.symbol_names = {"BTC-USD", "ETH-USD"};
  options.trades = 0;  // every trade comes from Append() or Backfill()
  options.seed = seed;
  options.start = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z
  options.id_prefix = "T-";
  options.backfill_id_prefix = "BF-";
  options.id_digits = 6;
  return options;
}

std::string Describe(const Allocation& a) {
  return absl::StrCat(a.symbol, " ", a.sell_order_id, "<-",
                      a.buy_order_id.value_or("(unmatched)"), " size ",
                      a.allocated_size.ToString(), " cost ",
                      a.cost_basis_usd.ToString(), " net ",
                      a.net_proceeds_usd.ToString(), " pnl ",
                      a.pnl_usd.ToString(), " fees ",
                      a.buy_fee_share.ToString(), "/",
                      a.sell_fee_share.ToString());
}

class IncrementalEquivalenceTest
    : public ::testing::TestWithParam<std::string> {};

TEST_P(IncrementalEquivalenceTest, AnySequenceEqualsFullRecomputation) {
  const int seeds = GetParam() == "sqlite" ? 6 : 3;
  for (int seed = 1; seed <= seeds; ++seed) {
    SCOPED_TRACE(absl::StrCat("store ", GetParam(), ", seed ", seed));
    absl::StatusOr<testing::TestStore> test_store =
        testing::TestStore::Create(GetParam());
    if (absl::IsFailedPrecondition(test_store.status())) {
      GTEST_SKIP() << test_store.status();
    }
    ASSERT_TRUE(test_store.ok()) << test_store.status();
    absl::StatusOr<std::unique_ptr<LedgerStore>> opened =
        OpenLedgerStore(test_store->url());
    ASSERT_TRUE(opened.ok()) << opened.status();
    LedgerStore& store = **opened;
    ASSERT_TRUE(store.Migrate().ok());

    bench::LedgerGenerator gen(
        GeneratorOptions(static_cast<uint64_t>(seed) * 7919));
    SymbolConfigs configs;
    configs.by_symbol["ETH-USD"].dust_threshold = Dec(5, 3);
    Computations computations(&store, configs);
    ComputeOptions options;

    std::vector<Trade> ledger;
    // The helpers ASSERT inside lambdas, which only returns from the lambda:
    // every call is wrapped in ASSERT_NO_FATAL_FAILURE so a failure stops
    // the test instead of letting it go on from a broken state.
    auto import = [&](std::vector<Trade> trades) {
      absl::StatusOr<ImportResult> r = store.ImportTrades(trades, false);
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->inserted, static_cast<int64_t>(trades.size()));
      ledger.insert(ledger.end(), trades.begin(), trades.end());
    };
    auto check_latest = [&](const std::string& step) {
      SCOPED_TRACE(step);
      absl::StatusOr<std::optional<int64_t>> latest =
          store.LatestCompletedVersion();
      ASSERT_TRUE(latest.ok() && latest->has_value());
      std::vector<Allocation> stored;
      AllocationFilter filter;
      filter.version = **latest;
      ASSERT_TRUE(store
                      .ScanAllocations(filter,
                                       [&](const std::vector<StoredAllocation>& p) {
                                         for (const auto& s : p) {
                                           stored.push_back(s.allocation);
                                         }
                                         return absl::OkStatus();
                                       })
                      .ok());
      absl::StatusOr<std::vector<SymbolComputation>> full =
          ComputeLedger(ledger, configs);
      ASSERT_TRUE(full.ok()) << full.status();
      std::vector<Allocation> expected;
      for (const SymbolComputation& s : *full) {
        expected.insert(expected.end(), s.allocations.begin(),
                        s.allocations.end());
      }
      ASSERT_EQ(stored.size(), expected.size());
      for (size_t i = 0; i < expected.size(); ++i) {
        ASSERT_EQ(Describe(stored[i]), Describe(expected[i])) << "row " << i;
        ASSERT_EQ(stored[i].sell_time, expected[i].sell_time);
        ASSERT_EQ(stored[i].buy_time, expected[i].buy_time);
        ASSERT_EQ(stored[i].proceeds_usd, expected[i].proceeds_usd);
        ASSERT_EQ(stored[i].buy_fees_per_unit, expected[i].buy_fees_per_unit);
        ASSERT_EQ(stored[i].sell_fees_per_unit, expected[i].sell_fees_per_unit);
      }
      ValidationReport report = ValidateAllocations(ledger, stored, configs);
      ASSERT_TRUE(report.ok()) << report.violations.front().ToString();
    };

    ASSERT_NO_FATAL_FAILURE(import(gen.Append(30)));
    absl::StatusOr<ComputationRun> first = computations.ComputeIncremental(
        std::nullopt, options);
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->mode, RunMode::kFull);
    EXPECT_NE(first->fallback_reason.find("no completed version"),
              std::string::npos);
    ASSERT_NO_FATAL_FAILURE(check_latest("first incremental (falls back to full)"));

    for (int step = 0; step < 12; ++step) {
      const uint64_t action = gen.random().Below(6);
      std::string name;
      if (action == 0 || action == 1) {
        name = "new trades + incremental";
        ASSERT_NO_FATAL_FAILURE(import(gen.Append(1 + gen.random().Below(25))));
        absl::StatusOr<ComputationRun> run =
            computations.ComputeIncremental(std::nullopt, options);
        ASSERT_TRUE(run.ok()) << run.status();
        EXPECT_EQ(run->mode, RunMode::kIncremental) << run->fallback_reason;
        // Running it again adds nothing (ERRATA 6).
        absl::StatusOr<ComputationRun> again =
            computations.ComputeIncremental(std::nullopt, options);
        ASSERT_TRUE(again.ok()) << again.status();
        EXPECT_EQ(again->mode, RunMode::kIncremental);
        EXPECT_EQ(again->allocations_created, 0);
        EXPECT_EQ(again->allocation_version, run->allocation_version);
      } else if (action == 2) {
        name = "backfill + incremental";
        ASSERT_NO_FATAL_FAILURE(import(gen.Backfill(1 + gen.random().Below(5))));
        absl::StatusOr<ComputationRun> run =
            computations.ComputeIncremental(std::nullopt, options);
        ASSERT_TRUE(run.ok()) << run.status();
        // A backfill into a computed symbol forces a full run; a backfill
        // after every high-water mark is just new.
        if (run->mode == RunMode::kFull) {
          EXPECT_NE(run->fallback_reason.find("backfill"), std::string::npos)
              << run->fallback_reason;
        }
      } else if (action == 3) {
        name = "new symbol + incremental";
        const int added = gen.AddSymbol(absl::StrCat("NEW", step, "-USD"));
        ASSERT_NO_FATAL_FAILURE(import(gen.Append(10, added)));
        absl::StatusOr<ComputationRun> run =
            computations.ComputeIncremental(std::nullopt, options);
        ASSERT_TRUE(run.ok()) << run.status();
        EXPECT_EQ(run->mode, RunMode::kIncremental) << run->fallback_reason;
      } else if (action == 4) {
        name = "new trades + symbol run";
        ASSERT_NO_FATAL_FAILURE(import(gen.Append(10)));
        const std::string& symbol =
            ledger[gen.random().Below(ledger.size())].symbol;
        absl::StatusOr<ComputationRun> run =
            computations.ComputeSymbol(symbol, options);
        ASSERT_TRUE(run.ok()) << run.status();
        // The symbol run carried the other symbols (with their trades not
        // yet computed); an incremental run brings those up to date.
        name += " (then incremental)";
        absl::StatusOr<ComputationRun> inc =
            computations.ComputeIncremental(std::nullopt, options);
        ASSERT_TRUE(inc.ok()) << inc.status();
      } else {
        name = "new trades + full";
        ASSERT_NO_FATAL_FAILURE(import(gen.Append(10)));
        ASSERT_TRUE(computations.ComputeAllSymbols(options).ok());
      }
      ASSERT_NO_FATAL_FAILURE(check_latest(absl::StrCat("step ", step, ": ", name)));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, IncrementalEquivalenceTest,
                         ::testing::ValuesIn(testing::StoreKinds()));

}  // namespace
}  // namespace fifo
