// File: cli/table.h
//
// A plain-text table for human-readable output: left-aligned text columns,
// right-aligned numbers, two spaces between columns.
#ifndef FIFO_CLI_TABLE_H_
#define FIFO_CLI_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

namespace fifo::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> row);
  void Print(std::ostream& os) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fifo::cli

#endif  // FIFO_CLI_TABLE_H_
