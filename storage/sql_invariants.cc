// SqlLedgerStore::RunInvariantQueries: the design's five invariant queries
// over one version, computed in C++ with exact Decimals (see
// LedgerStore::RunInvariantQueries).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/segment_digest.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_rows.h"
#include "validation/invariant_names.h"

namespace fifo {
namespace storage_internal {

absl::StatusOr<std::vector<InvariantViolation>>
SqlLedgerStore::RunInvariantQueries(int64_t version,
                                    const InvariantOptions& options) {
  std::vector<std::string> symbols;
  {
    absl::MutexLock lock(&mu_);
    FIFO_ASSIGN_OR_RETURN(
        std::optional<Row> run,
        db_->QueryOne("invariants",
                      absl::StrCat("SELECT id, ", db_->TsCol("pruned_at"),
                                   " FROM fifo_computation_log WHERE "
                                   "allocation_version = :v ORDER BY "
                                   "pruned_at LIMIT 1"),
                      {Param::Int(version)}, 2));
    if (!run.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no computation run has version ", version));
    }
    if ((*run)[1].has_value()) {
      return absl::NotFoundError(absl::StrCat(
          "version ", version, " was pruned at ", *(*run)[1],
          " (fifoctl prune): its rows are gone"));
    }
    FIFO_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        db_->QueryAll("invariants",
                      "SELECT DISTINCT symbol FROM fifo_version_segments "
                      "WHERE allocation_version = :v",
                      {Param::Int(version)}, 1));
    for (const Row& r : rows) {
      std::string s = Str(r[0]);
      if (!options.symbol.has_value() || s == *options.symbol) {
        symbols.push_back(std::move(s));
      }
    }
    std::sort(symbols.begin(), symbols.end());
  }

  std::vector<InvariantViolation> out;
  for (const std::string& symbol : symbols) {
    std::optional<TradeKey> hwm;
    bool has_snapshot = true;
    absl::StatusOr<StoredSnapshot> snapshot = LoadSnapshot(version, symbol);
    if (snapshot.ok()) {
      hwm = snapshot->state.high_water_mark;
    } else if (absl::IsNotFound(snapshot.status())) {
      has_snapshot = false;
    } else {
      return snapshot.status();
    }
    struct TradeInfo {
      Side side;
      Decimal size;
      bool covered;  // at or before the version's high-water mark
      Decimal allocated;
    };
    absl::flat_hash_map<std::string, TradeInfo> trades;
    FIFO_RETURN_IF_ERROR(ScanTrades(
        symbol, std::nullopt,
        [&](const std::vector<Trade>& page) {
          for (const Trade& t : page) {
            const bool covered =
                !has_snapshot || (hwm.has_value() && KeyOf(t) <= *hwm);
            trades.emplace(t.order_id,
                           TradeInfo{t.side, t.size, covered, Decimal()});
          }
          return absl::OkStatus();
        },
        kDefaultScanPageSize));
    auto violation = [&](absl::string_view name, const std::string& order_id,
                         std::optional<int64_t> seq, std::string message) {
      out.push_back(InvariantViolation{std::string(name), symbol, order_id,
                                       seq, std::move(message)});
    };
    auto check_rows = [&](const std::vector<StoredAllocation>& page) {
      for (const StoredAllocation& s : page) {
        const Allocation& a = s.allocation;
        auto sell = trades.find(a.sell_order_id);
        if (sell == trades.end() || sell->second.side != Side::kSell) {
          violation(invariant::kNoOrphans, a.sell_order_id, s.seq,
                    absl::StrCat("allocation seq ", s.seq, " names sell ",
                                 Quoted(a.sell_order_id),
                                 ", which is not a sell of ", symbol));
        } else {
          sell->second.allocated += a.allocated_size;
        }
        if (!a.matched()) continue;  // ERRATA 3: unmatched rows
        auto buy = trades.find(*a.buy_order_id);
        if (buy == trades.end() || buy->second.side != Side::kBuy) {
          violation(invariant::kNoOrphans, *a.buy_order_id, s.seq,
                    absl::StrCat("allocation seq ", s.seq, " names buy ",
                                 Quoted(*a.buy_order_id),
                                 ", which is not a buy of ", symbol));
        } else {
          buy->second.allocated += a.allocated_size;
        }
        if (a.pnl_usd != a.net_proceeds_usd - a.cost_basis_usd) {
          violation(invariant::kPnlConsistent, a.sell_order_id, s.seq,
                    absl::StrCat("allocation seq ", s.seq, ": pnl_usd ",
                                 a.pnl_usd.ToString(),
                                 " != net_proceeds_usd - cost_basis_usd ",
                                 (a.net_proceeds_usd - a.cost_basis_usd)
                                     .ToString()));
        }
        if (a.sell_time < a.buy_time) {
          violation(invariant::kBuyBeforeSell, a.sell_order_id, s.seq,
                    absl::StrCat("allocation seq ", s.seq, ": buy ",
                                 Quoted(*a.buy_order_id), " at ",
                                 Ts(a.buy_time), " is after the sell at ",
                                 Ts(a.sell_time)));
        }
      }
    };
    FIFO_ASSIGN_OR_RETURN(std::vector<SegmentRef> segments,
                          ListVersionSegments(version, symbol));
    AllocationFilter all;
    all.version = version;
    for (const SegmentRef& segment : segments) {
      // The rows as stored must still be the rows written: same count,
      // same digest of their canonical form.
      SegmentDigest digest;
      int64_t after = 0;
      while (true) {
        std::vector<StoredAllocation> page;
        FIFO_RETURN_IF_ERROR(ScanSegmentRows(segment.id, all, after,
                                             kDefaultScanPageSize, &page,
                                             &after));
        for (const StoredAllocation& s : page) digest.Add(s.allocation);
        check_rows(page);
        if (page.size() < static_cast<size_t>(kDefaultScanPageSize)) break;
      }
      const int64_t count = digest.count();
      const std::string recomputed = digest.Finish();
      if (count != segment.row_count || recomputed != segment.digest) {
        violation(invariant::kSegmentIntact, "", std::nullopt,
                  absl::StrCat("segment ", segment.id, " of ", symbol,
                               " (written by run ", segment.computation_id,
                               ") was recorded with ", segment.row_count,
                               " rows and digest ", segment.digest,
                               "; its stored rows are ", count,
                               " with digest ", recomputed,
                               ": rows were changed after they were "
                               "written (recompute with --rewrite)"));
      }
    }
    auto tol_it = options.sell_tolerance_by_symbol.find(symbol);
    const Decimal& tolerance = tol_it == options.sell_tolerance_by_symbol.end()
                                   ? options.default_sell_tolerance
                                   : tol_it->second;
    std::vector<std::string> ids;
    for (const auto& entry : trades) ids.push_back(entry.first);
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      const TradeInfo& t = trades.at(id);
      if (t.side == Side::kSell) {
        if (!t.covered) {
          if (!t.allocated.is_zero()) {
            violation(invariant::kSellFullyAllocated, id, std::nullopt,
                      absl::StrCat("sell ", Quoted(id),
                                   " is after the version's high-water mark "
                                   "but has allocated size ",
                                   t.allocated.ToString()));
          }
          continue;
        }
        if ((t.size - t.allocated).Abs() > tolerance) {
          violation(invariant::kSellFullyAllocated, id, std::nullopt,
                    absl::StrCat("sell ", Quoted(id), " of size ",
                                 t.size.ToString(), " has ",
                                 t.allocated.ToString(),
                                 " allocated (matched + unmatched)"));
        }
      } else if (t.allocated > t.size) {
        violation(invariant::kBuyNotOverAllocated, id, std::nullopt,
                  absl::StrCat("buy ", Quoted(id), " of size ",
                               t.size.ToString(), " has ",
                               t.allocated.ToString(), " allocated"));
      }
    }
  }
  return out;
}

}  // namespace storage_internal
}  // namespace fifo

namespace fifo {
namespace storage_internal {

absl::StatusOr<std::pair<std::string, int64_t>>
SqlLedgerStore::StoredSegmentDigestLocked(int64_t segment_id) {
  SegmentDigest digest;
  int64_t after = 0;
  while (true) {
    int64_t rows = 0;
    FIFO_RETURN_IF_ERROR(db_->Query(
        "segment digest",
        absl::StrCat("SELECT ", AllocationCols(*db_),
                     " FROM fifo_allocations WHERE segment_id = :g AND seq > ",
                     db_->IntParam(":k"), " ORDER BY seq LIMIT :n"),
        {Param::Int(segment_id), Param::Int(after),
         Param::Int(kDefaultScanPageSize)},
        kAllocationCols, [&](const Row& row) -> absl::Status {
          FIFO_ASSIGN_OR_RETURN(after, Int(row[0], "seq"));
          FIFO_ASSIGN_OR_RETURN(StoredAllocation a, RowToAllocation(row));
          digest.Add(a.allocation);
          ++rows;
          return absl::OkStatus();
        }));
    if (rows < kDefaultScanPageSize) break;
  }
  const int64_t count = digest.count();
  return std::make_pair(digest.Finish(), count);
}

absl::Status SqlLedgerStore::DigestMigratedSegmentsLocked() {
  FIFO_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db_->QueryAll("digest migrated segments",
                    "SELECT id FROM fifo_segments WHERE digest = '' ORDER BY id",
                    {}, 1));
  for (const Row& r : rows) {
    FIFO_ASSIGN_OR_RETURN(int64_t id, Int(r[0], "segment id"));
    FIFO_ASSIGN_OR_RETURN(auto digest, StoredSegmentDigestLocked(id));
    FIFO_RETURN_IF_ERROR(
        db_->Exec("digest migrated segments",
                  "UPDATE fifo_segments SET digest = :d, row_count = :n "
                  "WHERE id = :g",
                  {Param::Text(digest.first), Param::Int(digest.second),
                   Param::Int(id)})
            .status());
  }
  return absl::OkStatus();
}

}  // namespace storage_internal
}  // namespace fifo
