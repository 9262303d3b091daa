#include "bench/ledger_generator.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/decimal.h"

namespace fifo {
namespace bench {
namespace {

// Sizes are kept in units of 10^-8 (the finest size the unit-based shapes
// emit).
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
    {LedgerShape::kBalanced, "balanced"},
    {LedgerShape::kAdversarial, "adversarial"},
};

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr int64_t kYearMicros = 365LL * 24 * 3600 * 1000000;

std::string DefaultSymbolName(int index) {
  return absl::StrCat("SYM", absl::Dec(index, absl::kZeroPad4), "-USD");
}

absl::Status CheckPlaces(absl::string_view field, const Places& places,
                         int lowest, int highest) {
  if (places.min < lowest || places.max > highest ||
      places.min > places.max) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be a range within [", lowest, ", ", highest,
        "] for this shape, got [", places.min, ", ", places.max, "]"));
  }
  return absl::OkStatus();
}

}  // namespace

// --- DeterministicRandom ---------------------------------------------------

DeterministicRandom::DeterministicRandom(uint64_t seed) {
  for (uint64_t& word : state_) word = SplitMix64(&seed);
}

uint64_t DeterministicRandom::Next() {  // xoshiro256**
  const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = Rotl(state_[3], 45);
  return result;
}

uint64_t DeterministicRandom::Below(uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                               64);
}

int64_t DeterministicRandom::Range(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

bool DeterministicRandom::Chance(uint64_t num, uint64_t den) {
  return Below(den) < num;
}

// --- Shapes and options ----------------------------------------------------

enum class LedgerGenerator::Behaviour {
  // The first three in this order: many-symbols and mixed pick them by
  // number.
  kSmallFills,
  kDeepInventory,
  kLongHistory,
  kBalanced,
  kSellsOnly,  // the orphan symbol
  kAdversarial,
};

struct LedgerGenerator::SymbolState {
  std::string name;
  Behaviour behaviour;
  // Unit-based shapes.
  int price_scale = 2;      // price_places
  int64_t price_ticks = 1;  // price * 10^price_scale, > 0
  int fee_scale = 2;        // fee_places
  int64_t fee_bps = 0;      // 0 means no fees on this symbol's trades
  int64_t inventory = 0;    // size units bought and not yet sold (>= 0)
  // Adversarial.
  int size_scale = 0;    // the symbol's usual size places
  int64_t instants = 1;  // distinct minutes its trades fall on
  Decimal dust;          // its dust threshold (configs())
  std::vector<Decimal> buy_sizes;
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

std::vector<LedgerShape> BenchmarkLedgerShapes() {
  return {LedgerShape::kSmallFills, LedgerShape::kDeepInventory,
          LedgerShape::kManySymbols, LedgerShape::kLongHistory,
          LedgerShape::kMixed};
}

absl::Status ValidateLedgerOptions(const LedgerOptions& options) {
  if (options.trades < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("trades must be >= 0, got ", options.trades));
  }
  if (options.orphan_sells < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("orphan_sells must be >= 0, got ", options.orphan_sells));
  }
  if (options.symbols < 0 || options.symbols > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("symbols must be in [0, 1000000], got ", options.symbols));
  }
  if (options.symbol_names.size() > 1000000) {
    return absl::InvalidArgumentError("more than 1000000 symbol_names");
  }
  std::set<absl::string_view> names;
  for (const std::string& name : options.symbol_names) {
    if (name.empty() || !CheckTradeText(name, TradeText::kIdentifier).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("symbol_names: not a symbol: ", QuoteForError(name)));
    }
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("symbol_names: ", name, " twice"));
    }
  }
  if (options.orphan_sells > 0) {
    const std::string& orphan = options.orphan_symbol;
    bool clash = names.count(orphan) > 0;
    if (options.symbol_names.empty()) {
      for (int i = 0; i < EffectiveSymbolCount(options) && !clash; ++i) {
        clash = DefaultSymbolName(i) == orphan;
      }
    }
    if (orphan.empty() ||
        !CheckTradeText(orphan, TradeText::kIdentifier).ok() || clash) {
      return absl::InvalidArgumentError(
          absl::StrCat("orphan_symbol ", QuoteForError(orphan),
                       " is not a symbol or is one of the ledger's"));
    }
  }
  for (const std::string* prefix :
       {&options.id_prefix, &options.backfill_id_prefix}) {
    if (!CheckTradeText(*prefix, TradeText::kIdentifier).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "not an order id prefix: ", QuoteForError(*prefix)));
    }
  }
  if (options.id_prefix == options.backfill_id_prefix) {
    return absl::InvalidArgumentError(
        "id_prefix and backfill_id_prefix must differ");
  }
  if (options.id_digits < 0 || options.id_digits > 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("id_digits must be in [0, 20], got ", options.id_digits));
  }
  if (options.spacing < absl::ZeroDuration() ||
      options.spacing != absl::Microseconds(
                             absl::ToInt64Microseconds(options.spacing))) {
    return absl::InvalidArgumentError(
        "spacing must be >= 0 and whole microseconds");
  }
  if (options.start != absl::FromUnixMicros(absl::ToUnixMicros(options.start))) {
    return absl::InvalidArgumentError("start must be a whole microsecond");
  }
  const bool units = options.shape != LedgerShape::kAdversarial;
  const int most = units ? kSizeScale : Decimal::kMaxScale;
  absl::Status places = CheckPlaces("size_places", options.size_places, 0, most);
  if (places.ok()) {
    places = CheckPlaces("price_places", options.price_places, units ? 2 : 0,
                         most);
  }
  if (places.ok()) {
    places = CheckPlaces("fee_places", options.fee_places, 0, most);
  }
  return places;
}

int EffectiveSymbolCount(const LedgerOptions& options) {
  if (!options.symbol_names.empty()) {
    return static_cast<int>(options.symbol_names.size());
  }
  if (options.symbols > 0) return options.symbols;
  switch (options.shape) {
    case LedgerShape::kSmallFills:
    case LedgerShape::kDeepInventory:
      return 1;
    case LedgerShape::kBalanced:
      return 3;
    case LedgerShape::kLongHistory:
    case LedgerShape::kAdversarial:
      return 4;
    case LedgerShape::kManySymbols:
      return 1000;
    case LedgerShape::kMixed:
      return 8;
  }
  return 1;
}

// --- LedgerGenerator -------------------------------------------------------

LedgerGenerator::LedgerGenerator(const LedgerOptions& options)
    : options_(options),
      rng_(options.seed),
      orphans_left_(options.orphan_sells),
      start_micros_(absl::ToUnixMicros(options.start)),
      time_micros_(start_micros_),
      spacing_micros_(absl::ToInt64Microseconds(options.spacing)) {
  assert(ValidateLedgerOptions(options).ok());
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
    InitSymbol(options.symbol_names.empty() ? DefaultSymbolName(i)
                                            : options.symbol_names[i],
               ShapeBehaviour(i), &symbols_[i]);
  }
  if (options.orphan_sells > 0) {
    orphan_.resize(1);
    InitSymbol(options.orphan_symbol, Behaviour::kSellsOnly, &orphan_[0]);
  }
}

LedgerGenerator::~LedgerGenerator() = default;

LedgerGenerator::Behaviour LedgerGenerator::ShapeBehaviour(int index) {
  switch (options_.shape) {
    case LedgerShape::kSmallFills:
      return Behaviour::kSmallFills;
    case LedgerShape::kDeepInventory:
      return Behaviour::kDeepInventory;
    case LedgerShape::kLongHistory:
      return Behaviour::kLongHistory;
    case LedgerShape::kManySymbols:
      return static_cast<Behaviour>(rng_.Below(3));
    case LedgerShape::kMixed:
      return static_cast<Behaviour>(index % 3);
    case LedgerShape::kBalanced:
      return Behaviour::kBalanced;
    case LedgerShape::kAdversarial:
      return Behaviour::kAdversarial;
  }
  return Behaviour::kBalanced;
}

void LedgerGenerator::InitSymbol(std::string name, Behaviour behaviour,
                                 SymbolState* s) {
  s->name = std::move(name);
  s->behaviour = behaviour;
  if (options_.shape == LedgerShape::kAdversarial) {
    s->size_scale = RandomPlaces(options_.size_places);
    // Few distinct instants, so that many trades share one.
    const int64_t per_symbol = std::max<int64_t>(
        1, options_.trades / std::max<int64_t>(1, symbols_.size()));
    s->instants = std::max<int64_t>(1, per_symbol / rng_.Range(1, 4));
    if (behaviour == Behaviour::kSellsOnly) return;
    SymbolConfig config;
    if (rng_.Chance(3, 5)) {
      config.dust_threshold = RandomPositive(
          static_cast<int>(rng_.Range(1, 3)),
          std::min<int>(options_.size_places.max,
                        s->size_scale + static_cast<int>(rng_.Range(0, 3))));
    }
    s->dust = config.dust_threshold;
    if (!config.dust_threshold.is_zero() || rng_.Chance(1, 2)) {
      configs_.by_symbol[s->name] = config;
    }
    return;
  }
  s->price_scale = RandomPlaces(options_.price_places);
  // A starting price between 0.01 and 100000, every digit of its scale
  // used.
  const int64_t cents =
      1 + static_cast<int64_t>(rng_.Below(kPow10[rng_.Range(1, 7)]));
  s->price_ticks = cents * kPow10[s->price_scale - 2] +
                   static_cast<int64_t>(rng_.Below(kPow10[s->price_scale - 2]));
  s->fee_scale = RandomPlaces(options_.fee_places);
  s->fee_bps = rng_.Chance(1, 10) ? 0 : rng_.Range(1, 60);
  s->inventory = 0;
}

int LedgerGenerator::AddSymbol(absl::string_view name) {
  assert(std::none_of(symbols_.begin(), symbols_.end(),
                      [&](const SymbolState& s) { return s.name == name; }));
  const int index = static_cast<int>(symbols_.size());
  SymbolState state;
  InitSymbol(std::string(name), ShapeBehaviour(index), &state);
  symbols_.push_back(std::move(state));
  return index;
}

int LedgerGenerator::symbol_count() const {
  return static_cast<int>(symbols_.size());
}

const std::string& LedgerGenerator::symbol_name(int index) const {
  return symbols_[index].name;
}

int LedgerGenerator::RandomPlaces(const Places& places) {
  return static_cast<int>(rng_.Range(places.min, places.max));
}

int64_t LedgerGenerator::RandomUnits(int64_t lo, int64_t hi) {
  // Round down to a random number of places, never below one step of that
  // precision; sizes under one unit keep at least two places.
  const int64_t units = rng_.Range(lo, hi);
  const int most = options_.size_places.max;
  const int least =
      std::min(most, std::max(options_.size_places.min, units < kUnit ? 2 : 0));
  const int places = static_cast<int>(rng_.Range(least, most));
  const int64_t step = kPow10[kSizeScale - places];
  return std::max(step, units - units % step);
}

Decimal LedgerGenerator::RandomPositive(int digits, int places) {
  return Decimal::FromScaled(rng_.Range(1, kPow10[digits] - 1), places);
}

int64_t LedgerGenerator::AdvanceTime() {
  if (produced_ > 0) {
    if (spacing_micros_ > 0) {
      time_micros_ += spacing_micros_;
    } else if (!rng_.Chance(1, 20)) {
      // Equal to the previous trade one time in twenty.
      time_micros_ += rng_.Range(1, max_time_step_);
    }
  }
  return time_micros_;
}

void LedgerGenerator::AppendNumber(Trade* trade) const {
  char digits[20];
  int n = 0;
  for (uint64_t v = static_cast<uint64_t>(produced_); v > 0 || n == 0;
       v /= 10) {
    digits[n++] = static_cast<char>('0' + v % 10);
  }
  if (options_.id_digits > n) trade->order_id.append(options_.id_digits - n, '0');
  while (n > 0) trade->order_id.push_back(digits[--n]);
}

void LedgerGenerator::FillSource(Trade* trade) {
  static constexpr absl::string_view kSources[] = {
      "websocket", "websocket", "webhook", "reconciled", "manual"};
  const absl::string_view source = kSources[rng_.Below(5)];
  trade->source.assign(source.data(), source.size());
  trade->status = "filled";
  trade->order_type = rng_.Chance(1, 3) ? "market" : "limit";
  trade->ingest_via.clear();
}

bool LedgerGenerator::Next(Trade* trade) {
  const int64_t total = options_.trades + options_.orphan_sells;
  if (next_calls_ >= total) return false;
  const int64_t remaining = total - next_calls_;
  ++next_calls_;
  const bool adversarial = options_.shape == LedgerShape::kAdversarial;
  const int64_t time = adversarial ? 0 : AdvanceTime();
  // Orphan sells spread evenly: each remaining trade is one with
  // probability orphans left / trades left.
  SymbolState* s;
  if (orphans_left_ > 0 &&
      rng_.Below(static_cast<uint64_t>(remaining)) <
          static_cast<uint64_t>(orphans_left_)) {
    --orphans_left_;
    s = &orphan_[0];
  } else {
    s = &symbols_[rng_.Below(symbols_.size())];
  }
  if (adversarial) {
    FillAdversarial(*s, options_.id_prefix, trade);
  } else {
    Fill(*s, time, options_.id_prefix, trade);
  }
  return true;
}

std::vector<Trade> LedgerGenerator::Append(int64_t n, int symbol) {
  std::vector<Trade> trades(static_cast<size_t>(std::max<int64_t>(n, 0)));
  const bool adversarial = options_.shape == LedgerShape::kAdversarial;
  for (Trade& trade : trades) {
    const int64_t time = adversarial ? 0 : AdvanceTime();
    SymbolState& s = symbol == kAnySymbol
                         ? symbols_[rng_.Below(symbols_.size())]
                         : symbols_[symbol];
    if (adversarial) {
      FillAdversarial(s, options_.id_prefix, &trade);
    } else {
      Fill(s, time, options_.id_prefix, &trade);
    }
  }
  return trades;
}

std::vector<Trade> LedgerGenerator::Backfill(int64_t n) {
  std::vector<Trade> trades(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (Trade& trade : trades) {
    const int64_t time = rng_.Range(start_micros_, time_micros_);
    SymbolState& s = symbols_[rng_.Below(symbols_.size())];
    if (options_.shape == LedgerShape::kAdversarial) {
      FillAdversarial(s, options_.backfill_id_prefix, &trade);
    } else {
      Fill(s, time, options_.backfill_id_prefix, &trade);
    }
  }
  return trades;
}

void LedgerGenerator::Fill(SymbolState& s, int64_t time_micros,
                           absl::string_view id_prefix, Trade* trade) {
  // Price: a random walk of at most 0.1% per trade.
  const int64_t move = s.price_ticks / 1000;
  if (move > 0) s.price_ticks += rng_.Range(-move, move);
  if (s.price_ticks < 1) s.price_ticks = 1;

  bool buy = false;
  int64_t units = 0;
  switch (s.behaviour) {
    case Behaviour::kSmallFills: {
      // Large buys (1-20 units) when the inventory runs low, small sells
      // (0.0001-0.05) otherwise.
      const int64_t sell = RandomUnits(10000, 5 * kUnit / 100);
      buy = s.inventory < sell || rng_.Chance(1, 200);
      units = buy ? RandomUnits(kUnit, 20 * kUnit) : sell;
      break;
    }
    case Behaviour::kDeepInventory: {
      // Small buys (0.01-0.5); one trade in thirty sells 10-40% of the
      // inventory, which is dozens of lots.
      buy = s.inventory < kUnit || !rng_.Chance(1, 30);
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
      buy = s.inventory < units || rng_.Chance(1, 2);
      break;
    }
    case Behaviour::kBalanced: {
      // Buys (0.001-5) 55% of the time, or (mostly) when nothing is held;
      // sells of part of the inventory, or (3%, or with nothing held) of
      // more than it.
      const uint64_t dice = rng_.Below(100);
      buy = dice < 55 || (s.inventory == 0 && dice < 95);
      if (buy) {
        units = RandomUnits(kUnit / 1000, 5 * kUnit);
      } else if (dice >= 97 || s.inventory == 0) {
        units = s.inventory + RandomUnits(1, kUnit);
      } else {
        units = RandomUnits(1, s.inventory);
      }
      break;
    }
    case Behaviour::kSellsOnly:
    case Behaviour::kAdversarial: {
      // Sells (0.0001-10) of a symbol that has nothing to sell.
      units = RandomUnits(kUnit / 10000, 10 * kUnit);
      break;
    }
  }
  // About one sell in a thousand (and some first trades) oversells.
  if (!buy && rng_.Chance(1, 1000)) {
    units = s.inventory + RandomUnits(kUnit / 1000, kUnit);
  }
  if (buy) {
    s.inventory += units;
  } else {
    s.inventory = std::max<int64_t>(0, s.inventory - units);
  }

  trade->order_id.assign(id_prefix.data(), id_prefix.size());
  AppendNumber(trade);
  trade->symbol = s.name;
  trade->side = buy ? Side::kBuy : Side::kSell;
  trade->size = Decimal::FromScaled(units, kSizeScale).Normalized();
  trade->price = Decimal::FromScaled(s.price_ticks, s.price_scale).Normalized();
  trade->order_time = absl::FromUnixMicros(time_micros);
  if (s.fee_bps == 0 || rng_.Chance(1, 20)) {
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
  FillSource(trade);
  ++produced_;
}

void LedgerGenerator::FillAdversarial(SymbolState& s,
                                      absl::string_view id_prefix,
                                      Trade* trade) {
  // Ids sort in a random order against each other (mixed case, digits,
  // punctuation before the prefix); the number keeps them unique.
  static constexpr char kAlphabet[] = "AZaz09-_.Bb";
  trade->order_id.clear();
  for (int64_t i = rng_.Range(1, 3); i > 0; --i) {
    trade->order_id.push_back(kAlphabet[rng_.Below(sizeof(kAlphabet) - 1)]);
  }
  trade->order_id.append(id_prefix.data(), id_prefix.size());
  AppendNumber(trade);
  trade->symbol = s.name;

  const Places& size_places = options_.size_places;
  const bool buy = s.behaviour != Behaviour::kSellsOnly && rng_.Chance(1, 2);
  const int places = std::min<int>(
      size_places.max, s.size_scale + static_cast<int>(rng_.Range(0, 2)));
  if (!buy && !s.buy_sizes.empty() && rng_.Chance(1, 4)) {
    // Exactly an earlier buy (lots run out exactly), or that less the dust
    // threshold (lots left with exactly the threshold).
    trade->size = s.buy_sizes[rng_.Below(s.buy_sizes.size())];
    if (rng_.Chance(1, 2) && trade->size > s.dust * Decimal::FromInt(2)) {
      trade->size -= s.dust;
    }
  } else if (rng_.Chance(1, 20)) {
    // The smallest unit, or exactly the dust threshold.
    trade->size = rng_.Chance(1, 2) || s.dust.is_zero()
                      ? Decimal::FromScaled(1, size_places.max)
                      : s.dust;
  } else {
    // Sells are a little larger on average: some exceed the inventory.
    trade->size = RandomPositive(
        static_cast<int>(buy ? rng_.Range(1, 6) : rng_.Range(1, 7)), places);
  }
  if (buy) s.buy_sizes.push_back(trade->size);
  trade->side = buy ? Side::kBuy : Side::kSell;
  trade->price = RandomPositive(static_cast<int>(rng_.Range(1, 12)),
                                RandomPlaces(options_.price_places));
  trade->total_fees_usd =
      rng_.Chance(3, 10)
          ? Decimal()
          : RandomPositive(static_cast<int>(rng_.Range(1, 7)),
                           RandomPlaces(options_.fee_places));
  absl::Time time =
      options_.start +
      absl::Minutes(static_cast<int64_t>(rng_.Below(s.instants)));
  if (rng_.Chance(1, 10)) time += absl::Microseconds(rng_.Range(1, 999999));
  trade->order_time = time;
  FillSource(trade);
  ++produced_;
}

std::vector<Trade> GenerateLedger(const LedgerOptions& options) {
  std::vector<Trade> trades;
  trades.reserve(static_cast<size_t>(options.trades + options.orphan_sells));
  LedgerGenerator generator(options);
  Trade trade;
  while (generator.Next(&trade)) trades.push_back(trade);
  return trades;
}

}  // namespace bench
}  // namespace fifo
