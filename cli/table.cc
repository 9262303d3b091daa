#include "cli/table.h"

#include <algorithm>

namespace fifo::cli {
namespace {

bool LooksNumeric(const std::string& cell) {
  if (cell.empty()) return false;
  size_t i = (cell[0] == '-') ? 1 : 0;
  if (i == cell.size()) return false;
  for (; i < cell.size(); ++i) {
    if (!((cell[i] >= '0' && cell[i] <= '9') || cell[i] == '.')) return false;
  }
  return true;
}

}  // namespace

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void Table::Print(std::ostream& os) const {
  std::vector<size_t> widths(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) widths[c] = header_[c].size();
  for (const auto& row : rows_) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row, bool is_header) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string& cell = row[c];
      std::string pad(widths[c] - cell.size(), ' ');
      if (!is_header && LooksNumeric(cell)) {
        line += pad + cell;
      } else {
        line += cell + pad;
      }
      if (c + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  };
  print_row(header_, true);
  for (const auto& row : rows_) print_row(row, false);
}

}  // namespace fifo::cli
