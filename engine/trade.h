// File: engine/trade.h
//
// Trade: one immutable fact of the ledger (design: trade_records), and the
// total order in which the engine processes a symbol's trades (ERRATA 1):
// (order_time instant, order_id bytewise).
//
// Thread safety: plain values.
#ifndef FIFO_ENGINE_TRADE_H_
#define FIFO_ENGINE_TRADE_H_

#include <cstddef>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/decimal.h"

namespace fifo {

enum class Side { kBuy, kSell };

// "buy" / "sell".
absl::string_view SideName(Side side);

// Accepts "buy" and "sell" in any letter case. kInvalidArgument otherwise.
absl::StatusOr<Side> ParseSide(absl::string_view text);

struct Trade {
  // Facts: never change once recorded (ERRATA 9).
  std::string order_id;
  std::string symbol;
  Side side = Side::kBuy;
  Decimal size;            // > 0
  Decimal price;           // > 0
  absl::Time order_time;   // a whole microsecond
  Decimal total_fees_usd;  // >= 0
  std::string source;      // websocket | webhook | manual | reconciled | ...

  // Execution metadata (optional, also immutable).
  std::string status;
  std::string order_type;
  std::string ingest_via;
};

// Limits on a trade's text fields, the same whatever the way in (CSV, gRPC)
// and whatever the store. Identifiers (order_id, symbol): at most
// kMaxTradeIdBytes bytes of valid UTF-8 without control characters
// (U+0000..U+001F, U+007F..U+009F). Free text (source, status, order_type,
// ingest_via): at most kMaxTradeTextBytes bytes of valid UTF-8 without NUL
// (tabs and line breaks are kept, as a quoted CSV field may hold them). So
// no store keeps a NUL that another refuses, no index entry outgrows
// PostgreSQL's btree limit, identifiers print on one line, and a 100-trade
// ListTrades page stays far below gRPC's default 4 MB message size.
inline constexpr size_t kMaxTradeIdBytes = 128;
inline constexpr size_t kMaxTradeTextBytes = 1024;

enum class TradeText { kIdentifier, kFreeText };

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// OK when `text` keeps the limits of `kind` above. Otherwise
// kInvalidArgument whose message says what is wrong
// ("is 3000 bytes; at most 128 allowed", "is not valid UTF-8 (at byte
// offset 4)", "contains control character U+0000 at byte offset 3"; offsets
// count from 0, as in the CSV reader's messages) without naming a field:
// the caller prefixes the field in its own words (a CSV column, a proto
// path). `text` itself never appears in the message.
absl::Status CheckTradeText(absl::string_view text, TradeText kind);

// `text` for an error message: C-escaped, cut to at most 40 bytes of the
// original with "..." after a cut, so an oversized or binary value cannot
// swamp a message.
std::string QuoteForError(absl::string_view text);

// The facts the engine relies on hold: non-empty order_id and symbol,
// size > 0, price > 0, total_fees_usd >= 0, order_time a whole microsecond,
// every text field within the limits above. kInvalidArgument naming the
// order and the field otherwise.
absl::Status ValidateTrade(const Trade& trade);

// A position in a symbol's total order.
struct TradeKey {
  absl::Time order_time;
  std::string order_id;

  friend bool operator<(const TradeKey& a, const TradeKey& b) {
    if (a.order_time != b.order_time) return a.order_time < b.order_time;
    return a.order_id < b.order_id;  // std::string compares bytewise.
  }
  friend bool operator==(const TradeKey& a, const TradeKey& b) {
    return a.order_time == b.order_time && a.order_id == b.order_id;
  }
  friend bool operator!=(const TradeKey& a, const TradeKey& b) {
    return !(a == b);
  }
  friend bool operator<=(const TradeKey& a, const TradeKey& b) {
    return !(b < a);
  }
};

inline TradeKey KeyOf(const Trade& trade) {
  return TradeKey{trade.order_time, trade.order_id};
}

// True when `a` comes before `b` in engine order.
inline bool EngineOrderLess(const Trade& a, const Trade& b) {
  if (a.order_time != b.order_time) return a.order_time < b.order_time;
  return a.order_id < b.order_id;
}

}  // namespace fifo

#endif  // FIFO_ENGINE_TRADE_H_
