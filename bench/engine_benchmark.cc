// Micro-benchmarks of the FIFO engine and of Decimal.
//
//   bazel run -c opt //bench:engine_benchmark
//   bazel run -c opt //bench:engine_benchmark -- --benchmark_filter=Decimal
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Engine benchmarks run over ledgers generated once per shape
// (bench/ledger_generator.h, kTradesPerLedger trades, seed 42) and report
// trades/s and allocations/s as rates (counters with kIsRate):
//   BM_SymbolAllocator/<shape>   one SymbolAllocator per symbol fed the
//                                symbol's trades in engine order (one core),
//                                its output drained every 1024 trades;
//   BM_ComputeLedger/<shape>/threads:<t>   the whole ComputeLedger call
//                                (duplicate check, sort, allocation) with
//                                the ledger copied outside the timing.
// SymbolAllocator rates are per CPU second of the one thread (robust on a
// shared machine); ComputeLedger rates are per wall-clock second.
// Decimal benchmarks cycle over 1024 values: "typical" (prices with 2-8
// decimals and sizes from generated ledgers), "wide30" (30 significant
// digits: beyond 64 bits, still the 128-bit fast path) and "huge45" (45
// digits: the arbitrary-precision fallback).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/ledger_generator.h"
#include "benchmark/benchmark.h"
#include "engine/allocation.h"
#include "engine/decimal.h"
#include "engine/fifo_engine.h"
#include "engine/symbol_config.h"
#include "engine/trade.h"

namespace fifo {
namespace bench {
namespace {

constexpr int64_t kTradesPerLedger = 500000;
constexpr uint64_t kSeed = 42;

struct PreparedLedger {
  std::vector<Trade> trades;                  // ledger order
  std::vector<std::vector<Trade>> by_symbol;  // engine order per symbol
};

const PreparedLedger& Ledger(LedgerShape shape) {
  static auto* const cache = new std::map<LedgerShape, PreparedLedger>();
  auto it = cache->find(shape);
  if (it != cache->end()) return it->second;
  LedgerOptions options;
  options.trades = kTradesPerLedger;
  options.seed = kSeed;
  options.shape = shape;
  PreparedLedger prepared;
  prepared.trades = GenerateLedger(options);
  std::map<std::string, std::vector<Trade>> groups;
  for (const Trade& t : prepared.trades) groups[t.symbol].push_back(t);
  for (auto& [symbol, group] : groups) {
    std::stable_sort(group.begin(), group.end(), EngineOrderLess);
    prepared.by_symbol.push_back(std::move(group));
  }
  return cache->emplace(shape, std::move(prepared)).first->second;
}

// The consumer of a SymbolAllocator drains its output every kDrainEvery
// trades (as a streaming writer would), so that what is measured is the
// engine, not the memory bandwidth of a vector of millions of rows; the
// rows' destruction is part of the measurement.
constexpr int kDrainEvery = 1024;

void BM_SymbolAllocator(benchmark::State& state, LedgerShape shape) {
  const PreparedLedger& ledger = Ledger(shape);
  const SymbolConfig config;
  std::vector<Allocation> out;
  int64_t allocations = 0;
  for (auto _ : state) {
    for (const std::vector<Trade>& group : ledger.by_symbol) {
      SymbolAllocator allocator(group.front().symbol, config);
      int pending = 0;
      for (const Trade& trade : group) {
        absl::Status status = allocator.Add(trade, &out);
        if (!status.ok()) {
          state.SkipWithError(std::string(status.message()).c_str());
          return;
        }
        if (++pending == kDrainEvery) {
          allocations += static_cast<int64_t>(out.size());
          benchmark::DoNotOptimize(out.data());
          out.clear();
          pending = 0;
        }
      }
      allocations += static_cast<int64_t>(out.size());
      benchmark::DoNotOptimize(out.data());
      out.clear();
    }
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["trades/s"] = benchmark::Counter(
      iterations * ledger.trades.size(), benchmark::Counter::kIsRate);
  state.counters["allocations/s"] =
      benchmark::Counter(allocations, benchmark::Counter::kIsRate);
}

void BM_ComputeLedger(benchmark::State& state, LedgerShape shape) {
  const PreparedLedger& ledger = Ledger(shape);
  const int threads = static_cast<int>(state.range(0));
  const SymbolConfigs configs;
  int64_t allocations = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Trade> copy = ledger.trades;
    state.ResumeTiming();
    absl::StatusOr<std::vector<SymbolComputation>> result =
        ComputeLedger(std::move(copy), configs, threads);
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    for (const SymbolComputation& c : *result) {
      allocations += static_cast<int64_t>(c.allocations.size());
    }
    state.PauseTiming();
    result->clear();  // the destruction is not what is measured
    state.ResumeTiming();
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["trades/s"] = benchmark::Counter(
      iterations * ledger.trades.size(), benchmark::Counter::kIsRate);
  state.counters["allocations/s"] =
      benchmark::Counter(allocations, benchmark::Counter::kIsRate);
}

// ---------------------------------------------------------------------------
// Decimal.

constexpr int kValues = 1024;  // a power of two

// Realistic text: prices with 2-8 decimals, sizes with up to 8, fees.
std::vector<std::string> TypicalTexts() {
  LedgerOptions options;
  options.trades = kValues / 2;
  options.seed = kSeed;
  options.symbols = 64;
  std::vector<std::string> texts;
  for (const Trade& t : GenerateLedger(options)) {
    texts.push_back(t.price.ToString());
    texts.push_back(t.size.ToString());
  }
  return texts;
}

enum class ValueSet {
  kTypical,  // prices and sizes of generated ledgers
  kWide,     // 30 significant digits: beyond 64 bits, within the 128-bit path
  kHuge,     // 45 significant digits: the arbitrary-precision fallback
};

const char* ValueSetName(ValueSet set) {
  switch (set) {
    case ValueSet::kTypical:
      return "typical";
    case ValueSet::kWide:
      return "wide30";
    case ValueSet::kHuge:
      return "huge45";
  }
  return "?";
}

// `digits` significant digits (no trailing zero), a point somewhere.
std::vector<std::string> LongTexts(int digits) {
  std::vector<std::string> texts;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < kValues; ++i) {
    std::string text;
    while (static_cast<int>(text.size()) < digits) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      absl::StrAppend(&text, x % 1000000007);
    }
    text.resize(digits);
    text[0] = static_cast<char>('1' + i % 9);
    text.back() = static_cast<char>('1' + i % 9);
    text.insert(text.size() - 1 - i % 12, ".");
    texts.push_back(text);
  }
  return texts;
}

std::vector<Decimal> ParseAll(const std::vector<std::string>& texts) {
  std::vector<Decimal> values;
  for (const std::string& t : texts) values.push_back(*Decimal::Parse(t));
  return values;
}

const std::vector<std::string>& Texts(ValueSet set) {
  static const auto* const typical =
      new std::vector<std::string>(TypicalTexts());
  static const auto* const wide = new std::vector<std::string>(LongTexts(30));
  static const auto* const huge = new std::vector<std::string>(LongTexts(45));
  switch (set) {
    case ValueSet::kTypical:
      return *typical;
    case ValueSet::kWide:
      return *wide;
    case ValueSet::kHuge:
      return *huge;
  }
  return *typical;
}

const std::vector<Decimal>& Values(ValueSet set) {
  static const auto* const typical =
      new std::vector<Decimal>(ParseAll(Texts(ValueSet::kTypical)));
  static const auto* const wide =
      new std::vector<Decimal>(ParseAll(Texts(ValueSet::kWide)));
  static const auto* const huge =
      new std::vector<Decimal>(ParseAll(Texts(ValueSet::kHuge)));
  switch (set) {
    case ValueSet::kTypical:
      return *typical;
    case ValueSet::kWide:
      return *wide;
    case ValueSet::kHuge:
      return *huge;
  }
  return *typical;
}

void BM_DecimalParse(benchmark::State& state, ValueSet set) {
  const std::vector<std::string>& texts = Texts(set);
  size_t i = 0;
  for (auto _ : state) {
    auto d = Decimal::Parse(texts[i++ & (kValues - 1)]);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecimalToString(benchmark::State& state, ValueSet set) {
  const std::vector<Decimal>& values = Values(set);
  size_t i = 0;
  for (auto _ : state) {
    std::string s = values[i++ & (kValues - 1)].ToString();
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}

template <typename Op>
void BinaryLoop(benchmark::State& state, ValueSet set, Op op) {
  const std::vector<Decimal>& values = Values(set);
  size_t i = 0;
  for (auto _ : state) {
    const Decimal& a = values[i & (kValues - 1)];
    const Decimal& b = values[(i * 7 + 3) & (kValues - 1)];
    ++i;
    auto r = op(a, b);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecimalAdd(benchmark::State& state, ValueSet set) {
  BinaryLoop(state, set,
             [](const Decimal& a, const Decimal& b) { return a + b; });
}

void BM_DecimalSub(benchmark::State& state, ValueSet set) {
  BinaryLoop(state, set,
             [](const Decimal& a, const Decimal& b) { return a - b; });
}

void BM_DecimalMul(benchmark::State& state, ValueSet set) {
  BinaryLoop(state, set,
             [](const Decimal& a, const Decimal& b) { return a * b; });
}

void BM_DecimalCompare(benchmark::State& state, ValueSet set) {
  BinaryLoop(state, set, [](const Decimal& a, const Decimal& b) {
    return Decimal::Compare(a, b);
  });
}

// fee * through / size at 18 places: what FeeShareThrough does.
void BM_DecimalDivide(benchmark::State& state, ValueSet set) {
  BinaryLoop(state, set, [](const Decimal& a, const Decimal& b) {
    return Decimal::Divide(a, b, kFeeShareScale);
  });
}

void BM_DecimalCopy(benchmark::State& state, ValueSet set) {
  BinaryLoop(state, set, [](const Decimal& a, const Decimal&) {
    Decimal copy = a;
    return copy;
  });
}

bool RegisterAll() {
  for (LedgerShape shape : BenchmarkLedgerShapes()) {
    const std::string name(LedgerShapeName(shape));
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_SymbolAllocator/", name).c_str(), BM_SymbolAllocator,
        shape)
        ->Unit(benchmark::kMillisecond);
  }
  for (LedgerShape shape : BenchmarkLedgerShapes()) {
    const std::string name(LedgerShapeName(shape));
    benchmark::RegisterBenchmark(
        absl::StrCat("BM_ComputeLedger/", name).c_str(), BM_ComputeLedger,
        shape)
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  using Fn = void (*)(benchmark::State&, ValueSet);
  const std::pair<const char*, Fn> kDecimal[] = {
      {"BM_DecimalParse", BM_DecimalParse},
      {"BM_DecimalToString", BM_DecimalToString},
      {"BM_DecimalAdd", BM_DecimalAdd},
      {"BM_DecimalSub", BM_DecimalSub},
      {"BM_DecimalMul", BM_DecimalMul},
      {"BM_DecimalCompare", BM_DecimalCompare},
      {"BM_DecimalDivide", BM_DecimalDivide},
      {"BM_DecimalCopy", BM_DecimalCopy},
  };
  for (const auto& [name, fn] : kDecimal) {
    for (ValueSet set :
         {ValueSet::kTypical, ValueSet::kWide, ValueSet::kHuge}) {
      benchmark::RegisterBenchmark(
          absl::StrCat(name, "/", ValueSetName(set)).c_str(), fn, set);
    }
  }
  return true;
}

const bool kRegistered = RegisterAll();

}  // namespace
}  // namespace bench
}  // namespace fifo
