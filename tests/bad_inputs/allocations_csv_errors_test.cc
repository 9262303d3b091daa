// The ALLOC-* rows of docs/errors.md: ReadAllocationsCsv rejects each input
// below with exactly the documented message. The expected messages are read
// from the document, so the two cannot drift apart; a row without an input
// here, or an input without a row, fails.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "formats/allocations_csv.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

constexpr char kHeader[] =
    "allocation_version,sell_order_id,buy_order_id,symbol,allocated_size,"
    "buy_price,sell_price,buy_fees_per_unit,sell_fees_per_unit,"
    "cost_basis_usd,proceeds_usd,net_proceeds_usd,pnl_usd,buy_time,"
    "sell_time\n";

// A valid matched row, for reference:
// 1,S1,B1,BTC-USD,0.5,30000,32000,0,0,15000,16000,16000,1000,
//   2025-11-20T10:00:00Z,2025-11-20T10:10:00Z
const std::map<std::string, std::string>& Inputs() {
  static const auto* const kInputs = new std::map<std::string, std::string>{
      {"ALLOC-VERSION",
       absl::StrCat(kHeader,
                    "-1,S1,B1,BTC-USD,0.5,30000,32000,0,0,15000,16000,16000,"
                    "1000,2025-11-20T10:00:00Z,2025-11-20T10:10:00Z\n")},
      {"ALLOC-VERSION-HUGE",
       absl::StrCat(kHeader,
                    "99999999999999999999,S1,B1,BTC-USD,0.5,30000,32000,0,0,"
                    "15000,16000,16000,1000,2025-11-20T10:00:00Z,"
                    "2025-11-20T10:10:00Z\n")},
      {"ALLOC-SIZE",
       absl::StrCat(kHeader,
                    "1,S1,B1,BTC-USD,0,30000,32000,0,0,15000,16000,16000,1000,"
                    "2025-11-20T10:00:00Z,2025-11-20T10:10:00Z\n")},
      {"ALLOC-SELL-MISSING",
       absl::StrCat(kHeader,
                    "1,S1,B1,BTC-USD,0.5,30000,,0,0,15000,16000,16000,1000,"
                    "2025-11-20T10:00:00Z,2025-11-20T10:10:00Z\n")},
      {"ALLOC-UNMATCHED-BUY-COLUMN",
       absl::StrCat(kHeader,
                    "1,S1,,BTC-USD,0.5,30000,32000,,0,,16000,16000,,,"
                    "2025-11-20T10:10:00Z\n")},
      {"ALLOC-MATCHED-BUY-MISSING",
       absl::StrCat(kHeader,
                    "1,S1,B1,BTC-USD,0.5,30000,32000,0,0,15000,16000,16000,"
                    "1000,,2025-11-20T10:10:00Z\n")},
      {"ALLOC-HEADER",
       absl::StrCat(absl::StrReplaceAll(kHeader, {{"pnl_usd", "pnl"}}),
                    "1,S1,B1,BTC-USD,0.5,30000,32000,0,0,15000,16000,16000,"
                    "1000,2025-11-20T10:00:00Z,2025-11-20T10:10:00Z\n")},
  };
  return *kInputs;
}

struct DocRow {
  std::string exit_code;
  std::string message;
};

// The ALLOC-* rows of docs/errors.md: "| `ID` | input | exit | `message` |".
std::map<std::string, DocRow> ReadDocRows() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::ifstream in(absl::StrCat(srcdir ? srcdir : ".", "/",
                                workspace ? workspace : "fifo",
                                "/docs/errors.md"));
  std::map<std::string, DocRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "| `ALLOC-")) continue;
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 5) continue;
    auto cell = [](std::string s) {
      absl::string_view v = absl::StripAsciiWhitespace(s);
      absl::ConsumePrefix(&v, "`");
      absl::ConsumeSuffix(&v, "`");
      return std::string(v);
    };
    rows[cell(cells[1])] = DocRow{cell(cells[3]), cell(cells[4])};
  }
  return rows;
}

TEST(AllocationsCsvErrors, EveryDocumentedRowHasAnInputAndViceVersa) {
  const std::map<std::string, DocRow> rows = ReadDocRows();
  ASSERT_FALSE(rows.empty()) << "no ALLOC-* row in docs/errors.md";
  for (const auto& [id, row] : rows) {
    EXPECT_EQ(Inputs().count(id), 1u) << id << " has no input here";
  }
  for (const auto& [id, input] : Inputs()) {
    EXPECT_EQ(rows.count(id), 1u) << id << " has no row in docs/errors.md";
  }
}

TEST(AllocationsCsvErrors, EachInputGivesTheDocumentedMessage) {
  const std::map<std::string, DocRow> rows = ReadDocRows();
  for (const auto& [id, row] : rows) {
    auto input = Inputs().find(id);
    if (input == Inputs().end()) continue;  // reported by the test above
    std::istringstream in(input->second);
    int accepted = 0;
    absl::Status status = ReadAllocationsCsv(
        in, "allocations.csv", [&](int64_t, Allocation&&, int64_t) {
          ++accepted;
          return absl::OkStatus();
        });
    EXPECT_EQ(row.exit_code, "1") << id;
    EXPECT_EQ(accepted, 0) << id;
    EXPECT_EQ(absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                           status.message()),
              row.message)
        << id;
  }
}

}  // namespace
}  // namespace fifo
