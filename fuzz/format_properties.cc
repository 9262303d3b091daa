#include "fuzz/format_properties.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "engine/allocation.h"
#include "engine/decimal.h"
#include "engine/symbol_config.h"
#include "engine/timestamp.h"
#include "engine/trade.h"
#include "formats/allocations_csv.h"
#include "formats/coinbase_fills_csv.h"
#include "formats/symbol_config_json.h"
#include "formats/trades_csv.h"

namespace fifo::fuzz {
namespace {

constexpr char kSource[] = "fuzz.csv";

// A violated property.
absl::Status Violation(absl::string_view target, absl::string_view input,
                       absl::string_view what) {
  constexpr size_t kShown = 300;
  return absl::InternalError(absl::StrCat(
      target, ": ", what, ", input \"",
      absl::CEscape(input.substr(0, kShown)),
      input.size() > kShown ? "\"..." : "\""));
}

// ---------------------------------------------------------------- decimals

// What the header of engine/decimal.h promises, read independently of
// decimal.cc: the kind of outcome and, for a value, its canonical text.
struct ReferenceDecimal {
  enum Kind { kValue, kInvalid, kOutOfRange } kind = kInvalid;
  std::string canonical;
};

ReferenceDecimal ReadReferenceDecimal(absl::string_view text) {
  ReferenceDecimal out;
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string integer_digits, fraction_digits;
  bool point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      (point ? fraction_digits : integer_digits).push_back(c);
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (integer_digits.empty() && fraction_digits.empty()) return out;
  // The exponent, saturated far beyond any accepted range.
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    size_t start = i;
    for (; i < text.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text[i]));
         ++i) {
      if (exponent < int64_t{1} << 50) exponent = exponent * 10 + (text[i] - '0');
    }
    if (i == start) return out;
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return out;

  std::string digits = integer_digits + fraction_digits;
  int64_t power = exponent - static_cast<int64_t>(fraction_digits.size());
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    out.kind = ReferenceDecimal::kValue;
    out.canonical = "0";
    return out;
  }
  digits.erase(0, first);
  size_t last = digits.find_last_not_of('0');
  power += static_cast<int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  const int64_t n = static_cast<int64_t>(digits.size());
  if (n > Decimal::kMaxSignificantDigits || -power > Decimal::kMaxScale ||
      (power > 0 && n + power > Decimal::kMaxSignificantDigits)) {
    out.kind = ReferenceDecimal::kOutOfRange;
    return out;
  }
  std::string canonical = negative ? "-" : "";
  if (power >= 0) {
    canonical += digits;
    canonical.append(static_cast<size_t>(power), '0');
  } else if (n > -power) {
    canonical += digits.substr(0, static_cast<size_t>(n + power));
    canonical += ".";
    canonical += digits.substr(static_cast<size_t>(n + power));
  } else {
    canonical += "0.";
    canonical.append(static_cast<size_t>(-power - n), '0');
    canonical += digits;
  }
  out.kind = ReferenceDecimal::kValue;
  out.canonical = std::move(canonical);
  return out;
}

// Digits after the point in canonical text.
int CanonicalScale(const std::string& canonical) {
  size_t point = canonical.find('.');
  return point == std::string::npos
             ? 0
             : static_cast<int>(canonical.size() - point - 1);
}

// 10^-places * 5, i.e. half a unit in the last place.
Decimal HalfUlp(int places) { return Decimal::FromScaled(5, places + 1); }

// True when the last of `places` digits of `fixed` (ToFixedString) is even.
bool LastDigitEven(const std::string& fixed) {
  return !fixed.empty() && (fixed.back() - '0') % 2 == 0;
}

// Checks one value on its own; `text` is what it was parsed from.
absl::Status CheckOneDecimal(absl::string_view input, absl::string_view text,
                             std::optional<Decimal>* parsed) {
  constexpr char kTarget[] = "decimal";
  absl::StatusOr<Decimal> value = Decimal::Parse(text);
  ReferenceDecimal ref = ReadReferenceDecimal(text);
  if (!value.ok()) {
    const absl::StatusCode code = value.status().code();
    if (code != absl::StatusCode::kInvalidArgument &&
        code != absl::StatusCode::kOutOfRange) {
      return Violation(kTarget, input,
                       absl::StrCat("unexpected error code: ",
                                    value.status().ToString()));
    }
    if (!absl::StrContains(value.status().message(), "decimal")) {
      return Violation(kTarget, input,
                       absl::StrCat("error does not say 'decimal': ",
                                    value.status().message()));
    }
    const ReferenceDecimal::Kind expected =
        code == absl::StatusCode::kOutOfRange ? ReferenceDecimal::kOutOfRange
                                              : ReferenceDecimal::kInvalid;
    if (ref.kind != expected) {
      return Violation(
          kTarget, input,
          absl::StrCat("Parse(\"", absl::CEscape(text), "\") failed with ",
                       value.status().ToString(),
                       " but the reference reading gives ",
                       ref.kind == ReferenceDecimal::kValue
                           ? absl::StrCat("the value ", ref.canonical)
                           : "the other error kind"));
    }
    return absl::OkStatus();
  }
  const Decimal& x = *value;
  const std::string s = x.ToString();
  if (ref.kind != ReferenceDecimal::kValue || ref.canonical != s) {
    return Violation(kTarget, input,
                     absl::StrCat("Parse(\"", absl::CEscape(text),
                                  "\") accepted ", s,
                                  " but the reference reading gives ",
                                  ref.kind == ReferenceDecimal::kValue
                                      ? ref.canonical
                                      : "an error"));
  }
  // Format round trip: Parse(ToString(x)) == x, and the text is canonical.
  absl::StatusOr<Decimal> again = Decimal::Parse(s);
  if (!again.ok()) {
    return Violation(kTarget, input,
                     absl::StrCat("ToString gave \"", s,
                                  "\", which Parse rejects: ",
                                  again.status().message()));
  }
  if (*again != x || again->ToString() != s) {
    return Violation(kTarget, input,
                     absl::StrCat("round trip changed ", s, " into ",
                                  again->ToString()));
  }
  if (x.Normalized() != x || x.Normalized().scale() != CanonicalScale(s) ||
      x.Normalized().ToString() != s) {
    return Violation(kTarget, input, "Normalized() changed the value or scale");
  }
  if (x.sign() != (s[0] == '-' ? -1 : s == "0" ? 0 : 1)) {
    return Violation(kTarget, input, "sign() disagrees with ToString()");
  }
  // Unary identities.
  const Decimal zero;
  const Decimal one = Decimal::FromInt(1);
  if (-(-x) != x || !(x + (-x)).is_zero() || !(x - x).is_zero() ||
      x + zero != x || x - zero != x || x * one != x || !(x * zero).is_zero() ||
      (x + x) != x * Decimal::FromInt(2)) {
    return Violation(kTarget, input, "a unary identity fails");
  }
  if (x.Abs().is_negative() || (x.Abs() != x && x.Abs() != -x)) {
    return Violation(kTarget, input, "Abs() is wrong");
  }
  // Rounding: Quantize and ToFixedString at a few places.
  const int scale = CanonicalScale(s);
  for (int places : {0, 2, 8, scale}) {
    const Decimal q = x.Quantize(places);
    if (q.scale() > places) {
      return Violation(kTarget, input,
                       absl::StrCat("Quantize(", places, ") kept scale ",
                                    q.scale()));
    }
    const Decimal error = (x - q).Abs();
    const Decimal half = HalfUlp(places);
    const std::string fixed = x.ToFixedString(places);
    if (error > half || (error == half && !LastDigitEven(fixed))) {
      return Violation(kTarget, input,
                       absl::StrCat("Quantize(", places, ") gave ",
                                    q.ToString(), ", not half-even"));
    }
    if (places >= scale && q != x) {
      return Violation(kTarget, input,
                       absl::StrCat("Quantize(", places, ") is not exact"));
    }
    absl::StatusOr<Decimal> fixed_value = Decimal::Parse(fixed);
    if (!fixed_value.ok() || *fixed_value != q ||
        CanonicalScale(fixed) != places) {
      return Violation(kTarget, input,
                       absl::StrCat("ToFixedString(", places, ") gave \"",
                                    fixed, "\", not Quantize's ",
                                    q.ToString()));
    }
  }
  *parsed = x;
  return absl::OkStatus();
}

absl::Status CheckDecimalPair(absl::string_view input, const Decimal& x,
                              const Decimal& y) {
  constexpr char kTarget[] = "decimal";
  const int cmp = Decimal::Compare(x, y);
  if (cmp != -Decimal::Compare(y, x) || cmp != (x - y).sign() ||
      (x < y) != (cmp < 0) || (x == y) != (cmp == 0) ||
      (x >= y) != (cmp >= 0) || (x > y) != (cmp > 0) ||
      (x <= y) != (cmp <= 0) || (x != y) != (cmp != 0)) {
    return Violation(kTarget, input, "Compare disagrees with x - y");
  }
  const Decimal& min = Decimal::Min(x, y);
  if (min > x || min > y || (min != x && min != y)) {
    return Violation(kTarget, input, "Min is wrong");
  }
  const Decimal one = Decimal::FromInt(1);
  if (x + y != y + x || (x + y) - y != x || x - y != -(y - x) ||
      x * y != y * x || x * (y + one) != x * y + x ||
      (x * y).sign() != x.sign() * y.sign()) {
    return Violation(kTarget, input, "a binary identity fails");
  }
  if (!y.is_zero()) {
    const int x_scale = x.Normalized().scale();
    if (Decimal::Divide(x * y, y, x_scale) != x) {
      return Violation(kTarget, input, "Divide(x * y, y) != x");
    }
    for (int places : {0, 6, 18}) {
      const Decimal q = Decimal::Divide(x, y, places);
      if (q.scale() != places) {
        return Violation(kTarget, input,
                         absl::StrCat("Divide at ", places, " places has scale ",
                                      q.scale()));
      }
      // |x - q*y| <= |y| * half an ulp, ties to even.
      const Decimal error = (x - q * y).Abs();
      const Decimal bound = y.Abs() * HalfUlp(places);
      if (error > bound ||
          (error == bound && !LastDigitEven(q.ToFixedString(places)))) {
        return Violation(kTarget, input,
                         absl::StrCat("Divide at ", places, " places gave ",
                                      q.ToString(), ", not half-even"));
      }
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- times

constexpr char kTimestampErrorPrefix[] =
    "not an RFC 3339 timestamp with offset: \"";

// ---------------------------------------------------------------- trades

bool SameTrade(const Trade& a, const Trade& b) {
  return a.order_id == b.order_id && a.symbol == b.symbol &&
         a.side == b.side && a.size == b.size &&
         a.size.ToString() == b.size.ToString() && a.price == b.price &&
         a.order_time == b.order_time &&
         a.total_fees_usd == b.total_fees_usd && a.source == b.source &&
         a.status == b.status && a.order_type == b.order_type &&
         a.ingest_via == b.ingest_via;
}

using TradeReader = absl::Status (*)(
    std::istream&, absl::string_view,
    const std::function<absl::Status(Trade&&, int64_t)>&);

struct ReadTrades {
  absl::Status status;
  std::vector<Trade> trades;
  std::vector<int64_t> lines;
};

ReadTrades ReadAll(TradeReader reader, absl::string_view text) {
  std::istringstream in{std::string(text)};
  ReadTrades r;
  r.status = reader(in, kSource, [&](Trade&& t, int64_t line) {
    r.trades.push_back(std::move(t));
    r.lines.push_back(line);
    return absl::OkStatus();
  });
  return r;
}

// The error of a CSV reader: kInvalidArgument "fuzz.csv line L..." with L a
// line of the input, or "fuzz.csv: empty file...".
absl::Status CheckCsvError(absl::string_view target, absl::string_view input,
                           const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    return Violation(target, input,
                     absl::StrCat("unexpected error code: ", status.ToString()));
  }
  absl::string_view message = status.message();
  const std::string line_prefix = absl::StrCat(kSource, " line ");
  if (absl::StartsWith(message, absl::StrCat(kSource, ": empty file"))) {
    return absl::OkStatus();
  }
  if (!absl::StartsWith(message, line_prefix)) {
    return Violation(target, input,
                     absl::StrCat("error does not name source and line: ",
                                  message));
  }
  absl::string_view rest = message.substr(line_prefix.size());
  size_t end = rest.find_first_not_of("0123456789");
  int64_t line = 0;
  if (end == 0 || end == absl::string_view::npos ||
      !absl::SimpleAtoi(rest.substr(0, end), &line) ||
      (rest[end] != ':' && rest[end] != ',')) {
    return Violation(target, input,
                     absl::StrCat("malformed line number: ", message));
  }
  const int64_t lines =
      static_cast<int64_t>(std::count(input.begin(), input.end(), '\n')) + 1;
  if (line < 1 || line > lines) {
    return Violation(target, input,
                     absl::StrCat("line ", line, " is not in the input (",
                                  lines, " lines): ", message));
  }
  if (message.size() <= line_prefix.size() + end + 2) {
    return Violation(target, input, "error says nothing after the line");
  }
  return absl::OkStatus();
}

// Checks what every accepted trades document must satisfy, then that a
// sink's error stops the reader and comes back unchanged.
absl::Status CheckAcceptedTrades(absl::string_view target,
                                 absl::string_view input, TradeReader reader,
                                 const ReadTrades& read) {
  std::map<std::string, int64_t> ids;
  for (size_t i = 0; i < read.trades.size(); ++i) {
    const Trade& t = read.trades[i];
    absl::Status valid = ValidateTrade(t);
    if (!valid.ok()) {
      return Violation(target, input,
                       absl::StrCat("accepted an invalid trade: ",
                                    valid.message()));
    }
    if (!ids.emplace(t.order_id, read.lines[i]).second) {
      return Violation(target, input,
                       absl::StrCat("accepted order_id \"",
                                    absl::CEscape(t.order_id), "\" twice"));
    }
    // Non-decreasing: after a bare CR (which libcsv also takes as a record
    // end) the next record starts on the same physical line.
    if (i > 0 && read.lines[i] < read.lines[i - 1]) {
      return Violation(target, input, "record lines go backwards");
    }
  }
  if (!read.trades.empty()) {
    std::istringstream in{std::string(input)};
    size_t seen = 0;
    const absl::Status stop = absl::CancelledError("sink stops");
    absl::Status status = reader(in, kSource, [&](Trade&&, int64_t) {
      return ++seen == read.trades.size() ? stop : absl::OkStatus();
    });
    if (status != stop || seen != read.trades.size()) {
      return Violation(target, input,
                       absl::StrCat("a sink error did not come back as is: ",
                                    status.ToString()));
    }
  }
  return absl::OkStatus();
}

// Writes `trades` as a trades CSV, reads it back and writes it again.
absl::Status CheckTradesCsvRoundTrip(absl::string_view target,
                                     absl::string_view input,
                                     const std::vector<Trade>& trades) {
  std::ostringstream first;
  absl::Status written = WriteTradesCsv(first, trades);
  if (!written.ok()) {
    return Violation(target, input,
                     absl::StrCat("WriteTradesCsv failed: ", written.message()));
  }
  ReadTrades back = ReadAll(&ReadTradesCsv, first.str());
  if (!back.status.ok()) {
    return Violation(target, input,
                     absl::StrCat("ReadTradesCsv rejects what WriteTradesCsv "
                                  "wrote: ",
                                  back.status.message()));
  }
  if (back.trades.size() != trades.size()) {
    return Violation(target, input, "trades CSV round trip changed the count");
  }
  for (size_t i = 0; i < trades.size(); ++i) {
    if (!SameTrade(trades[i], back.trades[i])) {
      return Violation(target, input,
                       absl::StrCat("trades CSV round trip changed trade ",
                                    absl::CEscape(trades[i].order_id)));
    }
  }
  std::ostringstream second;
  if (!WriteTradesCsv(second, back.trades).ok() ||
      second.str() != first.str()) {
    return Violation(target, input, "trades CSV writing is not canonical");
  }
  return absl::OkStatus();
}

// RFC 4180 quoting, written here independently of formats/csv_table.
std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// A Coinbase fills document of `trades`, columns in a different order from
// Coinbase's own.
std::string WriteFills(const std::vector<Trade>& trades) {
  std::string out =
      "price/fee/total unit,fee,price,size,created at,side,product,trade "
      "id\r\n";
  for (const Trade& t : trades) {
    absl::StrAppend(&out, "usd,", t.total_fees_usd.ToString(), ",",
                    t.price.ToString(), ",", t.size.ToString(), ",",
                    FormatTimestamp(t.order_time), ",",
                    t.side == Side::kBuy ? "BUY" : "SELL", ",",
                    CsvField(t.symbol), ",", CsvField(t.order_id), "\r\n");
  }
  return out;
}

// ---------------------------------------------------------------- allocations

struct ReadAllocation {
  int64_t version;
  Allocation allocation;
  int64_t line;
};

struct ReadAllocations {
  absl::Status status;
  std::vector<ReadAllocation> rows;
};

ReadAllocations ReadAllAllocations(absl::string_view text) {
  std::istringstream in{std::string(text)};
  ReadAllocations r;
  r.status = ReadAllocationsCsv(
      in, kSource, [&](int64_t version, Allocation&& a, int64_t line) {
        r.rows.push_back(ReadAllocation{version, std::move(a), line});
        return absl::OkStatus();
      });
  return r;
}

bool SameAllocation(const Allocation& a, const Allocation& b) {
  bool same = a.sell_order_id == b.sell_order_id &&
              a.buy_order_id == b.buy_order_id && a.symbol == b.symbol &&
              a.allocated_size == b.allocated_size &&
              a.sell_price == b.sell_price &&
              a.sell_fees_per_unit == b.sell_fees_per_unit &&
              a.proceeds_usd == b.proceeds_usd &&
              a.net_proceeds_usd == b.net_proceeds_usd &&
              a.sell_time == b.sell_time;
  if (same && a.matched()) {
    same = a.buy_price == b.buy_price &&
           a.buy_fees_per_unit == b.buy_fees_per_unit &&
           a.cost_basis_usd == b.cost_basis_usd && a.pnl_usd == b.pnl_usd &&
           a.buy_time == b.buy_time;
  }
  return same;
}

absl::StatusOr<std::string> WriteAllocations(
    const std::vector<ReadAllocation>& rows) {
  std::ostringstream out;
  AllocationsCsvWriter writer(out);
  absl::Status s = writer.WriteHeader();
  for (const ReadAllocation& r : rows) {
    if (s.ok()) s = writer.Write(r.version, r.allocation);
  }
  if (!s.ok()) return s;
  return out.str();
}

// ---------------------------------------------------------------- config

bool SameSymbolConfig(const SymbolConfig& a, const SymbolConfig& b) {
  return a.base_precision == b.base_precision &&
         a.quote_precision == b.quote_precision &&
         a.dust_threshold == b.dust_threshold &&
         a.min_trade_size.has_value() == b.min_trade_size.has_value() &&
         (!a.min_trade_size.has_value() ||
          *a.min_trade_size == *b.min_trade_size);
}

bool SameSymbolConfigs(const SymbolConfigs& a, const SymbolConfigs& b) {
  if (!SameSymbolConfig(a.default_config, b.default_config)) return false;
  if (a.by_symbol.size() != b.by_symbol.size()) return false;
  for (const auto& [symbol, config] : a.by_symbol) {
    auto it = b.by_symbol.find(symbol);
    if (it == b.by_symbol.end() || !SameSymbolConfig(config, it->second)) {
      return false;
    }
  }
  return true;
}

// A JSON string literal, escaped differently from the canonical writer
// (every non-ASCII byte kept, '/' escaped, controls as \u00XX upper case).
std::string JsonText(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == '/') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::AsciiStrToUpper(absl::StrCat(
                                         absl::Hex(u, absl::kZeroPad2))));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// The same configuration as different JSON: symbols and keys in reverse
// order, decimals in exponent notation with trailing zeros, precisions as
// "8.0", explicit nulls for unset keys, extra whitespace.
std::string NonCanonicalJson(const SymbolConfigs& configs) {
  auto decimal = [](const Decimal& d) {
    const std::string text = d.ToString();
    return absl::StrCat("\"", text,
                        text.find('.') != std::string::npos ? "0" : ".0",
                        "e0\"");
  };
  auto entry = [&](const SymbolConfig& c) {
    std::vector<std::string> parts;
    parts.push_back(absl::StrCat(
        "\"quote_precision\" : ",
        c.quote_precision ? absl::StrCat(*c.quote_precision, ".0") : "null"));
    parts.push_back(absl::StrCat(
        "\"min_trade_size\":",
        c.min_trade_size ? decimal(*c.min_trade_size) : "null"));
    parts.push_back(
        absl::StrCat("\"dust_threshold\":", decimal(c.dust_threshold)));
    parts.push_back(absl::StrCat(
        "\"base_precision\":",
        c.base_precision ? absl::StrCat(*c.base_precision) : "null"));
    return absl::StrCat("{ ", absl::StrJoin(parts, ",\n  "), " }");
  };
  std::vector<std::string> symbols;
  for (auto it = configs.by_symbol.rbegin(); it != configs.by_symbol.rend();
       ++it) {
    symbols.push_back(
        absl::StrCat(JsonText(it->first), ":", entry(it->second)));
  }
  symbols.push_back(absl::StrCat("\"default\":", entry(configs.default_config)));
  return absl::StrCat("\n{", absl::StrJoin(symbols, ",\n"), "}\n");
}

}  // namespace

absl::Status CheckDecimalInput(absl::string_view input) {
  std::optional<Decimal> whole;
  absl::Status s = CheckOneDecimal(input, input, &whole);
  if (!s.ok()) return s;
  size_t newline = input.find('\n');
  if (newline == absl::string_view::npos) return absl::OkStatus();
  absl::string_view x_text = input.substr(0, newline);
  absl::string_view y_text = input.substr(newline + 1);
  y_text = y_text.substr(0, y_text.find('\n'));
  std::optional<Decimal> x, y;
  s = CheckOneDecimal(input, x_text, &x);
  if (s.ok()) s = CheckOneDecimal(input, y_text, &y);
  if (s.ok() && x.has_value() && y.has_value()) {
    s = CheckDecimalPair(input, *x, *y);
  }
  return s;
}

absl::Status CheckTimestampInput(absl::string_view input) {
  constexpr char kTarget[] = "timestamp";
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  if (lines.size() > 8) lines.resize(8);
  std::vector<std::pair<absl::Time, std::string>> accepted;
  for (absl::string_view text : lines) {
    absl::StatusOr<absl::Time> t = ParseTimestamp(text);
    if (!t.ok()) {
      if (t.status().code() != absl::StatusCode::kInvalidArgument ||
          !absl::StartsWith(t.status().message(), kTimestampErrorPrefix)) {
        return Violation(kTarget, input,
                         absl::StrCat("unexpected error: ",
                                      t.status().ToString()));
      }
      continue;
    }
    if (absl::FromUnixMicros(absl::ToUnixMicros(*t)) != *t) {
      return Violation(kTarget, input, "accepted a time finer than 1 us");
    }
    const std::string s = FormatTimestamp(*t);
    absl::StatusOr<absl::Time> again = ParseTimestamp(s);
    if (!again.ok()) {
      return Violation(kTarget, input,
                       absl::StrCat("FormatTimestamp gave \"", s,
                                    "\", which ParseTimestamp rejects: ",
                                    again.status().message()));
    }
    if (*again != *t || FormatTimestamp(*again) != s) {
      return Violation(kTarget, input,
                       absl::StrCat("round trip changed the instant: ", s,
                                    " -> ", FormatTimestamp(*again)));
    }
    if (s.size() != 27 || s[10] != 'T' || s.back() != 'Z') {
      return Violation(kTarget, input,
                       absl::StrCat("not the canonical shape: ", s));
    }
    // An independent reading of the same text: Abseil's RFC 3339 parser
    // (which also takes what ours rejects, so only this direction).
    std::string normalized(text);
    normalized[10] = 'T';
    if (normalized.back() == 'z') normalized.back() = 'Z';
    absl::Time reference;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, normalized, &reference,
                         &error)) {
      return Violation(kTarget, input,
                       absl::StrCat("Abseil rejects an accepted time: ", error));
    }
    if (reference != *t) {
      return Violation(kTarget, input,
                       absl::StrCat("Abseil reads ", FormatTimestamp(reference),
                                    ", ParseTimestamp ", s));
    }
    accepted.emplace_back(*t, s);
  }
  for (size_t i = 0; i < accepted.size(); ++i) {
    for (size_t j = 0; j < accepted.size(); ++j) {
      if ((accepted[i].first < accepted[j].first) !=
          (accepted[i].second < accepted[j].second)) {
        return Violation(kTarget, input,
                         absl::StrCat("text order differs from time order: ",
                                      accepted[i].second, " vs ",
                                      accepted[j].second));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTradesCsvInput(absl::string_view input) {
  constexpr char kTarget[] = "trades_csv";
  ReadTrades read = ReadAll(&ReadTradesCsv, input);
  if (!read.status.ok()) return CheckCsvError(kTarget, input, read.status);
  absl::Status s = CheckAcceptedTrades(kTarget, input, &ReadTradesCsv, read);
  if (!s.ok()) return s;
  return CheckTradesCsvRoundTrip(kTarget, input, read.trades);
}

absl::Status CheckCoinbaseFillsInput(absl::string_view input) {
  constexpr char kTarget[] = "coinbase_fills";
  ReadTrades read = ReadAll(&ReadCoinbaseFillsCsv, input);
  if (!read.status.ok()) return CheckCsvError(kTarget, input, read.status);
  absl::Status s =
      CheckAcceptedTrades(kTarget, input, &ReadCoinbaseFillsCsv, read);
  if (!s.ok()) return s;
  for (const Trade& t : read.trades) {
    if (t.source != kCoinbaseSource || t.ingest_via != kCoinbaseIngestVia ||
        !t.status.empty() || !t.order_type.empty()) {
      return Violation(kTarget, input, "an imported fill has wrong metadata");
    }
  }
  const std::string fills = WriteFills(read.trades);
  ReadTrades back = ReadAll(&ReadCoinbaseFillsCsv, fills);
  if (!back.status.ok()) {
    return Violation(kTarget, input,
                     absl::StrCat("the fills written back are rejected: ",
                                  back.status.message()));
  }
  if (back.trades.size() != read.trades.size()) {
    return Violation(kTarget, input, "fills round trip changed the count");
  }
  for (size_t i = 0; i < read.trades.size(); ++i) {
    if (!SameTrade(read.trades[i], back.trades[i])) {
      return Violation(kTarget, input,
                       absl::StrCat("fills round trip changed trade ",
                                    absl::CEscape(read.trades[i].order_id)));
    }
  }
  return CheckTradesCsvRoundTrip(kTarget, input, read.trades);
}

absl::Status CheckAllocationsCsvInput(absl::string_view input) {
  constexpr char kTarget[] = "allocations_csv";
  ReadAllocations read = ReadAllAllocations(input);
  if (!read.status.ok()) return CheckCsvError(kTarget, input, read.status);
  for (const ReadAllocation& r : read.rows) {
    const Allocation& a = r.allocation;
    if (r.version < 0 || a.sell_order_id.empty() || a.symbol.empty() ||
        !a.allocated_size.is_positive() ||
        (a.matched() && a.buy_order_id->empty())) {
      return Violation(kTarget, input, "accepted an invalid row");
    }
  }
  absl::StatusOr<std::string> first = WriteAllocations(read.rows);
  if (!first.ok()) {
    return Violation(kTarget, input,
                     absl::StrCat("writing failed: ", first.status().message()));
  }
  ReadAllocations back = ReadAllAllocations(*first);
  if (!back.status.ok()) {
    return Violation(kTarget, input,
                     absl::StrCat("ReadAllocationsCsv rejects what the writer "
                                  "wrote: ",
                                  back.status.message()));
  }
  if (back.rows.size() != read.rows.size()) {
    return Violation(kTarget, input, "round trip changed the row count");
  }
  for (size_t i = 0; i < read.rows.size(); ++i) {
    if (back.rows[i].version != read.rows[i].version ||
        !SameAllocation(read.rows[i].allocation, back.rows[i].allocation)) {
      return Violation(kTarget, input,
                       absl::StrCat("round trip changed row ", i + 1));
    }
  }
  absl::StatusOr<std::string> second = WriteAllocations(back.rows);
  if (!second.ok() || *second != *first) {
    return Violation(kTarget, input, "allocations writing is not canonical");
  }
  return absl::OkStatus();
}

absl::Status CheckSymbolConfigInput(absl::string_view input) {
  constexpr char kTarget[] = "symbol_config";
  absl::StatusOr<SymbolConfigs> configs = ParseSymbolConfigJson(input);
  if (!configs.ok()) {
    if (configs.status().code() != absl::StatusCode::kInvalidArgument ||
        !absl::StartsWith(configs.status().message(), "symbol config")) {
      return Violation(kTarget, input,
                       absl::StrCat("unexpected error: ",
                                    configs.status().ToString()));
    }
    return absl::OkStatus();
  }
  for (const auto& [symbol, config] : configs->by_symbol) {
    for (const std::optional<int>& p :
         {config.base_precision, config.quote_precision}) {
      if (p.has_value() && (*p < 0 || *p > kMaxSymbolPrecision)) {
        return Violation(kTarget, input, "accepted a precision out of range");
      }
    }
    if (config.dust_threshold.is_negative() ||
        (config.min_trade_size && config.min_trade_size->is_negative())) {
      return Violation(kTarget, input, "accepted a negative decimal");
    }
  }
  const std::string canonical = CanonicalSymbolConfig(*configs);
  absl::StatusOr<SymbolConfigs> again = ParseSymbolConfigJson(canonical);
  if (!again.ok()) {
    return Violation(kTarget, input,
                     absl::StrCat("the canonical text \"",
                                  absl::CEscape(canonical),
                                  "\" is rejected: ", again.status().message()));
  }
  if (!SameSymbolConfigs(*configs, *again) ||
      CanonicalSymbolConfig(*again) != canonical) {
    return Violation(kTarget, input,
                     absl::StrCat("canonical round trip changed the "
                                  "configuration: ",
                                  absl::CEscape(canonical)));
  }
  const std::string hash = SymbolConfigHash(*configs);
  if (hash.size() != 64 || hash != SymbolConfigHash(*again)) {
    return Violation(kTarget, input, "the hash is not stable");
  }
  const std::string other = NonCanonicalJson(*configs);
  absl::StatusOr<SymbolConfigs> same = ParseSymbolConfigJson(other);
  if (!same.ok()) {
    return Violation(kTarget, input,
                     absl::StrCat("an equivalent text \"", absl::CEscape(other),
                                  "\" is rejected: ", same.status().message()));
  }
  if (CanonicalSymbolConfig(*same) != canonical) {
    return Violation(kTarget, input,
                     absl::StrCat("an equivalent text has another canonical "
                                  "form: ",
                                  absl::CEscape(CanonicalSymbolConfig(*same))));
  }
  return absl::OkStatus();
}

}  // namespace fifo::fuzz
