// File: bench/ledger_generator.h
//
// Deterministic synthetic ledgers for benchmarks and load tests.
//
// A LedgerGenerator produces `trades` fifo::Trade values one at a time, in
// ledger order: timestamps never decrease (runs of equal timestamps happen on
// purpose, and then order ids increase, so file order is engine order), order
// ids are unique ("t" and 14 digits), every trade passes ValidateTrade. The
// same options give the same trades, byte for byte, on every run and platform:
// the generator uses its own PRNG (xoshiro256**, seeded through splitmix64),
// not <random>'s implementation-defined distributions, and no floating point
// in anything it emits.
//
// What a ledger looks like depends on its shape:
//   small-fills     many small sells against few large buys (about one
//                   allocation per sell);
//   deep-inventory  many small buys pile up, occasional big sells consume
//                   dozens of lots each;
//   many-symbols    1000 symbols (default) interleaved, each a mixed stream;
//   long-history    a few symbols over years, buys and sells of similar size
//                   (one to three allocations per sell);
//   mixed           (default) eight symbols, each following one of the
//                   behaviours above.
// Prices have 2 to 8 decimals (per symbol), sizes up to 8 decimals, fees are
// zero or a few basis points of the notional at 2 to 8 decimals. About one
// sell in a thousand is larger than the inventory (an unmatched remainder).
//
// Memory: O(symbols); a generator streams, so ledgers of any length can be
// written without holding them (GenerateLedger materialises one on purpose).
//
// Thread safety: a LedgerGenerator is not thread-safe; the free functions are.
#ifndef FIFO_BENCH_LEDGER_GENERATOR_H_
#define FIFO_BENCH_LEDGER_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/trade.h"

namespace fifo {
namespace bench {

enum class LedgerShape {
  kSmallFills,
  kDeepInventory,
  kManySymbols,
  kLongHistory,
  kMixed,
};

// "small-fills", "deep-inventory", "many-symbols", "long-history", "mixed".
absl::string_view LedgerShapeName(LedgerShape shape);

// The inverse of LedgerShapeName. kInvalidArgument listing the valid names.
absl::StatusOr<LedgerShape> ParseLedgerShape(absl::string_view name);

// Every shape, in declaration order.
std::vector<LedgerShape> AllLedgerShapes();

struct LedgerOptions {
  int64_t trades = 1000;  // >= 0
  // Number of symbols; 0 picks the shape's default (small-fills and
  // deep-inventory 1, long-history 4, mixed 8, many-symbols 1000).
  int symbols = 0;
  uint64_t seed = 1;
  LedgerShape shape = LedgerShape::kMixed;
};

// Checks the options: kInvalidArgument when trades < 0 or symbols < 0 or
// symbols > 1000000.
absl::Status ValidateLedgerOptions(const LedgerOptions& options);

// The number of symbols `options` produce (resolves symbols == 0).
int EffectiveSymbolCount(const LedgerOptions& options);

class LedgerGenerator {
 public:
  // REQUIRES: ValidateLedgerOptions(options).ok().
  explicit LedgerGenerator(const LedgerOptions& options);
  ~LedgerGenerator();

  LedgerGenerator(const LedgerGenerator&) = delete;
  LedgerGenerator& operator=(const LedgerGenerator&) = delete;

  // Overwrites `*trade` with the next trade (reusing its strings' storage)
  // and returns true; returns false once `trades` trades were produced.
  bool Next(Trade* trade);

  int64_t produced() const { return produced_; }

 private:
  struct SymbolState;

  uint64_t Random();                      // xoshiro256**
  uint64_t Below(uint64_t n);             // uniform in [0, n), n > 0
  int64_t Range(int64_t lo, int64_t hi);  // uniform in [lo, hi]
  bool Chance(uint64_t num, uint64_t den);
  int64_t RandomUnits(int64_t lo, int64_t hi);  // a size in 1e-8 units

  const LedgerOptions options_;
  uint64_t rng_[4];
  std::vector<SymbolState> symbols_;
  int64_t produced_ = 0;
  int64_t time_micros_;    // since the Unix epoch
  int64_t max_time_step_;  // microseconds
};

// The whole ledger in memory (for benchmarks over pre-generated trades).
// REQUIRES: ValidateLedgerOptions(options).ok().
std::vector<Trade> GenerateLedger(const LedgerOptions& options);

}  // namespace bench
}  // namespace fifo

#endif  // FIFO_BENCH_LEDGER_GENERATOR_H_
