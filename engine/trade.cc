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

namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when it is not
// well-formed (RFC 3629: shortest form, no surrogates, at most U+10FFFF).
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

absl::Status CheckTradeText(absl::string_view text, TradeText kind) {
  const bool identifier = kind == TradeText::kIdentifier;
  const size_t max_bytes = identifier ? kMaxTradeIdBytes : kMaxTradeTextBytes;
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is ", text.size(), " bytes; at most ", max_bytes, " allowed"));
  }
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("is not valid UTF-8 (at byte offset ", i, ")"));
    }
    const unsigned char b0 = static_cast<unsigned char>(text[i]);
    // C0 controls and DEL are one byte; C1 controls are U+0080..U+009F,
    // encoded 0xC2 0x80..0x9F.
    const bool control =
        identifier
            ? (n == 1 && (b0 < 0x20 || b0 == 0x7F)) ||
                  (n == 2 && b0 == 0xC2 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F)
            : n == 1 && b0 == 0;
    if (control) {
      const unsigned code =
          n == 1 ? b0 : static_cast<unsigned char>(text[i + 1]);
      return absl::InvalidArgumentError(absl::StrCat(
          "contains control character U+",
          absl::AsciiStrToUpper(absl::StrCat(absl::Hex(code, absl::kZeroPad4))),
          " at byte offset ", i));
    }
    i += n;
  }
  return absl::OkStatus();
}

std::string QuoteForError(absl::string_view text) {
  constexpr size_t kMaxQuoted = 40;
  if (text.size() <= kMaxQuoted) {
    return absl::StrCat("\"", absl::CEscape(text), "\"");
  }
  return absl::StrCat("\"", absl::CEscape(text.substr(0, kMaxQuoted)),
                      "...\"");
}

absl::Status ValidateTrade(const Trade& trade) {
  if (trade.order_id.empty()) {
    return absl::InvalidArgumentError("order_id must not be empty");
  }
  if (absl::Status id = CheckTradeText(trade.order_id, TradeText::kIdentifier);
      !id.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trade ", QuoteForError(trade.order_id), ": order_id ", id.message()));
  }
  auto bad = [&](absl::string_view field, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trade ", trade.order_id, ": ", field, " ", why));
  };
  if (trade.symbol.empty()) return bad("symbol", "must not be empty");
  const struct {
    absl::string_view name;
    const std::string* value;
    TradeText kind;
  } texts[] = {
      {"symbol", &trade.symbol, TradeText::kIdentifier},
      {"source", &trade.source, TradeText::kFreeText},
      {"status", &trade.status, TradeText::kFreeText},
      {"order_type", &trade.order_type, TradeText::kFreeText},
      {"ingest_via", &trade.ingest_via, TradeText::kFreeText},
  };
  for (const auto& text : texts) {
    absl::Status s = CheckTradeText(*text.value, text.kind);
    if (!s.ok()) return bad(text.name, s.message());
  }
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
