// One suite, run against both stores: a real SQLite file in TEST_TMPDIR and
// a fresh database on the PostgreSQL server named by FIFO_TEST_POSTGRES_URL
// (skipped, with a message, only when that variable is unset).
#include "storage/ledger_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/fifo_engine.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"
#include "soci/soci.h"
#include "storage/segment_digest.h"
#include "storage/testing/store_fixture.h"
#include "storage/testing/test_store.h"
#include "validation/invariant_names.h"

namespace fifo {
namespace {

using ::fifo::testing::RawStoreFixture;
using ::fifo::testing::TestStore;

Decimal D(const std::string& text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? *d : Decimal();
}

absl::Time T(const std::string& text) {
  absl::StatusOr<absl::Time> t = ParseTimestamp(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : absl::UnixEpoch();
}

Trade MakeTrade(const std::string& id, const std::string& symbol, Side side,
                const std::string& size, const std::string& price,
                const std::string& time, const std::string& fees = "0") {
  Trade t;
  t.order_id = id;
  t.symbol = symbol;
  t.side = side;
  t.size = D(size);
  t.price = D(price);
  t.order_time = T(time);
  t.total_fees_usd = D(fees);
  t.source = "manual";
  t.status = "FILLED";
  t.ingest_via = "import";
  return t;
}

std::string HostName() {
  char name[256] = {0};
  gethostname(name, sizeof(name) - 1);
  return name;
}

// The store is opened with PostgreSQL in its keyword=value spelling (the
// URI form: OpenLedgerStoreTest below).
class LedgerStoreTest : public RawStoreFixture {
 protected:
  void Migrate() {
    absl::StatusOr<std::vector<AppliedMigration>> m = store_->Migrate();
    ASSERT_TRUE(m.ok()) << m.status();
  }

  std::vector<Trade> AllTrades(const std::string& symbol) {
    std::vector<Trade> out;
    absl::Status s = store_->ScanTrades(
        symbol, std::nullopt,
        [&](const std::vector<Trade>& page) {
          out.insert(out.end(), page.begin(), page.end());
          return absl::OkStatus();
        },
        3);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::vector<StoredAllocation> Allocations(int64_t version) {
    std::vector<StoredAllocation> out;
    AllocationFilter filter;
    filter.version = version;
    filter.page_size = 2;
    absl::Status s = store_->ScanAllocations(
        filter, [&](const std::vector<StoredAllocation>& page) {
          out.insert(out.end(), page.begin(), page.end());
          return absl::OkStatus();
        });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // Imports `trades`, computes the ledger and commits it as a full run.
  int64_t RunFull(const std::vector<Trade>& trades) {
    absl::StatusOr<std::vector<SymbolComputation>> computed =
        ComputeLedger(trades, SymbolConfigs{});
    EXPECT_TRUE(computed.ok()) << computed.status();
    absl::StatusOr<int64_t> seen = store_->MaxIngestSeq();
    EXPECT_TRUE(seen.ok());
    absl::StatusOr<std::unique_ptr<RunWriter>> writer =
        store_->StartRun(RunOptions{});
    EXPECT_TRUE(writer.ok()) << writer.status();
    if (!writer.ok() || !computed.ok()) return 0;
    RunStats stats;
    for (const SymbolComputation& c : *computed) {
      EXPECT_TRUE((*writer)->WriteAllocations(c.allocations).ok());
      EXPECT_TRUE((*writer)->WriteSnapshot(c.symbol, c.closing, *seen).ok());
      for (const UnmatchedSell& u : c.unmatched_sells) {
        EXPECT_TRUE((*writer)->EnqueueReview(u).ok());
      }
      stats.buys_processed += c.stats.buys_processed;
      stats.sells_processed += c.stats.sells_processed;
      stats.allocations_created += static_cast<int64_t>(c.allocations.size());
      stats.total_pnl += c.stats.realized_pnl;
      stats.symbols_processed.push_back(c.symbol);
    }
    absl::StatusOr<ComputationRun> run = (*writer)->Commit(stats);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? run->allocation_version : 0;
  }

};

std::vector<Trade> SampleLedger() {
  return {
      MakeTrade("BUY-1", "BTC-USD", Side::kBuy, "0.5", "30000",
                "2025-11-20T10:00:00Z", "1.00"),
      MakeTrade("BUY-2", "BTC-USD", Side::kBuy, "0.3", "31000",
                "2025-11-20T10:05:00Z", "0.30"),
      MakeTrade("SELL-1", "BTC-USD", Side::kSell, "0.7", "32000",
                "2025-11-20T10:10:00Z", "0.70"),
      MakeTrade("E-BUY", "ETH-USD", Side::kBuy, "2", "2000",
                "2025-11-20T09:00:00Z", "0.5"),
      MakeTrade("E-SELL", "ETH-USD", Side::kSell, "3", "2100",
                "2025-11-21T09:00:00Z", "0.3"),
  };
}

// ---------------------------------------------------------------- schema --

TEST_P(LedgerStoreTest, MigratesFromEmptyAndAgainIsANoOp) {
  absl::StatusOr<int> v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 0);
  EXPECT_EQ(store_->CheckSchema().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<std::vector<AppliedMigration>> first = store_->Migrate();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->empty());
  EXPECT_EQ(first->front().name, "0001_initial");
  absl::StatusOr<std::vector<AppliedMigration>> second = store_->Migrate();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->empty());
  v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, first->back().version);
  EXPECT_TRUE(store_->CheckSchema().ok());
  // The views exist and read the latest completed version (none yet).
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM v_allocation_health"), "");
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM v_unmatched_sells"), "");
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM v_pnl_by_symbol"), "");
}

TEST_P(LedgerStoreTest, RefusesADatabaseNewerThanTheBinary) {
  Migrate();
  ASSERT_EQ(Raw("INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (9999, '9999_future', '2030-01-01T00:00:00.000000Z')"),
            "");
  absl::StatusOr<std::vector<AppliedMigration>> m = store_->Migrate();
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(m.status().message(), "9999"))
      << m.status();
  EXPECT_EQ(store_->CheckSchema().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(LedgerStoreTest, OperationsOnAnUnmigratedDatabaseFailClearly) {
  absl::StatusOr<int64_t> n = store_->CountTrades(std::nullopt);
  EXPECT_EQ(n.status().code(), absl::StatusCode::kFailedPrecondition)
      << n.status();
}

// ---------------------------------------------------------------- trades --

TEST_P(LedgerStoreTest, TradeFactsAreImmutableInTheDatabase) {
  Migrate();
  ASSERT_TRUE(store_->ImportTrades(SampleLedger(), false).ok());
  std::string err =
      Raw(sqlite() ? "UPDATE trade_records SET size = '2' WHERE order_id = 'BUY-1'"
                   : "UPDATE trade_records SET size = 2 WHERE order_id = 'BUY-1'");
  EXPECT_TRUE(absl::StrContains(err, "immutable")) << err;
  err = Raw("UPDATE trade_records SET order_time = order_time, symbol = 'X' "
            "WHERE order_id = 'BUY-1'");
  EXPECT_TRUE(absl::StrContains(err, "immutable")) << err;
  err = Raw("DELETE FROM trade_records WHERE order_id = 'BUY-1'");
  EXPECT_TRUE(absl::StrContains(err, "append-only")) << err;
  if (!sqlite()) {
    err = Raw("TRUNCATE trade_records CASCADE");
    EXPECT_TRUE(absl::StrContains(err, "append-only")) << err;
  }
  // Metadata stays updatable.
  EXPECT_EQ(Raw(sqlite() ? "UPDATE trade_records SET last_reconciled_at = "
                           "'2025-11-22T00:00:00.000000Z', "
                           "last_reconciled_via = 'rest', remaining_size = "
                           "'0.1' WHERE order_id = 'BUY-1'"
                         : "UPDATE trade_records SET last_reconciled_at = "
                           "now(), last_reconciled_via = 'rest', "
                           "remaining_size = 0.1 WHERE order_id = 'BUY-1'"),
            "");
  std::vector<Trade> btc = AllTrades("BTC-USD");
  ASSERT_EQ(btc.size(), 3u);
  EXPECT_EQ(btc[0].order_id, "BUY-1");
  EXPECT_EQ(btc[0].size.ToString(), "0.5");
  absl::StatusOr<int64_t> n = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);
}

TEST_P(LedgerStoreTest, ImportIsIdempotentAndComparesDecimalsByValue) {
  Migrate();
  absl::StatusOr<ImportResult> r = store_->ImportTrades(SampleLedger(), false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->inserted, 5);
  EXPECT_EQ(r->unchanged, 0);
  std::vector<Trade> again = SampleLedger();
  again[0].size = D("0.50000");  // same value, other scale
  again.push_back(MakeTrade("BUY-3", "BTC-USD", Side::kBuy, "1", "1",
                            "2025-11-22T00:00:00Z"));
  again.push_back(again.back());  // twice in one batch: counted once
  r = store_->ImportTrades(again, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->inserted, 1);
  EXPECT_EQ(r->unchanged, 6);
  absl::StatusOr<int64_t> n = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 6);
  n = store_->CountTrades(std::string("ETH-USD"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  absl::StatusOr<int64_t> seq = store_->MaxIngestSeq();
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 6);
}

TEST_P(LedgerStoreTest, ConflictingImportNamesTheFieldAndWritesNothing) {
  Migrate();
  ASSERT_TRUE(store_->ImportTrades(SampleLedger(), false).ok());
  std::vector<Trade> batch = {
      MakeTrade("NEW-1", "BTC-USD", Side::kBuy, "1", "100",
                "2025-11-23T00:00:00Z"),
      SampleLedger()[1],
  };
  batch[1].price = D("31000.01");
  absl::StatusOr<ImportResult> r = store_->ImportTrades(batch, false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "BUY-2")) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "price")) << r.status();
  absl::StatusOr<int64_t> n = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);  // NEW-1 was not written either

  // Within one batch.
  std::vector<Trade> twice = {batch[0], batch[0]};
  twice[1].side = Side::kSell;
  r = store_->ImportTrades(twice, false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "side")) << r.status();

  // Invalid trades are rejected before anything happens.
  std::vector<Trade> bad = {batch[0]};
  bad[0].size = D("0");
  EXPECT_EQ(store_->ImportTrades(bad, false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(LedgerStoreTest, DryRunWritesNothing) {
  Migrate();
  absl::StatusOr<ImportResult> r = store_->ImportTrades(SampleLedger(), true);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->inserted, 5);
  absl::StatusOr<int64_t> n = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  ASSERT_TRUE(store_->ImportTrades(SampleLedger(), false).ok());
  std::vector<Trade> changed = SampleLedger();
  changed[4].total_fees_usd = D("9");
  EXPECT_EQ(store_->ImportTrades(changed, true).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(LedgerStoreTest, StreamingImportTreatsItsBatchesAsOneImport) {
  Migrate();
  const std::vector<Trade> ledger = SampleLedger();
  const std::vector<Trade> first(ledger.begin(), ledger.begin() + 3);
  const std::vector<Trade> second(ledger.begin() + 3, ledger.end());

  // Two batches, one transaction; a trade of the first batch repeated in
  // the second counts once, as within one batch.
  {
    absl::StatusOr<std::unique_ptr<TradeImport>> import =
        store_->BeginImport(/*dry_run=*/false);
    ASSERT_TRUE(import.ok()) << import.status();
    ASSERT_TRUE((*import)->Add(first).ok());
    std::vector<Trade> again = second;
    again.push_back(first[0]);
    ASSERT_TRUE((*import)->Add(again).ok());
    absl::StatusOr<ImportResult> r = (*import)->Finish();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->inserted, 5);
    EXPECT_EQ(r->unchanged, 1);
  }

  // A conflict with an earlier batch of the same import is reported as a
  // duplicate within the import, numbering trades across batches, and
  // nothing of either batch is written.
  std::vector<Trade> fresh = {
      MakeTrade("NEW-1", "BTC-USD", Side::kBuy, "1", "100",
                "2025-11-23T00:00:00Z"),
      MakeTrade("NEW-2", "BTC-USD", Side::kBuy, "1", "100",
                "2025-11-23T00:00:01Z"),
  };
  {
    absl::StatusOr<std::unique_ptr<TradeImport>> import =
        store_->BeginImport(/*dry_run=*/false);
    ASSERT_TRUE(import.ok()) << import.status();
    ASSERT_TRUE((*import)->Add(fresh).ok());
    std::vector<Trade> conflicting = {fresh[1]};
    conflicting[0].price = D("101");
    absl::Status added = (*import)->Add(conflicting);
    EXPECT_EQ(added.code(), absl::StatusCode::kAlreadyExists);
    EXPECT_TRUE(absl::StrContains(added.message(),
                                  "\"NEW-2\" appears twice in the import "
                                  "with different price"))
        << added;
    // The import is dead after an error.
    EXPECT_EQ((*import)->Finish().status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
  {
    absl::StatusOr<std::unique_ptr<TradeImport>> import =
        store_->BeginImport(/*dry_run=*/false);
    ASSERT_TRUE(import.ok()) << import.status();
    ASSERT_TRUE((*import)->Add(fresh).ok());
    std::vector<Trade> invalid = {fresh[0], fresh[1]};
    invalid[1].order_id = "NEW-3";
    invalid[1].size = D("0");
    absl::Status added = (*import)->Add(invalid);
    EXPECT_EQ(added.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(added.message(), "trade #4")) << added;
    // Destroyed without Finish: rolled back.
  }
  absl::StatusOr<int64_t> n = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);

  // A dry run sees its own earlier batches, and writes nothing.
  {
    absl::StatusOr<std::unique_ptr<TradeImport>> import =
        store_->BeginImport(/*dry_run=*/true);
    ASSERT_TRUE(import.ok()) << import.status();
    ASSERT_TRUE((*import)->Add(fresh).ok());
    std::vector<Trade> conflicting = {fresh[0]};
    conflicting[0].side = Side::kSell;
    EXPECT_EQ((*import)->Add(conflicting).code(),
              absl::StatusCode::kAlreadyExists);
  }
  {
    absl::StatusOr<std::unique_ptr<TradeImport>> import =
        store_->BeginImport(/*dry_run=*/true);
    ASSERT_TRUE(import.ok()) << import.status();
    ASSERT_TRUE((*import)->Add(fresh).ok());
    ASSERT_TRUE((*import)->Add(fresh).ok());
    absl::StatusOr<ImportResult> r = (*import)->Finish();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->inserted, 2);
    EXPECT_EQ(r->unchanged, 2);
  }
  n = store_->CountTrades(std::nullopt);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5);
  // The store is usable again after every outcome above.
  absl::StatusOr<ImportResult> r = store_->ImportTrades(fresh, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->inserted, 2);
}

TEST_P(LedgerStoreTest, FortyDigitDecimalsRoundTripExactly) {
  Migrate();
  Trade big = MakeTrade("BIG", "XYZ", Side::kBuy,
                        "1234567890123456789012345678901234567890",
                        "0.1234567890123456789012345678901234567891",
                        "2025-11-20T10:00:00.123456Z",
                        "123456789012345678901.1234567890123456789");
  ASSERT_TRUE(store_->ImportTrades({big}, false).ok());
  std::vector<Trade> back = AllTrades("XYZ");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].size.ToString(), "1234567890123456789012345678901234567890");
  EXPECT_EQ(back[0].price.ToString(),
            "0.1234567890123456789012345678901234567891");
  EXPECT_EQ(back[0].total_fees_usd.ToString(),
            "123456789012345678901.1234567890123456789");
  EXPECT_EQ(back[0].order_time, big.order_time);
  // Re-importing the same facts is a no-op (compared exactly).
  absl::StatusOr<ImportResult> r = store_->ImportTrades({big}, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->unchanged, 1);
}

TEST_P(LedgerStoreTest, ScanTradesUsesEngineOrderWithBytewiseIds) {
  Migrate();
  const std::string t1 = "2025-11-20T10:00:00Z";
  std::vector<Trade> trades = {
      MakeTrade("b", "S", Side::kBuy, "1", "1", t1),
      MakeTrade("a", "S", Side::kBuy, "1", "1", t1),
      MakeTrade("_", "S", Side::kBuy, "1", "1", t1),
      MakeTrade("B", "S", Side::kBuy, "1", "1", t1),
      MakeTrade("z", "S", Side::kBuy, "1", "1", "2025-11-20T09:59:59.999999Z"),
      MakeTrade("A", "S", Side::kBuy, "1", "1", "2025-11-20T10:00:00.000001Z"),
      MakeTrade("other", "R", Side::kBuy, "1", "1", t1),
  };
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  std::vector<std::string> ids;
  for (const Trade& t : AllTrades("S")) ids.push_back(t.order_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"z", "B", "_", "a", "b", "A"}));

  // Strictly after a key, in pages.
  ids.clear();
  int pages = 0;
  ASSERT_TRUE(store_
                  ->ScanTrades("S", TradeKey{T(t1), "_"},
                               [&](const std::vector<Trade>& page) {
                                 ++pages;
                                 for (const Trade& t : page) {
                                   ids.push_back(t.order_id);
                                 }
                                 return absl::OkStatus();
                               },
                               2)
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "A"}));
  EXPECT_EQ(pages, 2);

  absl::StatusOr<std::vector<std::string>> symbols = store_->ListSymbols();
  ASSERT_TRUE(symbols.ok());
  EXPECT_EQ(*symbols, (std::vector<std::string>{"R", "S"}));

  // ListTrades pages through (symbol, time, id) with opaque tokens.
  TradeFilter filter;
  filter.page_size = 4;
  std::vector<std::string> listed;
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<TradePage> page = store_->ListTrades(filter);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const Trade& t : page->trades) listed.push_back(t.order_id);
    if (page->next_page_token.empty()) break;
    filter.page_token = page->next_page_token;
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"other", "z", "B", "_", "a",
                                              "b", "A"}));
  filter.page_token = "garbage!";
  EXPECT_EQ(store_->ListTrades(filter).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(LedgerStoreTest, DetectsBackfillsByInsertOrder) {
  Migrate();
  Trade first = MakeTrade("T1", "S", Side::kBuy, "1", "1", "2025-11-20T10:00:00Z");
  ASSERT_TRUE(store_->ImportTrades({first}, false).ok());
  absl::StatusOr<int64_t> seen = store_->MaxIngestSeq();
  ASSERT_TRUE(seen.ok());
  ASSERT_TRUE(store_
                  ->ImportTrades({MakeTrade("T3", "S", Side::kBuy, "1", "1",
                                            "2025-11-20T11:00:00Z")},
                                 false)
                  .ok());
  absl::StatusOr<bool> backfill =
      store_->HasTradesIngestedAfter(*seen, "S", KeyOf(first));
  ASSERT_TRUE(backfill.ok()) << backfill.status();
  EXPECT_FALSE(*backfill);
  ASSERT_TRUE(store_
                  ->ImportTrades({MakeTrade("T0", "S", Side::kBuy, "1", "1",
                                            "2025-11-20T09:00:00Z")},
                                 false)
                  .ok());
  backfill = store_->HasTradesIngestedAfter(*seen, "S", KeyOf(first));
  ASSERT_TRUE(backfill.ok());
  EXPECT_TRUE(*backfill);
  backfill = store_->HasTradesIngestedAfter(*seen, "other", KeyOf(first));
  ASSERT_TRUE(backfill.ok());
  EXPECT_FALSE(*backfill);
}

TEST_P(LedgerStoreTest, InjectionLookingTextIsStoredVerbatim) {
  Migrate();
  const std::string id = "x'); DROP TABLE trade_records; --";
  const std::string symbol = "S\"Y;M' OR '1'='1";
  std::vector<Trade> trades = {
      MakeTrade(id, symbol, Side::kBuy, "1", "10", "2025-11-20T10:00:00Z"),
      MakeTrade("s;1\\\"", symbol, Side::kSell, "2", "12",
                "2025-11-20T11:00:00Z"),
  };
  trades[0].source = "web'hook";
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  std::vector<Trade> back = AllTrades(symbol);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].order_id, id);
  EXPECT_EQ(back[0].symbol, symbol);
  EXPECT_EQ(back[0].source, "web'hook");
  EXPECT_EQ(back[1].order_id, "s;1\\\"");
  const int64_t v = RunFull(trades);
  ASSERT_GT(v, 0);
  std::vector<StoredAllocation> rows = Allocations(v);
  ASSERT_EQ(rows.size(), 2u);  // one matched, one unmatched
  EXPECT_EQ(*rows[0].allocation.buy_order_id, id);
  absl::StatusOr<std::vector<ReviewItem>> items =
      store_->ListReviewItems(ReviewFilter::kOpen);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].order_id, "s;1\\\"");
  EXPECT_EQ((*items)[0].symbol, symbol);
  absl::StatusOr<std::vector<std::string>> symbols =
      store_->ListSnapshotSymbols(v);
  ASSERT_TRUE(symbols.ok());
  EXPECT_EQ(*symbols, std::vector<std::string>{symbol});
}

// ------------------------------------------------------------------ runs --

TEST_P(LedgerStoreTest, ConcurrentRunsGetDistinctVersions) {
  Migrate();
  constexpr int kThreads = 4;
  constexpr int kRunsEach = 4;
  std::vector<std::vector<int64_t>> versions(kThreads);
  std::vector<std::string> errors(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) {
      }
      for (int r = 0; r < kRunsEach; ++r) {
        absl::StatusOr<std::unique_ptr<RunWriter>> w =
            store_->StartRun(RunOptions{});
        if (!w.ok()) {
          errors[i] = std::string(w.status().message());
          return;
        }
        // Numbers are taken when a run publishes.
        absl::StatusOr<ComputationRun> done = (*w)->Commit(RunStats{});
        if (!done.ok()) {
          errors[i] = std::string(done.status().message());
          return;
        }
        versions[i].push_back(done->allocation_version);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(errors[i], "") << "thread " << i;
    for (int64_t v : versions[i]) {
      EXPECT_TRUE(all.insert(v).second) << "version " << v << " twice";
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kRunsEach));
}

TEST_P(LedgerStoreTest, LatestCompletedRunIsTheNewestCompletedRunOfTheVersion) {
  Migrate();
  ASSERT_TRUE(store_->ImportTrades(SampleLedger(), false).ok());
  auto run_and = [&](bool commit) -> ComputationRun {
    absl::StatusOr<std::unique_ptr<RunWriter>> w =
        store_->StartRun(RunOptions{});
    EXPECT_TRUE(w.ok()) << w.status();
    if (commit) {
      absl::StatusOr<ComputationRun> done = (*w)->Commit(RunStats{});
      EXPECT_TRUE(done.ok()) << done.status();
      return *done;
    }
    EXPECT_TRUE((*w)->Abort("stopped").ok());
    return (*w)->run();
  };
  const ComputationRun first = run_and(true);
  const ComputationRun failed = run_and(false);
  const ComputationRun second = run_and(true);
  absl::StatusOr<std::optional<ComputationRun>> found =
      store_->LatestCompletedRun(first.allocation_version);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, first.id);
  EXPECT_EQ((*found)->status, RunStatus::kCompleted);
  found = store_->LatestCompletedRun(second.allocation_version);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, second.id);
  found = store_->LatestCompletedRun(failed.allocation_version);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  found = store_->LatestCompletedRun(second.allocation_version + 100);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(LedgerStoreTest, AbortedRunLeavesNoRowsAndAFailedLogRow) {
  Migrate();
  const std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  absl::StatusOr<std::vector<SymbolComputation>> computed =
      ComputeLedger(trades, SymbolConfigs{});
  ASSERT_TRUE(computed.ok());
  absl::StatusOr<std::unique_ptr<RunWriter>> w = store_->StartRun(RunOptions{});
  ASSERT_TRUE(w.ok()) << w.status();
  const int64_t id = (*w)->run().id;
  absl::StatusOr<ComputationRun> running = store_->GetRun(id);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(running->status, RunStatus::kRunning);  // visible meanwhile
  for (const SymbolComputation& c : *computed) {
    ASSERT_TRUE((*w)->WriteAllocations(c.allocations).ok());
    ASSERT_TRUE((*w)->WriteSnapshot(c.symbol, c.closing, 5).ok());
    for (const UnmatchedSell& u : c.unmatched_sells) {
      ASSERT_TRUE((*w)->EnqueueReview(u).ok());
    }
  }
  ASSERT_TRUE((*w)->Abort("engine exploded").ok());
  EXPECT_EQ((*w)->Abort("again").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*w)->Commit(RunStats{}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<ComputationRun> run = store_->GetRun(id);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->status, RunStatus::kFailed);
  EXPECT_EQ(run->error_message, "engine exploded");
  EXPECT_TRUE(run->end.has_value());
  EXPECT_TRUE(Allocations(run->allocation_version).empty());
  absl::StatusOr<std::vector<std::string>> symbols =
      store_->ListSnapshotSymbols(run->allocation_version);
  ASSERT_TRUE(symbols.ok());
  EXPECT_TRUE(symbols->empty());
  absl::StatusOr<std::vector<ReviewItem>> items =
      store_->ListReviewItems(ReviewFilter::kAll);
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
  absl::StatusOr<std::optional<int64_t>> latest = store_->LatestCompletedVersion();
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
  // A writer dropped without Commit aborts.
  int64_t dropped_id = 0;
  {
    absl::StatusOr<std::unique_ptr<RunWriter>> w2 =
        store_->StartRun(RunOptions{});
    ASSERT_TRUE(w2.ok());
    dropped_id = (*w2)->run().id;
    ASSERT_TRUE((*w2)->WriteAllocations((*computed)[0].allocations).ok());
  }
  run = store_->GetRun(dropped_id);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->status, RunStatus::kFailed);
  EXPECT_TRUE(Allocations(run->allocation_version).empty());
}

TEST_P(LedgerStoreTest, CommittedRunRoundTripsAndPassesInvariants) {
  Migrate();
  const std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  const int64_t v = RunFull(trades);
  ASSERT_EQ(v, 1);
  absl::StatusOr<std::optional<int64_t>> latest = store_->LatestCompletedVersion();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(**latest, 1);

  absl::StatusOr<std::vector<SymbolComputation>> computed =
      ComputeLedger(trades, SymbolConfigs{});
  ASSERT_TRUE(computed.ok());
  std::vector<Allocation> expected;
  for (const auto& c : *computed) {
    expected.insert(expected.end(), c.allocations.begin(), c.allocations.end());
  }
  std::vector<StoredAllocation> rows = Allocations(v);
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const Allocation& a = rows[i].allocation;
    const Allocation& e = expected[i];
    EXPECT_EQ(rows[i].version, v);
    EXPECT_EQ(a.sell_order_id, e.sell_order_id) << i;
    EXPECT_EQ(a.buy_order_id, e.buy_order_id) << i;
    EXPECT_EQ(a.allocated_size, e.allocated_size) << i;
    EXPECT_EQ(a.sell_fee_share, e.sell_fee_share) << i;
    EXPECT_EQ(a.buy_fee_share, e.buy_fee_share) << i;
    EXPECT_EQ(a.cost_basis_usd, e.cost_basis_usd) << i;
    EXPECT_EQ(a.net_proceeds_usd, e.net_proceeds_usd) << i;
    EXPECT_EQ(a.pnl_usd, e.pnl_usd) << i;
    EXPECT_EQ(a.sell_time, e.sell_time) << i;
    EXPECT_EQ(a.buy_time, e.buy_time) << i;
  }
  absl::StatusOr<ComputationRun> run = store_->GetRun(1);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->status, RunStatus::kCompleted);
  EXPECT_EQ(run->symbols_processed,
            (std::vector<std::string>{"BTC-USD", "ETH-USD"}));
  EXPECT_EQ(run->allocations_created, static_cast<int64_t>(expected.size()));
  EXPECT_EQ(run->batch_id.size(), 36u);
  EXPECT_TRUE(run->duration_ms.has_value());

  absl::StatusOr<std::vector<InvariantViolation>> violations =
      store_->RunInvariantQueries(v, InvariantOptions{});
  ASSERT_TRUE(violations.ok()) << violations.status();
  EXPECT_TRUE(violations->empty()) << (*violations)[0].message;
  EXPECT_EQ(store_->RunInvariantQueries(99, InvariantOptions{}).status().code(),
            absl::StatusCode::kNotFound);

  // The views read the latest completed version (PnL summaries over the
  // store: core/pnl_summary_test.cc).
  Decimal btc_pnl;
  for (const auto& c : *computed) {
    if (c.symbol == "BTC-USD") btc_pnl = c.stats.realized_pnl;
  }
  if (!sqlite()) {
    std::string total;
    *raw_ << "SELECT CAST(total_pnl AS TEXT) FROM v_pnl_by_symbol WHERE "
             "symbol = 'BTC-USD'",
        soci::into(total);
    EXPECT_EQ(D(total), btc_pnl);
  }
  long long unmatched = 0;  // NOLINT(runtime/int)
  *raw_ << "SELECT COUNT(*) FROM v_unmatched_sells", soci::into(unmatched);
  EXPECT_EQ(unmatched, 1);

  absl::StatusOr<RunPage> runs = store_->ListRuns(10, "");
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_TRUE(runs->next_page_token.empty());
}

TEST_P(LedgerStoreTest, InvariantQueriesReportViolations) {
  Migrate();
  const std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  absl::StatusOr<std::unique_ptr<RunWriter>> w = store_->StartRun(RunOptions{});
  ASSERT_TRUE(w.ok());
  Allocation a;
  a.sell_order_id = "SELL-1";
  a.buy_order_id = "BUY-1";
  a.symbol = "BTC-USD";
  a.allocated_size = D("0.6");  // BUY-1 has only 0.5; SELL-1 needs 0.7
  a.sell_price = D("32000");
  a.proceeds_usd = D("19200");
  a.net_proceeds_usd = D("19200");
  a.sell_time = T("2025-11-20T10:10:00Z");
  a.buy_price = D("30000");
  a.cost_basis_usd = D("18000");
  a.pnl_usd = D("1000");  // should be 1200
  a.buy_time = T("2025-11-20T10:00:00Z");
  ASSERT_TRUE((*w)->WriteAllocations({a}).ok());
  ASSERT_TRUE((*w)->Commit(RunStats{}).ok());
  absl::StatusOr<std::vector<InvariantViolation>> v =
      store_->RunInvariantQueries(1, InvariantOptions{});
  ASSERT_TRUE(v.ok()) << v.status();
  std::set<std::string> names;
  for (const auto& x : *v) names.insert(x.invariant + ":" + x.order_id);
  EXPECT_TRUE(names.count(absl::StrCat(invariant::kSellFullyAllocated,
                                       ":SELL-1")))
      << v->size();
  EXPECT_TRUE(
      names.count(absl::StrCat(invariant::kBuyNotOverAllocated, ":BUY-1")));
  EXPECT_TRUE(names.count(absl::StrCat(invariant::kPnlConsistent, ":SELL-1")));
  // Within a tolerance of 0.1 SELL-1 (0.6 of 0.7) passes.
  InvariantOptions lenient;
  lenient.sell_tolerance_by_symbol["BTC-USD"] = D("0.1");
  v = store_->RunInvariantQueries(1, lenient);
  ASSERT_TRUE(v.ok());
  for (const auto& x : *v) {
    EXPECT_NE(x.invariant, invariant::kSellFullyAllocated);
  }
}

TEST_P(LedgerStoreTest, ConstraintsRejectInconsistentAllocations) {
  Migrate();
  ASSERT_TRUE(store_->ImportTrades(SampleLedger(), false).ok());
  absl::StatusOr<std::unique_ptr<RunWriter>> w = store_->StartRun(RunOptions{});
  ASSERT_TRUE(w.ok());
  Allocation a;
  a.sell_order_id = "NO-SUCH-SELL";
  a.symbol = "BTC-USD";
  a.allocated_size = D("1");
  a.sell_time = T("2025-11-20T10:10:00Z");
  absl::Status s = (*w)->WriteAllocations({a});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ((*w)->Commit(RunStats{}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE((*w)->Abort(std::string(s.message())).ok());
}

TEST_P(LedgerStoreTest, SymbolRunReferencesTheOtherSymbols) {
  Migrate();
  std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  const int64_t v1 = RunFull(trades);
  ASSERT_EQ(v1, 1);

  // A new BTC trade, then a symbol run for BTC only.
  Trade extra = MakeTrade("SELL-2", "BTC-USD", Side::kSell, "0.1", "33000",
                          "2025-11-22T00:00:00Z");
  ASSERT_TRUE(store_->ImportTrades({extra}, false).ok());
  trades.push_back(extra);
  std::vector<Trade> btc;
  for (const Trade& t : trades) {
    if (t.symbol == "BTC-USD") btc.push_back(t);
  }
  absl::StatusOr<SymbolComputation> c =
      ComputeSymbol("BTC-USD", btc, SymbolConfig{});
  ASSERT_TRUE(c.ok());
  RunOptions options;
  options.mode = RunMode::kSymbol;
  options.symbol = "BTC-USD";
  // An aborted run publishes nothing and takes no version number.
  absl::StatusOr<std::unique_ptr<RunWriter>> w = store_->StartRun(options);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->run().allocation_version, 0);  // numbered at publish
  ASSERT_TRUE((*w)->WriteAllocations(c->allocations).ok());
  (*w)->Abort("changed my mind").IgnoreError();

  w = store_->StartRun(options);
  ASSERT_TRUE(w.ok());
  // Rows of two symbols in one call are refused.
  std::vector<Allocation> mixed = c->allocations;
  Allocation eth = mixed.front();
  eth.symbol = "ETH-USD";
  mixed.push_back(eth);
  EXPECT_EQ((*w)->WriteAllocations(mixed).code(),
            absl::StatusCode::kInvalidArgument);
  (*w)->Abort("mixed").IgnoreError();

  w = store_->StartRun(options);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->WriteAllocations(c->allocations).ok());
  ASSERT_TRUE((*w)->WriteSnapshot("BTC-USD", c->closing, 6).ok());
  absl::StatusOr<ComputationRun> published = (*w)->Commit(RunStats{});
  ASSERT_TRUE(published.ok()) << published.status();
  const int64_t v2 = published->allocation_version;
  EXPECT_EQ(v2, 2);
  EXPECT_EQ(published->basis_version, std::optional<int64_t>(v1));

  std::vector<StoredAllocation> old_rows = Allocations(v1);
  std::vector<StoredAllocation> new_rows = Allocations(v2);
  ASSERT_EQ(new_rows.size(), c->allocations.size() + 2);
  // Ordered by symbol: BTC (new) first, then the referenced ETH rows.
  EXPECT_EQ(new_rows[0].allocation.symbol, "BTC-USD");
  EXPECT_EQ(new_rows.back().allocation.symbol, "ETH-USD");
  std::vector<StoredAllocation> old_eth, new_eth;
  for (const auto& r : old_rows) {
    if (r.allocation.symbol == "ETH-USD") old_eth.push_back(r);
  }
  for (const auto& r : new_rows) {
    if (r.allocation.symbol == "ETH-USD") new_eth.push_back(r);
  }
  ASSERT_EQ(old_eth.size(), new_eth.size());
  for (size_t i = 0; i < old_eth.size(); ++i) {
    // The very same stored rows: same id, batch and time; read as v2.
    EXPECT_EQ(new_eth[i].seq, old_eth[i].seq);
    EXPECT_EQ(new_eth[i].allocation.sell_order_id,
              old_eth[i].allocation.sell_order_id);
    EXPECT_EQ(new_eth[i].allocation.net_proceeds_usd,
              old_eth[i].allocation.net_proceeds_usd);
    EXPECT_EQ(new_eth[i].allocation_time, old_eth[i].allocation_time);
    EXPECT_EQ(new_eth[i].batch_id, old_eth[i].batch_id);
    EXPECT_EQ(new_eth[i].version, v2);
  }
  absl::StatusOr<std::vector<SegmentRef>> v1_segments =
      store_->ListVersionSegments(v1, std::string("ETH-USD"));
  absl::StatusOr<std::vector<SegmentRef>> v2_segments =
      store_->ListVersionSegments(v2, std::string("ETH-USD"));
  ASSERT_TRUE(v1_segments.ok() && v2_segments.ok());
  ASSERT_EQ(v2_segments->size(), 1u);
  EXPECT_EQ((*v2_segments)[0].id, (*v1_segments)[0].id);
  absl::StatusOr<std::vector<std::string>> symbols =
      store_->ListSnapshotSymbols(v2);
  ASSERT_TRUE(symbols.ok());
  EXPECT_EQ(*symbols, (std::vector<std::string>{"BTC-USD", "ETH-USD"}));
  absl::StatusOr<StoredSnapshot> eth_old = store_->LoadSnapshot(v1, "ETH-USD");
  absl::StatusOr<StoredSnapshot> eth_new = store_->LoadSnapshot(v2, "ETH-USD");
  ASSERT_TRUE(eth_old.ok() && eth_new.ok());
  EXPECT_EQ(eth_new->state.high_water_mark, eth_old->state.high_water_mark);
  absl::StatusOr<std::vector<InvariantViolation>> violations =
      store_->RunInvariantQueries(v2, InvariantOptions{});
  ASSERT_TRUE(violations.ok()) << violations.status();
  EXPECT_TRUE(violations->empty()) << (*violations)[0].message;

  // An incremental run extends v2 and appends a segment to its lists.
  RunOptions inc;
  inc.mode = RunMode::kIncremental;
  inc.extend_version = v2;
  w = store_->StartRun(inc);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->run().allocation_version, v2);
  ASSERT_TRUE((*w)->Commit(RunStats{}).ok());
  inc.extend_version = 3;  // never published
  EXPECT_EQ(store_->StartRun(inc).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(LedgerStoreTest, IncrementalRunOfAStaleVersionIsRefused) {
  Migrate();
  std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  const int64_t v1 = RunFull(trades);
  RunOptions inc;
  inc.mode = RunMode::kIncremental;
  inc.extend_version = v1;
  absl::StatusOr<std::unique_ptr<RunWriter>> stale = store_->StartRun(inc);
  ASSERT_TRUE(stale.ok());
  const int64_t v2 = RunFull(trades);  // published meanwhile
  ASSERT_EQ(v2, v1 + 1);
  absl::StatusOr<ComputationRun> late = (*stale)->Commit(RunStats{});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kAborted) << late.status();
  (*stale)->Abort(std::string(late.status().message())).IgnoreError();
}

TEST_P(LedgerStoreTest, ValidateReportsRowsEditedInSql) {
  Migrate();
  std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  const int64_t v1 = RunFull(trades);
  absl::StatusOr<std::vector<InvariantViolation>> clean =
      store_->RunInvariantQueries(v1, InvariantOptions{});
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_TRUE(clean->empty());
  // Someone edits a row's net proceeds and PnL consistently in SQL: the
  // money invariants still hold, the segment's digest does not.
  // (A consistent edit: pnl = net - cost stays true for the new values.)
  EXPECT_EQ(Raw("UPDATE fifo_allocations SET sell_order_id = sell_order_id, "
                "allocation_batch_id = allocation_batch_id, sell_time = "
                "sell_time, allocated_size = allocated_size, pnl_usd = pnl_usd, "
                "symbol = symbol WHERE id = (SELECT MIN(id) FROM "
                "fifo_allocations)"),
            "");
  absl::StatusOr<std::vector<InvariantViolation>> untouched =
      store_->RunInvariantQueries(v1, InvariantOptions{});
  ASSERT_TRUE(untouched.ok());
  EXPECT_TRUE(untouched->empty());  // an UPDATE that changes nothing
  EXPECT_EQ(Raw("UPDATE fifo_allocations SET sell_fees_per_unit = '7' WHERE "
                "id = (SELECT MIN(id) FROM fifo_allocations)"),
            "");
  absl::StatusOr<std::vector<InvariantViolation>> edited =
      store_->RunInvariantQueries(v1, InvariantOptions{});
  ASSERT_TRUE(edited.ok()) << edited.status();
  bool digest_reported = false;
  for (const InvariantViolation& v : *edited) {
    if (v.invariant == invariant::kSegmentIntact) digest_reported = true;
  }
  EXPECT_TRUE(digest_reported);
}

TEST_P(LedgerStoreTest, PruneKeepsTheLatestAndWhatIsNamed) {
  Migrate();
  std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  for (int i = 0; i < 4; ++i) ASSERT_EQ(RunFull(trades), i + 1);
  PruneOptions none;
  EXPECT_EQ(store_->PruneVersions(none).status().code(),
            absl::StatusCode::kInvalidArgument);
  PruneOptions options;
  options.keep_last = 1;
  options.keep = {2};
  options.dry_run = true;
  absl::StatusOr<PruneResult> dry = store_->PruneVersions(options);
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_EQ(dry->versions_removed, (std::vector<int64_t>{1, 3}));
  EXPECT_FALSE(Allocations(1).empty());  // a dry run removes nothing
  options.dry_run = false;
  absl::StatusOr<PruneResult> done = store_->PruneVersions(options);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->versions_removed, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(done->versions_kept, (std::vector<int64_t>{2, 4}));
  EXPECT_GT(done->allocations_removed, 0);
  EXPECT_EQ(done->segments_removed, dry->segments_removed);
  EXPECT_TRUE(Allocations(1).empty());
  EXPECT_FALSE(Allocations(2).empty());
  EXPECT_FALSE(Allocations(4).empty());
  absl::StatusOr<std::optional<ComputationRun>> pruned =
      store_->LatestCompletedRun(1);
  ASSERT_TRUE(pruned.ok() && pruned->has_value());
  EXPECT_TRUE((*pruned)->pruned_at.has_value());
  EXPECT_EQ(store_->RunInvariantQueries(1, InvariantOptions{}).status().code(),
            absl::StatusCode::kNotFound);
  // Pruning again removes nothing more; the latest always stays.
  options.keep = {};
  options.keep_last = 1;
  absl::StatusOr<PruneResult> again = store_->PruneVersions(options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->versions_removed, (std::vector<int64_t>{2}));
  EXPECT_EQ(again->versions_kept, (std::vector<int64_t>{4}));
}

// A store written before migration 0003 (every version a physical copy,
// snapshots per version) keeps every version exactly: rows in their old
// order, snapshots, and digests that validate.
TEST_P(LedgerStoreTest, MigrationToManifestsKeepsEveryOldVersion) {
  ASSERT_TRUE(store_->MigrateTo(2).ok());
  const std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  absl::StatusOr<std::vector<SymbolComputation>> computed =
      ComputeLedger(trades, SymbolConfigs{});
  ASSERT_TRUE(computed.ok());
  auto lit = [](const std::string& text) { return absl::StrCat("'", text, "'"); };
  auto dec = [&](const Decimal& d) { return lit(d.ToString()); };
  auto ts = [&](absl::Time t) { return lit(FormatTimestamp(t)); };
  const std::string batch = lit("6f1d3c2a-0000-4000-8000-000000000001");
  // Version 1 (a full run), version 2 (a symbol run: carried rows got new
  // seqs after the run's own), and a failed run that had reserved 3.
  for (int v = 1; v <= 3; ++v) {
    ASSERT_EQ(Raw(absl::StrCat(
                  "INSERT INTO fifo_computation_log (id, allocation_version, "
                  "allocation_batch_id, computation_start, status, "
                  "computation_mode, triggered_by, algorithm_version) VALUES (",
                  v, ", ", v, ", ", batch, ", '2025-11-21T00:00:00.000000Z', ",
                  v == 3 ? "'failed'" : "'completed'", ", ",
                  v == 2 ? "'symbol'" : "'full'", ", 'manual', 1)")),
              "");
  }
  for (int v = 1; v <= 2; ++v) {
    int64_t seq = 0;
    // v2 lists ETH first in seq order (carried after BTC's own rows in the
    // old code: any order within a version is kept per symbol).
    std::vector<const SymbolComputation*> order;
    for (const SymbolComputation& c : *computed) order.push_back(&c);
    if (v == 2) std::reverse(order.begin(), order.end());
    for (const SymbolComputation* c : order) {
      for (const Allocation& a : c->allocations) {
        const bool m = a.matched();
        auto buy = [&](const std::string& text) { return m ? text : "NULL"; };
        ASSERT_EQ(
            Raw(absl::StrCat(
                "INSERT INTO fifo_allocations (allocation_version, seq, "
                "sell_order_id, buy_order_id, symbol, allocated_size, "
                "buy_price, sell_price, buy_fees_per_unit, sell_fees_per_unit, "
                "buy_fee_share_usd, sell_fee_share_usd, cost_basis_usd, "
                "proceeds_usd, net_proceeds_usd, pnl_usd, buy_time, sell_time, "
                "allocation_time, allocation_batch_id) VALUES (",
                v, ", ", ++seq, ", ", lit(a.sell_order_id), ", ",
                buy(lit(a.buy_order_id.value_or(""))), ", ", lit(a.symbol),
                ", ", dec(a.allocated_size), ", ", buy(dec(a.buy_price)), ", ",
                dec(a.sell_price), ", ", buy(dec(a.buy_fees_per_unit)), ", ",
                dec(a.sell_fees_per_unit), ", ", buy(dec(a.buy_fee_share)),
                ", ", dec(a.sell_fee_share), ", ", buy(dec(a.cost_basis_usd)),
                ", ", dec(a.proceeds_usd), ", ", dec(a.net_proceeds_usd), ", ",
                buy(dec(a.pnl_usd)), ", ", buy(ts(a.buy_time)), ", ",
                ts(a.sell_time), ", '2025-11-21T00:00:01.000000Z', ", batch,
                ")")),
            "");
      }
      const auto& hwm = c->closing.high_water_mark;
      ASSERT_EQ(Raw(absl::StrCat(
                    "INSERT INTO fifo_snapshot_watermark (allocation_version, "
                    "symbol, hwm_time, hwm_order_id, ingest_seq_seen, "
                    "snapshot_time) VALUES (",
                    v, ", ", lit(c->symbol), ", ",
                    hwm ? ts(hwm->order_time) : "NULL", ", ",
                    hwm ? lit(hwm->order_id) : "NULL",
                    ", 6, '2025-11-21T00:00:02.000000Z')")),
                "");
      int lot_seq = 0;
      for (const OpenLot& lot : c->closing.open_lots) {
        ASSERT_EQ(
            Raw(absl::StrCat(
                "INSERT INTO fifo_inventory_snapshot (symbol, buy_order_id, "
                "remaining_size, snapshot_time, allocation_version, lot_seq, "
                "buy_time, price, size, total_fees_usd, consumed_size, "
                "consumed_fee_share) VALUES (",
                lit(c->symbol), ", ", lit(lot.buy_order_id), ", ",
                dec(lot.remaining_size()), ", '2025-11-21T00:00:02.000000Z', ",
                v, ", ", ++lot_seq, ", ", ts(lot.buy_time), ", ",
                dec(lot.price), ", ", dec(lot.size), ", ",
                dec(lot.total_fees_usd), ", ", dec(lot.consumed_size), ", ",
                dec(lot.consumed_fee_share), ")")),
            "");
      }
    }
  }

  absl::StatusOr<std::vector<AppliedMigration>> applied = store_->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.status();
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ(applied->front().name, "0003_versions_by_reference");

  for (int64_t v : {1, 2}) {
    SCOPED_TRACE(v);
    std::vector<StoredAllocation> rows = Allocations(v);
    std::vector<const Allocation*> want;
    for (const SymbolComputation& c : *computed) {
      for (const Allocation& a : c.allocations) want.push_back(&a);
    }
    ASSERT_EQ(rows.size(), want.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].version, v);
      EXPECT_EQ(rows[i].allocation.sell_order_id, want[i]->sell_order_id);
      EXPECT_EQ(rows[i].allocation.buy_order_id, want[i]->buy_order_id);
      EXPECT_EQ(rows[i].allocation.pnl_usd, want[i]->pnl_usd);
      EXPECT_EQ(rows[i].allocation.sell_fee_share, want[i]->sell_fee_share);
    }
    for (const SymbolComputation& c : *computed) {
      absl::StatusOr<StoredSnapshot> snap = store_->LoadSnapshot(v, c.symbol);
      ASSERT_TRUE(snap.ok()) << snap.status();
      EXPECT_EQ(snap->state.high_water_mark, c.closing.high_water_mark);
      ASSERT_EQ(snap->state.open_lots.size(), c.closing.open_lots.size());
      EXPECT_EQ(snap->ingest_seq_seen, 6);
    }
    // The digests recorded by the migration are those of the rows.
    absl::StatusOr<std::vector<InvariantViolation>> violations =
        store_->RunInvariantQueries(v, InvariantOptions{});
    ASSERT_TRUE(violations.ok()) << violations.status();
    EXPECT_TRUE(violations->empty()) << (*violations)[0].message;
    absl::StatusOr<std::vector<SegmentRef>> segments =
        store_->ListVersionSegments(v, std::nullopt);
    ASSERT_TRUE(segments.ok());
    ASSERT_EQ(segments->size(), computed->size());
    for (size_t i = 0; i < segments->size(); ++i) {
      SegmentDigest digest;
      for (const Allocation& a : (*computed)[i].allocations) digest.Add(a);
      EXPECT_EQ((*segments)[i].row_count,
                static_cast<int64_t>((*computed)[i].allocations.size()));
      EXPECT_EQ((*segments)[i].digest, digest.Finish());
    }
  }
  // Numbering goes on after the highest version ever reserved.
  EXPECT_EQ(RunFull(trades), 4);
}

TEST_P(LedgerStoreTest, SnapshotRoundTripsExactly) {
  Migrate();
  ASSERT_TRUE(store_
                  ->ImportTrades({MakeTrade("L1", "S", Side::kBuy, "3", "10",
                                            "2025-11-20T10:00:00Z", "1"),
                                  MakeTrade("L2", "S", Side::kBuy, "2", "11",
                                            "2025-11-20T10:00:01.5Z", "0.5")},
                                 false)
                  .ok());
  SymbolState state;
  OpenLot lot;
  lot.buy_order_id = "L1";
  lot.buy_time = T("2025-11-20T10:00:00Z");
  lot.price = D("10");
  lot.size = D("3");
  lot.total_fees_usd = D("1");
  lot.consumed_size = D("1");
  lot.consumed_fee_share = D("0.333333333333333333");
  state.open_lots.push_back(lot);
  lot.buy_order_id = "L2";
  lot.buy_time = T("2025-11-20T10:00:01.5Z");
  lot.price = D("11");
  lot.size = D("2");
  lot.total_fees_usd = D("0.5");
  lot.consumed_size = D("0");
  lot.consumed_fee_share = D("0");
  state.open_lots.push_back(lot);
  state.high_water_mark = TradeKey{T("2025-11-20T10:00:01.5Z"), "L2"};
  absl::StatusOr<std::unique_ptr<RunWriter>> w = store_->StartRun(RunOptions{});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->WriteSnapshot("S", state, 2).ok());
  ASSERT_TRUE((*w)->WriteSnapshot("S", state, 2).ok());  // a 2nd segment
  ASSERT_TRUE((*w)->WriteSnapshot("EMPTY", SymbolState{}, 2).ok());
  ASSERT_TRUE((*w)->Commit(RunStats{}).ok());
  absl::StatusOr<StoredSnapshot> back = store_->LoadSnapshot(1, "S");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ingest_seq_seen, 2);
  EXPECT_EQ(back->state.high_water_mark, state.high_water_mark);
  ASSERT_EQ(back->state.open_lots.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const OpenLot& a = back->state.open_lots[i];
    const OpenLot& e = state.open_lots[i];
    EXPECT_EQ(a.buy_order_id, e.buy_order_id);
    EXPECT_EQ(a.buy_time, e.buy_time);
    EXPECT_EQ(a.price.ToString(), e.price.ToString());
    EXPECT_EQ(a.size.ToString(), e.size.ToString());
    EXPECT_EQ(a.total_fees_usd.ToString(), e.total_fees_usd.ToString());
    EXPECT_EQ(a.consumed_size.ToString(), e.consumed_size.ToString());
    EXPECT_EQ(a.consumed_fee_share.ToString(), e.consumed_fee_share.ToString());
  }
  absl::StatusOr<StoredSnapshot> empty = store_->LoadSnapshot(1, "EMPTY");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->state.high_water_mark.has_value());
  EXPECT_TRUE(empty->state.open_lots.empty());
  EXPECT_EQ(store_->LoadSnapshot(1, "NOPE").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(LedgerStoreTest, MarksAbandonedRunsOnly) {
  Migrate();
  absl::StatusOr<std::unique_ptr<RunWriter>> live =
      store_->StartRun(RunOptions{});
  ASSERT_TRUE(live.ok());
  // A run whose process is gone (no lock holder / a dead pid on this host).
  ASSERT_EQ(Raw(absl::StrCat(
                "INSERT INTO fifo_computation_log (allocation_version, "
                "allocation_batch_id, computation_start, status, "
                "computation_mode, triggered_by, algorithm_version, owner) "
                "VALUES (77, '0b6f6b7e-2f4e-4a4c-9d55-3b7b1c1e2a10', "
                "'2025-01-01T00:00:00.000000Z', 'running', 'full', 'manual', "
                "1, 'pid:999999999:1@",
                HostName(), "')")),
            "");
  absl::StatusOr<int64_t> marked = store_->MarkAbandonedRuns();
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(*marked, 1);
  absl::StatusOr<RunPage> runs = store_->ListRuns(1, "");
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_EQ(runs->runs[0].status, RunStatus::kFailed);
  EXPECT_EQ(runs->runs[0].error_message, "abandoned");
  ASSERT_FALSE(runs->next_page_token.empty());
  absl::StatusOr<RunPage> next = store_->ListRuns(1, runs->next_page_token);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->runs.size(), 1u);
  EXPECT_EQ(next->runs[0].id, (*live)->run().id);
  EXPECT_EQ(next->runs[0].status, RunStatus::kRunning);

  // A run marked failed behind its back cannot commit.
  ASSERT_EQ(Raw(absl::StrCat("UPDATE fifo_computation_log SET status = "
                             "'failed' WHERE id = ",
                             (*live)->run().id)),
            "");
  EXPECT_EQ((*live)->Commit(RunStats{}).status().code(),
            absl::StatusCode::kAborted);
}

TEST_P(LedgerStoreTest, ReviewQueueResolvesOnceAndRefreshesOpenItems) {
  Migrate();
  const std::vector<Trade> trades = SampleLedger();
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  ASSERT_EQ(RunFull(trades), 1);
  ASSERT_EQ(RunFull(trades), 2);  // same unmatched sell: refreshed
  absl::StatusOr<std::vector<ReviewItem>> items =
      store_->ListReviewItems(ReviewFilter::kOpen);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 1u);
  const ReviewItem& item = (*items)[0];
  EXPECT_EQ(item.order_id, "E-SELL");
  EXPECT_EQ(item.issue_type, "unmatched_sell");
  EXPECT_EQ(item.severity, "high");
  EXPECT_EQ(item.allocation_version, 2);
  EXPECT_TRUE(absl::StrContains(item.details, "unmatched_size")) << item.details;
  absl::StatusOr<ReviewItem> resolved =
      store_->ResolveReviewItem(item.id, "deposit from cold wallet");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_TRUE(resolved->resolved);
  EXPECT_EQ(resolved->resolution_note, "deposit from cold wallet");
  EXPECT_TRUE(resolved->resolved_at.has_value());
  EXPECT_EQ(store_->ResolveReviewItem(item.id, "x").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ResolveReviewItem(12345, "x").status().code(),
            absl::StatusCode::kNotFound);
  items = store_->ListReviewItems(ReviewFilter::kOpen);
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
  items = store_->ListReviewItems(ReviewFilter::kResolved);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerStoreTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ------------------------------------------------------------ opening ----

TEST(OpenLedgerStoreTest, RejectsBadUrls) {
  for (const char* url : {"mysql://x", "sqlite:", "sqlite::memory:", "",
                          "sqlite:/tmp/a\"b.db"}) {
    EXPECT_EQ(OpenLedgerStore(url).status().code(),
              absl::StatusCode::kInvalidArgument)
        << url;
  }
}

TEST(OpenLedgerStoreTest, NeverShowsPasswords) {
  absl::StatusOr<std::unique_ptr<LedgerStore>> store =
      OpenLedgerStore("postgresql://fifo:s3cretPW@127.0.0.1:1/fifo");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(absl::StrContains(store.status().message(), "s3cretPW"))
      << store.status();
  EXPECT_EQ(RedactStoreUrl("postgresql://fifo:s3cretPW@h:5432/db?sslmode=disable"),
            "postgresql://fifo:***@h:5432/db?sslmode=disable");
  EXPECT_EQ(RedactStoreUrl("postgres://h/db?password=s3cretPW&x=1"),
            "postgres://h/db?password=***&x=1");
  EXPECT_FALSE(absl::StrContains(
      RedactStoreUrl("postgresql:host=h password='s3cretPW'"), "s3cretPW"));
}

TEST(OpenLedgerStoreTest, OpensThePostgresUriForm) {
  const char* pg = std::getenv("FIFO_TEST_POSTGRES_URL");
  if (pg == nullptr || pg[0] == '\0') {
    GTEST_SKIP() << "FIFO_TEST_POSTGRES_URL is not set";
  }
  absl::StatusOr<std::unique_ptr<LedgerStore>> store = OpenLedgerStore(pg);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->dialect(), "postgresql");
  EXPECT_TRUE((*store)->SchemaVersion().ok());
}

TEST(OpenLedgerStoreTest, DefaultUrlComesFromTheEnvironment) {
  unsetenv("FIFO_DB");
  EXPECT_EQ(DefaultStoreUrl(), "sqlite:fifo.db");
  setenv("FIFO_DB", "sqlite:/tmp/x.db", 1);
  EXPECT_EQ(DefaultStoreUrl(), "sqlite:/tmp/x.db");
  unsetenv("FIFO_DB");
}

}  // namespace
}  // namespace fifo
