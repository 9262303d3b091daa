// Versions by reference keep every version exactly as it was published, on
// SQLite and PostgreSQL.
//
// The store shares allocation rows between versions (immutable segments, a
// manifest per version: storage/ledger_store.h, migration 0003). This test
// runs random (but deterministic) sequences of imports (new trades,
// backfills, a new symbol), computations (full, full --rewrite, one symbol,
// incremental) and prunes (random keep_last / keep / older_than, some dry)
// against a real store, next to a model that keeps a PHYSICAL copy of every
// version: the allocations CSV (formats/allocations_csv.h) each version must
// export, computed independently of the store:
//   full run          the pure engine over every trade imported so far;
//   symbol run        the previous latest version, with that symbol's rows
//                     replaced by the engine over its trades;
//   incremental run   extends version V in place: V becomes the engine over
//                     every trade (extending equals recomputing); a
//                     fallback is a full run.
// After EVERY step, every version still in the model must export
// byte-identically to its copy (later runs never touch older versions),
// every pruned version must be gone (no rows, no segments, ResolveVersion
// NOT_FOUND), the latest version is never pruned and passes the store's
// invariant queries, the manifests of older versions never change (the
// latest only grows by appended segments), and each run's written/reused
// row counts add up (a full run on an unchanged ledger writes nothing, a
// rewrite references nothing, unchanged symbols are referenced).
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/ledger_generator.h"
#include "core/computations.h"
#include "core/validations.h"
#include "engine/fifo_engine.h"
#include "formats/allocations_csv.h"
#include "gtest/gtest.h"
#include "storage/ledger_store.h"
#include "storage/testing/test_store.h"

namespace fifo {
namespace {

Decimal Dec(int64_t units, int scale) { return Decimal::FromScaled(units, scale); }

// The balanced shape of the project's one generator over three symbols,
// grown batch by batch (Append, Backfill, AddSymbol for a fourth that sorts
// first). Its own PRNG also picks the steps: a seed is the same sequence
// everywhere.
bench::LedgerOptions GeneratorOptions(uint64_t seed) {
  bench::LedgerOptions options;
  options.shape = bench::LedgerShape::kBalanced;
  options.symbol_names = {"BTC-USD", "ETH-USD", "SOL-USD"};
  options.trades = 0;  // every trade comes from Append() or Backfill()
  options.seed = seed;
  options.start = absl::FromUnixSeconds(1767225600);  // 2026-01-01Z
  options.id_prefix = "T-";
  options.backfill_id_prefix = "BF-";
  options.id_digits = 6;
  return options;
}

// One version's logical content: each symbol's rows in engine order.
using SymbolRows = std::map<std::string, std::vector<Allocation>>;

// The model's physical copy of a version.
struct ModelVersion {
  SymbolRows rows;  // to derive a symbol run's successor from
  std::string csv;  // what the store must export, byte for byte
  int64_t row_count = 0;
};

// Header, then every symbol's rows (bytewise symbol order: std::map), each
// in engine order, all in `version`.
std::string RenderCsv(int64_t version, const SymbolRows& rows) {
  std::ostringstream out;
  AllocationsCsvWriter writer(out);
  absl::Status s = writer.WriteHeader();
  for (const auto& [symbol, allocations] : rows) {
    for (const Allocation& a : allocations) {
      if (s.ok()) s = writer.Write(version, a);
    }
  }
  EXPECT_TRUE(s.ok()) << s;
  return out.str();
}

ModelVersion MakeModelVersion(int64_t version, SymbolRows rows) {
  ModelVersion m;
  for (const auto& [symbol, allocations] : rows) {
    m.row_count += static_cast<int64_t>(allocations.size());
  }
  m.csv = RenderCsv(version, rows);
  m.rows = std::move(rows);
  return m;
}

// The store's rows of `version`, rendered the same way, from ScanAllocations
// in pages of `page_size` (rows by symbol, segment order, seq). Every row
// must say it was read from `version`.
struct Export {
  std::string csv;
  int64_t rows = 0;
  int64_t pages = 0;
};
absl::StatusOr<Export> ExportVersion(LedgerStore& store, int64_t version,
                                     int page_size) {
  Export e;
  std::ostringstream out;
  AllocationsCsvWriter writer(out);
  absl::Status s = writer.WriteHeader();
  if (!s.ok()) return s;
  AllocationFilter filter;
  filter.version = version;
  filter.page_size = page_size;
  s = store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) -> absl::Status {
        ++e.pages;
        if (page.empty() || static_cast<int>(page.size()) > page_size) {
          return absl::InternalError(
              absl::StrCat("page of ", page.size(), " rows (page_size ",
                           page_size, ")"));
        }
        for (const StoredAllocation& a : page) {
          if (a.version != version) {
            return absl::InternalError(absl::StrCat(
                "row ", a.seq, " says version ", a.version, ", read from ",
                version));
          }
          ++e.rows;
          absl::Status w = writer.Write(version, a.allocation);
          if (!w.ok()) return w;
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  e.csv = out.str();
  return e;
}

// "" when equal; else the first differing line of each and the line counts.
std::string CsvDifference(const std::string& expected,
                          const std::string& actual) {
  if (expected == actual) return "";
  std::vector<std::string> want = absl::StrSplit(expected, '\n');
  std::vector<std::string> got = absl::StrSplit(actual, '\n');
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  return absl::StrCat(
      "expected ", want.size() - 1, " lines, store exported ", got.size() - 1,
      "; first difference at line ", i + 1, ":\n  expected: ",
      i < want.size() ? want[i] : "(end)",
      "\n  exported: ", i < got.size() ? got[i] : "(end)");
}

// The engine over `ledger` (symbols bytewise).
absl::StatusOr<SymbolRows> EngineRows(const std::vector<Trade>& ledger,
                                      const SymbolConfigs& configs) {
  absl::StatusOr<std::vector<SymbolComputation>> full =
      ComputeLedger(ledger, configs, /*threads=*/1);
  if (!full.ok()) return full.status();
  SymbolRows rows;
  for (SymbolComputation& s : *full) {
    rows[s.symbol] = std::move(s.allocations);
  }
  return rows;
}

// The engine over `symbol`'s trades of `ledger`.
absl::StatusOr<std::vector<Allocation>> EngineSymbolRows(
    const std::vector<Trade>& ledger, const std::string& symbol,
    const SymbolConfigs& configs) {
  std::vector<Trade> trades;
  for (const Trade& t : ledger) {
    if (t.symbol == symbol) trades.push_back(t);
  }
  absl::StatusOr<SymbolComputation> s =
      ComputeSymbol(symbol, std::move(trades), configs.For(symbol));
  if (!s.ok()) return s.status();
  return std::move(s->allocations);
}

int64_t Rows(const SymbolRows& rows, const std::string& symbol) {
  auto it = rows.find(symbol);
  return it == rows.end() ? 0 : static_cast<int64_t>(it->second.size());
}

// A version's manifest: per symbol, its segment ids in order.
using Manifest = std::map<std::string, std::vector<int64_t>>;

absl::StatusOr<Manifest> ReadManifest(LedgerStore& store, int64_t version,
                                      std::map<int64_t, SegmentRef>* seen) {
  absl::StatusOr<std::vector<SegmentRef>> segments =
      store.ListVersionSegments(version, std::nullopt);
  if (!segments.ok()) return segments.status();
  Manifest m;
  for (const SegmentRef& s : *segments) {
    m[s.symbol].push_back(s.id);
    // A segment is immutable: the same symbol, run, count and digest in
    // every version and at every step.
    auto [it, added] = seen->emplace(s.id, s);
    if (!added && (it->second.symbol != s.symbol ||
                   it->second.computation_id != s.computation_id ||
                   it->second.row_count != s.row_count ||
                   it->second.digest != s.digest)) {
      return absl::InternalError(absl::StrCat(
          "segment ", s.id, " changed: was ", it->second.symbol, " run ",
          it->second.computation_id, " rows ", it->second.row_count,
          " digest ", it->second.digest, ", now ", s.symbol, " run ",
          s.computation_id, " rows ", s.row_count, " digest ", s.digest));
    }
  }
  return m;
}

std::string DescribeManifest(const Manifest& m) {
  std::string out;
  for (const auto& [symbol, ids] : m) {
    absl::StrAppend(&out, symbol, ":[", absl::StrJoin(ids, ","), "] ");
  }
  return out;
}

class VersionsByReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(VersionsByReferenceTest, EveryVersionStaysAsPublished) {
  const int seeds = GetParam() == "sqlite" ? 20 : 10;
  for (int seed = 1; seed <= seeds; ++seed) {
    SCOPED_TRACE(absl::StrCat("store ", GetParam(), ", seed ", seed));
    absl::StatusOr<testing::TestStore> test_store =
        testing::TestStore::Create(GetParam());
    if (absl::IsFailedPrecondition(test_store.status())) {
      GTEST_SKIP() << test_store.status();
    }
    ASSERT_TRUE(test_store.ok()) << test_store.status();
    absl::StatusOr<std::unique_ptr<LedgerStore>> opened =
        OpenLedgerStore(test_store->url());
    ASSERT_TRUE(opened.ok()) << opened.status();
    LedgerStore& store = **opened;
    ASSERT_TRUE(store.Migrate().ok());

    bench::LedgerGenerator gen(
        GeneratorOptions(static_cast<uint64_t>(seed) * 104729));
    bench::DeterministicRandom& rng = gen.random();
    SymbolConfigs configs;
    configs.by_symbol["ETH-USD"].dust_threshold = Dec(5, 3);
    Computations computations(&store, configs);
    // The invariant queries' tolerance: the dust thresholds (ERRATA 3/8);
    // {} for every symbol without one.
    InvariantOptions invariant_options;
    for (const auto& [name, config] : configs.by_symbol) {
      invariant_options.sell_tolerance_by_symbol[name] = config.dust_threshold;
    }

    std::vector<Trade> ledger;
    std::set<std::string> symbols;  // of the ledger
    // The model: every version not pruned, with its physical copy.
    std::map<int64_t, ModelVersion> model;
    std::set<int64_t> pruned;
    int64_t highest_published = 0;
    // Symbols whose rows AND closing state in the latest version are the
    // engine's over all their trades (no trade of theirs imported since the
    // run that computed them): a non-rewrite run must reference them.
    std::set<std::string> fresh;
    // Symbols with backfilled trades imported since they were last
    // computed: the latest version misses those sells (below its high-water
    // mark), which the invariant queries rightly report until a run
    // computes the symbol again.
    std::set<std::string> behind_backfill;
    // Manifests seen (per version) and every segment seen.
    std::map<int64_t, Manifest> manifests;
    std::map<int64_t, SegmentRef> segments_seen;
    std::vector<std::string> history;  // the steps so far, for failures

    auto latest_model = [&]() -> std::optional<int64_t> {
      if (model.empty()) return std::nullopt;
      return model.rbegin()->first;
    };

    auto import = [&](std::vector<Trade> trades, bool backfill) {
      absl::StatusOr<ImportResult> r = store.ImportTrades(trades, false);
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->inserted, static_cast<int64_t>(trades.size()));
      for (const Trade& t : trades) {
        symbols.insert(t.symbol);
        fresh.erase(t.symbol);
        if (backfill) behind_backfill.insert(t.symbol);
      }
      ledger.insert(ledger.end(), trades.begin(), trades.end());
    };

    // A full or symbol run published a new version: checks its number and
    // counts, and puts its copy in the model.
    auto published = [&](const ComputationRun& run, SymbolRows rows,
                         bool rewrite, const std::optional<std::string>& symbol,
                         const std::set<std::string>& fresh_before,
                         std::optional<int64_t> previous_latest) {
      ASSERT_EQ(run.status, RunStatus::kCompleted);
      ASSERT_EQ(run.allocation_version, highest_published + 1)
          << "versions are numbered in publish order";
      highest_published = run.allocation_version;
      const int64_t v = run.allocation_version;
      ModelVersion m = MakeModelVersion(v, std::move(rows));
      // Rows of the run: every symbol (full), or the one symbol.
      int64_t run_rows = symbol.has_value() ? Rows(m.rows, *symbol) : m.row_count;
      EXPECT_EQ(run.allocations_created + run.allocations_reused, run_rows)
          << "created " << run.allocations_created << " reused "
          << run.allocations_reused;
      if (rewrite) {
        EXPECT_EQ(run.allocations_reused, 0) << "a rewrite references nothing";
        EXPECT_EQ(run.allocations_created, run_rows);
      } else {
        // Rows of symbols that changed since the basis bound what is
        // written; none changed: nothing is written.
        int64_t stale_rows = 0;
        for (const auto& [s, allocations] : m.rows) {
          if (symbol.has_value() && s != *symbol) continue;
          if (fresh_before.count(s) == 0) {
            stale_rows += static_cast<int64_t>(allocations.size());
          }
        }
        EXPECT_LE(run.allocations_created, stale_rows)
            << "unchanged symbols must be referenced, not written (reused "
            << run.allocations_reused << ")";
        if (stale_rows == 0) {
          EXPECT_EQ(run.allocations_created, 0);
          EXPECT_EQ(run.allocations_reused, run_rows);
        }
      }
      // By reference: what the manifest must share with the basis.
      absl::StatusOr<Manifest> manifest = ReadManifest(store, v, &segments_seen);
      ASSERT_TRUE(manifest.ok()) << manifest.status();
      const Manifest* basis = nullptr;
      if (previous_latest.has_value() && manifests.count(*previous_latest)) {
        basis = &manifests[*previous_latest];
      }
      for (const auto& [s, ids] : *manifest) {
        const bool computed = !symbol.has_value() || s == *symbol;
        std::vector<int64_t> basis_ids;
        if (basis != nullptr && basis->count(s)) basis_ids = basis->at(s);
        if (!computed) {
          EXPECT_EQ(ids, basis_ids)
              << s << " of symbol run " << v
              << " must be the latest version's segments";
        } else if (rewrite) {
          for (int64_t id : ids) {
            EXPECT_EQ(segments_seen[id].computation_id, run.id)
                << "rewrite " << v << " references segment " << id << " of "
                << s;
          }
        } else if (fresh_before.count(s) > 0) {
          EXPECT_EQ(ids, basis_ids)
              << "unchanged " << s << " must reference the basis's segments";
        }
      }
      if (symbol.has_value() && basis != nullptr) {
        for (const auto& [s, ids] : *basis) {
          EXPECT_TRUE(manifest->count(s) > 0)
              << s << " lost by symbol run of " << *symbol;
        }
      }
      manifests[v] = *manifest;
      model[v] = std::move(m);
    };

    // The checks after every step.
    auto check_all = [&](int step) {
      const std::optional<int64_t> latest = latest_model();
      absl::StatusOr<std::optional<int64_t>> stored_latest =
          store.LatestCompletedVersion();
      ASSERT_TRUE(stored_latest.ok()) << stored_latest.status();
      ASSERT_EQ(*stored_latest, latest);
      // Every version in the model exports exactly its copy. Small pages on
      // odd steps, so pages straddle segments.
      const int page_size = step % 2 == 0 ? 10000 : 1 + step % 7 * 11;
      for (const auto& [v, m] : model) {
        SCOPED_TRACE(absl::StrCat("version ", v));
        absl::StatusOr<Export> e = ExportVersion(store, v, page_size);
        ASSERT_TRUE(e.ok()) << e.status();
        ASSERT_EQ(e->rows, m.row_count);
        const std::string diff = CsvDifference(m.csv, e->csv);
        ASSERT_TRUE(diff.empty()) << diff;
        absl::StatusOr<int64_t> resolved = ResolveVersion(store, v);
        ASSERT_TRUE(resolved.ok()) << resolved.status();
        EXPECT_EQ(*resolved, v);
        // Its manifest: unchanged for an older version; the latest may
        // only have grown by segments appended (incremental runs).
        absl::StatusOr<Manifest> manifest =
            ReadManifest(store, v, &segments_seen);
        ASSERT_TRUE(manifest.ok()) << manifest.status();
        const Manifest& before = manifests[v];
        if (v != latest) {
          EXPECT_EQ(*manifest, before)
              << "older version's manifest changed: was "
              << DescribeManifest(before) << " now "
              << DescribeManifest(*manifest);
        } else {
          for (const auto& [s, ids] : before) {
            auto it = manifest->find(s);
            ASSERT_TRUE(it != manifest->end()) << s << " left version " << v;
            ASSERT_GE(it->second.size(), ids.size());
            EXPECT_TRUE(std::equal(ids.begin(), ids.end(), it->second.begin()))
                << "latest version's segments of " << s
                << " were replaced, not appended: was "
                << DescribeManifest(before) << " now "
                << DescribeManifest(*manifest);
          }
        }
        manifests[v] = *manifest;
        int64_t segment_rows = 0;
        for (const auto& [s, ids] : *manifest) {
          for (int64_t id : ids) segment_rows += segments_seen[id].row_count;
        }
        EXPECT_EQ(segment_rows, m.row_count) << "segments' recorded row counts";
      }
      // Pruned versions are gone.
      for (int64_t v : pruned) {
        SCOPED_TRACE(absl::StrCat("pruned version ", v));
        absl::StatusOr<Export> e = ExportVersion(store, v, page_size);
        ASSERT_TRUE(e.ok()) << e.status();
        EXPECT_EQ(e->rows, 0);
        EXPECT_EQ(e->pages, 0);
        absl::StatusOr<std::vector<SegmentRef>> segments =
            store.ListVersionSegments(v, std::nullopt);
        ASSERT_TRUE(segments.ok()) << segments.status();
        EXPECT_TRUE(segments->empty());
        absl::StatusOr<int64_t> resolved = ResolveVersion(store, v);
        EXPECT_TRUE(absl::IsNotFound(resolved.status())) << resolved.status();
        absl::StatusOr<std::optional<ComputationRun>> run =
            store.LatestCompletedRun(v);
        ASSERT_TRUE(run.ok()) << run.status();
        ASSERT_TRUE(run->has_value()) << "a pruned version's run stays logged";
        EXPECT_TRUE((*run)->pruned_at.has_value());
      }
      // The latest version passes the store's invariant queries (every
      // symbol, or each one not behind a backfill).
      if (latest.has_value()) {
        std::vector<std::optional<std::string>> scopes;
        if (behind_backfill.empty()) {
          scopes.push_back(std::nullopt);
        } else {
          for (const auto& [s, rows] : model[*latest].rows) {
            if (behind_backfill.count(s) == 0) scopes.push_back(s);
          }
        }
        for (const std::optional<std::string>& scope : scopes) {
          InvariantOptions options = invariant_options;
          options.symbol = scope;
          absl::StatusOr<std::vector<InvariantViolation>> violations =
              store.RunInvariantQueries(*latest, options);
          ASSERT_TRUE(violations.ok()) << violations.status();
          EXPECT_TRUE(violations->empty())
              << violations->size() << " violations, first: "
              << violations->front().invariant << " "
              << violations->front().symbol << " "
              << violations->front().order_id << ": "
              << violations->front().message;
        }
      }
    };

    enum Action {
      kImportNew,
      kImportBackfill,
      kImportNewSymbol,
      kFull,
      kFullRewrite,
      kSymbolRun,
      kIncremental,
      kPrune,
    };
    std::optional<Action> forced = kImportNew;  // step 0: an initial ledger
    bool added_symbol = false;
    const int steps = 15 + static_cast<int>(rng.Below(11));  // 15..25
    for (int step = 0; step < steps; ++step) {
      Action action;
      if (forced.has_value()) {
        action = *forced;
        forced.reset();
      } else {
        const uint64_t r = rng.Below(20);
        action = r < 4    ? kImportNew
                 : r < 6  ? kImportBackfill
                 : r < 7  ? (added_symbol ? kImportNew : kImportNewSymbol)
                 : r < 10 ? kFull
                 : r < 11 ? kFullRewrite
                 : r < 14 ? kSymbolRun
                 : r < 17 ? kIncremental
                          : kPrune;
      }
      std::string name;
      const std::optional<int64_t> previous_latest = latest_model();
      const std::set<std::string> fresh_before = fresh;
      switch (action) {
        case kImportNew: {
          const int64_t n = step == 0 ? 80 : 5 + rng.Below(30);
          name = absl::StrCat("import ", n, " new trades");
          ASSERT_NO_FATAL_FAILURE(import(gen.Append(n), false));
          break;
        }
        case kImportBackfill: {
          const int64_t n = 1 + rng.Below(4);
          name = absl::StrCat("import ", n, " backfilled trades");
          ASSERT_NO_FATAL_FAILURE(import(gen.Backfill(n), true));
          break;
        }
        case kImportNewSymbol: {
          added_symbol = true;
          // Sorts before every other symbol.
          const int index = gen.AddSymbol("ADA-USD");
          name = "import 15 trades of new symbol ADA-USD";
          ASSERT_NO_FATAL_FAILURE(import(gen.Append(15, index), false));
          break;
        }
        case kFull:
        case kFullRewrite: {
          ComputeOptions options;
          options.rewrite = action == kFullRewrite;
          name = options.rewrite ? "full run (rewrite)" : "full run";
          absl::StatusOr<ComputationRun> run =
              computations.ComputeAllSymbols(options);
          ASSERT_TRUE(run.ok()) << run.status();
          EXPECT_EQ(run->mode, RunMode::kFull);
          absl::StatusOr<SymbolRows> rows = EngineRows(ledger, configs);
          ASSERT_TRUE(rows.ok()) << rows.status();
          ASSERT_NO_FATAL_FAILURE(published(*run, *std::move(rows),
                                            options.rewrite, std::nullopt,
                                            fresh_before, previous_latest));
          fresh = symbols;
          behind_backfill.clear();
          // Now and then the same again on the unchanged ledger: it must
          // write nothing.
          if (rng.Chance(1, 3)) forced = kFull;
          break;
        }
        case kSymbolRun: {
          auto it = symbols.begin();
          std::advance(it, rng.Below(symbols.size()));
          const std::string symbol = *it;
          ComputeOptions options;
          options.rewrite = rng.Chance(1, 4);
          name = absl::StrCat("symbol run of ", symbol,
                              options.rewrite ? " (rewrite)" : "");
          absl::StatusOr<ComputationRun> run =
              computations.ComputeSymbol(symbol, options);
          ASSERT_TRUE(run.ok()) << run.status();
          EXPECT_EQ(run->mode, RunMode::kSymbol);
          // The previous latest version with this symbol's rows replaced.
          SymbolRows rows;
          if (previous_latest.has_value()) rows = model[*previous_latest].rows;
          absl::StatusOr<std::vector<Allocation>> mine =
              EngineSymbolRows(ledger, symbol, configs);
          ASSERT_TRUE(mine.ok()) << mine.status();
          rows[symbol] = *std::move(mine);
          ASSERT_NO_FATAL_FAILURE(published(*run, std::move(rows),
                                            options.rewrite, symbol,
                                            fresh_before, previous_latest));
          fresh.insert(symbol);
          behind_backfill.erase(symbol);
          break;
        }
        case kIncremental: {
          ComputeOptions options;
          absl::StatusOr<ComputationRun> run =
              computations.ComputeIncremental(std::nullopt, options);
          ASSERT_TRUE(run.ok()) << run.status();
          ASSERT_EQ(run->status, RunStatus::kCompleted);
          absl::StatusOr<SymbolRows> rows = EngineRows(ledger, configs);
          ASSERT_TRUE(rows.ok()) << rows.status();
          if (run->mode == RunMode::kIncremental) {
            name = absl::StrCat("incremental run extending ",
                                run->allocation_version);
            ASSERT_TRUE(previous_latest.has_value());
            ASSERT_EQ(run->allocation_version, *previous_latest)
                << "an incremental run extends the latest version";
            const int64_t v = run->allocation_version;
            const int64_t old_rows = model[v].row_count;
            ModelVersion m = MakeModelVersion(v, *std::move(rows));
            EXPECT_EQ(run->allocations_reused, 0);
            EXPECT_EQ(run->allocations_created, m.row_count - old_rows)
                << "an incremental run writes only the new rows";
            // Its new segments are its own.
            absl::StatusOr<Manifest> manifest =
                ReadManifest(store, v, &segments_seen);
            ASSERT_TRUE(manifest.ok()) << manifest.status();
            for (const auto& [s, ids] : *manifest) {
              size_t had = manifests[v].count(s) ? manifests[v][s].size() : 0;
              for (size_t i = had; i < ids.size(); ++i) {
                EXPECT_EQ(segments_seen[ids[i]].computation_id, run->id)
                    << "segment " << ids[i] << " appended to " << s;
              }
            }
            model[v] = std::move(m);
          } else {
            name = absl::StrCat("incremental run, fell back to full (",
                                run->fallback_reason, ")");
            EXPECT_EQ(run->mode, RunMode::kFull);
            EXPECT_FALSE(run->fallback_reason.empty());
            ASSERT_NO_FATAL_FAILURE(published(*run, *std::move(rows),
                                              /*rewrite=*/false, std::nullopt,
                                              fresh_before, previous_latest));
          }
          fresh = symbols;
          behind_backfill.clear();
          break;
        }
        case kPrune: {
          PruneOptions options;
          switch (rng.Below(4)) {
            case 0:
              options.keep_last = 1;
              break;
            case 1:
              options.keep_last = rng.Range(1, 4);
              break;
            case 2:  // every version is older than zero
              options.older_than = absl::ZeroDuration();
              if (rng.Chance(1, 2)) options.keep_last = rng.Range(1, 3);
              break;
            default:  // every version is younger than an hour: keeps all
              options.older_than = absl::Hours(1);
              options.keep_last = rng.Range(1, 2);
              break;
          }
          for (const auto& [v, m] : model) {
            if (rng.Chance(1, 4)) options.keep.push_back(v);
          }
          options.dry_run = rng.Chance(1, 5);
          name = absl::StrCat(
              "prune", options.dry_run ? " (dry run)" : "", " keep_last=",
              options.keep_last.has_value() ? absl::StrCat(*options.keep_last)
                                            : "-",
              " older_than=",
              options.older_than.has_value()
                  ? absl::FormatDuration(*options.older_than)
                  : "-",
              " keep=[", absl::StrJoin(options.keep, ","), "]");
          // Which versions the rules allow to remove: all of them must.
          std::vector<int64_t> expect_removed, expect_kept;
          const int64_t keep_last = options.keep_last.value_or(1);
          int64_t rank = static_cast<int64_t>(model.size());
          for (const auto& [v, m] : model) {
            const bool newest = rank-- <= keep_last;
            const bool young = options.older_than.has_value() &&
                               *options.older_than > absl::ZeroDuration();
            const bool kept =
                std::find(options.keep.begin(), options.keep.end(), v) !=
                options.keep.end();
            (newest || young || kept ? expect_kept : expect_removed)
                .push_back(v);
          }
          absl::StatusOr<PruneResult> result = store.PruneVersions(options);
          ASSERT_TRUE(result.ok()) << result.status();
          EXPECT_EQ(result->versions_removed, expect_removed);
          EXPECT_EQ(result->versions_kept, expect_kept);
          if (previous_latest.has_value()) {
            EXPECT_TRUE(std::find(result->versions_removed.begin(),
                                  result->versions_removed.end(),
                                  *previous_latest) ==
                        result->versions_removed.end())
                << "the latest version was pruned";
          }
          if (!options.dry_run) {
            for (int64_t v : result->versions_removed) {
              model.erase(v);
              manifests.erase(v);
              pruned.insert(v);
            }
          }
          absl::StrAppend(&name, " -> removed [",
                          absl::StrJoin(result->versions_removed, ","), "] (",
                          result->segments_removed, " segments, ",
                          result->allocations_removed, " rows)");
          break;
        }
      }
      history.push_back(absl::StrCat("step ", step, ": ", name));
      SCOPED_TRACE(absl::StrCat("after ", absl::StrJoin(history, "\n  ")));
      ASSERT_NO_FATAL_FAILURE(check_all(step));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, VersionsByReferenceTest,
                         ::testing::ValuesIn(testing::StoreKinds()));

}  // namespace
}  // namespace fifo
