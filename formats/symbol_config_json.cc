#include "formats/symbol_config_json.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "formats/csv_table.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace fifo {
namespace {

static_assert(kMaxSymbolPrecision == Decimal::kMaxScale,
              "precisions beyond what a Decimal can hold make no sense");

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr const char* kKeys[] = {"base_precision", "quote_precision",
                                 "dust_threshold", "min_trade_size"};

std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", absl::CEscape(text), "\"");
}

absl::Status SymbolError(absl::string_view symbol, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("symbol config ", Quote(symbol), ": ", what));
}

absl::Status KeyError(absl::string_view symbol, absl::string_view key,
                      absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "symbol config ", Quote(symbol), ", key ", Quote(key), ": ", what));
}

absl::string_view KindName(const Value& value) {
  switch (value.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kNumberValue:
      return "a JSON number";
    case Value::kStringValue:
      return "a JSON string";
    case Value::kBoolValue:
      return "a JSON boolean";
    case Value::kStructValue:
      return "a JSON object";
    case Value::kListValue:
      return "a JSON array";
    default:
      return "nothing";
  }
}

// Unset for null.
absl::StatusOr<std::optional<int>> ParsePrecision(absl::string_view symbol,
                                                  absl::string_view key,
                                                  const Value& value) {
  if (value.kind_case() == Value::kNullValue) return std::optional<int>();
  const std::string expected =
      absl::StrCat("must be an integer 0..", kMaxSymbolPrecision);
  if (value.kind_case() != Value::kNumberValue) {
    return KeyError(symbol, key,
                    absl::StrCat(expected, ", got ", KindName(value)));
  }
  double d = value.number_value();
  if (!std::isfinite(d) || d != std::floor(d) || d < 0 ||
      d > kMaxSymbolPrecision) {
    return KeyError(symbol, key, absl::StrCat(expected, ", got ", d));
  }
  return std::optional<int>(static_cast<int>(d));
}

// Unset for null. REQUIRES the decimal to be >= 0.
absl::StatusOr<std::optional<Decimal>> ParseDecimal(absl::string_view symbol,
                                                    absl::string_view key,
                                                    const Value& value) {
  if (value.kind_case() == Value::kNullValue) return std::optional<Decimal>();
  if (value.kind_case() == Value::kNumberValue) {
    return KeyError(symbol, key,
                    "must be a decimal in a JSON string (e.g. \"0.00001\"), "
                    "not a JSON number (numbers pass through a double and "
                    "lose digits)");
  }
  if (value.kind_case() != Value::kStringValue) {
    return KeyError(symbol, key,
                    absl::StrCat("must be a decimal in a JSON string, got ",
                                 KindName(value)));
  }
  absl::StatusOr<Decimal> d = Decimal::Parse(value.string_value());
  if (!d.ok()) return KeyError(symbol, key, d.status().message());
  if (d->is_negative()) {
    return KeyError(symbol, key,
                    absl::StrCat("must be >= 0, got ", d->ToString()));
  }
  return std::optional<Decimal>(*d);
}

absl::StatusOr<SymbolConfig> ParseEntry(absl::string_view symbol,
                                        const Value& value) {
  if (value.kind_case() != Value::kStructValue) {
    return SymbolError(
        symbol, absl::StrCat("must be a JSON object, got ", KindName(value)));
  }
  // Sorted, so that the first unknown key named is deterministic.
  std::map<std::string, const Value*> fields;
  for (const auto& [key, field] : value.struct_value().fields()) {
    fields[key] = &field;
  }
  SymbolConfig config;
  for (const auto& [key, field] : fields) {
    if (key == "base_precision") {
      FIFO_ASSIGN_OR_RETURN(config.base_precision,
                            ParsePrecision(symbol, key, *field));
    } else if (key == "quote_precision") {
      FIFO_ASSIGN_OR_RETURN(config.quote_precision,
                            ParsePrecision(symbol, key, *field));
    } else if (key == "dust_threshold") {
      FIFO_ASSIGN_OR_RETURN(std::optional<Decimal> dust,
                            ParseDecimal(symbol, key, *field));
      config.dust_threshold = dust.value_or(Decimal());
    } else if (key == "min_trade_size") {
      FIFO_ASSIGN_OR_RETURN(config.min_trade_size,
                            ParseDecimal(symbol, key, *field));
    } else {
      return SymbolError(symbol,
                         absl::StrCat("unknown key ", Quote(key), " (expected ",
                                      absl::StrJoin(kKeys, ", "), ")"));
    }
  }
  return config;
}

// A JSON string literal.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", u);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string CanonicalEntry(const SymbolConfig& config) {
  // Keys in bytewise order.
  std::vector<std::string> parts;
  if (config.base_precision.has_value()) {
    parts.push_back(
        absl::StrCat("\"base_precision\":", *config.base_precision));
  }
  parts.push_back(absl::StrCat("\"dust_threshold\":",
                               JsonString(config.dust_threshold.ToString())));
  if (config.min_trade_size.has_value()) {
    parts.push_back(absl::StrCat(
        "\"min_trade_size\":", JsonString(config.min_trade_size->ToString())));
  }
  if (config.quote_precision.has_value()) {
    parts.push_back(
        absl::StrCat("\"quote_precision\":", *config.quote_precision));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

}  // namespace

absl::StatusOr<SymbolConfigs> ParseSymbolConfigJson(absl::string_view json) {
  Struct root;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &root, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "symbol config: not a JSON object of symbols: ",
        std::string(parsed.message().data(), parsed.message().size())));
  }
  SymbolConfigs configs;
  // Sorted, so that the first error named is deterministic.
  std::map<std::string, const Value*> sorted;
  for (const auto& [symbol, value] : root.fields()) sorted[symbol] = &value;
  for (const auto& [symbol, value] : sorted) {
    if (symbol.empty()) {
      return absl::InvalidArgumentError(
          "symbol config: a symbol must not be the empty string");
    }
    if (symbol == "*") {
      return SymbolError(symbol,
                         "not a symbol; use \"default\" for the configuration "
                         "of symbols not listed");
    }
    FIFO_ASSIGN_OR_RETURN(SymbolConfig config, ParseEntry(symbol, *value));
    if (symbol == kDefaultSymbolConfigKey) {
      configs.default_config = std::move(config);
    } else {
      configs.by_symbol.emplace(symbol, std::move(config));
    }
  }
  return configs;
}

absl::StatusOr<SymbolConfigs> ReadSymbolConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return FileOpenError(path, errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error"));
  }
  absl::StatusOr<SymbolConfigs> configs = ParseSymbolConfigJson(text.str());
  if (!configs.ok()) {
    return absl::Status(configs.status().code(),
                        absl::StrCat(path, ": ", configs.status().message()));
  }
  return configs;
}

std::string CanonicalSymbolConfig(const SymbolConfigs& configs) {
  std::map<std::string, const SymbolConfig*> entries;
  for (const auto& [symbol, config] : configs.by_symbol) {
    entries[symbol] = &config;
  }
  entries[std::string(kDefaultSymbolConfigKey)] = &configs.default_config;
  std::vector<std::string> parts;
  for (const auto& [symbol, config] : entries) {
    parts.push_back(
        absl::StrCat(JsonString(symbol), ":", CanonicalEntry(*config)));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string SymbolConfigHash(const SymbolConfigs& configs) {
  const std::string text = CanonicalSymbolConfig(configs);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    // Only on an OpenSSL misconfiguration; never a silent wrong hash.
    std::abort();
  }
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), static_cast<size_t>(length)));
}

}  // namespace fifo
