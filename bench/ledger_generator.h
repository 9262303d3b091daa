// File: bench/ledger_generator.h
//
// The one generator of synthetic ledgers, for benchmarks, load tests and the
// tests (bench/, tests/, tests/e2e/ use it; no other copy).
//
// A LedgerGenerator produces `trades` fifo::Trade values one at a time. The
// same options give the same trades, byte for byte, on every run, platform
// and standard library: the generator uses its own PRNG (DeterministicRandom:
// xoshiro256**, seeded through splitmix64), never <random>'s
// implementation-defined distributions or std::shuffle, and no floating
// point in anything it emits. Every trade passes ValidateTrade and order ids
// are unique (id_prefix and a counter).
//
// What a ledger looks like depends on its shape. The benchmark shapes (their
// ledgers are pinned by bench/engine_golden_test.cc: changing what they
// produce needs new digests there, so do not):
//   small-fills     many small sells against few large buys (about one
//                   allocation per sell);
//   deep-inventory  many small buys pile up, occasional big sells consume
//                   dozens of lots each;
//   many-symbols    1000 symbols (default) interleaved, each a mixed stream;
//   long-history    a few symbols over years, buys and sells of similar size
//                   (one to three allocations per sell);
//   mixed           (default) eight symbols, each following one of the
//                   behaviours above.
// The test shapes:
//   balanced        three symbols (default): buys 55% of the time, sells of
//                   part of the inventory and (about 3%) more than it, so
//                   partial fills, unmatched rows and review items all occur;
//   adversarial     edge cases for property tests: per symbol a few distinct
//                   instants (many equal timestamps), sells of exactly an
//                   earlier buy's size or that less the dust threshold, the
//                   smallest unit, the dust threshold itself; order ids whose
//                   sort order is random. Its trades are NOT in ledger order
//                   (the engine must sort them), it comes with per-symbol
//                   dust thresholds (configs()), and it keeps every buy size
//                   (memory O(trades)).
// Every shape but adversarial emits trades in ledger order: timestamps never
// decrease (runs of equal timestamps happen on purpose, and then order ids
// increase, so file order is engine order). Decimal places are drawn within
// the precision options (defaults: prices 2 to 8 per symbol, sizes up to 8,
// fees 2 to 8 per symbol, zero or a few basis points of the notional). About
// one sell in a thousand is larger than the inventory (an unmatched
// remainder) in every shape but adversarial.
//
// Growing a ledger (tests of incremental computation): after Next() returns
// false, Append() makes more trades after every trade so far and Backfill()
// trades at earlier times; AddSymbol() brings in a new symbol.
//
// Memory: O(symbols) (adversarial: O(trades)); a generator streams, so
// ledgers of any length can be written without holding them (GenerateLedger
// materialises one on purpose).
//
// Thread safety: a LedgerGenerator or DeterministicRandom is not
// thread-safe; the free functions are.
#ifndef FIFO_BENCH_LEDGER_GENERATOR_H_
#define FIFO_BENCH_LEDGER_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "engine/symbol_config.h"
#include "engine/trade.h"

namespace fifo {
namespace bench {

// The generator's PRNG, for tests that need their own deterministic draws
// (which step to take, where to split a ledger): xoshiro256** seeded
// through splitmix64, the same sequence everywhere.
class DeterministicRandom {
 public:
  explicit DeterministicRandom(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Range(int64_t lo, int64_t hi);
  // True with probability num / den. REQUIRES: den > 0.
  bool Chance(uint64_t num, uint64_t den);

 private:
  uint64_t state_[4];
};

enum class LedgerShape {
  kSmallFills,
  kDeepInventory,
  kManySymbols,
  kLongHistory,
  kMixed,
  kBalanced,
  kAdversarial,
};

// "small-fills", "deep-inventory", "many-symbols", "long-history", "mixed",
// "balanced", "adversarial".
absl::string_view LedgerShapeName(LedgerShape shape);

// The inverse of LedgerShapeName. kInvalidArgument listing the valid names.
absl::StatusOr<LedgerShape> ParseLedgerShape(absl::string_view name);

// Every shape, in declaration order.
std::vector<LedgerShape> AllLedgerShapes();

// The five shapes the benchmarks measure (small-fills .. mixed), whose
// ledgers the golden digests pin.
std::vector<LedgerShape> BenchmarkLedgerShapes();

// Decimal places, drawn uniformly in [min, max].
struct Places {
  int min;
  int max;
};

struct LedgerOptions {
  // Trades of the ledger's symbols (Next() makes trades + orphan_sells).
  int64_t trades = 1000;  // >= 0
  // Number of symbols; 0 picks the shape's default (small-fills and
  // deep-inventory 1, balanced 3, long-history and adversarial 4, mixed 8,
  // many-symbols 1000). Named "SYM0000-USD", "SYM0001-USD", ...
  int symbols = 0;
  // The symbols' names instead; when not empty, `symbols` is ignored.
  std::vector<std::string> symbol_names;
  uint64_t seed = 1;
  LedgerShape shape = LedgerShape::kMixed;

  // Order ids: id_prefix, then the trade's number (0, 1, ... in the order
  // the generator makes them) zero-padded to id_digits digits; backfills
  // (Backfill()) use backfill_id_prefix. Adversarial ids put one to three
  // random characters before the prefix.
  std::string id_prefix = "t";
  std::string backfill_id_prefix = "b";
  int id_digits = 14;  // 0..20

  // The first trade's time. With `spacing` zero, every later trade is at
  // most a few seconds after the previous one (one in twenty at the same
  // time; long-history spreads the ledger over about five years); otherwise
  // trades are exactly `spacing` apart (whole microseconds, >= 0).
  // Adversarial ledgers use minutes after `start` and ignore `spacing`.
  absl::Time start = absl::FromUnixSeconds(1672531200);  // 2023-01-01Z
  absl::Duration spacing = absl::ZeroDuration();

  // Sells of `orphan_symbol` (which has no buys at all, so each one is an
  // unmatched sell and a review item), spread evenly over the ledger.
  int64_t orphan_sells = 0;
  std::string orphan_symbol = "ZZZ-USD";

  // Precision. Every shape but adversarial keeps sizes in units of 1e-8 and
  // prices in whole cents, so it needs sizes within [0, 8], prices within
  // [2, 8] and fees within [0, 8] places; adversarial takes up to
  // Decimal::kMaxScale. Adversarial draws a symbol's size places from
  // `size_places` (each trade up to two more, capped at max), and each
  // price and fee from `price_places` and `fee_places`; the smallest unit
  // it emits is 10^-size_places.max.
  Places size_places = {0, 8};
  Places price_places = {2, 8};
  Places fee_places = {2, 8};
};

// Checks the options: kInvalidArgument naming the first bad field (trades,
// orphan_sells, symbols out of [0, 1000000], an empty or repeated name, an
// orphan symbol that is also a ledger symbol, id_digits, a negative or
// sub-microsecond spacing, places out of the shape's range or min > max).
absl::Status ValidateLedgerOptions(const LedgerOptions& options);

// The number of symbols `options` produce (resolves symbols == 0 and
// symbol_names), the orphan symbol not counted.
int EffectiveSymbolCount(const LedgerOptions& options);

class LedgerGenerator {
 public:
  // Any value for "a random symbol" in Append().
  static constexpr int kAnySymbol = -1;

  // REQUIRES: ValidateLedgerOptions(options).ok().
  explicit LedgerGenerator(const LedgerOptions& options);
  ~LedgerGenerator();

  LedgerGenerator(const LedgerGenerator&) = delete;
  LedgerGenerator& operator=(const LedgerGenerator&) = delete;

  // Overwrites `*trade` with the next trade (reusing its strings' storage)
  // and returns true; returns false once trades + orphan_sells trades were
  // produced by Next().
  bool Next(Trade* trade);

  // `n` more trades past the ledger (Next()'s budget does not apply): of a
  // random symbol, or of symbol `symbol` (an index: 0 .. symbol_count()-1).
  // Except in adversarial ledgers each is at or after the latest time so
  // far, and after every earlier Next() and Append() trade in engine order.
  std::vector<Trade> Append(int64_t n, int symbol = kAnySymbol);

  // `n` trades of random symbols at random times from `start` to the
  // latest trade so far (both included), ids with backfill_id_prefix.
  // Later trades still come after the latest one.
  std::vector<Trade> Backfill(int64_t n);

  // A new symbol that Append and Backfill may pick from now on (Next()
  // too). Its behaviour, price and fees are drawn now. Returns its index.
  // REQUIRES: `name` is not a symbol of the ledger yet.
  int AddSymbol(absl::string_view name);

  int symbol_count() const;
  const std::string& symbol_name(int index) const;

  // The configuration the ledger is meant to be computed with: the
  // adversarial shape's dust thresholds (by symbol, not every symbol
  // listed); empty for the other shapes.
  const SymbolConfigs& configs() const { return configs_; }

  // The generator's PRNG, for tests that make their own choices between
  // batches (the ledgers stay deterministic).
  DeterministicRandom& random() { return rng_; }

  // Trades made so far, by Next(), Append() and Backfill().
  int64_t produced() const { return produced_; }

 private:
  enum class Behaviour;
  struct SymbolState;

  Behaviour ShapeBehaviour(int index);
  void InitSymbol(std::string name, Behaviour behaviour, SymbolState* s);
  // The time of the next trade at the ledger's end (advancing it).
  int64_t AdvanceTime();
  // Overwrites `*trade` with the next trade of `s` at `time_micros`.
  void Fill(SymbolState& s, int64_t time_micros, absl::string_view id_prefix,
            Trade* trade);
  void FillAdversarial(SymbolState& s, absl::string_view id_prefix,
                       Trade* trade);
  // Appends the trade's number (produced_), zero-padded, to its order id.
  void AppendNumber(Trade* trade) const;
  void FillSource(Trade* trade);
  // A size in 1e-8 units in [lo, hi], rounded down to a random number of
  // places (within size_places), never below one step of them.
  int64_t RandomUnits(int64_t lo, int64_t hi);
  // A positive decimal with `places` places and up to `digits` digits.
  Decimal RandomPositive(int digits, int places);
  int RandomPlaces(const Places& places);

  const LedgerOptions options_;
  DeterministicRandom rng_;
  std::vector<SymbolState> symbols_;
  std::vector<SymbolState> orphan_;  // one state when orphan_sells > 0
  SymbolConfigs configs_;
  int64_t produced_ = 0;    // by every method: the next trade's number
  int64_t next_calls_ = 0;  // trades made by Next()
  int64_t orphans_left_;
  int64_t start_micros_;
  int64_t time_micros_;     // the latest trade's time, since the Unix epoch
  int64_t max_time_step_;   // microseconds, when spacing_micros_ is 0
  int64_t spacing_micros_;
};

// The whole ledger in memory (for benchmarks over pre-generated trades).
// REQUIRES: ValidateLedgerOptions(options).ok().
std::vector<Trade> GenerateLedger(const LedgerOptions& options);

}  // namespace bench
}  // namespace fifo

#endif  // FIFO_BENCH_LEDGER_GENERATOR_H_
