#include "formats/trades_csv.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/timestamp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHeader[] =
    "order_id,symbol,side,size,price,order_time,total_fees_usd,source\n";

struct Result {
  absl::Status status;
  std::vector<Trade> trades;
  std::vector<int64_t> lines;
};

Result ReadText(const std::string& text,
                const std::string& source = "trades.csv") {
  std::istringstream in(text);
  Result r;
  r.status = ReadTradesCsv(in, source, [&](Trade&& t, int64_t line) {
    r.trades.push_back(std::move(t));
    r.lines.push_back(line);
    return absl::OkStatus();
  });
  return r;
}

absl::Time T(const char* text) { return ParseTimestamp(text).value(); }
Decimal D(const char* text) { return Decimal::Parse(text).value(); }

// Field by field, decimals by exact text.
void ExpectSameTrade(const Trade& a, const Trade& b, const std::string& why) {
  EXPECT_EQ(a.order_id, b.order_id) << why;
  EXPECT_EQ(a.symbol, b.symbol) << why;
  EXPECT_EQ(a.side, b.side) << why;
  EXPECT_EQ(a.size.ToString(), b.size.ToString()) << why;
  EXPECT_EQ(a.price.ToString(), b.price.ToString()) << why;
  EXPECT_EQ(a.order_time, b.order_time) << why;
  EXPECT_EQ(a.total_fees_usd.ToString(), b.total_fees_usd.ToString()) << why;
  EXPECT_EQ(a.source, b.source) << why;
  EXPECT_EQ(a.status, b.status) << why;
  EXPECT_EQ(a.order_type, b.order_type) << why;
  EXPECT_EQ(a.ingest_via, b.ingest_via) << why;
}

TEST(TradesCsvTest, ReadsTheSampleLedger) {
  Result r = ReadText(absl::StrCat(
      kHeader,
      "BUY-1,BTC-USD,buy,0.5,30000,2025-11-20T10:00:00Z,0,manual\n"
      "SELL-1,BTC-USD,SELL,0.7,32000,2025-11-20T10:10:00Z,,manual\n"
      "BUY-3,BTC-USD,Buy,0.25,29500.50,2025-11-21T09:00:00-05:00,4.43,"
      "websocket\n"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.trades.size(), 3u);
  EXPECT_THAT(r.lines, ElementsAre(2, 3, 4));
  const Trade& b1 = r.trades[0];
  EXPECT_EQ(b1.order_id, "BUY-1");
  EXPECT_EQ(b1.symbol, "BTC-USD");
  EXPECT_EQ(b1.side, Side::kBuy);
  EXPECT_EQ(b1.size, D("0.5"));
  EXPECT_EQ(b1.price, D("30000"));
  EXPECT_EQ(b1.order_time, T("2025-11-20T10:00:00Z"));
  EXPECT_TRUE(b1.total_fees_usd.is_zero());
  EXPECT_EQ(b1.source, "manual");
  EXPECT_EQ(b1.status, "");
  EXPECT_EQ(b1.order_type, "");
  EXPECT_EQ(b1.ingest_via, "");
  EXPECT_EQ(r.trades[1].side, Side::kSell);
  EXPECT_TRUE(r.trades[1].total_fees_usd.is_zero());  // empty -> 0
  EXPECT_EQ(r.trades[2].side, Side::kBuy);
  EXPECT_EQ(r.trades[2].price.ToString(), "29500.5");
  EXPECT_EQ(FormatTimestamp(r.trades[2].order_time),
            "2025-11-21T14:00:00.000000Z");
  EXPECT_EQ(r.trades[2].total_fees_usd, D("4.43"));
}

TEST(TradesCsvTest, ColumnsInAnyOrderWithOptionalColumns) {
  Result r = ReadText(
      "source,ingest_via,price,order_type,side,status,order_time,size,"
      "symbol,total_fees_usd,order_id\n"
      "webhook,rest,100,limit,sell,filled,2025-01-01T00:00:00.123456+00:00,"
      "2,ETH-USD,0.1,X-1\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.trades.size(), 1u);
  const Trade& t = r.trades[0];
  EXPECT_EQ(t.order_id, "X-1");
  EXPECT_EQ(t.symbol, "ETH-USD");
  EXPECT_EQ(t.side, Side::kSell);
  EXPECT_EQ(t.size, D("2"));
  EXPECT_EQ(t.price, D("100"));
  EXPECT_EQ(FormatTimestamp(t.order_time), "2025-01-01T00:00:00.123456Z");
  EXPECT_EQ(t.total_fees_usd, D("0.1"));
  EXPECT_EQ(t.source, "webhook");
  EXPECT_EQ(t.status, "filled");
  EXPECT_EQ(t.order_type, "limit");
  EXPECT_EQ(t.ingest_via, "rest");
}

TEST(TradesCsvTest, BomCrlfAndBlankTrailingLine) {
  Result r = ReadText(
      "\xEF\xBB\xBF"
      "order_id,symbol,side,size,price,order_time,total_fees_usd,source\r\n"
      "A,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual\r\n"
      "B,BTC-USD,sell,1,11,2025-01-01T00:00:01Z,0,manual\r\n"
      "\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.trades.size(), 2u);
  EXPECT_EQ(r.trades[0].order_id, "A");     // no BOM in the first column
  EXPECT_EQ(r.trades[1].source, "manual");  // no CR in the last column
  EXPECT_THAT(r.lines, ElementsAre(2, 3));
}

TEST(TradesCsvTest, FortyDigitDecimalsKeepEveryDigit) {
  const std::string size = "0.0000000000000000000000000000000000000001";
  const std::string price = "12345678901234567890.12345678901234567890";
  const std::string fee = "9999999999999999999999999999999999999999";
  Result r = ReadText(absl::StrCat(kHeader, "A,BTC-USD,buy,", size, ",", price,
                                   ",2025-01-01T00:00:00Z,", fee, ",manual\n"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.trades[0].size.ToString(), size);
  EXPECT_EQ(r.trades[0].price.ToString(),
            "12345678901234567890.1234567890123456789");
  EXPECT_EQ(r.trades[0].total_fees_usd.ToString(), fee);
}

TEST(TradesCsvTest, QuotedFieldsWithCommasQuotesAndNewlines) {
  Result r = ReadText(absl::StrCat(
      kHeader,
      "\"id,with,commas\",BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual\n"
      "\"say \"\"hi\"\"\",BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual\n"
      "two-lines,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,\"two\nlines\"\n"
      "after,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual\n"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.trades.size(), 4u);
  EXPECT_EQ(r.trades[0].order_id, "id,with,commas");
  EXPECT_EQ(r.trades[1].order_id, "say \"hi\"");
  EXPECT_EQ(r.trades[2].source, "two\nlines");
  EXPECT_THAT(r.lines, ElementsAre(2, 3, 4, 6));
}

TEST(TradesCsvTest, IdentifiersWithALineBreakAreRefused) {
  Result r = ReadText(absl::StrCat(
      kHeader, "\"two\nlines\",BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,m\n"));
  EXPECT_EQ(r.status, absl::InvalidArgumentError(
                          "trades.csv line 2, column order_id: contains "
                          "control character U+000A at byte offset 3"));
}

TEST(TradesCsvTest, HeaderOnlyGivesNoTrades) {
  Result r = ReadText(kHeader);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.trades.empty());
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::string message;  // exact, or a prefix when `prefix_only`
  bool prefix_only = false;
};

// Six good rows, so that the seventh line is the bad one.
std::string Lines2To6() {
  std::string rows;
  for (int i = 1; i <= 5; ++i) {
    absl::StrAppend(&rows, "G-", i,
                    ",BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual\n");
  }
  return rows;
}

std::string Row7(const std::string& row) {
  return absl::StrCat(kHeader, Lines2To6(), row, "\n",
                      "G-9,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual\n");
}

class TradesCsvErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TradesCsvErrorTest, NamesLineColumnAndReason) {
  const ErrorCase& c = GetParam();
  Result r = ReadText(c.text);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument)
      << c.name << ": " << r.status;
  if (c.prefix_only) {
    EXPECT_THAT(std::string(r.status.message()), StartsWith(c.message))
        << c.name;
  } else {
    EXPECT_EQ(r.status.message(), c.message) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TradesCsvErrorTest,
    ::testing::Values(
        ErrorCase{"negative_price",
                  Row7("X,BTC-USD,buy,1,-3,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column price: must be > 0, got -3"},
        ErrorCase{"zero_size",
                  Row7("X,BTC-USD,buy,0.000,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column size: must be > 0, got 0"},
        ErrorCase{"size_not_a_number",
                  Row7("X,BTC-USD,buy,abc,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column size: not a decimal number: "
                  "\"abc\"",
                  true},
        ErrorCase{"size_with_space",
                  Row7("X,BTC-USD,buy, 1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column size: not a decimal number: "
                  "\" 1\"",
                  true},
        ErrorCase{"price_nan",
                  Row7("X,BTC-USD,buy,1,NaN,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column price: not a decimal number",
                  true},
        ErrorCase{"price_too_many_places",
                  Row7("X,BTC-USD,buy,1,0.00000000000000000000000000000000000"
                       "000001,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column price: ", true},
        ErrorCase{"empty_price",
                  Row7("X,BTC-USD,buy,1,,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column price: must not be empty "
                  "(expected a decimal)"},
        ErrorCase{"bad_side",
                  Row7("X,BTC-USD,hold,1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column side: must be buy or sell (any "
                  "letter case), got \"hold\""},
        ErrorCase{"time_without_offset",
                  Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00,0,manual"),
                  "trades.csv line 7, column order_time: not an RFC 3339 "
                  "timestamp with offset: \"2025-01-01T00:00:00\" (missing "
                  "UTC offset ('Z' or +HH:MM))"},
        ErrorCase{"time_finer_than_micros",
                  Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00.1234567Z,0,"
                       "manual"),
                  "trades.csv line 7, column order_time: not an RFC 3339 "
                  "timestamp with offset",
                  true},
        ErrorCase{"empty_time", Row7("X,BTC-USD,buy,1,10,,0,manual"),
                  "trades.csv line 7, column order_time: must not be empty "
                  "(expected an RFC 3339 timestamp)"},
        ErrorCase{"negative_fee",
                  Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,-0.01,manual"),
                  "trades.csv line 7, column total_fees_usd: must be >= 0, "
                  "got -0.01"},
        ErrorCase{"fee_not_a_number",
                  Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,$1,manual"),
                  "trades.csv line 7, column total_fees_usd: not a decimal "
                  "number: \"$1\"",
                  true},
        ErrorCase{"empty_source",
                  Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,"),
                  "trades.csv line 7, column source: must not be empty"},
        ErrorCase{"empty_order_id",
                  Row7(",BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column order_id: must not be empty"},
        ErrorCase{"empty_symbol",
                  Row7("X,,buy,1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column symbol: must not be empty"},
        ErrorCase{"duplicate_order_id",
                  Row7("G-3,ETH-USD,sell,1,10,2025-01-02T00:00:00Z,0,manual"),
                  "trades.csv line 7, column order_id: duplicate order_id "
                  "\"G-3\" (first on line 4)"},
        ErrorCase{"too_many_fields",
                  Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual,"),
                  "trades.csv line 7: expected 8 fields (as in the header), "
                  "got 9"},
        ErrorCase{"too_few_fields", Row7("X,BTC-USD,buy,1,10"),
                  "trades.csv line 7: expected 8 fields (as in the header), "
                  "got 5"},
        ErrorCase{"malformed_quoting",
                  Row7("X\"1,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7: malformed CSV quoting", true},
        ErrorCase{"unterminated_quote",
                  Row7("\"X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7: unterminated quoted field (a '\"' "
                  "opened in this record is never closed)"},
        ErrorCase{"malformed_utf8",
                  Row7("X,BTC-\xE9UR,buy,1,10,2025-01-01T00:00:00Z,0,manual"),
                  "trades.csv line 7, column symbol: not valid UTF-8", true},
        ErrorCase{"empty_file", "",
                  "trades.csv: empty file, expected a header line"},
        ErrorCase{"missing_required_column",
                  "order_id,symbol,side,size,order_time,source\n",
                  "trades.csv line 1: missing required columns price, "
                  "total_fees_usd"},
        ErrorCase{"duplicate_header_column",
                  "order_id,symbol,side,size,price,order_time,total_fees_usd,"
                  "source,size\n",
                  "trades.csv line 1: duplicate column \"size\" (header "
                  "fields 4 and 9)"},
        ErrorCase{"unknown_columns",
                  "order_id,symbol,side,size,price,order_time,total_fees_usd,"
                  "source,notes,Price\n",
                  "trades.csv line 1: unknown columns \"notes\", \"Price\"; "
                  "expected order_id,symbol,side,size,price,order_time,"
                  "total_fees_usd,source (optional: status,order_type,"
                  "ingest_via)"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return std::string(info.param.name);
    });

TEST(TradesCsvTest, ErrorNamesTheLineWhereAMultiLineRecordStarts) {
  Result r = ReadText(absl::StrCat(
      kHeader, "a,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,\"a\nb\"\n",
      "c,BTC-USD,buy,1,-1,2025-01-01T00:00:00Z,0,\"c\nd\"\n"));
  EXPECT_EQ(r.status, absl::InvalidArgumentError(
                          "trades.csv line 4, column price: must be > 0, "
                          "got -1"));
}

TEST(TradesCsvTest, SinkErrorStopsTheReadUnchanged) {
  std::istringstream in(Row7("X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,0,m"));
  int calls = 0;
  absl::Status status = ReadTradesCsv(in, "t", [&](Trade&&, int64_t line) {
    ++calls;
    return line == 3 ? absl::AlreadyExistsError("stored already")
                     : absl::OkStatus();
  });
  EXPECT_EQ(status, absl::AlreadyExistsError("stored already"));
  EXPECT_EQ(calls, 2);
}

std::vector<Trade> SampleTrades() {
  std::vector<Trade> trades;
  Trade a;
  a.order_id = "plain-1";
  a.symbol = "BTC-USD";
  a.side = Side::kBuy;
  a.size = D("0.5");
  a.price = D("30000");
  a.order_time = T("2025-11-20T10:00:00Z");
  a.total_fees_usd = D("0");
  a.source = "manual";
  trades.push_back(a);
  Trade b;
  b.order_id = "id, with \"quotes\" and, commas";
  b.symbol = "SHIB-USD";
  b.side = Side::kSell;
  b.size = D("12345678901234567890.12345678901234567890");
  b.price = D("0.0000000000000000000000000000000000000001");
  b.order_time = T("2025-11-21T09:00:00.000001-05:00");
  b.total_fees_usd = D("4.43");
  b.source = "web,hook";
  b.status = "filled,\r\nthen settled";
  b.order_type = "limit \"ioc\"";
  b.ingest_via = "import";
  trades.push_back(b);
  Trade c = a;
  c.order_id = "caf\xC3\xA9-\xF0\x9F\x9A\x80";
  c.order_time = T("1999-12-31T23:59:59.999999Z");
  trades.push_back(c);
  return trades;
}

TEST(TradesCsvTest, WritesCanonicalText) {
  std::ostringstream out;
  ASSERT_TRUE(WriteTradesCsv(out, {SampleTrades()[0]}).ok());
  EXPECT_EQ(out.str(),
            "order_id,symbol,side,size,price,order_time,total_fees_usd,source,"
            "status,order_type,ingest_via\n"
            "plain-1,BTC-USD,buy,0.5,30000,2025-11-20T10:00:00.000000Z,0,"
            "manual,,,\n");
}

TEST(TradesCsvTest, WriteThenReadGivesTheSameTrades) {
  const std::vector<Trade> trades = SampleTrades();
  std::ostringstream out;
  ASSERT_TRUE(WriteTradesCsv(out, trades).ok());
  EXPECT_THAT(out.str(),
              HasSubstr("\"id, with \"\"quotes\"\" and, commas\""));
  Result r = ReadText(out.str());
  ASSERT_TRUE(r.status.ok()) << r.status << "\n" << out.str();
  ASSERT_EQ(r.trades.size(), trades.size());
  for (size_t i = 0; i < trades.size(); ++i) {
    ExpectSameTrade(r.trades[i], trades[i], absl::StrCat("trade ", i));
  }
  EXPECT_THAT(r.lines, ElementsAre(2, 3, 5));
}

TEST(TradesCsvTest, FileRoundTrip) {
  const std::string path =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/trades_round_trip.csv");
  const std::vector<Trade> trades = SampleTrades();
  ASSERT_TRUE(WriteTradesCsvFile(path, trades).ok());
  absl::StatusOr<std::vector<Trade>> read = ReadTradesCsvFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), trades.size());
  for (size_t i = 0; i < trades.size(); ++i) {
    ExpectSameTrade((*read)[i], trades[i], absl::StrCat("trade ", i));
  }
}

TEST(TradesCsvTest, FileErrorsNameThePath) {
  const std::string path =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/no_such_file.csv");
  absl::StatusOr<std::vector<Trade>> read = ReadTradesCsvFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path));

  const std::string bad =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/bad_trades.csv");
  {
    std::ofstream out(bad);
    out << kHeader << "X,BTC-USD,buy,1,10,2025-01-01T00:00:00Z,-1,manual\n";
  }
  read = ReadTradesCsvFile(bad);
  EXPECT_EQ(read.status(),
            absl::InvalidArgumentError(absl::StrCat(
                bad, " line 2, column total_fees_usd: must be >= 0, got -1")));
}

TEST(TradesCsvTest, WriteFailureIsDataLoss) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  absl::Status status = WriteTradesCsv(out, SampleTrades());
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
}

}  // namespace
}  // namespace fifo
