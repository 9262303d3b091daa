// ParsePeriod, table-driven (every form of core/reports.h and the exact
// messages of bad ones), and BuildPnlReport on a small real SQLite store.
#include "core/reports.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/test_ledger.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss),
                         absl::UTCTimeZone());
}

// 2025-06-15T12:30:00Z.
const absl::Time kNow = Utc(2025, 6, 15, 12, 30);

struct PeriodCase {
  std::string period;
  std::optional<absl::Time> from, to;
};

TEST(ParsePeriodTest, AcceptsEveryForm) {
  const std::vector<PeriodCase> cases = {
      {"", std::nullopt, std::nullopt},
      {"all", std::nullopt, std::nullopt},
      {"last-30-days", kNow - absl::Hours(24 * 30), kNow},
      {"ytd", Utc(2025, 1, 1), kNow},
      // A date as TO includes that whole day.
      {"2025-01-01..2025-01-31", Utc(2025, 1, 1), Utc(2025, 2, 1)},
      {"2025-01-01..", Utc(2025, 1, 1), std::nullopt},
      {"..2025-12-31", std::nullopt, Utc(2026, 1, 1)},
      {"..", std::nullopt, std::nullopt},
      // A timestamp as TO is exclusive; offsets are honoured.
      {"2025-01-01T10:00:00Z..2025-01-01T11:00:00Z", Utc(2025, 1, 1, 10),
       Utc(2025, 1, 1, 11)},
      {"2025-01-01T10:00:00+02:00..2025-01-02", Utc(2025, 1, 1, 8),
       Utc(2025, 1, 3)},
      {"2025-01-01T00:00:00.250000Z..",
       Utc(2025, 1, 1) + absl::Milliseconds(250), std::nullopt},
      // Through 9999-12-31 is everything: no upper bound.
      {"2025-01-01..9999-12-31", Utc(2025, 1, 1), std::nullopt},
      {"0001-01-01..2025-01-01", Utc(1, 1, 1), Utc(2025, 1, 2)},
  };
  for (const PeriodCase& c : cases) {
    SCOPED_TRACE(c.period);
    absl::StatusOr<TimeRange> range = ParsePeriod(c.period, kNow);
    ASSERT_TRUE(range.ok()) << range.status();
    EXPECT_EQ(range->from, c.from);
    EXPECT_EQ(range->to, c.to);
  }
}

TEST(ParsePeriodTest, YtdStartsAtTheUtcYear) {
  // 00:30 on January 1st in UTC: the year has just begun.
  const absl::Time now = Utc(2026, 1, 1, 0, 30);
  absl::StatusOr<TimeRange> range = ParsePeriod("ytd", now);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->from, Utc(2026, 1, 1));
  EXPECT_EQ(range->to, now);
}

struct BadPeriodCase {
  std::string period;
  std::string message;
};

TEST(ParsePeriodTest, RejectsBadPeriodsNamingThem) {
  const std::string kForms =
      "expected all, last-30-days, ytd or FROM..TO (dates YYYY-MM-DD or "
      "RFC 3339 timestamps)";
  const std::vector<BadPeriodCase> cases = {
      {"yesterday", "period \"yesterday\": " + kForms},
      {"ALL", "period \"ALL\": " + kForms},
      {"last-7-days", "period \"last-7-days\": " + kForms},
      {"2025-01-01", "period \"2025-01-01\": " + kForms},
      {"2025-01-01..2025-02-01..2025-03-01",
       "period \"2025-01-01..2025-02-01..2025-03-01\": " + kForms},
      {"2025-13-01..",
       "period \"2025-13-01..\": FROM is not a date or "
       "timestamp: not an RFC 3339 timestamp with offset: "
       "\"2025-13-01\" (too short)"},
      {"..2025-01-01T10:00:00",
       "period \"..2025-01-01T10:00:00\": TO is not a date or timestamp: not "
       "an RFC 3339 timestamp with offset: \"2025-01-01T10:00:00\" (missing "
       "UTC offset ('Z' or +HH:MM))"},
      {"0000-01-01..",
       "period \"0000-01-01..\": FROM is not a date or "
       "timestamp: date \"0000-01-01\" is outside years "
       "0001..9999"},
      {"2025-02-01..2025-01-01",
       "period \"2025-02-01..2025-01-01\": TO must come after FROM"},
      {"2025-01-01T10:00:00Z..2025-01-01T10:00:00Z",
       "period \"2025-01-01T10:00:00Z..2025-01-01T10:00:00Z\": TO must come "
       "after FROM"},
  };
  for (const BadPeriodCase& c : cases) {
    SCOPED_TRACE(c.period);
    absl::StatusOr<TimeRange> range = ParsePeriod(c.period, kNow);
    EXPECT_EQ(range.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(range.status().message(), c.message);
  }
}

class PnlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<LedgerStore>> store =
        testing::OpenTempSqliteStore("reports");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Imports the small ledger and computes it; returns the version.
  int64_t ComputeSmallLedger() {
    absl::StatusOr<ImportResult> imported =
        store_->ImportTrades(testing::SmallLedger(), /*dry_run=*/false);
    EXPECT_TRUE(imported.ok()) << imported.status();
    absl::StatusOr<ComputationRun> run = testing::ComputeAll(*store_);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? run->allocation_version : 0;
  }

  PnlReportQuery Query(const std::string& period) const {
    PnlReportQuery query;
    query.period = period;
    query.now = kNow;
    return query;
  }

  std::unique_ptr<LedgerStore> store_;
};

TEST_F(PnlReportTest, NoVersionYetIsNotFound) {
  absl::StatusOr<PnlReport> report = BuildPnlReport(*store_, Query("all"));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(report.status().message(),
            "no completed allocation version yet: run `fifoctl compute` first");
}

TEST_F(PnlReportTest, BadPeriodIsInvalidArgumentBeforeTheStoreIsRead) {
  absl::StatusOr<PnlReport> report = BuildPnlReport(*store_, Query("soon"));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PnlReportTest, WholeVersion) {
  const int64_t version = ComputeSmallLedger();
  ASSERT_GT(version, 0);
  absl::StatusOr<PnlReport> report = BuildPnlReport(*store_, Query(""));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->version, version);
  EXPECT_EQ(report->period, "all");
  EXPECT_EQ(report->total_realized_pnl_usd.ToString(), "265");
  ASSERT_EQ(report->rows.size(), 2u);
  EXPECT_EQ(report->rows[0].symbol, "BTC-USD");
  EXPECT_EQ(report->rows[0].realized_pnl_usd.ToString(), "250");
  EXPECT_EQ(report->rows[1].symbol, "ETH-USD");
  EXPECT_EQ(report->rows[1].realized_pnl_usd.ToString(), "15");
  ASSERT_EQ(report->unmatched.size(), 1u);
  EXPECT_EQ(report->unmatched[0].sell_order_id, "e3");
  EXPECT_EQ(report->unmatched[0].unmatched_size.ToString(), "1");
  ASSERT_EQ(report->inventory.size(), 2u);
  EXPECT_EQ(report->inventory[0].symbol, "BTC-USD");
  EXPECT_EQ(report->inventory[0].open_lots, 1);
  EXPECT_EQ(report->inventory[0].remaining_size.ToString(), "0.5");
  EXPECT_EQ(report->inventory[0].remaining_cost_usd.ToString(), "100");
  EXPECT_EQ(report->inventory[0].average_cost_usd.ToString(), "200");
  EXPECT_EQ(report->inventory[1].open_lots, 0);
}

TEST_F(PnlReportTest, PeriodAndSymbolRestrictTheRows) {
  ASSERT_GT(ComputeSmallLedger(), 0);
  // March holds only ETH-USD's sells.
  absl::StatusOr<PnlReport> march =
      BuildPnlReport(*store_, Query("2025-03-01..2025-03-31"));
  ASSERT_TRUE(march.ok()) << march.status();
  ASSERT_EQ(march->rows.size(), 1u);
  EXPECT_EQ(march->rows[0].symbol, "ETH-USD");
  EXPECT_EQ(march->total_realized_pnl_usd.ToString(), "15");
  EXPECT_EQ(march->unmatched.size(), 1u);

  PnlReportQuery btc = Query("all");
  btc.symbol = "BTC-USD";
  btc.grouping = PnlGrouping::kMonth;
  absl::StatusOr<PnlReport> report = BuildPnlReport(*store_, btc);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->rows.size(), 1u);
  EXPECT_EQ(report->rows[0].period, "2025-02");
  EXPECT_EQ(report->total_realized_pnl_usd.ToString(), "250");
  EXPECT_TRUE(report->unmatched.empty());
  ASSERT_EQ(report->inventory.size(), 1u);
  EXPECT_EQ(report->inventory[0].symbol, "BTC-USD");
}

TEST_F(PnlReportTest, UnknownVersionIsNotFound) {
  ASSERT_GT(ComputeSmallLedger(), 0);
  PnlReportQuery query = Query("all");
  query.version = 99;
  absl::StatusOr<PnlReport> report = BuildPnlReport(*store_, query);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(report.status().message(),
            "allocation version 99 has no completed run");
}

}  // namespace
}  // namespace fifo
