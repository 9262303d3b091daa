// Tests of the bulk write path (storage/bulk_insert.h): InsertRows on
// SQLite (native statements kept per session) and PostgreSQL (COPY, when
// FIFO_TEST_POSTGRES_URL names a server), and AppendTimestamp against
// FormatTimestamp.
#include "storage/bulk_insert.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"
#include "storage/sql_session.h"
#include "storage/testing/test_store.h"

namespace fifo {
namespace storage_internal {
namespace {

using ::fifo::testing::TestStore;

// ------------------------------------------------------ AppendTimestamp ----

std::string Fast(absl::Time t) {
  std::string out = "prefix:";
  AppendTimestamp(t, &out);
  return out.substr(7);
}

TEST(AppendTimestampTest, MatchesFormatTimestampAtEdges) {
  const int64_t kMin = -62135596800LL * 1000000;   // 0001-01-01
  const int64_t kEnd = 253402300800LL * 1000000;   // 10000-01-01
  std::vector<int64_t> micros = {0, -1, 1, 999999, 1000000, -1000000,
                                 86400LL * 1000000 - 1, -86400LL * 1000000,
                                 kMin, kMin + 1, kEnd - 1,
                                 951782400LL * 1000000,   // 2000-02-29
                                 -2203891200LL * 1000000,  // 1900-02-28
                                 4107542400LL * 1000000,   // 2100-03-01
                                 1700000000123456LL};
  for (int64_t us : micros) {
    const absl::Time t = absl::FromUnixMicros(us);
    EXPECT_EQ(Fast(t), FormatTimestamp(t)) << us;
  }
  // Outside the fast path: FormatTimestamp's own text.
  for (absl::Time t :
       {absl::FromUnixMicros(kMin - 1), absl::FromUnixMicros(kEnd),
        absl::FromUnixNanos(1700000000123456789LL),
        absl::FromUnixNanos(-1), absl::InfiniteFuture(),
        absl::InfinitePast()}) {
    EXPECT_EQ(Fast(t), FormatTimestamp(t));
  }
}

TEST(AppendTimestampTest, MatchesFormatTimestampOnRandomTimes) {
  std::mt19937_64 rng(42);
  const int64_t kMin = -62135596800LL * 1000000;
  const int64_t kEnd = 253402300800LL * 1000000;
  std::uniform_int_distribution<int64_t> any(kMin, kEnd - 1);
  std::uniform_int_distribution<int64_t> recent(0, 4102444800LL * 1000000);
  for (int i = 0; i < 100000; ++i) {
    const absl::Time t = absl::FromUnixMicros(i % 2 ? any(rng) : recent(rng));
    ASSERT_EQ(Fast(t), FormatTimestamp(t)) << absl::ToUnixMicros(t);
  }
}

TEST(BulkRowsTest, TimeCellIsFormatTimestampText) {
  // Through a store round trip below; here only the cell bookkeeping.
  BulkRows rows;
  rows.Text("a");
  rows.Time(absl::FromUnixMicros(1));
  rows.Null();
  rows.Int(7);
  EXPECT_EQ(rows.cells(), 4u);
  EXPECT_EQ(rows.text_bytes(), 1 + FormatTimestamp(absl::FromUnixMicros(1)).size());
  rows.Clear();
  EXPECT_EQ(rows.cells(), 0u);
}

// ------------------------------------------------------- InsertRows ----

// Values that need escaping in COPY's text format or in SQL.
const std::vector<std::string>& AwkwardTexts() {
  static const auto* texts = new std::vector<std::string>{
      "plain", "", "tab\there", "new\nline", "carriage\rreturn",
      "back\\slash", "\\N", "\\.", "quote'\"", "end\\", "ünïcødé €",
      std::string(70000, 'x')};  // longer than one COPY buffer row chunk
  return *texts;
}

class InsertRowsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<TestStore> test_store = TestStore::Create(GetParam());
    if (absl::IsFailedPrecondition(test_store.status())) {
      GTEST_SKIP() << test_store.status().message();
    }
    ASSERT_TRUE(test_store.ok()) << test_store.status();
    test_store_.emplace(*std::move(test_store));
    absl::StatusOr<StoreUrl> parsed = ParseStoreUrl(test_store_->url());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    absl::StatusOr<std::unique_ptr<SqlSession>> db = SqlSession::Open(*parsed);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    // PostgreSQL: a temporary table, private to this session.
    const std::string int_type = db_->sqlite() ? "INTEGER" : "BIGINT";
    ASSERT_TRUE(db_->ExecScript(
                       "create",
                       absl::StrCat(db_->sqlite() ? "CREATE TABLE"
                                                  : "CREATE TEMP TABLE",
                                    " bulk_t (k ", int_type,
                                    " NOT NULL UNIQUE, t TEXT, n ", int_type,
                                    ", d ",
                                    db_->sqlite() ? "TEXT" : "NUMERIC",
                                    ", ts ",
                                    db_->sqlite() ? "TEXT" : "TIMESTAMPTZ",
                                    ")"))
                    .ok());
  }

  void TearDown() override {
    db_.reset();
    test_store_.reset();
  }

  // k, t, typeof(t) (SQLite) and n, d, ts as text, ordered by k.
  std::vector<Row> ReadAll() {
    const std::string sql =
        db_->sqlite()
            ? "SELECT k, t, typeof(t), n, typeof(n), d, ts FROM bulk_t ORDER "
              "BY k"
            : "SELECT CAST(k AS TEXT), t, 'text', CAST(n AS TEXT), 'integer', "
              "CAST(d AS TEXT), to_char(ts AT TIME ZONE 'UTC', "
              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM bulk_t ORDER BY bulk_t.k";
    absl::StatusOr<std::vector<Row>> rows = db_->QueryAll("read", sql, {}, 7);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<Row>{};
  }

  const BulkTable target_{"bulk_t", {"k", "t", "n", "d", "ts"}};
  std::optional<TestStore> test_store_;
  std::unique_ptr<SqlSession> db_;
};

TEST_P(InsertRowsTest, RoundTripsAwkwardTextNullsAndIntegers) {
  const auto& texts = AwkwardTexts();
  const absl::Time t0 = absl::FromUnixMicros(1700000000123456LL);
  BulkRows rows;
  for (size_t i = 0; i < texts.size(); ++i) {
    rows.Int(static_cast<int64_t>(i));
    rows.Text(texts[i]);
    if (i % 3 == 0) {
      rows.Null();
    } else {
      rows.Int(-static_cast<int64_t>(i) * 1000000007LL);
    }
    rows.Text(i % 2 ? "1.50000000" : "-0.000000000000000001");
    rows.Time(t0 + absl::Microseconds(static_cast<int64_t>(i)));
  }
  rows.Int(1000);
  rows.Null();
  rows.Null();
  rows.Null();
  rows.Null();
  ASSERT_TRUE(db_->BeginWrite("begin").ok());
  absl::Status s = db_->InsertRows("bulk", target_, rows);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_TRUE(db_->Commit("commit").ok());
  std::vector<Row> got = ReadAll();
  ASSERT_EQ(got.size(), texts.size() + 1);
  for (size_t i = 0; i < texts.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i][0], absl::StrCat(i));
    ASSERT_TRUE(got[i][1].has_value());
    EXPECT_EQ(*got[i][1], texts[i]);  // empty text stays text, not NULL
    EXPECT_EQ(got[i][2], "text");
    if (i % 3 == 0) {
      EXPECT_FALSE(got[i][3].has_value());
    } else {
      EXPECT_EQ(got[i][3], absl::StrCat(-static_cast<int64_t>(i) * 1000000007LL));
      EXPECT_EQ(got[i][4], "integer");
    }
    EXPECT_EQ(got[i][5], i % 2 ? "1.50000000" : "-0.000000000000000001");
    EXPECT_EQ(got[i][6],
              FormatTimestamp(t0 + absl::Microseconds(static_cast<int64_t>(i))));
  }
  for (int c = 1; c < 7; ++c) {
    if (c == 2 || c == 4) continue;  // typeof columns
    EXPECT_FALSE(got.back()[c].has_value()) << c;
  }
}

TEST_P(InsertRowsTest, ManyRowsAcrossCallsAndColumnLists) {
  // Several calls reuse the session's statement (SQLite) and stream more
  // than one COPY buffer (PostgreSQL); another column list gets its own.
  int64_t k = 0;
  ASSERT_TRUE(db_->BeginWrite("begin").ok());
  for (int call = 0; call < 3; ++call) {
    BulkRows rows;
    for (int i = 0; i < 20000; ++i) {
      rows.Int(k);
      rows.Text(absl::StrCat("row\t", k, "\\", std::string(40, 'y')));
      rows.Int(k * 2);
      rows.Text("0.1");
      rows.Null();
      ++k;
    }
    absl::Status s = db_->InsertRows("bulk", target_, rows);
    ASSERT_TRUE(s.ok()) << s;
  }
  BulkRows two;
  two.Int(k);
  two.Text("two columns");
  ASSERT_TRUE(db_->InsertRows("bulk", BulkTable{"bulk_t", {"k", "t"}}, two).ok());
  ASSERT_TRUE(db_->Commit("commit").ok());
  std::vector<Row> got = ReadAll();
  ASSERT_EQ(got.size(), 60001u);
  EXPECT_EQ(got[12345][1], absl::StrCat("row\t12345\\", std::string(40, 'y')));
  EXPECT_EQ(got[12345][3], "24690");
  EXPECT_EQ(got.back()[1], "two columns");
  EXPECT_FALSE(got.back()[3].has_value());
}

TEST_P(InsertRowsTest, ConstraintErrorIsMappedAndTheTransactionRollsBack) {
  ASSERT_TRUE(db_->BeginWrite("begin").ok());
  BulkRows first;
  first.Int(1);
  first.Text("a");
  ASSERT_TRUE(db_->InsertRows("bulk", BulkTable{"bulk_t", {"k", "t"}}, first).ok());
  BulkRows dup;
  for (int k : {2, 3, 1, 4}) {
    dup.Int(k);
    dup.Text("b");
  }
  absl::Status s =
      db_->InsertRows("write things", BulkTable{"bulk_t", {"k", "t"}}, dup);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), "storage: write things: ")) << s;
  db_->Rollback();
  EXPECT_TRUE(ReadAll().empty());

  // The session (and on SQLite its kept statement) still works.
  ASSERT_TRUE(db_->BeginWrite("begin").ok());
  ASSERT_TRUE(db_->InsertRows("bulk", BulkTable{"bulk_t", {"k", "t"}}, dup).ok());
  ASSERT_TRUE(db_->Commit("commit").ok());
  EXPECT_EQ(ReadAll().size(), 4u);
}

TEST_P(InsertRowsTest, BadTargetsAreErrors) {
  BulkRows rows;
  rows.Int(1);
  rows.Text("a");
  rows.Int(2);
  absl::Status s = db_->InsertRows("bulk", BulkTable{"bulk_t", {"k", "t"}}, rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  s = db_->InsertRows("bulk", BulkTable{"no_such_table", {"k"}}, rows);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "no_such_table")) << s;
  // Nothing to insert: no statement at all.
  EXPECT_TRUE(
      db_->InsertRows("bulk", BulkTable{"no_such_table", {"k"}}, BulkRows())
          .ok());
}

INSTANTIATE_TEST_SUITE_P(Dialects, InsertRowsTest,
                         ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace storage_internal
}  // namespace fifo
