// Tests of storage/sql_dialect.h: each dialect's fragments, and the list
// encoders round-tripping awkward text.
#include "storage/sql_dialect.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace fifo {
namespace storage_internal {
namespace {

TEST(SqlDialectTest, FragmentsPerDialect) {
  const SqlDialect lite(Dialect::kSqlite);
  const SqlDialect pg(Dialect::kPostgresql);
  EXPECT_TRUE(lite.sqlite());
  EXPECT_FALSE(pg.sqlite());
  EXPECT_EQ(lite.NumCol("size"), "size");
  EXPECT_EQ(pg.NumCol("size"), "CAST(size AS TEXT)");
  EXPECT_EQ(pg.NumParam(":p"), "CAST(:p AS NUMERIC)");
  EXPECT_EQ(lite.TsParam(":t"), ":t");
  EXPECT_EQ(pg.TsCol("order_time"), "fifo_ts_text(order_time)");
  EXPECT_EQ(pg.TsParam(":t"), "CAST(:t AS TIMESTAMPTZ)");
  EXPECT_EQ(pg.UuidParam(":b"), "CAST(:b AS UUID)");
  EXPECT_EQ(pg.JsonParam(":d"), "CAST(:d AS JSONB)");
  EXPECT_EQ(pg.IntParam(":n"), "CAST(:n AS BIGINT)");
  EXPECT_EQ(lite.InList("symbol", ":ex"),
            "symbol IN (SELECT value FROM json_each(:ex))");
  EXPECT_EQ(pg.InList("symbol", ":ex"), "symbol = ANY(CAST(:ex AS TEXT[]))");
  EXPECT_EQ(pg.ListParam(":y"), "CAST(:y AS TEXT[])");
  EXPECT_EQ(pg.ListColAsJson("s"), "CAST(array_to_json(s) AS TEXT)");
  const std::vector<std::string> values = {"a", "b\"c"};
  EXPECT_EQ(lite.EncodeList(values), "[\"a\",\"b\\\"c\"]");
  EXPECT_EQ(pg.EncodeList(values), "{\"a\",\"b\\\"c\"}");
}

TEST(JsonStringArrayTest, RoundTripsAwkwardText) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {""},
      {"BTC-USD", "ETH-USD"},
      {"quote \" backslash \\ slash /", "tab\tnew\nline\r", "caf\xc3\xa9"},
  };
  for (const std::vector<std::string>& values : cases) {
    const std::string json = JsonStringArray(values);
    absl::StatusOr<std::vector<std::string>> back = ParseJsonStringArray(json);
    ASSERT_TRUE(back.ok()) << json << ": " << back.status();
    EXPECT_EQ(*back, values) << json;
  }
}

TEST(JsonStringArrayTest, ReadsEscapesAndRejectsMalformedText) {
  absl::StatusOr<std::vector<std::string>> parsed =
      ParseJsonStringArray(" [ \"\\u00e9\\ud83d\\ude00\", \"\\/\" ] ");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed,
            (std::vector<std::string>{"\xc3\xa9\xf0\x9f\x98\x80", "/"}));
  for (const char* bad :
       {"", "[", "[\"a\"", "[\"a\",]", "[a]", "[\"\\x\"]", "[] x", "{}"}) {
    EXPECT_EQ(ParseJsonStringArray(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PgArrayLiteralTest, QuotesElementsAndWritesNull) {
  EXPECT_EQ(PgArrayLiteral({}), "{}");
  EXPECT_EQ(PgArrayLiteral({std::string("a"), std::nullopt,
                            std::string("b\"c\\d")}),
            "{\"a\",NULL,\"b\\\"c\\\\d\"}");
}

}  // namespace
}  // namespace storage_internal
}  // namespace fifo
