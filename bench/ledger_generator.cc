#include "bench/ledger_generator.h"

#include <algorithm>
#include <cassert>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/decimal.h"

namespace fifo {
namespace bench {
namespace {

// Sizes are kept in units of 10^-8 (the finest size the generator emits).
constexpr int kSizeScale = 8;
constexpr int64_t kUnit = 100000000;  // one whole unit of size

constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1000,
                              10000,
                              100000,
                              1000000,
                              10000000,
                              100000000,
                              1000000000,
                              10000000000,
                              100000000000,
                              1000000000000,
                              10000000000000,
                              100000000000000,
                              1000000000000000,
                              10000000000000000,
                              100000000000000000,
                              1000000000000000000};

enum class Behaviour { kSmallFills, kDeepInventory, kLongHistory };

struct ShapeInfo {
  LedgerShape shape;
  absl::string_view name;
};

constexpr ShapeInfo kShapes[] = {
    {LedgerShape::kSmallFills, "small-fills"},
    {LedgerShape::kDeepInventory, "deep-inventory"},
    {LedgerShape::kManySymbols, "many-symbols"},
    {LedgerShape::kLongHistory, "long-history"},
    {LedgerShape::kMixed, "mixed"},
};

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// 2023-01-01T00:00:00Z.
constexpr int64_t kStartMicros = 1672531200LL * 1000000;
constexpr int64_t kYearMicros = 365LL * 24 * 3600 * 1000000;

}  // namespace

struct LedgerGenerator::SymbolState {
  std::string name;
  Behaviour behaviour;
  int price_scale;      // 2..8
  int64_t price_ticks;  // price * 10^price_scale, > 0
  int fee_scale;        // 2..8
  int64_t fee_bps;      // 0 means no fees on this symbol's trades
  int64_t inventory;    // size units bought and not yet sold (>= 0)
};

absl::string_view LedgerShapeName(LedgerShape shape) {
  for (const ShapeInfo& info : kShapes) {
    if (info.shape == shape) return info.name;
  }
  return "unknown";
}

absl::StatusOr<LedgerShape> ParseLedgerShape(absl::string_view name) {
  std::vector<absl::string_view> names;
  for (const ShapeInfo& info : kShapes) {
    if (info.name == name) return info.shape;
    names.push_back(info.name);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown ledger shape \"",
                                                 name, "\"; expected one of ",
                                                 absl::StrJoin(names, ", ")));
}

std::vector<LedgerShape> AllLedgerShapes() {
  std::vector<LedgerShape> shapes;
  for (const ShapeInfo& info : kShapes) shapes.push_back(info.shape);
  return shapes;
}

absl::Status ValidateLedgerOptions(const LedgerOptions& options) {
  if (options.trades < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("trades must be >= 0, got ", options.trades));
  }
  if (options.symbols < 0 || options.symbols > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("symbols must be in [0, 1000000], got ", options.symbols));
  }
  return absl::OkStatus();
}

int EffectiveSymbolCount(const LedgerOptions& options) {
  if (options.symbols > 0) return options.symbols;
  switch (options.shape) {
    case LedgerShape::kSmallFills:
    case LedgerShape::kDeepInventory:
      return 1;
    case LedgerShape::kLongHistory:
      return 4;
    case LedgerShape::kManySymbols:
      return 1000;
    case LedgerShape::kMixed:
      return 8;
  }
  return 1;
}

LedgerGenerator::LedgerGenerator(const LedgerOptions& options)
    : options_(options), time_micros_(kStartMicros) {
  assert(ValidateLedgerOptions(options).ok());
  uint64_t seed = options.seed;
  for (uint64_t& word : rng_) word = SplitMix64(&seed);

  // Spread long-history ledgers over about five years; others over at most
  // a year, at most one second between trades on average.
  const int64_t n = std::max<int64_t>(options.trades, 1);
  if (options.shape == LedgerShape::kLongHistory) {
    max_time_step_ = std::max<int64_t>(2, 2 * 5 * kYearMicros / n);
  } else {
    max_time_step_ =
        std::max<int64_t>(2, std::min<int64_t>(2000000, 2 * kYearMicros / n));
  }

  const int count = EffectiveSymbolCount(options);
  symbols_.resize(count);
  for (int i = 0; i < count; ++i) {
    SymbolState& s = symbols_[i];
    s.name = absl::StrCat("SYM", absl::Dec(i, absl::kZeroPad4), "-USD");
    switch (options.shape) {
      case LedgerShape::kSmallFills:
        s.behaviour = Behaviour::kSmallFills;
        break;
      case LedgerShape::kDeepInventory:
        s.behaviour = Behaviour::kDeepInventory;
        break;
      case LedgerShape::kLongHistory:
        s.behaviour = Behaviour::kLongHistory;
        break;
      case LedgerShape::kManySymbols:
        s.behaviour = static_cast<Behaviour>(Below(3));
        break;
      case LedgerShape::kMixed:
        s.behaviour = static_cast<Behaviour>(i % 3);
        break;
    }
    s.price_scale = static_cast<int>(Range(2, 8));
    // A starting price between 0.01 and 100000, every digit of its scale
    // used.
    const int64_t cents = 1 + static_cast<int64_t>(Below(kPow10[Range(1, 7)]));
    s.price_ticks = cents * kPow10[s.price_scale - 2] +
                    static_cast<int64_t>(Below(kPow10[s.price_scale - 2]));
    s.fee_scale = static_cast<int>(Range(2, 8));
    s.fee_bps = Chance(1, 10) ? 0 : Range(1, 60);
    s.inventory = 0;
  }
}

LedgerGenerator::~LedgerGenerator() = default;

uint64_t LedgerGenerator::Random() {
  const uint64_t result = Rotl(rng_[1] * 5, 7) * 9;
  const uint64_t t = rng_[1] << 17;
  rng_[2] ^= rng_[0];
  rng_[3] ^= rng_[1];
  rng_[1] ^= rng_[2];
  rng_[0] ^= rng_[3];
  rng_[2] ^= t;
  rng_[3] = Rotl(rng_[3], 45);
  return result;
}

uint64_t LedgerGenerator::Below(uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Random()) * n) >>
                               64);
}

int64_t LedgerGenerator::Range(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

bool LedgerGenerator::Chance(uint64_t num, uint64_t den) {
  return Below(den) < num;
}

int64_t LedgerGenerator::RandomUnits(int64_t lo, int64_t hi) {
  // Up to eight decimals: round down to a random number of places, never
  // below one step of that precision.
  const int64_t units = Range(lo, hi);
  const int places = static_cast<int>(Range(units < kUnit ? 2 : 0, kSizeScale));
  const int64_t step = kPow10[kSizeScale - places];
  return std::max(step, units - units % step);
}

bool LedgerGenerator::Next(Trade* trade) {
  if (produced_ >= options_.trades) return false;

  // Time: equal to the previous trade one time in twenty.
  if (produced_ > 0 && !Chance(1, 20)) {
    time_micros_ += Range(1, max_time_step_);
  }
  SymbolState& s = symbols_[Below(symbols_.size())];

  // Price: a random walk of at most 0.1% per trade.
  const int64_t move = s.price_ticks / 1000;
  if (move > 0) s.price_ticks += Range(-move, move);
  if (s.price_ticks < 1) s.price_ticks = 1;

  bool buy = false;
  int64_t units = 0;
  switch (s.behaviour) {
    case Behaviour::kSmallFills: {
      // Large buys (1-20 units) when the inventory runs low, small sells
      // (0.0001-0.05) otherwise.
      const int64_t sell = RandomUnits(10000, 5 * kUnit / 100);
      buy = s.inventory < sell || Chance(1, 200);
      units = buy ? RandomUnits(kUnit, 20 * kUnit) : sell;
      break;
    }
    case Behaviour::kDeepInventory: {
      // Small buys (0.01-0.5); one trade in thirty sells 10-40% of the
      // inventory, which is dozens of lots.
      buy = s.inventory < kUnit || !Chance(1, 30);
      if (buy) {
        units = RandomUnits(kUnit / 100, kUnit / 2);
      } else {
        units = std::min(s.inventory,
                         RandomUnits(s.inventory / 10, s.inventory * 4 / 10));
      }
      break;
    }
    case Behaviour::kLongHistory: {
      // Buys and sells of similar size (0.1-2).
      units = RandomUnits(kUnit / 10, 2 * kUnit);
      buy = s.inventory < units || Chance(1, 2);
      break;
    }
  }
  // About one sell in a thousand (and some first trades) oversells.
  if (!buy && Chance(1, 1000)) {
    units = s.inventory + RandomUnits(kUnit / 1000, kUnit);
  }
  if (buy) {
    s.inventory += units;
  } else {
    s.inventory = std::max<int64_t>(0, s.inventory - units);
  }

  trade->order_id.assign(15, '0');
  trade->order_id[0] = 't';
  for (int64_t v = produced_, pos = 14; v > 0 && pos > 0; v /= 10, --pos) {
    trade->order_id[pos] = static_cast<char>('0' + v % 10);
  }
  trade->symbol = s.name;
  trade->side = buy ? Side::kBuy : Side::kSell;
  trade->size = Decimal::FromScaled(units, kSizeScale).Normalized();
  trade->price = Decimal::FromScaled(s.price_ticks, s.price_scale).Normalized();
  trade->order_time = absl::FromUnixMicros(time_micros_);
  if (s.fee_bps == 0 || Chance(1, 20)) {
    trade->total_fees_usd = Decimal();
  } else {
    // notional * bps / 10000 at the symbol's fee scale, rounded down, at
    // least one step.
    const unsigned __int128 notional =
        static_cast<unsigned __int128>(s.price_ticks) *
        static_cast<uint64_t>(units) * static_cast<uint64_t>(s.fee_bps);
    const unsigned __int128 divisor =
        static_cast<unsigned __int128>(10000) *
        static_cast<uint64_t>(kPow10[s.price_scale + kSizeScale - s.fee_scale]);
    unsigned __int128 fee = notional / divisor;
    if (fee == 0) fee = 1;
    if (fee > static_cast<unsigned __int128>(INT64_MAX)) fee = INT64_MAX;
    trade->total_fees_usd =
        Decimal::FromScaled(static_cast<int64_t>(fee), s.fee_scale)
            .Normalized();
  }
  static constexpr absl::string_view kSources[] = {
      "websocket", "websocket", "webhook", "reconciled", "manual"};
  const absl::string_view source = kSources[Below(5)];
  trade->source.assign(source.data(), source.size());
  trade->status = "filled";
  trade->order_type = Chance(1, 3) ? "market" : "limit";
  trade->ingest_via.clear();
  ++produced_;
  return true;
}

std::vector<Trade> GenerateLedger(const LedgerOptions& options) {
  std::vector<Trade> trades;
  trades.reserve(static_cast<size_t>(options.trades));
  LedgerGenerator generator(options);
  Trade trade;
  while (generator.Next(&trade)) trades.push_back(trade);
  return trades;
}

}  // namespace bench
}  // namespace fifo
