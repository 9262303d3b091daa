// File: engine/trade.h
//
// Trade: one immutable fact of the ledger (design: trade_records), and the
// total order in which the engine processes a symbol's trades (ERRATA 1):
// (order_time instant, order_id bytewise).
//
// Thread safety: plain values.
#ifndef FIFO_ENGINE_TRADE_H_
#define FIFO_ENGINE_TRADE_H_

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

// The facts the engine relies on hold: non-empty order_id and symbol,
// size > 0, price > 0, total_fees_usd >= 0, order_time a whole microsecond.
// kInvalidArgument naming the order and the field otherwise.
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
