#include "engine/trade.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fifo {

absl::string_view SideName(Side side) {
  return side == Side::kBuy ? "buy" : "sell";
}

absl::StatusOr<Side> ParseSide(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "buy") return Side::kBuy;
  if (lower == "sell") return Side::kSell;
  return absl::InvalidArgumentError(absl::StrCat(
      "side must be 'buy' or 'sell', got \"", absl::CEscape(text), "\""));
}

absl::Status ValidateTrade(const Trade& trade) {
  if (trade.order_id.empty()) {
    return absl::InvalidArgumentError("order_id must not be empty");
  }
  auto bad = [&](absl::string_view field, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trade ", trade.order_id, ": ", field, " ", why));
  };
  if (trade.symbol.empty()) return bad("symbol", "must not be empty");
  if (!trade.size.is_positive()) {
    return bad("size", absl::StrCat("must be > 0, got ", trade.size.ToString()));
  }
  if (!trade.price.is_positive()) {
    return bad("price",
               absl::StrCat("must be > 0, got ", trade.price.ToString()));
  }
  if (trade.total_fees_usd.is_negative()) {
    return bad("total_fees_usd", absl::StrCat("must be >= 0, got ",
                                              trade.total_fees_usd.ToString()));
  }
  // A whole microsecond: the instant equals its microsecond floor (also
  // false for the infinite instants and those beyond int64 microseconds).
  if (absl::FromUnixMicros(absl::ToUnixMicros(trade.order_time)) !=
      trade.order_time) {
    return bad("order_time", "must be a whole microsecond");
  }
  return absl::OkStatus();
}

}  // namespace fifo
