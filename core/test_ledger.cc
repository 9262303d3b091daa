#include "core/test_ledger.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/computations.h"
#include "core/open_store.h"
#include "engine/decimal.h"
#include "engine/timestamp.h"

namespace fifo::testing {

std::string TempSqliteUrl(absl::string_view name) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/",
                                        name, "-", counter.fetch_add(1), ".db");
  std::remove(path.c_str());
  return absl::StrCat("sqlite:", path);
}

Trade MakeTrade(absl::string_view order_id, absl::string_view symbol, Side side,
                absl::string_view size, absl::string_view price,
                absl::string_view time) {
  Trade t;
  t.order_id = std::string(order_id);
  t.symbol = std::string(symbol);
  t.side = side;
  t.size = *Decimal::Parse(size);
  t.price = *Decimal::Parse(price);
  t.order_time = *ParseTimestamp(time);
  t.source = "manual";
  return t;
}

std::vector<Trade> SmallLedger() {
  return {
      MakeTrade("b1", "BTC-USD", Side::kBuy, "1", "100",
                "2025-01-10T00:00:00Z"),
      MakeTrade("b2", "BTC-USD", Side::kBuy, "1", "200",
                "2025-01-11T00:00:00Z"),
      MakeTrade("s1", "BTC-USD", Side::kSell, "1.5", "300",
                "2025-02-01T00:00:00Z"),
      MakeTrade("e1", "ETH-USD", Side::kBuy, "2", "10", "2025-01-15T00:00:00Z"),
      MakeTrade("e2", "ETH-USD", Side::kSell, "1", "15",
                "2025-03-01T00:00:00Z"),
      MakeTrade("e3", "ETH-USD", Side::kSell, "2", "20",
                "2025-03-02T00:00:00Z"),
  };
}

absl::StatusOr<std::unique_ptr<LedgerStore>> OpenTempSqliteStore(
    absl::string_view name) {
  return OpenStoreForUse(TempSqliteUrl(name));
}

absl::StatusOr<ComputationRun> ComputeAll(LedgerStore& store) {
  Computations computations(&store, SymbolConfigs{});
  return computations.ComputeAllSymbols(ComputeOptions{});
}

}  // namespace fifo::testing
