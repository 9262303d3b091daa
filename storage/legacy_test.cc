// The legacy PnL columns (design: Migration Strategy, Historical Corrupted
// Data) on both stores: a real SQLite file and a fresh PostgreSQL database
// (skipped only when FIFO_TEST_POSTGRES_URL is unset).
//
// The legacy database is built the way an old system left it: a
// trade_records table of its own, with the legacy columns filled with WRONG
// values, created with raw SQL BEFORE the first migration. Migrate() must
// adopt it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/fifo_engine.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"
#include "soci/soci.h"
#include "storage/ledger_store.h"
#include "storage/testing/legacy_ledger.h"
#include "storage/testing/store_fixture.h"

namespace fifo {
namespace {

using ::fifo::testing::RawStoreFixture;

Decimal D(const std::string& text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

class LegacyTest : public RawStoreFixture {
 protected:
  // One text value (NULL -> "<null>").
  std::string RawValue(const std::string& sql) {
    std::string value;
    soci::indicator ind = soci::i_ok;
    try {
      *raw_ << sql, soci::into(value, ind);
    } catch (const std::exception& e) {
      return absl::StrCat("<error ", e.what(), ">");
    }
    return ind == soci::i_null ? "<null>" : value;
  }

  // The old system's database, with wrong legacy values on the sells.
  void CreateOldSystemDatabase() {
    absl::Status created =
        ::fifo::testing::CreateOldSystemDatabase(*test_store_);
    ASSERT_TRUE(created.ok()) << created;
  }

  void Migrate() {
    absl::StatusOr<std::vector<AppliedMigration>> m = store_->Migrate();
    ASSERT_TRUE(m.ok()) << m.status();
  }

  std::vector<Trade> AllTrades() {
    std::vector<Trade> out;
    absl::StatusOr<std::vector<std::string>> symbols = store_->ListSymbols();
    EXPECT_TRUE(symbols.ok()) << symbols.status();
    if (!symbols.ok()) return out;
    for (const std::string& symbol : *symbols) {
      absl::Status s = store_->ScanTrades(
          symbol, std::nullopt, [&](const std::vector<Trade>& page) {
            out.insert(out.end(), page.begin(), page.end());
            return absl::OkStatus();
          });
      EXPECT_TRUE(s.ok()) << s;
    }
    return out;
  }

  std::vector<LegacySell> LegacySells(int page_size = 1) {
    std::vector<LegacySell> out;
    absl::Status s = store_->ScanLegacySells(
        std::nullopt,
        [&](const std::vector<LegacySell>& page) {
          out.insert(out.end(), page.begin(), page.end());
          return absl::OkStatus();
        },
        page_size);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // Computes every stored trade with the engine and commits a full run;
  // returns the version and each sell's expected PnL (sum over matched
  // rows).
  int64_t RunFull(std::map<std::string, Decimal>* pnl_by_sell) {
    absl::StatusOr<std::vector<SymbolComputation>> computed =
        ComputeLedger(AllTrades(), SymbolConfigs{});
    EXPECT_TRUE(computed.ok()) << computed.status();
    absl::StatusOr<int64_t> seen = store_->MaxIngestSeq();
    absl::StatusOr<std::unique_ptr<RunWriter>> writer =
        store_->StartRun(RunOptions{});
    EXPECT_TRUE(writer.ok()) << writer.status();
    if (!writer.ok() || !computed.ok() || !seen.ok()) return 0;
    RunStats stats;
    for (const SymbolComputation& c : *computed) {
      EXPECT_TRUE((*writer)->WriteAllocations(c.allocations).ok());
      EXPECT_TRUE((*writer)->WriteSnapshot(c.symbol, c.closing, *seen).ok());
      for (const Allocation& a : c.allocations) {
        Decimal& sum = (*pnl_by_sell)[a.sell_order_id];
        if (a.matched()) sum += a.pnl_usd;
      }
      stats.symbols_processed.push_back(c.symbol);
    }
    absl::StatusOr<ComputationRun> run = (*writer)->Commit(stats);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? run->allocation_version : 0;
  }

};

TEST_P(LegacyTest, AFreshStoreHasTheLegacyColumnsAllNull) {
  Migrate();
  absl::StatusOr<int> version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 3);
  Trade sell;
  sell.order_id = "S-1";
  sell.symbol = "BTC-USD";
  sell.side = Side::kSell;
  sell.size = D("1");
  sell.price = D("100");
  sell.order_time = absl::FromUnixSeconds(1763632800);
  sell.source = "manual";
  ASSERT_TRUE(store_->ImportTrades({sell}, false).ok());
  absl::StatusOr<LegacyStatus> status = store_->GetLegacyStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->columns, LegacyColumnNames());
  EXPECT_FALSE(status->legacy_table);
  EXPECT_FALSE(status->backup_table);
  EXPECT_TRUE(status->snapshot_tables.empty());
  EXPECT_EQ(status->sells, 1);
  EXPECT_EQ(status->sells_with_pnl, 0);
  std::vector<LegacySell> sells = LegacySells();
  ASSERT_EQ(sells.size(), 1u);
  EXPECT_EQ(sells[0].order_id, "S-1");
  EXPECT_FALSE(sells[0].pnl_usd.has_value());
  EXPECT_FALSE(sells[0].parent_id.has_value());
  EXPECT_EQ(store_->ScanLegacySells(std::nullopt, nullptr, 0).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(LegacyTest, MigrateAdoptsAnOldSystemsTradeRecords) {
  CreateOldSystemDatabase();
  absl::StatusOr<std::vector<AppliedMigration>> applied = store_->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.status();
  ASSERT_EQ(applied->size(), 3u);
  EXPECT_EQ((*applied)[1].name, "0002_legacy_pnl_columns");
  EXPECT_TRUE(store_->CheckSchema().ok());

  // The facts, converted exactly, in engine order of ingest.
  std::vector<Trade> trades = AllTrades();
  ASSERT_EQ(trades.size(), 7u);
  std::map<std::string, Trade> by_id;
  for (const Trade& t : trades) by_id[t.order_id] = t;
  EXPECT_EQ(by_id["BUY-1"].size.ToString(), "0.5");
  EXPECT_EQ(by_id["BUY-1"].price.ToString(), "30000");
  EXPECT_EQ(by_id["BUY-1"].total_fees_usd.ToString(), "1");
  EXPECT_EQ(by_id["BUY-1"].source, "websocket");
  EXPECT_EQ(by_id["BUY-1"].status, "FILLED");
  EXPECT_EQ(by_id["E-SELL"].side, Side::kSell);
  EXPECT_EQ(FormatTimestamp(by_id["E-BUY"].order_time),
            "2025-11-20T09:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(by_id["SELL-1"].order_time),
            "2025-11-20T10:10:00.000000Z");
  EXPECT_EQ(RawValue("SELECT CAST(ingest_seq AS TEXT) FROM trade_records "
                     "WHERE order_id = 'E-BUY'"),
            "1");  // earliest trade first
  EXPECT_EQ(RawValue("SELECT CAST(ingest_seq AS TEXT) FROM trade_records "
                     "WHERE order_id = 'E-SELL2'"),
            "7");
  EXPECT_EQ(RawValue(absl::StrCat("SELECT ",
                                  sqlite() ? "remaining_size"
                                           : "CAST(remaining_size AS TEXT)",
                                  " FROM trade_records WHERE order_id = "
                                  "'BUY-2'")),
            "0.1");

  // The old table is kept, renamed, with its rows.
  EXPECT_EQ(RawValue("SELECT CAST(COUNT(*) AS TEXT) FROM legacy_trade_records"),
            "7");

  absl::StatusOr<LegacyStatus> status = store_->GetLegacyStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->legacy_table);
  EXPECT_EQ(status->columns.size(), 7u);
  EXPECT_EQ(status->sells, 4);
  EXPECT_EQ(status->sells_with_pnl, 3);

  // The wrong legacy values survive exactly, paged one by one.
  std::vector<LegacySell> sells = LegacySells(1);
  ASSERT_EQ(sells.size(), 4u);
  EXPECT_EQ(sells[0].order_id, "SELL-1");
  EXPECT_EQ(sells[0].symbol, "BTC-USD");
  EXPECT_EQ(sells[0].parent_id.value_or(""), "BUY-2");
  EXPECT_TRUE(absl::StrContains(sells[0].parent_ids.value_or(""), "BUY-2"));
  ASSERT_TRUE(sells[0].pnl_usd.has_value());
  EXPECT_EQ(sells[0].pnl_usd->ToString(), "-12.345678901234567891");
  EXPECT_EQ(sells[0].cost_basis_usd.value_or(Decimal()).ToString(), "21700");
  EXPECT_EQ(sells[0].sale_proceeds_usd.value_or(Decimal()).ToString(),
            "22400");
  EXPECT_EQ(sells[0].net_sale_proceeds_usd.value_or(Decimal()).ToString(),
            "22399.3");
  EXPECT_EQ(sells[0].realized_profit.value_or(Decimal()).ToString(), "1");
  EXPECT_EQ(sells[1].order_id, "SELL-2");
  EXPECT_EQ(sells[2].order_id, "E-SELL");
  EXPECT_EQ(sells[2].pnl_usd.value_or(Decimal()).ToString(), "999.99");
  EXPECT_EQ(sells[3].order_id, "E-SELL2");
  EXPECT_FALSE(sells[3].pnl_usd.has_value());

  // Frozen like the facts; metadata stays updatable.
  std::string err = Raw(sqlite() ? "UPDATE trade_records SET pnl_usd = '1' "
                                   "WHERE order_id = 'SELL-1'"
                                 : "UPDATE trade_records SET pnl_usd = 1 "
                                   "WHERE order_id = 'SELL-1'");
  EXPECT_TRUE(absl::StrContains(err, "immutable")) << err;
  err = Raw("UPDATE trade_records SET parent_id = NULL WHERE order_id = "
            "'SELL-1'");
  EXPECT_TRUE(absl::StrContains(err, "immutable")) << err;
  EXPECT_EQ(Raw("UPDATE trade_records SET last_reconciled_via = 'rest' WHERE "
                "order_id = 'SELL-1'"),
            "");

  // New trades keep working and carry no legacy values.
  Trade late = by_id["SELL-2"];
  late.order_id = "SELL-3";
  late.order_time += absl::Hours(1);
  absl::StatusOr<ImportResult> imported = store_->ImportTrades({late}, false);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->inserted, 1);
  // Re-importing an adopted trade is a no-op (facts compare equal).
  imported = store_->ImportTrades({by_id["SELL-1"]}, false);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->unchanged, 1);
}

TEST_P(LegacyTest, SnapshotIsCreatedOnceAndNeverReplaced) {
  CreateOldSystemDatabase();
  Migrate();
  absl::StatusOr<LegacySnapshotResult> snap =
      store_->CreateLegacySnapshot(absl::CivilDay(2025, 11, 20));
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->table, "historical_pnl_snapshot_20251120");
  EXPECT_EQ(snap->rows, 4);
  EXPECT_EQ(RawValue(absl::StrCat(
                "SELECT ",
                sqlite() ? "old_pnl_usd" : "CAST(old_pnl_usd AS TEXT)",
                " FROM historical_pnl_snapshot_20251120 WHERE order_id = "
                "'SELL-1'")),
            "-12.345678901234567891");
  EXPECT_EQ(RawValue("SELECT old_parent_id FROM "
                     "historical_pnl_snapshot_20251120 WHERE order_id = "
                     "'SELL-1'"),
            "BUY-2");
  EXPECT_EQ(RawValue(absl::StrCat(
                "SELECT ",
                sqlite() ? "old_cost_basis" : "CAST(old_cost_basis AS TEXT)",
                " FROM historical_pnl_snapshot_20251120 WHERE order_id = "
                "'E-SELL'")),
            "4000");
  EXPECT_EQ(RawValue("SELECT note FROM historical_pnl_snapshot_20251120 "
                     "WHERE order_id = 'E-SELL2'"),
            "corrupted_historical");
  EXPECT_EQ(RawValue("SELECT CAST(COUNT(*) AS TEXT) FROM "
                     "historical_pnl_snapshot_20251120 WHERE order_id LIKE "
                     "'BUY%'"),
            "0");  // sells only

  absl::StatusOr<LegacySnapshotResult> again =
      store_->CreateLegacySnapshot(absl::CivilDay(2025, 11, 20));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(again.status().message(),
                                "historical_pnl_snapshot_20251120"))
      << again.status();
  absl::StatusOr<LegacyStatus> status = store_->GetLegacyStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->snapshot_tables,
            std::vector<std::string>{"historical_pnl_snapshot_20251120"});
}

TEST_P(LegacyTest, DropColumnsBacksUpThenDropsInOneStep) {
  CreateOldSystemDatabase();
  Migrate();
  // An operator already followed the design by hand for one sell.
  ASSERT_EQ(Raw("CREATE TABLE trade_records_backup_old_pnl AS SELECT "
                "order_id, parent_id, parent_ids, pnl_usd, cost_basis_usd "
                "FROM trade_records WHERE order_id = 'SELL-1'"),
            "");
  absl::StatusOr<LegacyDropResult> dropped = store_->DropLegacyColumns();
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->backup_table, "trade_records_backup_old_pnl");
  EXPECT_EQ(dropped->backed_up_rows, 3);  // SELL-1 was there already
  EXPECT_EQ(dropped->dropped, LegacyColumnNames());
  EXPECT_EQ(RawValue("SELECT CAST(COUNT(*) AS TEXT) FROM "
                     "trade_records_backup_old_pnl"),
            "4");
  EXPECT_EQ(RawValue(absl::StrCat(
                "SELECT ", sqlite() ? "pnl_usd" : "CAST(pnl_usd AS TEXT)",
                " FROM trade_records_backup_old_pnl WHERE order_id = "
                "'E-SELL'")),
            "999.99");

  absl::StatusOr<LegacyStatus> status = store_->GetLegacyStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(status->columns.empty());
  EXPECT_TRUE(status->backup_table);
  EXPECT_EQ(status->sells_with_pnl, 0);
  EXPECT_FALSE(Raw("SELECT pnl_usd FROM trade_records").empty());

  // Everything that needs the columns says they are gone.
  absl::Status scan = store_->ScanLegacySells(
      std::nullopt, [](const std::vector<LegacySell>&) { return absl::OkStatus(); },
      10);
  EXPECT_EQ(scan.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(scan.message(), "dropped")) << scan;
  EXPECT_EQ(store_->DropLegacyColumns().status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->CreateLegacySnapshot(absl::CivilDay(2025, 11, 21))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);

  // The store works as before; the facts are still immutable.
  EXPECT_TRUE(store_->CheckSchema().ok());
  EXPECT_EQ(AllTrades().size(), 7u);
  std::map<std::string, Decimal> pnl;
  EXPECT_GT(RunFull(&pnl), 0);
  std::string err = Raw("UPDATE trade_records SET symbol = 'X' WHERE "
                        "order_id = 'SELL-1'");
  EXPECT_TRUE(absl::StrContains(err, "immutable")) << err;
}

TEST_P(LegacyTest, AnIncompleteLegacyTableIsRefusedUntouched) {
  ASSERT_EQ(Raw("CREATE TABLE trade_records (order_id VARCHAR PRIMARY KEY, "
                "symbol VARCHAR, side VARCHAR, size DECIMAL, order_time "
                "VARCHAR)"),
            "");
  absl::StatusOr<std::vector<AppliedMigration>> m = store_->Migrate();
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(m.status().message(), "price")) << m.status();
  absl::StatusOr<int> version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 0);
  EXPECT_EQ(Raw("SELECT order_id, order_time FROM trade_records"), "");
}

TEST_P(LegacyTest, ABadLegacyRowStopsAdoptionUntilFixed) {
  CreateOldSystemDatabase();
  ASSERT_EQ(Raw("UPDATE trade_records SET side = 'short' WHERE order_id = "
                "'SELL-2'"),
            "");
  absl::StatusOr<std::vector<AppliedMigration>> m = store_->Migrate();
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(m.status().message(), "SELL-2")) << m.status();
  EXPECT_TRUE(absl::StrContains(m.status().message(), "side")) << m.status();
  absl::StatusOr<int> version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);  // 0001 done, 0002 (and the copy) rolled back
  absl::StatusOr<int64_t> count = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 0);

  // The operator fixes the old row; migrate again finishes the adoption.
  ASSERT_EQ(Raw("UPDATE legacy_trade_records SET side = 'sell' WHERE "
                "order_id = 'SELL-2'"),
            "");
  Migrate();
  count = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 7);
  EXPECT_TRUE(store_->CheckSchema().ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, LegacyTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace fifo
