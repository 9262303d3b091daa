#include "engine/trade.h"

#include <string>

#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(IsValidUtf8, AcceptsWellFormedAndRefusesTheRest) {
  struct Case {
    std::string text;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"BTC-USD", true},
      {"\xc3\xa9", true},              // é
      {"\xe2\x82\xac", true},          // €
      {"\xf0\x9f\x92\xb0", true},      // U+1F4B0
      {"\xff", false},
      {"\xc3", false},                 // truncated
      {"\xc0\xaf", false},             // overlong '/'
      {"\xe0\x80\xaf", false},         // overlong
      {"\xed\xa0\x80", false},         // surrogate U+D800
      {"\xf4\x90\x80\x80", false},     // above U+10FFFF
      {"ok\x80", false},               // stray continuation byte
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.text), c.valid) << QuoteForError(c.text);
  }
}

TEST(CheckTradeText, SaysWhatIsWrongWithoutTheText) {
  struct Case {
    std::string text;
    TradeText kind;
    std::string message;  // empty: OK
  };
  constexpr TradeText kId = TradeText::kIdentifier;
  constexpr TradeText kFree = TradeText::kFreeText;
  const Case cases[] = {
      {"BTC-USD", kId, ""},
      {"caf\xc3\xa9", kId, ""},
      {std::string(128, 'a'), kId, ""},
      {std::string(129, 'a'), kId, "is 129 bytes; at most 128 allowed"},
      {std::string(1024, 'a'), kFree, ""},
      {std::string(1025, 'a'), kFree, "is 1025 bytes; at most 1024 allowed"},
      {std::string("BAD\0USD", 7), kId,
       "contains control character U+0000 at byte offset 3"},
      {std::string("BAD\0USD", 7), kFree,
       "contains control character U+0000 at byte offset 3"},
      {"tab\there", kId, "contains control character U+0009 at byte offset 3"},
      {"tab\there\r\nand more", kFree, ""},
      {"del\x7f", kId, "contains control character U+007F at byte offset 3"},
      {"c1\xc2\x85", kId, "contains control character U+0085 at byte offset 2"},
      {"ab\xff", kId, "is not valid UTF-8 (at byte offset 2)"},
      {"ab\xff", kFree, "is not valid UTF-8 (at byte offset 2)"},
  };
  for (const Case& c : cases) {
    absl::Status s = CheckTradeText(c.text, c.kind);
    if (c.message.empty()) {
      EXPECT_TRUE(s.ok()) << QuoteForError(c.text) << ": " << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
          << QuoteForError(c.text);
      EXPECT_EQ(s.message(), c.message) << QuoteForError(c.text);
    }
  }
}

Trade GoodTrade() {
  Trade t;
  t.order_id = "B-1";
  t.symbol = "BTC-USD";
  t.side = Side::kBuy;
  t.size = *Decimal::Parse("0.5");
  t.price = *Decimal::Parse("30000");
  t.order_time = absl::FromUnixSeconds(1700000000);
  t.source = "manual";
  return t;
}

TEST(ValidateTrade, TextLimitsNameTheField) {
  EXPECT_TRUE(ValidateTrade(GoodTrade()).ok());
  {
    Trade t = GoodTrade();
    t.order_id = std::string(3000, 'x');
    absl::Status s = ValidateTrade(t);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(),
              "trade \"" + std::string(40, 'x') +
                  "...\": order_id is 3000 bytes; at most 128 allowed");
  }
  {
    Trade t = GoodTrade();
    t.symbol = std::string("BAD\0USD", 7);
    EXPECT_EQ(ValidateTrade(t).message(),
              "trade B-1: symbol contains control character U+0000 at byte offset 3");
  }
  {
    Trade t = GoodTrade();
    t.source = std::string(1025, 's');
    EXPECT_EQ(ValidateTrade(t).message(),
              "trade B-1: source is 1025 bytes; at most 1024 allowed");
  }
  {
    Trade t = GoodTrade();
    t.status = "FILLED\xff";
    EXPECT_EQ(ValidateTrade(t).message(),
              "trade B-1: status is not valid UTF-8 (at byte offset 6)");
  }
}

}  // namespace
}  // namespace fifo
