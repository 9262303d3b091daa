#include "formats/trades_csv.h"

#include <cerrno>
#include <fstream>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "formats/csv_table.h"
#include "formats/csv_writer.h"
#include "formats/first_line_index.h"

namespace fifo {
namespace {

enum Column {
  kOrderId,
  kSymbol,
  kSide,
  kSize,
  kPrice,
  kOrderTime,
  kTotalFeesUsd,
  kSource,
  kStatus,
  kOrderType,
  kIngestVia,
};

const CsvColumns& TradeColumns() {
  static const CsvColumns* const kColumns =
      new CsvColumns{{"order_id", "symbol", "side", "size", "price",
                      "order_time", "total_fees_usd", "source"},
                     {"status", "order_type", "ingest_via"}};
  return *kColumns;
}

// The text limits of engine/trade.h, reported against the CSV column.
absl::Status CheckTextColumns(const CsvRow& row) {
  const struct {
    Column column;
    TradeText kind;
  } kTextColumns[] = {
      {kOrderId, TradeText::kIdentifier}, {kSymbol, TradeText::kIdentifier},
      {kSource, TradeText::kFreeText},    {kStatus, TradeText::kFreeText},
      {kOrderType, TradeText::kFreeText}, {kIngestVia, TradeText::kFreeText},
  };
  for (const auto& text : kTextColumns) {
    absl::Status s = CheckTradeText(row[text.column], text.kind);
    if (!s.ok()) return row.ColumnError(text.column, s.message());
  }
  return absl::OkStatus();
}

absl::StatusOr<Trade> ParseTradeRow(const CsvRow& row) {
  Trade trade;
  FIFO_RETURN_IF_ERROR(CheckTextColumns(row));
  FIFO_ASSIGN_OR_RETURN(trade.order_id, NonEmptyField(row, kOrderId));
  FIFO_ASSIGN_OR_RETURN(trade.symbol, NonEmptyField(row, kSymbol));
  absl::StatusOr<Side> side = ParseSide(row[kSide]);
  if (!side.ok()) {
    return row.ColumnError(
        kSide, absl::StrCat("must be buy or sell (any letter case), got \"",
                            absl::CEscape(row[kSide]), "\""));
  }
  trade.side = *side;
  FIFO_ASSIGN_OR_RETURN(trade.size, PositiveDecimalField(row, kSize));
  FIFO_ASSIGN_OR_RETURN(trade.price, PositiveDecimalField(row, kPrice));
  FIFO_ASSIGN_OR_RETURN(trade.order_time, TimestampField(row, kOrderTime));
  FIFO_ASSIGN_OR_RETURN(
      trade.total_fees_usd,
      NonNegativeDecimalField(row, kTotalFeesUsd, /*empty_is_zero=*/true));
  FIFO_ASSIGN_OR_RETURN(trade.source, NonEmptyField(row, kSource));
  trade.status = std::string(row[kStatus]);
  trade.order_type = std::string(row[kOrderType]);
  trade.ingest_via = std::string(row[kIngestVia]);
  // The checks above cover ValidateTrade's; keep it as the engine's word.
  absl::Status valid = ValidateTrade(trade);
  if (!valid.ok()) return row.RowError(valid.message());
  return trade;
}

absl::Status StreamError(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("trades CSV: ", what));
}

}  // namespace

absl::Status ReadTradesCsv(
    std::istream& in, absl::string_view source_name,
    const std::function<absl::Status(Trade&& trade, int64_t line)>& sink) {
  FirstLineIndex first_line_of;
  return ReadCsvTable(
      in, source_name, TradeColumns(), [&](const CsvRow& row) -> absl::Status {
        FIFO_ASSIGN_OR_RETURN(Trade trade, ParseTradeRow(row));
        if (std::optional<int64_t> first =
                first_line_of.Insert(trade.order_id, row.line())) {
          return row.ColumnError(
              kOrderId, absl::StrCat("duplicate order_id \"",
                                     absl::CEscape(trade.order_id),
                                     "\" (first on line ", *first, ")"));
        }
        return sink(std::move(trade), row.line());
      });
}

absl::StatusOr<std::vector<Trade>> ReadTradesCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return FileOpenError(path, errno);
  std::vector<Trade> trades;
  FIFO_RETURN_IF_ERROR(ReadTradesCsv(in, path, [&](Trade&& trade, int64_t) {
    trades.push_back(std::move(trade));
    return absl::OkStatus();
  }));
  return trades;
}

absl::Status TradesCsvWriter::WriteHeader() {
  const CsvColumns& columns = TradeColumns();
  std::vector<absl::string_view> names;
  for (int i = 0; i < columns.size(); ++i) names.push_back(columns.name(i));
  line_.clear();
  AppendCsvRecord(names, &line_);
  out_->write(line_.data(), line_.size());
  if (!out_->good()) return StreamError("write failed (header)");
  return absl::OkStatus();
}

absl::Status TradesCsvWriter::Write(const Trade& trade) {
  const std::string size = trade.size.ToString();
  const std::string price = trade.price.ToString();
  const std::string time = FormatTimestamp(trade.order_time);
  const std::string fees = trade.total_fees_usd.ToString();
  line_.clear();
  AppendCsvRecord(
      {trade.order_id, trade.symbol, SideName(trade.side), size, price, time,
       fees, trade.source, trade.status, trade.order_type, trade.ingest_via},
      &line_);
  out_->write(line_.data(), line_.size());
  if (!out_->good()) {
    return StreamError(
        absl::StrCat("write failed (order ", trade.order_id, ")"));
  }
  return absl::OkStatus();
}

absl::Status WriteTradesCsv(std::ostream& out,
                            const std::vector<Trade>& trades) {
  TradesCsvWriter writer(out);
  FIFO_RETURN_IF_ERROR(writer.WriteHeader());
  for (const Trade& trade : trades) FIFO_RETURN_IF_ERROR(writer.Write(trade));
  out.flush();
  if (!out.good()) return StreamError("flush failed");
  return absl::OkStatus();
}

absl::Status WriteTradesCsvFile(const std::string& path,
                                const std::vector<Trade>& trades) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out.is_open()) return FileOpenError(path, errno);
  FIFO_RETURN_IF_ERROR(WriteTradesCsv(out, trades));
  out.close();
  if (out.fail()) {
    return absl::DataLossError(absl::StrCat("closing ", path, " failed"));
  }
  return absl::OkStatus();
}

}  // namespace fifo
