#include "tests/e2e/ledger_generator.h"

#include <sstream>

#include "formats/trades_csv.h"

namespace fifo {
namespace e2e {

std::string LedgerCsv(const std::vector<Trade>& trades) {
  std::ostringstream out;
  absl::Status written = WriteTradesCsv(out, trades);
  if (!written.ok()) return "";
  return out.str();
}

}  // namespace e2e
}  // namespace fifo
