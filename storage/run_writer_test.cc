// The run writer's pipelined path (storage/sql_ledger_store.cc,
// SqlRunWriter): writes of at least 1024 rows are inserted by a background
// thread while the caller goes on. Against both stores (SQLite in
// TEST_TMPDIR; PostgreSQL when FIFO_TEST_POSTGRES_URL is set): the stored
// rows are the engine's, in order, whatever the batch sizes; an error of a
// queued write surfaces on a later call, and Abort leaves the previous
// version as it was.
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/fifo_engine.h"
#include "engine/timestamp.h"
#include "gtest/gtest.h"
#include "storage/ledger_store.h"
#include "storage/testing/store_fixture.h"

namespace fifo {
namespace {

using ::fifo::testing::StoreFixture;

Decimal D(const std::string& text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Decimal();
}

// `n` trades of `symbol`: buys of 3 and sells of 2 (some sells of 5, so that
// a few rows are unmatched), prices and fees with up to 8 decimals.
std::vector<Trade> Ledger(const std::string& symbol, int n, int first_id) {
  std::vector<Trade> out;
  std::mt19937_64 rng(static_cast<uint64_t>(first_id));
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  for (int i = 0; i < n; ++i) {
    Trade t;
    t.order_id = absl::StrCat("o", first_id + i);
    t.symbol = symbol;
    t.side = i % 2 == 0 ? Side::kBuy : Side::kSell;
    t.size = D(t.side == Side::kBuy ? "3" : (i % 97 == 1 ? "5.5" : "2.25"));
    t.price = D(absl::StrCat(100 + rng() % 1000, ".", rng() % 100000000));
    t.order_time = start + absl::Microseconds(1000 * i + (rng() % 997));
    t.total_fees_usd = D(absl::StrCat("0.", rng() % 1000));
    t.source = "manual";
    t.status = "FILLED";
    t.ingest_via = "import";
    out.push_back(std::move(t));
  }
  return out;
}

class RunWriterTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store_->Migrate().ok());
  }

  // Writes `computed` as one run, allocations in batches of `batch` rows.
  absl::StatusOr<ComputationRun> Run(
      const std::vector<SymbolComputation>& computed, size_t batch) {
    absl::StatusOr<int64_t> seen = store_->MaxIngestSeq();
    if (!seen.ok()) return seen.status();
    absl::StatusOr<std::unique_ptr<RunWriter>> writer =
        store_->StartRun(RunOptions{});
    if (!writer.ok()) return writer.status();
    RunStats stats;
    absl::Status s;
    for (const SymbolComputation& c : computed) {
      for (size_t i = 0; i < c.allocations.size() && s.ok(); i += batch) {
        const size_t n = std::min(batch, c.allocations.size() - i);
        s = (*writer)->WriteAllocations(
            absl::MakeConstSpan(c.allocations).subspan(i, n));
      }
      if (s.ok()) s = (*writer)->WriteSnapshot(c.symbol, c.closing, *seen);
      for (const UnmatchedSell& u : c.unmatched_sells) {
        if (s.ok()) s = (*writer)->EnqueueReview(u);
      }
      stats.allocations_created += static_cast<int64_t>(c.allocations.size());
      stats.symbols_processed.push_back(c.symbol);
    }
    if (!s.ok()) {
      (*writer)->Abort(std::string(s.message())).IgnoreError();
      return s;
    }
    absl::StatusOr<ComputationRun> run = (*writer)->Commit(stats);
    if (!run.ok()) (*writer)->Abort(std::string(run.status().message())).IgnoreError();
    return run;
  }

  std::vector<StoredAllocation> Scan(int64_t version) {
    std::vector<StoredAllocation> out;
    AllocationFilter filter;
    filter.version = version;
    EXPECT_TRUE(store_
                    ->ScanAllocations(
                        filter,
                        [&](const std::vector<StoredAllocation>& page) {
                          out.insert(out.end(), page.begin(), page.end());
                          return absl::OkStatus();
                        })
                    .ok());
    return out;
  }

};

void ExpectSameRow(const Allocation& got, const Allocation& want) {
  EXPECT_EQ(got.sell_order_id, want.sell_order_id);
  EXPECT_EQ(got.buy_order_id, want.buy_order_id);
  EXPECT_EQ(got.symbol, want.symbol);
  EXPECT_EQ(got.allocated_size.ToString(), want.allocated_size.ToString());
  EXPECT_EQ(got.sell_price.ToString(), want.sell_price.ToString());
  EXPECT_EQ(got.sell_fee_share.ToString(), want.sell_fee_share.ToString());
  EXPECT_EQ(got.net_proceeds_usd.ToString(), want.net_proceeds_usd.ToString());
  EXPECT_EQ(got.sell_time, want.sell_time);
  if (want.matched()) {
    EXPECT_EQ(got.buy_price.ToString(), want.buy_price.ToString());
    EXPECT_EQ(got.buy_fee_share.ToString(), want.buy_fee_share.ToString());
    EXPECT_EQ(got.cost_basis_usd.ToString(), want.cost_basis_usd.ToString());
    EXPECT_EQ(got.pnl_usd.ToString(), want.pnl_usd.ToString());
    EXPECT_EQ(got.buy_time, want.buy_time);
  }
}

TEST_P(RunWriterTest, PipelinedAndSynchronousRunsStoreTheEngineRows) {
  std::vector<Trade> trades = Ledger("AAA-USD", 5000, 1000000);
  for (Trade& t : Ledger("BBB-USD", 3001, 2000000)) trades.push_back(t);
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  absl::StatusOr<std::vector<SymbolComputation>> computed =
      ComputeLedger(trades, SymbolConfigs{});
  ASSERT_TRUE(computed.ok()) << computed.status();
  std::vector<const Allocation*> want;
  for (const SymbolComputation& c : *computed) {
    for (const Allocation& a : c.allocations) want.push_back(&a);
  }
  ASSERT_GT(want.size(), 4000u);

  // 1500-row batches go through the worker; 100-row batches do not; 4096
  // rows mix both in one run (the last batch of a symbol is small).
  for (size_t batch : {size_t{1500}, size_t{100}, size_t{4096}}) {
    SCOPED_TRACE(batch);
    absl::StatusOr<ComputationRun> run = Run(*computed, batch);
    ASSERT_TRUE(run.ok()) << run.status();
    std::vector<StoredAllocation> got = Scan(run->allocation_version);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      // Row ids grow in write order within a symbol.
      if (i > 0 && got[i].allocation.symbol == got[i - 1].allocation.symbol) {
        EXPECT_GT(got[i].seq, got[i - 1].seq);
      }
      ExpectSameRow(got[i].allocation, *want[i]);
    }
    for (const SymbolComputation& c : *computed) {
      absl::StatusOr<StoredSnapshot> snap =
          store_->LoadSnapshot(run->allocation_version, c.symbol);
      ASSERT_TRUE(snap.ok()) << snap.status();
      ASSERT_EQ(snap->state.open_lots.size(), c.closing.open_lots.size());
      for (size_t i = 0; i < c.closing.open_lots.size(); ++i) {
        EXPECT_EQ(snap->state.open_lots[i].buy_order_id,
                  c.closing.open_lots[i].buy_order_id);
        EXPECT_EQ(snap->state.open_lots[i].consumed_size.ToString(),
                  c.closing.open_lots[i].consumed_size.ToString());
      }
    }
  }
}

TEST_P(RunWriterTest, QueuedWriteErrorFailsTheRunAndKeepsThePreviousVersion) {
  std::vector<Trade> trades = Ledger("AAA-USD", 6000, 1000000);
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  absl::StatusOr<std::vector<SymbolComputation>> computed =
      ComputeLedger(trades, SymbolConfigs{});
  ASSERT_TRUE(computed.ok());
  absl::StatusOr<ComputationRun> first = Run(*computed, 2000);
  ASSERT_TRUE(first.ok()) << first.status();
  const size_t rows = Scan(first->allocation_version).size();

  // A second run whose second batch names an unknown sell (a foreign key
  // violation found by the worker).
  std::vector<Allocation> bad = (*computed)[0].allocations;
  ASSERT_GT(bad.size(), 3000u);
  bad[2500].sell_order_id = "NO-SUCH-SELL";
  absl::StatusOr<std::unique_ptr<RunWriter>> writer =
      store_->StartRun(RunOptions{});
  ASSERT_TRUE(writer.ok());
  absl::Status s;
  for (size_t i = 0; i < bad.size() && s.ok(); i += 2000) {
    s = (*writer)->WriteAllocations(absl::MakeConstSpan(bad).subspan(
        i, std::min<size_t>(2000, bad.size() - i)));
  }
  if (s.ok()) {
    s = (*writer)->WriteSnapshot("AAA-USD", (*computed)[0].closing, 0);
  }
  if (s.ok()) s = (*writer)->Commit(RunStats{}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  // Once failed, the run refuses more work and Commit.
  EXPECT_FALSE((*writer)->WriteAllocations(bad).ok());
  EXPECT_FALSE((*writer)->Commit(RunStats{}).ok());
  EXPECT_TRUE((*writer)->Abort(std::string(s.message())).ok());
  writer->reset();

  absl::StatusOr<std::optional<int64_t>> latest =
      store_->LatestCompletedVersion();
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, first->allocation_version);
  EXPECT_EQ(Scan(first->allocation_version).size(), rows);
  EXPECT_TRUE(Scan(first->allocation_version + 1).empty());
}

TEST_P(RunWriterTest, DestroyingAPipelinedWriterAbortsIt) {
  std::vector<Trade> trades = Ledger("AAA-USD", 6000, 1000000);
  ASSERT_TRUE(store_->ImportTrades(trades, false).ok());
  absl::StatusOr<std::vector<SymbolComputation>> computed =
      ComputeLedger(trades, SymbolConfigs{});
  ASSERT_TRUE(computed.ok());
  {
    absl::StatusOr<std::unique_ptr<RunWriter>> writer =
        store_->StartRun(RunOptions{});
    ASSERT_TRUE(writer.ok());
    const auto& rows = (*computed)[0].allocations;
    for (size_t i = 0; i + 1500 <= rows.size(); i += 1500) {
      ASSERT_TRUE((*writer)
                      ->WriteAllocations(
                          absl::MakeConstSpan(rows).subspan(i, 1500))
                      .ok());
    }
  }  // destroyed with writes queued: joins the worker, rolls back
  absl::StatusOr<std::optional<int64_t>> latest =
      store_->LatestCompletedVersion();
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
  EXPECT_TRUE(Scan(1).empty());
  // The store takes a new run at once (no lock left behind).
  absl::StatusOr<ComputationRun> run = Run(*computed, 1500);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Scan(run->allocation_version).size(),
            (*computed)[0].allocations.size());
}

INSTANTIATE_TEST_SUITE_P(Stores, RunWriterTest,
                         ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace fifo
