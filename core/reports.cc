#include "core/reports.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "core/pnl_summary.h"
#include "engine/timestamp.h"
#include "core/validations.h"

namespace fifo {
namespace {

// A date (YYYY-MM-DD, UTC midnight) or an RFC 3339 timestamp. `is_date`
// says which.
absl::StatusOr<absl::Time> ParsePeriodEnd(absl::string_view text,
                                          bool* is_date) {
  absl::CivilDay day;
  // YYYY-MM-DD only (absl also reads "-205-01-01"), years 0001..9999.
  if (text.size() == 10 && text[0] >= '0' && text[0] <= '9' &&
      absl::ParseCivilTime(text, &day)) {
    if (day.year() < 1 || day.year() > 9999) {
      return absl::InvalidArgumentError(absl::StrCat(
          "date \"", text, "\" is outside years 0001..9999"));
    }
    *is_date = true;
    return absl::FromCivil(day, absl::UTCTimeZone());
  }
  *is_date = false;
  return ParseTimestamp(text);
}

}  // namespace

absl::StatusOr<TimeRange> ParsePeriod(absl::string_view period,
                                      absl::Time now) {
  TimeRange range;
  if (period.empty() || period == "all") return range;
  if (period == "last-30-days") {
    range.from = now - absl::Hours(24 * 30);
    range.to = now;
    return range;
  }
  if (period == "ytd") {
    absl::CivilYear year =
        absl::ToCivilYear(now, absl::UTCTimeZone());
    range.from = absl::FromCivil(year, absl::UTCTimeZone());
    range.to = now;
    return range;
  }
  std::vector<absl::string_view> ends = absl::StrSplit(period, "..");
  if (ends.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period \"", period,
        "\": expected all, last-30-days, ytd or FROM..TO (dates YYYY-MM-DD "
        "or RFC 3339 timestamps)"));
  }
  if (!ends[0].empty()) {
    bool is_date = false;
    absl::StatusOr<absl::Time> from = ParsePeriodEnd(ends[0], &is_date);
    if (!from.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "period \"", period, "\": FROM is not a date or timestamp: ",
          from.status().message()));
    }
    range.from = *from;
  }
  if (!ends[1].empty()) {
    bool is_date = false;
    absl::StatusOr<absl::Time> to = ParsePeriodEnd(ends[1], &is_date);
    if (!to.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "period \"", period, "\": TO is not a date or timestamp: ",
          to.status().message()));
    }
    range.to = is_date ? *to + absl::Hours(24) : *to;
    // Through 9999-12-31 is everything: no instant is later, and the end
    // itself (year 10000) has no RFC 3339 or Timestamp form.
    if (*range.to >= absl::FromCivil(absl::CivilDay(10000, 1, 1),
                                     absl::UTCTimeZone())) {
      range.to.reset();
    }
  }
  if (range.from && range.to && *range.to <= *range.from) {
    return absl::InvalidArgumentError(
        absl::StrCat("period \"", period, "\": TO must come after FROM"));
  }
  return range;
}

absl::StatusOr<PnlReport> BuildPnlReport(LedgerStore& store,
                                         const PnlReportQuery& query) {
  PnlReport report;
  report.period = query.period.empty() ? "all" : query.period;
  FIFO_ASSIGN_OR_RETURN(report.range, ParsePeriod(report.period, query.now));
  FIFO_ASSIGN_OR_RETURN(report.version, ResolveVersion(store, query.version));

  PnlQuery pnl;
  pnl.version = report.version;
  pnl.symbol = query.symbol;
  pnl.sell_time_from = report.range.from;
  pnl.sell_time_to = report.range.to;
  pnl.grouping = query.grouping;
  FIFO_ASSIGN_OR_RETURN(report.rows, SummarizePnl(store, pnl));
  for (const PnlRow& row : report.rows) {
    report.total_realized_pnl_usd += row.realized_pnl_usd;
  }

  AllocationFilter filter;
  filter.version = report.version;
  filter.symbol = query.symbol;
  filter.sell_time_from = report.range.from;
  filter.sell_time_to = report.range.to;
  filter.kind = AllocationFilter::Kind::kUnmatchedOnly;
  FIFO_RETURN_IF_ERROR(store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          report.unmatched.push_back(UnmatchedSellRow{
              a.symbol, a.sell_order_id, a.sell_time, a.allocated_size,
              a.sell_price});
        }
        return absl::OkStatus();
      }));

  std::vector<std::string> symbols;
  if (query.symbol.has_value()) {
    symbols.push_back(*query.symbol);
  } else {
    FIFO_ASSIGN_OR_RETURN(symbols, store.ListSnapshotSymbols(report.version));
  }
  for (const std::string& symbol : symbols) {
    absl::StatusOr<StoredSnapshot> snapshot =
        store.LoadSnapshot(report.version, symbol);
    if (absl::IsNotFound(snapshot.status())) continue;
    FIFO_RETURN_IF_ERROR(snapshot.status());
    OpenInventoryRow row;
    row.symbol = symbol;
    for (const OpenLot& lot : snapshot->state.open_lots) {
      ++row.open_lots;
      row.remaining_size += lot.remaining_size();
      row.remaining_cost_usd += lot.remaining_cost_usd();
    }
    if (row.remaining_size.is_positive()) {
      row.average_cost_usd =
          Decimal::Divide(row.remaining_cost_usd, row.remaining_size, 18);
    }
    report.inventory.push_back(std::move(row));
  }
  return report;
}

}  // namespace fifo
