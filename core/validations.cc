#include "core/validations.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"

namespace fifo {
namespace {

// OK when `version` has a completed run and was not pruned.
absl::Status CheckReadable(LedgerStore& store, int64_t version) {
  FIFO_ASSIGN_OR_RETURN(std::optional<ComputationRun> run,
                        store.LatestCompletedRun(version));
  if (!run.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "allocation version ", version, " has no completed run"));
  }
  if (run->pruned_at.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "allocation version ", version, " was pruned at ",
        FormatTimestamp(*run->pruned_at),
        " (fifoctl prune): its rows are gone"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Allocation>> LoadAllocations(
    LedgerStore& store, int64_t version, const std::string& symbol) {
  std::vector<Allocation> rows;
  AllocationFilter filter;
  filter.version = version;
  filter.symbol = symbol;
  FIFO_RETURN_IF_ERROR(store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& a : page) rows.push_back(a.allocation);
        return absl::OkStatus();
      }));
  return rows;
}

// The pair key of a row: the buy id, or "" for the unmatched row.
std::string PairKey(const Allocation& a) {
  return a.buy_order_id.value_or("");
}

}  // namespace

absl::StatusOr<int64_t> ResolveVersion(LedgerStore& store,
                                       std::optional<int64_t> requested) {
  if (requested.has_value()) {
    FIFO_RETURN_IF_ERROR(CheckReadable(store, *requested));
    return *requested;
  }
  FIFO_ASSIGN_OR_RETURN(std::optional<int64_t> latest,
                        store.LatestCompletedVersion());
  if (!latest.has_value()) {
    return absl::NotFoundError(
        "no completed allocation version yet: run `fifoctl compute` first");
  }
  return *latest;
}

absl::StatusOr<VersionValidation> ValidateVersion(
    LedgerStore& store, const SymbolConfigs& configs,
    std::optional<int64_t> requested, const std::optional<std::string>& symbol) {
  VersionValidation result;
  FIFO_ASSIGN_OR_RETURN(result.version, ResolveVersion(store, requested));

  InvariantOptions invariant_options;
  for (const auto& [name, config] : configs.by_symbol) {
    invariant_options.sell_tolerance_by_symbol[name] = config.dust_threshold;
  }
  invariant_options.default_sell_tolerance =
      configs.default_config.dust_threshold;
  invariant_options.symbol = symbol;
  FIFO_ASSIGN_OR_RETURN(std::vector<InvariantViolation> store_violations,
                        store.RunInvariantQueries(result.version,
                                                  invariant_options));
  for (InvariantViolation& v : store_violations) {
    if (!symbol.has_value() || v.symbol == *symbol) {
      result.store_violations.push_back(std::move(v));
    }
  }

  std::vector<std::string> symbols;
  if (symbol.has_value()) {
    symbols.push_back(*symbol);
  } else {
    FIFO_ASSIGN_OR_RETURN(symbols, store.ListSnapshotSymbols(result.version));
  }
  for (const std::string& s : symbols) {
    absl::StatusOr<StoredSnapshot> snapshot =
        store.LoadSnapshot(result.version, s);
    if (absl::IsNotFound(snapshot.status())) continue;  // Not computed.
    FIFO_RETURN_IF_ERROR(snapshot.status());
    // The ledger as the version saw it: up to the symbol's high-water mark.
    std::vector<Trade> trades;
    const std::optional<TradeKey>& hwm = snapshot->state.high_water_mark;
    // Past the mark the scan stops at once: a sink's non-OK status ends
    // ScanTrades, and past_mark tells that stop from an error.
    bool past_mark = false;
    absl::Status scanned = store.ScanTrades(
        s, std::nullopt, [&](const std::vector<Trade>& page) {
          for (const Trade& t : page) {
            if (hwm.has_value() && *hwm < KeyOf(t)) {
              past_mark = true;
              return absl::OutOfRangeError("past the high-water mark");
            }
            trades.push_back(t);
          }
          return absl::OkStatus();
        });
    if (!scanned.ok() && !past_mark) return scanned;
    FIFO_ASSIGN_OR_RETURN(std::vector<Allocation> rows,
                          LoadAllocations(store, result.version, s));
    ValidateOptions options;
    options.fee_shares_known = true;
    options.symbol = s;
    ValidationReport report = ValidateAllocations(trades, rows, configs, options);
    ++result.symbols_checked;
    result.trades_checked += report.trades_checked;
    result.allocations_checked += report.allocations_checked;
    for (Violation& v : report.violations) {
      result.violations.push_back(std::move(v));
    }
  }
  return result;
}

absl::string_view PairChangeKindName(PairChange::Kind kind) {
  switch (kind) {
    case PairChange::Kind::kAdded:
      return "added";
    case PairChange::Kind::kRemoved:
      return "removed";
    case PairChange::Kind::kChanged:
      return "changed";
  }
  return "changed";
}

namespace {

// CompareVersions over the symbols of either version, or only `only` when
// set (then nothing when neither version has it).
absl::StatusOr<VersionComparison> CompareSymbols(
    LedgerStore& store, int64_t version_a, int64_t version_b,
    const std::optional<std::string>& only) {
  VersionComparison result;
  FIFO_ASSIGN_OR_RETURN(result.version_a, ResolveVersion(store, version_a));
  FIFO_ASSIGN_OR_RETURN(result.version_b, ResolveVersion(store, version_b));
  std::set<std::string> symbols;
  for (int64_t v : {version_a, version_b}) {
    FIFO_ASSIGN_OR_RETURN(std::vector<std::string> s,
                          store.ListSnapshotSymbols(v));
    for (std::string& symbol : s) {
      if (!only.has_value() || symbol == *only) {
        symbols.insert(std::move(symbol));
      }
    }
  }
  for (const std::string& symbol : symbols) {
    FIFO_ASSIGN_OR_RETURN(std::vector<Allocation> rows_a,
                          LoadAllocations(store, version_a, symbol));
    FIFO_ASSIGN_OR_RETURN(std::vector<Allocation> rows_b,
                          LoadAllocations(store, version_b, symbol));
    SymbolComparison totals;
    totals.symbol = symbol;
    totals.rows_a = static_cast<int64_t>(rows_a.size());
    totals.rows_b = static_cast<int64_t>(rows_b.size());
    // sell -> pair -> row, for each version.
    using Pairs = std::map<std::string, const Allocation*>;
    std::map<std::string, Pairs> by_sell_a, by_sell_b;
    for (const Allocation& a : rows_a) {
      by_sell_a[a.sell_order_id][PairKey(a)] = &a;
      if (a.matched()) totals.pnl_a += a.pnl_usd;
    }
    for (const Allocation& b : rows_b) {
      by_sell_b[b.sell_order_id][PairKey(b)] = &b;
      if (b.matched()) totals.pnl_b += b.pnl_usd;
    }
    std::set<std::string> sells;
    for (const auto& [sell, pairs] : by_sell_a) sells.insert(sell);
    for (const auto& [sell, pairs] : by_sell_b) sells.insert(sell);
    static const Pairs kNoPairs;
    for (const std::string& sell : sells) {
      auto ita = by_sell_a.find(sell);
      auto itb = by_sell_b.find(sell);
      const Pairs& pa = ita == by_sell_a.end() ? kNoPairs : ita->second;
      const Pairs& pb = itb == by_sell_b.end() ? kNoPairs : itb->second;
      SellDiscrepancy d;
      d.symbol = symbol;
      d.sell_order_id = sell;
      std::set<std::string> keys;
      for (const auto& [k, row] : pa) {
        keys.insert(k);
        if (row->matched()) d.pnl_a += row->pnl_usd;
      }
      for (const auto& [k, row] : pb) {
        keys.insert(k);
        if (row->matched()) d.pnl_b += row->pnl_usd;
      }
      for (const std::string& key : keys) {
        auto a = pa.find(key);
        auto b = pb.find(key);
        const Allocation* ra = a == pa.end() ? nullptr : a->second;
        const Allocation* rb = b == pb.end() ? nullptr : b->second;
        PairChange change;
        if (!key.empty()) change.buy_order_id = key;
        if (ra != nullptr) {
          change.size_a = ra->allocated_size;
          if (ra->matched()) change.pnl_a = ra->pnl_usd;
        }
        if (rb != nullptr) {
          change.size_b = rb->allocated_size;
          if (rb->matched()) change.pnl_b = rb->pnl_usd;
        }
        if (ra == nullptr) {
          change.kind = PairChange::Kind::kAdded;
        } else if (rb == nullptr) {
          change.kind = PairChange::Kind::kRemoved;
        } else if (ra->allocated_size != rb->allocated_size ||
                   ra->pnl_usd != rb->pnl_usd ||
                   ra->cost_basis_usd != rb->cost_basis_usd ||
                   ra->net_proceeds_usd != rb->net_proceeds_usd) {
          change.kind = PairChange::Kind::kChanged;
        } else {
          continue;
        }
        d.changes.push_back(std::move(change));
      }
      if (d.changes.empty()) continue;
      d.pnl_delta = d.pnl_b - d.pnl_a;
      ++totals.sells_changed;
      result.sells.push_back(std::move(d));
    }
    totals.pnl_delta = totals.pnl_b - totals.pnl_a;
    result.pnl_a += totals.pnl_a;
    result.pnl_b += totals.pnl_b;
    result.symbols.push_back(std::move(totals));
  }
  result.pnl_delta = result.pnl_b - result.pnl_a;
  return result;
}

}  // namespace

absl::StatusOr<VersionComparison> CompareVersions(LedgerStore& store,
                                                  int64_t version_a,
                                                  int64_t version_b) {
  return CompareSymbols(store, version_a, version_b, std::nullopt);
}

absl::StatusOr<VersionComparison> FindDiscrepancies(
    LedgerStore& store, int64_t version_a, int64_t version_b,
    const std::optional<std::string>& symbol) {
  if (!symbol.has_value()) return CompareVersions(store, version_a, version_b);
  FIFO_ASSIGN_OR_RETURN(VersionComparison c,
                        CompareSymbols(store, version_a, version_b, symbol));
  // The totals are the symbol's own figures (zero when neither version has
  // it), not sums recomputed from them.
  VersionComparison only;
  only.version_a = c.version_a;
  only.version_b = c.version_b;
  only.sells = std::move(c.sells);
  for (SymbolComparison& s : c.symbols) {
    only.pnl_a = s.pnl_a;
    only.pnl_b = s.pnl_b;
    only.pnl_delta = s.pnl_delta;
    only.symbols.push_back(std::move(s));
  }
  return only;
}

}  // namespace fifo
