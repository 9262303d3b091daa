#include "storage/ledger_store.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "storage/sql_ledger_store.h"
#include "storage/sql_session.h"

namespace fifo {

absl::StatusOr<ImportResult> LedgerStore::ImportTrades(
    const std::vector<Trade>& trades, bool dry_run) {
  FIFO_ASSIGN_OR_RETURN(std::unique_ptr<TradeImport> import,
                        BeginImport(dry_run));
  FIFO_RETURN_IF_ERROR(import->Add(trades));
  return import->Finish();
}

absl::string_view RunModeName(RunMode mode) {
  switch (mode) {
    case RunMode::kFull:
      return "full";
    case RunMode::kIncremental:
      return "incremental";
    case RunMode::kSymbol:
      return "symbol";
  }
  return "full";
}

absl::string_view RunTriggerName(RunTrigger trigger) {
  switch (trigger) {
    case RunTrigger::kManual:
      return "manual";
    case RunTrigger::kScheduled:
      return "scheduled";
    case RunTrigger::kApi:
      return "api";
  }
  return "manual";
}

absl::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kPartial:
      return "partial";
  }
  return "running";
}

namespace {

template <typename E>
absl::StatusOr<E> ParseName(absl::string_view text, absl::string_view what,
                            std::initializer_list<E> values,
                            absl::string_view (*name)(E)) {
  for (E v : values) {
    if (name(v) == text) return v;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " \"", text, "\""));
}

}  // namespace

absl::StatusOr<RunMode> ParseRunMode(absl::string_view text) {
  return ParseName<RunMode>(
      text, "run mode", {RunMode::kFull, RunMode::kIncremental, RunMode::kSymbol},
      &RunModeName);
}

absl::StatusOr<RunTrigger> ParseRunTrigger(absl::string_view text) {
  return ParseName<RunTrigger>(
      text, "run trigger",
      {RunTrigger::kManual, RunTrigger::kScheduled, RunTrigger::kApi},
      &RunTriggerName);
}

absl::StatusOr<RunStatus> ParseRunStatus(absl::string_view text) {
  return ParseName<RunStatus>(text, "run status",
                              {RunStatus::kRunning, RunStatus::kCompleted,
                               RunStatus::kFailed, RunStatus::kPartial},
                              &RunStatusName);
}

absl::StatusOr<std::unique_ptr<LedgerStore>> OpenLedgerStore(
    const std::string& url) {
  return storage_internal::OpenSqlLedgerStore(url);
}

std::string DefaultStoreUrl() {
  const char* env = std::getenv("FIFO_DB");
  if (env != nullptr && env[0] != '\0') return env;
  return "sqlite:fifo.db";
}

std::string RedactStoreUrl(const std::string& url) {
  absl::StatusOr<storage_internal::StoreUrl> parsed =
      storage_internal::ParseStoreUrl(url);
  if (parsed.ok()) return parsed->redacted;
  if (url.find("://") != std::string::npos) {
    return storage_internal::RedactPostgresUri(url);
  }
  // Unparsable: keep only the scheme.
  const size_t colon = url.find(':');
  return colon == std::string::npos ? std::string("<store url>")
                                    : absl::StrCat(url.substr(0, colon), ":***");
}

absl::StatusOr<std::vector<PnlRow>> SummarizePnl(LedgerStore& store,
                                                 const PnlQuery& query) {
  struct Group {
    PnlRow row;
    std::set<std::string> sells;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  AllocationFilter filter;
  filter.version = query.version;
  filter.symbol = query.symbol;
  filter.sell_time_from = query.sell_time_from;
  filter.sell_time_to = query.sell_time_to;
  FIFO_RETURN_IF_ERROR(store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          std::string period;
          if (query.grouping != PnlGrouping::kNone) {
            // "2025-11-20T..." in UTC: the day or the month prefix.
            period = FormatTimestamp(a.sell_time)
                         .substr(0, query.grouping == PnlGrouping::kDay ? 10 : 7);
          }
          Group& g = groups[{a.symbol, period}];
          g.row.symbol = a.symbol;
          g.row.period = period;
          g.sells.insert(a.sell_order_id);
          if (a.matched()) {
            ++g.row.matched_allocations;
            g.row.matched_size += a.allocated_size;
            g.row.proceeds_usd += a.proceeds_usd;
            g.row.net_proceeds_usd += a.net_proceeds_usd;
            g.row.cost_basis_usd += a.cost_basis_usd;
            g.row.realized_pnl_usd += a.pnl_usd;
          } else {
            ++g.row.unmatched_allocations;
            g.row.unmatched_size += a.allocated_size;
          }
        }
        return absl::OkStatus();
      }));
  std::vector<PnlRow> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) {
    g.row.sells = static_cast<int64_t>(g.sells.size());
    out.push_back(std::move(g.row));
  }
  return out;
}

const std::vector<std::string>& LegacyColumnNames() {
  static const std::vector<std::string>* const kNames =
      new std::vector<std::string>{"parent_id",
                                   "parent_ids",
                                   "pnl_usd",
                                   "cost_basis_usd",
                                   "sale_proceeds_usd",
                                   "net_sale_proceeds_usd",
                                   "realized_profit"};
  return *kNames;
}

absl::StatusOr<LegacyPnlComparison> CompareLegacyPnl(
    LedgerStore& store, int64_t version,
    const std::optional<std::string>& symbol) {
  LegacyPnlComparison out;
  out.version = version;
  // Sells arrive by (symbol, order_id): one LegacyPnlSymbol per run.
  FIFO_RETURN_IF_ERROR(store.ScanLegacySells(
      symbol,
      [&](const std::vector<LegacySell>& page) {
        for (const LegacySell& s : page) {
          if (out.symbols.empty() || out.symbols.back().symbol != s.symbol) {
            out.symbols.emplace_back();
            out.symbols.back().symbol = s.symbol;
          }
          LegacyPnlRow row;
          row.symbol = s.symbol;
          row.order_id = s.order_id;
          row.sell_time = s.order_time;
          row.old_pnl = s.pnl_usd;
          out.symbols.back().rows.push_back(std::move(row));
        }
        return absl::OkStatus();
      },
      LedgerStore::kDefaultScanPageSize));

  for (LegacyPnlSymbol& sym : out.symbols) {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < sym.rows.size(); ++i) {
      index.emplace(sym.rows[i].order_id, i);
    }
    AllocationFilter filter;
    filter.version = version;
    filter.symbol = sym.symbol;
    FIFO_RETURN_IF_ERROR(store.ScanAllocations(
        filter, [&](const std::vector<StoredAllocation>& page) {
          for (const StoredAllocation& s : page) {
            const Allocation& a = s.allocation;
            auto it = index.find(a.sell_order_id);
            if (it == index.end()) continue;  // not a sell (invariant 4)
            LegacyPnlRow& row = sym.rows[it->second];
            if (!row.new_pnl.has_value()) row.new_pnl = Decimal();
            if (a.matched()) {
              *row.new_pnl += a.pnl_usd;
            } else {
              row.unmatched_size += a.allocated_size;
            }
          }
          return absl::OkStatus();
        }));
    for (LegacyPnlRow& row : sym.rows) {
      ++sym.sells;
      if (row.old_pnl.has_value()) {
        ++sym.sells_with_old;
        sym.old_total += *row.old_pnl;
      }
      if (row.new_pnl.has_value()) sym.new_total += *row.new_pnl;
      if (row.old_pnl.has_value() && row.new_pnl.has_value()) {
        row.difference = *row.new_pnl - *row.old_pnl;
      }
    }
    sym.difference = sym.new_total - sym.old_total;
    std::sort(sym.rows.begin(), sym.rows.end(),
              [](const LegacyPnlRow& a, const LegacyPnlRow& b) {
                if (a.difference.has_value() != b.difference.has_value()) {
                  return a.difference.has_value();
                }
                if (a.difference.has_value()) {
                  const int c = Decimal::Compare(a.difference->Abs(),
                                                 b.difference->Abs());
                  if (c != 0) return c > 0;
                }
                return a.order_id < b.order_id;
              });
    out.old_total += sym.old_total;
    out.new_total += sym.new_total;
  }
  out.difference = out.new_total - out.old_total;
  return out;
}

}  // namespace fifo
