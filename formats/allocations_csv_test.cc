#include "formats/allocations_csv.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "engine/timestamp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kHeaderLine[] =
    "allocation_version,sell_order_id,buy_order_id,symbol,allocated_size,"
    "buy_price,sell_price,buy_fees_per_unit,sell_fees_per_unit,"
    "cost_basis_usd,proceeds_usd,net_proceeds_usd,pnl_usd,buy_time,"
    "sell_time\n";

Decimal D(const char* text) { return Decimal::Parse(text).value(); }
absl::Time T(const char* text) { return ParseTimestamp(text).value(); }

Allocation Matched() {
  Allocation a;
  a.sell_order_id = "SELL-1";
  a.buy_order_id = "BUY-1";
  a.symbol = "BTC-USD";
  a.allocated_size = D("0.5");
  a.buy_price = D("30000");
  a.sell_price = D("32000");
  a.buy_fees_per_unit = D("0.000000000000000001");
  a.sell_fees_per_unit = D("2");
  a.buy_fee_share = D("1");
  a.sell_fee_share = D("1");
  a.cost_basis_usd = D("15001");
  a.proceeds_usd = D("16000");
  a.net_proceeds_usd = D("15999");
  a.pnl_usd = D("998");
  a.buy_time = T("2025-11-20T10:00:00Z");
  a.sell_time = T("2025-11-20T10:10:00.5+01:00");
  return a;
}

Allocation Unmatched() {
  Allocation a;
  a.sell_order_id = "SELL-2";
  a.symbol = "ETH-USD";
  a.allocated_size = D("1.25");
  a.sell_price = D("2000");
  a.sell_fees_per_unit = D("0");
  a.proceeds_usd = D("2500");
  a.net_proceeds_usd = D("2500");
  a.sell_time = T("2025-11-21T00:00:00Z");
  // Buy-side values that must not leak into the file.
  a.buy_price = D("7");
  a.cost_basis_usd = D("7");
  a.pnl_usd = D("7");
  return a;
}

std::string Written(int64_t version, const std::vector<Allocation>& rows) {
  std::ostringstream out;
  AllocationsCsvWriter writer(out);
  EXPECT_TRUE(writer.WriteHeader().ok());
  for (const Allocation& a : rows) EXPECT_TRUE(writer.Write(version, a).ok());
  return out.str();
}

struct Result {
  absl::Status status;
  std::vector<int64_t> versions;
  std::vector<Allocation> rows;
  std::vector<int64_t> lines;
};

Result ReadText(const std::string& text) {
  std::istringstream in(text);
  Result r;
  r.status = ReadAllocationsCsv(
      in, "alloc.csv", [&](int64_t version, Allocation&& a, int64_t line) {
        r.versions.push_back(version);
        r.rows.push_back(std::move(a));
        r.lines.push_back(line);
        return absl::OkStatus();
      });
  return r;
}

void ExpectSameAllocation(const Allocation& got, const Allocation& want,
                          const std::string& why) {
  EXPECT_EQ(got.sell_order_id, want.sell_order_id) << why;
  EXPECT_EQ(got.buy_order_id, want.buy_order_id) << why;
  EXPECT_EQ(got.symbol, want.symbol) << why;
  EXPECT_EQ(got.allocated_size.ToString(), want.allocated_size.ToString())
      << why;
  EXPECT_EQ(got.sell_price.ToString(), want.sell_price.ToString()) << why;
  EXPECT_EQ(got.sell_fees_per_unit.ToString(),
            want.sell_fees_per_unit.ToString())
      << why;
  EXPECT_EQ(got.proceeds_usd.ToString(), want.proceeds_usd.ToString()) << why;
  EXPECT_EQ(got.net_proceeds_usd.ToString(), want.net_proceeds_usd.ToString())
      << why;
  EXPECT_EQ(got.sell_time, want.sell_time) << why;
  // Not in the file: always zero when read back.
  EXPECT_TRUE(got.sell_fee_share.is_zero()) << why;
  EXPECT_TRUE(got.buy_fee_share.is_zero()) << why;
  if (want.matched()) {
    EXPECT_EQ(got.buy_price.ToString(), want.buy_price.ToString()) << why;
    EXPECT_EQ(got.buy_fees_per_unit.ToString(),
              want.buy_fees_per_unit.ToString())
        << why;
    EXPECT_EQ(got.cost_basis_usd.ToString(), want.cost_basis_usd.ToString())
        << why;
    EXPECT_EQ(got.pnl_usd.ToString(), want.pnl_usd.ToString()) << why;
    EXPECT_EQ(got.buy_time, want.buy_time) << why;
  } else {
    EXPECT_TRUE(got.buy_price.is_zero()) << why;
    EXPECT_TRUE(got.cost_basis_usd.is_zero()) << why;
    EXPECT_TRUE(got.pnl_usd.is_zero()) << why;
  }
}

TEST(AllocationsCsvTest, HeaderConstantMatchesTheWriter) {
  EXPECT_EQ(absl::StrCat(kAllocationsCsvHeader, "\n"), kHeaderLine);
  EXPECT_EQ(Written(1, {}), kHeaderLine);
}

TEST(AllocationsCsvTest, WritesMatchedAndUnmatchedRows) {
  EXPECT_EQ(Written(3, {Matched(), Unmatched()}),
            absl::StrCat(
                kHeaderLine,
                "3,SELL-1,BUY-1,BTC-USD,0.5,30000,32000,0.000000000000000001,"
                "2,15001,16000,15999,998,2025-11-20T10:00:00.000000Z,"
                "2025-11-20T09:10:00.500000Z\n",
                "3,SELL-2,,ETH-USD,1.25,,2000,,0,,2500,2500,,,"
                "2025-11-21T00:00:00.000000Z\n"));
}

std::vector<Allocation> ManyAllocations() {
  std::vector<Allocation> rows = {Matched(), Unmatched()};
  Allocation odd = Matched();
  odd.sell_order_id = "sell, \"quoted\"\nid";
  odd.buy_order_id = "buy,id";
  odd.symbol = "SHIB-USD";
  odd.allocated_size = D("12345678901234567890.12345678901234567891");
  odd.buy_price = D("0.0000000000000000000000000000000000000001");
  odd.pnl_usd = D("-1234567890123456789012345678901234567890.5");
  odd.buy_time = T("1970-01-01T00:00:00.000001Z");
  rows.push_back(odd);
  return rows;
}

TEST(AllocationsCsvTest, WriteThenReadGivesTheSameRows) {
  const std::vector<Allocation> rows = ManyAllocations();
  const std::string text = Written(42, rows);
  EXPECT_THAT(text, HasSubstr("\"sell, \"\"quoted\"\"\nid\",\"buy,id\""));
  EXPECT_THAT(text, HasSubstr(",-1234567890123456789012345678901234567890.5,"));
  Result r = ReadText(text);
  ASSERT_TRUE(r.status.ok()) << r.status << "\n" << text;
  ASSERT_EQ(r.rows.size(), rows.size());
  EXPECT_THAT(r.versions, ElementsAre(42, 42, 42));
  EXPECT_THAT(r.lines, ElementsAre(2, 3, 4));
  for (size_t i = 0; i < rows.size(); ++i) {
    ExpectSameAllocation(r.rows[i], rows[i], absl::StrCat("row ", i));
  }
  EXPECT_FALSE(r.rows[1].matched());
  EXPECT_EQ(r.rows[1].buy_order_id, std::nullopt);
}

TEST(AllocationsCsvTest, ReadsColumnsInAnyOrderWithBomAndCrlf) {
  // The columns of a written file, reversed.
  const std::string text = Written(7, {Matched(), Unmatched()});
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  std::string reversed = "\xEF\xBB\xBF";
  for (const std::string& line : lines) {
    if (line.empty()) continue;
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    std::reverse(fields.begin(), fields.end());
    absl::StrAppend(&reversed, absl::StrJoin(fields, ","), "\r\n");
  }
  Result r = ReadText(reversed);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.rows.size(), 2u);
  ExpectSameAllocation(r.rows[0], Matched(), "matched");
  ExpectSameAllocation(r.rows[1], Unmatched(), "unmatched");
}

struct ErrorCase {
  const char* name;
  std::string row;  // line 3; line 2 is a good row
  std::string message;
  bool prefix_only = false;
};

constexpr char kGoodRow[] =
    "1,S,B,BTC-USD,1,10,11,0,0,10,11,11,1,2025-01-01T00:00:00.000000Z,"
    "2025-01-02T00:00:00.000000Z";

class AllocationsCsvErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(AllocationsCsvErrorTest, NamesLineColumnAndReason) {
  const ErrorCase& c = GetParam();
  Result r = ReadText(absl::StrCat(kHeaderLine, kGoodRow, "\n", c.row, "\n"));
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
    Rows, AllocationsCsvErrorTest,
    ::testing::Values(
        ErrorCase{"negative_version",
                  absl::StrReplaceAll(kGoodRow, {{"1,S,", "-1,S,"}}),
                  "alloc.csv line 3, column allocation_version: must be a "
                  "non-negative integer, got \"-1\""},
        ErrorCase{"fractional_version",
                  absl::StrReplaceAll(kGoodRow, {{"1,S,", "1.0,S,"}}),
                  "alloc.csv line 3, column allocation_version: must be a "
                  "non-negative integer, got \"1.0\""},
        ErrorCase{"huge_version",
                  absl::StrReplaceAll(kGoodRow,
                                      {{"1,S,", "99999999999999999999,S,"}}),
                  "alloc.csv line 3, column allocation_version: must be a "
                  "non-negative integer, got \"99999999999999999999\""},
        ErrorCase{"zero_size",
                  absl::StrReplaceAll(kGoodRow, {{"BTC-USD,1,", "BTC-USD,0,"}}),
                  "alloc.csv line 3, column allocated_size: must be > 0, got "
                  "0"},
        ErrorCase{"empty_sell_order_id",
                  absl::StrReplaceAll(kGoodRow, {{",S,", ",,"}}),
                  "alloc.csv line 3, column sell_order_id: must not be empty"},
        ErrorCase{"bad_sell_price",
                  absl::StrReplaceAll(kGoodRow, {{",11,0,", ",x,0,"}}),
                  "alloc.csv line 3, column sell_price: not a decimal number",
                  true},
        ErrorCase{"bad_sell_time",
                  absl::StrReplaceAll(kGoodRow, {{"2025-01-02T00:00:00.000000Z",
                                                  "2025-01-02"}}),
                  "alloc.csv line 3, column sell_time: not an RFC 3339 "
                  "timestamp",
                  true},
        ErrorCase{"unmatched_with_buy_price",
                  "1,S,,BTC-USD,1,10,11,,0,,11,11,,,2025-01-02T00:00:00Z",
                  "alloc.csv line 3, column buy_price: must be empty on an "
                  "unmatched row (empty buy_order_id), got \"10\""},
        ErrorCase{"unmatched_with_pnl",
                  "1,S,,BTC-USD,1,,11,,0,,11,11,5,,2025-01-02T00:00:00Z",
                  "alloc.csv line 3, column pnl_usd: must be empty on an "
                  "unmatched row (empty buy_order_id), got \"5\""},
        ErrorCase{"unmatched_with_buy_time",
                  "1,S,,BTC-USD,1,,11,,0,,11,11,,2025-01-01T00:00:00Z,"
                  "2025-01-02T00:00:00Z",
                  "alloc.csv line 3, column buy_time: must be empty on an "
                  "unmatched row (empty buy_order_id), got "
                  "\"2025-01-01T00:00:00Z\""},
        ErrorCase{"matched_without_buy_time",
                  "1,S,B,BTC-USD,1,10,11,0,0,10,11,11,1,,2025-01-02T00:00:00Z",
                  "alloc.csv line 3, column buy_time: must not be empty "
                  "(expected an RFC 3339 timestamp)"},
        ErrorCase{"matched_without_cost_basis",
                  "1,S,B,BTC-USD,1,10,11,0,0,,11,11,1,2025-01-01T00:00:00Z,"
                  "2025-01-02T00:00:00Z",
                  "alloc.csv line 3, column cost_basis_usd: must not be empty "
                  "(expected a decimal)"},
        ErrorCase{"wrong_field_count", "1,S,B",
                  "alloc.csv line 3: expected 15 fields (as in the header), "
                  "got 3"},
        ErrorCase{"malformed_quoting", absl::StrCat("\"1\"2", kGoodRow),
                  "alloc.csv line 3: malformed CSV quoting", true},
        ErrorCase{"malformed_utf8",
                  absl::StrReplaceAll(kGoodRow, {{",S,", ",S\xC3,"}}),
                  "alloc.csv line 3, column sell_order_id: not valid UTF-8",
                  true}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) {
      return std::string(info.param.name);
    });

TEST(AllocationsCsvTest, HeaderErrors) {
  Result r = ReadText("");
  EXPECT_EQ(r.status, absl::InvalidArgumentError(
                          "alloc.csv: empty file, expected a header line"));

  r = ReadText(absl::StrReplaceAll(kHeaderLine, {{",pnl_usd", ""}}));
  EXPECT_EQ(r.status, absl::InvalidArgumentError(
                          "alloc.csv line 1: missing required column pnl_usd"));

  r = ReadText(
      absl::StrReplaceAll(kHeaderLine, {{"sell_time", "sell_time,x"}}));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status.message()),
              StartsWith("alloc.csv line 1: unknown column \"x\"; expected "
                         "allocation_version,sell_order_id,"));

  r = ReadText(
      absl::StrReplaceAll(kHeaderLine, {{"sell_time", "sell_time,symbol"}}));
  EXPECT_EQ(r.status, absl::InvalidArgumentError(
                          "alloc.csv line 1: duplicate column \"symbol\" "
                          "(header fields 4 and 16)"));
}

TEST(AllocationsCsvTest, FileRoundTrip) {
  const std::string path =
      absl::StrCat(std::getenv("TEST_TMPDIR"), "/allocations.csv");
  const std::vector<Allocation> rows = ManyAllocations();
  ASSERT_TRUE(WriteAllocationsCsvFile(path, 5, rows).ok());
  absl::StatusOr<std::vector<VersionedAllocation>> read =
      ReadAllocationsCsvFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ((*read)[i].version, 5);
    ExpectSameAllocation((*read)[i].allocation, rows[i],
                         absl::StrCat("row ", i));
  }
  EXPECT_EQ(ReadAllocationsCsvFile(path + ".missing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(AllocationsCsvTest, WriteFailureIsDataLoss) {
  std::ostringstream out;
  AllocationsCsvWriter writer(out);
  out.setstate(std::ios::failbit);
  EXPECT_EQ(writer.WriteHeader().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(writer.Write(1, Matched()).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace fifo
