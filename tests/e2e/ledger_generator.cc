#include "tests/e2e/ledger_generator.h"

#include <map>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/decimal.h"
#include "formats/trades_csv.h"

namespace fifo {
namespace e2e {
namespace {

// `units` / 10^scale as a decimal. REQUIRES: units >= 0, 1 <= scale <= 18.
Decimal Scaled(int64_t units, int scale) {
  int64_t pow = 1;
  for (int i = 0; i < scale; ++i) pow *= 10;
  return Decimal::Parse(
             absl::StrFormat("%d.%0*d", units / pow, scale, units % pow))
      .value();
}

}  // namespace

std::vector<Trade> GenerateLedger(const LedgerOptions& options) {
  std::mt19937_64 rng(options.seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  // Inventory per symbol in units of 1e-8.
  std::map<std::string, int64_t> inventory;
  std::vector<Trade> trades;
  const int total = options.trades + options.orphan_sells;
  int orphans_left = options.orphan_sells;
  for (int i = 0; i < total; ++i) {
    Trade t;
    t.order_id = absl::StrFormat("%s-%06d", options.id_prefix, i);
    t.order_time = options.start + i * options.spacing;
    t.source = i % 3 == 0 ? "websocket" : "manual";
    // Spread the orphan sells evenly over the ledger.
    const bool orphan =
        orphans_left > 0 &&
        (options.trades == 0 || uniform(0, total - i - 1) < orphans_left);
    if (orphan) {
      --orphans_left;
      t.symbol = options.orphan_symbol;
      t.side = Side::kSell;
      t.size = Scaled(uniform(1, 99999), 4);
      t.price = Scaled(uniform(100, 99999), 2);
      t.total_fees_usd = Scaled(uniform(0, 300), 2);
      trades.push_back(std::move(t));
      continue;
    }
    t.symbol = options.symbols[uniform(0, options.symbols.size() - 1)];
    int64_t& held = inventory[t.symbol];
    // Buy 55% of the time, or when there is nothing to sell (mostly).
    const int64_t dice = uniform(0, 99);
    const bool buy = dice < 55 || (held == 0 && dice < 95);
    int64_t units;  // 1e-8
    if (buy) {
      units = uniform(100000, 500000000);  // 0.001 .. 5
      held += units;
    } else if (dice >= 97 || held == 0) {
      units = held + uniform(1, 100000000);  // more than held: unmatched
      held = 0;
    } else {
      units = uniform(1, held);
      held -= units;
    }
    t.side = buy ? Side::kBuy : Side::kSell;
    t.size = Scaled(units, 8);
    t.price = Scaled(uniform(1000000, 5000000), 2);  // 10000.00 .. 50000.00
    // Fees at 6 places: shares of 1/3-ish sizes never divide evenly.
    t.total_fees_usd = Scaled(uniform(0, 9999999), 6);
    trades.push_back(std::move(t));
  }
  return trades;
}

std::string LedgerCsv(const std::vector<Trade>& trades) {
  std::ostringstream out;
  absl::Status written = WriteTradesCsv(out, trades);
  if (!written.ok()) return "";
  return out.str();
}

}  // namespace e2e
}  // namespace fifo
