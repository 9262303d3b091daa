#include "formats/allocations_csv.h"

#include <cerrno>
#include <fstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"
#include "formats/csv_table.h"
#include "formats/csv_writer.h"

namespace fifo {
namespace {

enum Column {
  kVersion,
  kSellOrderId,
  kBuyOrderId,
  kSymbol,
  kAllocatedSize,
  kBuyPrice,
  kSellPrice,
  kBuyFeesPerUnit,
  kSellFeesPerUnit,
  kCostBasisUsd,
  kProceedsUsd,
  kNetProceedsUsd,
  kPnlUsd,
  kBuyTime,
  kSellTime,
};

const CsvColumns& AllocationColumns() {
  static const CsvColumns* const kColumns = new CsvColumns{
      {"allocation_version", "sell_order_id", "buy_order_id", "symbol",
       "allocated_size", "buy_price", "sell_price", "buy_fees_per_unit",
       "sell_fees_per_unit", "cost_basis_usd", "proceeds_usd",
       "net_proceeds_usd", "pnl_usd", "buy_time", "sell_time"},
      {}};
  return *kColumns;
}

constexpr Column kBuyOnlyColumns[] = {kBuyPrice, kBuyFeesPerUnit, kCostBasisUsd,
                                      kPnlUsd, kBuyTime};

absl::StatusOr<int64_t> VersionField(const CsvRow& row) {
  absl::string_view text = row[kVersion];
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  int64_t version = 0;
  if (!digits || !absl::SimpleAtoi(text, &version)) {
    return row.ColumnError(
        kVersion, absl::StrCat("must be a non-negative integer, got \"",
                               absl::CEscape(text), "\""));
  }
  return version;
}

absl::StatusOr<Allocation> ParseAllocationRow(const CsvRow& row) {
  Allocation a;
  FIFO_ASSIGN_OR_RETURN(a.sell_order_id, NonEmptyField(row, kSellOrderId));
  FIFO_ASSIGN_OR_RETURN(a.symbol, NonEmptyField(row, kSymbol));
  FIFO_ASSIGN_OR_RETURN(a.allocated_size,
                        PositiveDecimalField(row, kAllocatedSize));
  FIFO_ASSIGN_OR_RETURN(a.sell_price, DecimalField(row, kSellPrice));
  FIFO_ASSIGN_OR_RETURN(a.sell_fees_per_unit,
                        DecimalField(row, kSellFeesPerUnit));
  FIFO_ASSIGN_OR_RETURN(a.proceeds_usd, DecimalField(row, kProceedsUsd));
  FIFO_ASSIGN_OR_RETURN(a.net_proceeds_usd, DecimalField(row, kNetProceedsUsd));
  FIFO_ASSIGN_OR_RETURN(a.sell_time, TimestampField(row, kSellTime));
  if (row[kBuyOrderId].empty()) {
    for (Column c : kBuyOnlyColumns) {
      if (!row[c].empty()) {
        return row.ColumnError(
            c, absl::StrCat("must be empty on an unmatched row (empty "
                            "buy_order_id), got \"",
                            absl::CEscape(row[c]), "\""));
      }
    }
    return a;
  }
  a.buy_order_id = std::string(row[kBuyOrderId]);
  FIFO_ASSIGN_OR_RETURN(a.buy_price, DecimalField(row, kBuyPrice));
  FIFO_ASSIGN_OR_RETURN(a.buy_fees_per_unit,
                        DecimalField(row, kBuyFeesPerUnit));
  FIFO_ASSIGN_OR_RETURN(a.cost_basis_usd, DecimalField(row, kCostBasisUsd));
  FIFO_ASSIGN_OR_RETURN(a.pnl_usd, DecimalField(row, kPnlUsd));
  FIFO_ASSIGN_OR_RETURN(a.buy_time, TimestampField(row, kBuyTime));
  return a;
}

}  // namespace

const char kAllocationsCsvHeader[] =
    "allocation_version,sell_order_id,buy_order_id,symbol,allocated_size,"
    "buy_price,sell_price,buy_fees_per_unit,sell_fees_per_unit,"
    "cost_basis_usd,proceeds_usd,net_proceeds_usd,pnl_usd,buy_time,sell_time";

absl::Status AllocationsCsvWriter::WriteHeader() {
  *out_ << kAllocationsCsvHeader << '\n';
  if (!out_->good()) {
    return absl::DataLossError("allocations CSV: write failed (header)");
  }
  return absl::OkStatus();
}

absl::Status AllocationsCsvWriter::Write(int64_t version, const Allocation& a) {
  const bool matched = a.matched();
  auto buy_decimal = [&](const Decimal& d) {
    return matched ? d.ToString() : std::string();
  };
  const std::string version_text = absl::StrCat(version);
  const std::string allocated_size = a.allocated_size.ToString();
  const std::string buy_price = buy_decimal(a.buy_price);
  const std::string sell_price = a.sell_price.ToString();
  const std::string buy_fees = buy_decimal(a.buy_fees_per_unit);
  const std::string sell_fees = a.sell_fees_per_unit.ToString();
  const std::string cost_basis = buy_decimal(a.cost_basis_usd);
  const std::string proceeds = a.proceeds_usd.ToString();
  const std::string net_proceeds = a.net_proceeds_usd.ToString();
  const std::string pnl = buy_decimal(a.pnl_usd);
  const std::string buy_time =
      matched ? FormatTimestamp(a.buy_time) : std::string();
  const std::string sell_time = FormatTimestamp(a.sell_time);
  line_.clear();
  AppendCsvRecord(
      {version_text, a.sell_order_id,
       matched ? absl::string_view(*a.buy_order_id) : absl::string_view(),
       a.symbol, allocated_size, buy_price, sell_price, buy_fees, sell_fees,
       cost_basis, proceeds, net_proceeds, pnl, buy_time, sell_time},
      &line_);
  out_->write(line_.data(), line_.size());
  if (!out_->good()) {
    return absl::DataLossError(absl::StrCat(
        "allocations CSV: write failed (sell ", a.sell_order_id, ")"));
  }
  return absl::OkStatus();
}

absl::Status WriteAllocationsCsvFile(
    const std::string& path, int64_t version,
    const std::vector<Allocation>& allocations) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out.is_open()) return FileOpenError(path, errno);
  AllocationsCsvWriter writer(out);
  FIFO_RETURN_IF_ERROR(writer.WriteHeader());
  for (const Allocation& a : allocations) {
    FIFO_RETURN_IF_ERROR(writer.Write(version, a));
  }
  out.close();
  if (out.fail()) {
    return absl::DataLossError(absl::StrCat("closing ", path, " failed"));
  }
  return absl::OkStatus();
}

absl::Status ReadAllocationsCsv(
    std::istream& in, absl::string_view source_name,
    const std::function<absl::Status(int64_t version, Allocation&& allocation,
                                     int64_t line)>& sink) {
  return ReadCsvTable(
      in, source_name, AllocationColumns(),
      [&](const CsvRow& row) -> absl::Status {
        FIFO_ASSIGN_OR_RETURN(int64_t version, VersionField(row));
        FIFO_ASSIGN_OR_RETURN(Allocation a, ParseAllocationRow(row));
        return sink(version, std::move(a), row.line());
      });
}

absl::StatusOr<std::vector<VersionedAllocation>> ReadAllocationsCsvFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return FileOpenError(path, errno);
  std::vector<VersionedAllocation> rows;
  FIFO_RETURN_IF_ERROR(ReadAllocationsCsv(
      in, path, [&](int64_t version, Allocation&& a, int64_t) {
        rows.push_back(VersionedAllocation{version, std::move(a)});
        return absl::OkStatus();
      }));
  return rows;
}

}  // namespace fifo
