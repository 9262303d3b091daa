#include "formats/coinbase_fills_csv.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/timestamp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHeader[] =
    "portfolio,trade id,product,side,created at,size,size unit,price,fee,"
    "total,price/fee/total unit\n";

struct Result {
  absl::Status status;
  std::vector<Trade> trades;
  std::vector<int64_t> lines;
};

Result ReadText(const std::string& text) {
  std::istringstream in(text);
  Result r;
  r.status =
      ReadCoinbaseFillsCsv(in, "fills.csv", [&](Trade&& t, int64_t line) {
        r.trades.push_back(std::move(t));
        r.lines.push_back(line);
        return absl::OkStatus();
      });
  return r;
}

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

TEST(CoinbaseFillsCsvTest, MapsFillsToTrades) {
  Result r = ReadText(absl::StrCat(
      kHeader,
      "default,1234567,BTC-USD,BUY,2021-01-05T18:40:25.123Z,0.01000000,BTC,"
      "31000.00,1.8600000000000000,-311.8600000000000000,USD\n",
      "default,1234570,BTC-USD,SELL,2021-01-06T01:02:03Z,0.005,btc,33000,"
      "0.99,164.01,usd\n"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.trades.size(), 2u);
  EXPECT_THAT(r.lines, ElementsAre(2, 3));
  const Trade& buy = r.trades[0];
  EXPECT_EQ(buy.order_id, "1234567");
  EXPECT_EQ(buy.symbol, "BTC-USD");
  EXPECT_EQ(buy.side, Side::kBuy);
  EXPECT_EQ(FormatTimestamp(buy.order_time), "2021-01-05T18:40:25.123000Z");
  EXPECT_EQ(buy.size.ToString(), "0.01");
  EXPECT_EQ(buy.price.ToString(), "31000");
  EXPECT_EQ(buy.total_fees_usd.ToString(), "1.86");
  EXPECT_EQ(buy.source, "coinbase");
  EXPECT_EQ(buy.ingest_via, "import");
  EXPECT_EQ(buy.status, "");
  EXPECT_EQ(buy.order_type, "");
  EXPECT_EQ(r.trades[1].side, Side::kSell);
  EXPECT_EQ(r.trades[1].total_fees_usd, D("0.99"));
}

TEST(CoinbaseFillsCsvTest, RequiredColumnsOnlyInAnyOrderWithBomAndCrlf) {
  Result r = ReadText(
      "\xEF\xBB\xBF"
      "fee,price,size,created at,side,product,trade id\r\n"
      ",2.5,123456789012345678901234567890.0123456789,"
      "2021-01-05T18:40:25+01:00,buy,SHIB-USD,\"t,1\"\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.trades.size(), 1u);
  EXPECT_EQ(r.trades[0].order_id, "t,1");
  EXPECT_TRUE(r.trades[0].total_fees_usd.is_zero());
  EXPECT_EQ(r.trades[0].size.ToString(),
            "123456789012345678901234567890.0123456789");
  EXPECT_EQ(FormatTimestamp(r.trades[0].order_time),
            "2021-01-05T17:40:25.000000Z");
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::string message;
  bool prefix_only = false;
};

std::string Row3(const std::string& row) {
  return absl::StrCat(kHeader,
                      "default,1,BTC-USD,BUY,2021-01-05T18:40:25Z,1,BTC,10,0,"
                      "-10,USD\n",
                      row, "\n");
}

class CoinbaseFillsCsvErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(CoinbaseFillsCsvErrorTest, NamesLineColumnAndReason) {
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
    Rows, CoinbaseFillsCsvErrorTest,
    ::testing::Values(
        ErrorCase{"negative_fee",
                  Row3("default,2,BTC-USD,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "-0.5,10.5,USD"),
                  "fills.csv line 3, column fee: must be >= 0 (write the fee "
                  "paid as a positive amount; negative fees are not "
                  "imported), got -0.5"},
        ErrorCase{"fee_not_a_number",
                  Row3("default,2,BTC-USD,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "one,10.5,USD"),
                  "fills.csv line 3, column fee: not a decimal number: "
                  "\"one\"",
                  true},
        ErrorCase{"non_usd_unit",
                  Row3("default,2,BTC-EUR,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "0.5,10.5,EUR"),
                  "fills.csv line 3, column price/fee/total unit: must be USD "
                  "(fees and PnL are kept in USD), got \"EUR\""},
        ErrorCase{"size_in_quote_units",
                  Row3("default,2,BTC-USD,SELL,2021-01-05T18:40:25Z,1,USD,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column size unit: must be the base "
                  "currency of BTC-USD (BTC), got \"USD\""},
        ErrorCase{"bad_side",
                  Row3("default,2,BTC-USD,HOLD,2021-01-05T18:40:25Z,1,BTC,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column side: must be BUY or SELL, got "
                  "\"HOLD\""},
        ErrorCase{"bad_created_at",
                  Row3("default,2,BTC-USD,SELL,2021-01-05 18:40,1,BTC,10,0.5,"
                       "10.5,USD"),
                  "fills.csv line 3, column created at: not an RFC 3339 "
                  "timestamp with offset",
                  true},
        ErrorCase{"zero_price",
                  Row3("default,2,BTC-USD,SELL,2021-01-05T18:40:25Z,1,BTC,0,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column price: must be > 0, got 0"},
        ErrorCase{"negative_size",
                  Row3("default,2,BTC-USD,SELL,2021-01-05T18:40:25Z,-1,BTC,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column size: must be > 0, got -1"},
        ErrorCase{"empty_trade_id",
                  Row3("default,,BTC-USD,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column trade id: must not be empty"},
        ErrorCase{"empty_product",
                  Row3("default,2,,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column product: must not be empty"},
        ErrorCase{"duplicate_trade_id",
                  Row3("default,1,BTC-USD,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column trade id: duplicate trade id "
                  "\"1\" (first on line 2)"},
        ErrorCase{"malformed_utf8",
                  Row3("d\xFE,2,BTC-USD,SELL,2021-01-05T18:40:25Z,1,BTC,10,"
                       "0.5,10.5,USD"),
                  "fills.csv line 3, column portfolio: not valid UTF-8", true},
        ErrorCase{"wrong_field_count", Row3("default,2,BTC-USD"),
                  "fills.csv line 3: expected 11 fields (as in the header), "
                  "got 3"},
        ErrorCase{"malformed_quoting",
                  Row3("default,2,BTC-USD,SELL,\"2021\"x,1,BTC,10,0.5,10.5,"
                       "USD"),
                  "fills.csv line 3: malformed CSV quoting", true},
        ErrorCase{"empty_file", "",
                  "fills.csv: empty file, expected a header line"},
        ErrorCase{"missing_fee_column",
                  "portfolio,trade id,product,side,created at,size,price\n",
                  "fills.csv line 1: missing required column fee"},
        ErrorCase{"unknown_column",
                  "trade id,product,side,created at,size,price,fee,order id\n",
                  "fills.csv line 1: unknown column \"order id\"; expected "
                  "trade id,product,side,created at,size,price,fee "
                  "(optional: portfolio,size unit,total,price/fee/total "
                  "unit)"},
        ErrorCase{"duplicate_column",
                  "trade id,product,side,created at,size,price,fee,side\n",
                  "fills.csv line 1: duplicate column \"side\" (header fields "
                  "3 and 8)"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return std::string(info.param.name);
    });

TEST(CoinbaseFillsCsvTest, ReadsAFile) {
  const std::string path =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/fills.csv");
  {
    std::ofstream out(path);
    out << kHeader
        << "default,7,ETH-USD,SELL,2021-02-01T00:00:00Z,2,ETH,1500,3,2997,"
           "USD\n";
  }
  absl::StatusOr<std::vector<Trade>> trades = ReadCoinbaseFillsCsvFile(path);
  ASSERT_TRUE(trades.ok()) << trades.status();
  ASSERT_EQ(trades->size(), 1u);
  EXPECT_EQ((*trades)[0].order_id, "7");
  EXPECT_EQ((*trades)[0].total_fees_usd, D("3"));

  absl::StatusOr<std::vector<Trade>> missing =
      ReadCoinbaseFillsCsvFile(path + ".missing");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(path));
}

}  // namespace
}  // namespace fifo
