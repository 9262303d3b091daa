#include "formats/coinbase_fills_csv.h"

#include <cerrno>
#include <fstream>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "formats/csv_table.h"
#include "formats/first_line_index.h"

namespace fifo {
namespace {

// Required columns first, then optional ones (CsvColumns order).
enum Column {
  kTradeId,
  kProduct,
  kSide,
  kCreatedAt,
  kSize,
  kPrice,
  kFee,
  kPortfolio,
  kSizeUnit,
  kTotal,
  kUnit,
};

const CsvColumns& FillColumns() {
  static const CsvColumns* const kColumns = new CsvColumns{
      {"trade id", "product", "side", "created at", "size", "price", "fee"},
      {"portfolio", "size unit", "total", "price/fee/total unit"}};
  return *kColumns;
}

std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", absl::CEscape(text), "\"");
}

absl::StatusOr<Trade> ParseFillRow(const CsvRow& row) {
  Trade trade;
  // The text limits of engine/trade.h, reported against the CSV column.
  for (Column column : {kTradeId, kProduct}) {
    absl::Status s = CheckTradeText(row[column], TradeText::kIdentifier);
    if (!s.ok()) return row.ColumnError(column, s.message());
  }
  FIFO_ASSIGN_OR_RETURN(trade.order_id, NonEmptyField(row, kTradeId));
  FIFO_ASSIGN_OR_RETURN(trade.symbol, NonEmptyField(row, kProduct));
  absl::StatusOr<Side> side = ParseSide(row[kSide]);
  if (!side.ok()) {
    return row.ColumnError(
        kSide, absl::StrCat("must be BUY or SELL, got ", Quote(row[kSide])));
  }
  trade.side = *side;
  FIFO_ASSIGN_OR_RETURN(trade.order_time, TimestampField(row, kCreatedAt));
  FIFO_ASSIGN_OR_RETURN(trade.size, PositiveDecimalField(row, kSize));
  FIFO_ASSIGN_OR_RETURN(trade.price, PositiveDecimalField(row, kPrice));
  if (!row[kFee].empty()) {
    FIFO_ASSIGN_OR_RETURN(trade.total_fees_usd, DecimalField(row, kFee));
    if (trade.total_fees_usd.is_negative()) {
      return row.ColumnError(
          kFee, absl::StrCat("must be >= 0 (write the fee paid as a positive "
                             "amount; negative fees are not imported), got ",
                             trade.total_fees_usd.ToString()));
    }
  }
  absl::string_view unit = row[kUnit];
  if (!unit.empty() && !absl::EqualsIgnoreCase(unit, "USD")) {
    return row.ColumnError(
        kUnit, absl::StrCat("must be USD (fees and PnL are kept in USD), got ",
                            Quote(unit)));
  }
  absl::string_view size_unit = row[kSizeUnit];
  size_t dash = trade.symbol.find('-');
  if (!size_unit.empty() && dash != std::string::npos) {
    absl::string_view base = absl::string_view(trade.symbol).substr(0, dash);
    if (!absl::EqualsIgnoreCase(size_unit, base)) {
      return row.ColumnError(
          kSizeUnit, absl::StrCat("must be the base currency of ", trade.symbol,
                                  " (", base, "), got ", Quote(size_unit)));
    }
  }
  trade.source = std::string(kCoinbaseSource);
  trade.ingest_via = std::string(kCoinbaseIngestVia);
  absl::Status valid = ValidateTrade(trade);
  if (!valid.ok()) return row.RowError(valid.message());
  return trade;
}

}  // namespace

absl::Status ReadCoinbaseFillsCsv(
    std::istream& in, absl::string_view source_name,
    const std::function<absl::Status(Trade&& trade, int64_t line)>& sink) {
  FirstLineIndex first_line_of;
  return ReadCsvTable(
      in, source_name, FillColumns(), [&](const CsvRow& row) -> absl::Status {
        FIFO_ASSIGN_OR_RETURN(Trade trade, ParseFillRow(row));
        if (std::optional<int64_t> first =
                first_line_of.Insert(trade.order_id, row.line())) {
          return row.ColumnError(
              kTradeId,
              absl::StrCat("duplicate trade id ", Quote(trade.order_id),
                           " (first on line ", *first, ")"));
        }
        return sink(std::move(trade), row.line());
      });
}

absl::StatusOr<std::vector<Trade>> ReadCoinbaseFillsCsvFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return FileOpenError(path, errno);
  std::vector<Trade> trades;
  FIFO_RETURN_IF_ERROR(
      ReadCoinbaseFillsCsv(in, path, [&](Trade&& trade, int64_t) {
        trades.push_back(std::move(trade));
        return absl::OkStatus();
      }));
  return trades;
}

}  // namespace fifo
