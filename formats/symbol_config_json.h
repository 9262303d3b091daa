// File: formats/symbol_config_json.h
//
// The per-symbol configuration file (the design's SYMBOL_CONFIG) as JSON:
//
//   {
//     "BTC-USD": {"base_precision": 8, "quote_precision": 2,
//                 "dust_threshold": "0.00001", "min_trade_size": "0.0001"},
//     "default": {"dust_threshold": "0"}
//   }
//
// The top level is an object whose keys are symbols. The special key
// "default" configures every symbol not listed (without it: exact, no dust,
// no rounding); "*" is rejected with a hint to use "default". Per symbol,
// every key is optional:
//   base_precision, quote_precision  JSON integers 0..40 (unset: exact)
//   dust_threshold                   decimal >= 0 (unset: 0)
//   min_trade_size                   decimal >= 0 (unset: none)
// Decimals MUST be JSON strings ("0.00001"): a JSON number would pass through
// a double and lose digits, so it is an error saying to use a string. A JSON
// null means "unset". Any other key is an error naming it.
//
// Parsed with Protobuf's JSON support into google.protobuf.Struct (no other
// JSON library).
//
// Errors: kInvalidArgument naming the symbol and the key, e.g.
//   symbol config "BTC-USD", key "dust_threshold": must be a decimal in a
//   JSON string (e.g. "0.00001"), not a JSON number
// and for text that is not JSON at all. ReadSymbolConfigFile: kNotFound etc.
// when the file cannot be opened (errors are prefixed with the path),
// kDataLoss on a read failure.
//
// Canonical text (for hashing into run logs): compact JSON with keys sorted
// bytewise at both levels, decimals in canonical notation (Decimal::ToString,
// so "0.00010" and "1e-4" both become "0.0001"), dust_threshold always
// present, precisions and min_trade_size only when set, and a "default" entry
// always present. Configurations that mean the same produce the same text,
// and ParseSymbolConfigJson(CanonicalSymbolConfig(c)) gives c back.
//
// Thread safety: free functions over values.
#ifndef FIFO_FORMATS_SYMBOL_CONFIG_JSON_H_
#define FIFO_FORMATS_SYMBOL_CONFIG_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/symbol_config.h"

namespace fifo {

// The key whose entry becomes SymbolConfigs::default_config.
inline constexpr absl::string_view kDefaultSymbolConfigKey = "default";

// Largest accepted base_precision / quote_precision (Decimal::kMaxScale).
inline constexpr int kMaxSymbolPrecision = 40;

absl::StatusOr<SymbolConfigs> ParseSymbolConfigJson(absl::string_view json);

absl::StatusOr<SymbolConfigs> ReadSymbolConfigFile(const std::string& path);

// The canonical text described above.
std::string CanonicalSymbolConfig(const SymbolConfigs& configs);

// Lower-case hex SHA-256 (64 characters) of CanonicalSymbolConfig(configs).
std::string SymbolConfigHash(const SymbolConfigs& configs);

}  // namespace fifo

#endif  // FIFO_FORMATS_SYMBOL_CONFIG_JSON_H_
