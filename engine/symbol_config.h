// File: engine/symbol_config.h
//
// SymbolConfig: the design's SYMBOL_CONFIG entry for one symbol (decision 5,
// "Granularity & Precision"). The default is exact: no dust, no rounding.
//
// Thread safety: plain values.
#ifndef FIFO_ENGINE_SYMBOL_CONFIG_H_
#define FIFO_ENGINE_SYMBOL_CONFIG_H_

#include <map>
#include <optional>
#include <string>

#include "engine/decimal.h"

namespace fifo {

struct SymbolConfig {
  // Digits shown for sizes (base currency) and amounts (quote currency) in
  // human-readable reports; unset means exact.
  std::optional<int> base_precision;
  std::optional<int> quote_precision;
  // Inventory at or below this size is never matched; a sell remainder at or
  // below it is dust, not unmatched (ERRATA 8). >= 0.
  Decimal dust_threshold;
  // Informational (reports may flag trades below it); the engine ignores it.
  std::optional<Decimal> min_trade_size;
};

// Configuration for every symbol; symbols not listed use `default_config`.
struct SymbolConfigs {
  std::map<std::string, SymbolConfig> by_symbol;
  SymbolConfig default_config;

  const SymbolConfig& For(const std::string& symbol) const {
    auto it = by_symbol.find(symbol);
    return it == by_symbol.end() ? default_config : it->second;
  }
};

// The design's round_for_symbol: half-even to the symbol's base (sizes) or
// quote (amounts) precision; unchanged when that precision is unset.
inline Decimal RoundForSymbol(const Decimal& value, const SymbolConfig& config,
                              bool is_base) {
  const std::optional<int>& places =
      is_base ? config.base_precision : config.quote_precision;
  return places.has_value() ? value.Quantize(*places) : value;
}

}  // namespace fifo

#endif  // FIFO_ENGINE_SYMBOL_CONFIG_H_
