#include "engine/fifo_engine.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"

namespace fifo {

SymbolAllocator::SymbolAllocator(std::string symbol, SymbolConfig config,
                                 SymbolState opening)
    : symbol_(std::move(symbol)),
      config_(std::move(config)),
      last_(std::move(opening.high_water_mark)) {
  for (OpenLot& lot : opening.open_lots) {
    if (lot.remaining_size() <= config_.dust_threshold) {
      if (lot.remaining_size().is_positive()) {
        TradeKey key{lot.buy_time, lot.buy_order_id};
        dust_lots_.emplace(std::move(key), std::move(lot));
      }
      continue;
    }
    Decimal per_unit = FeesPerUnit(lot.total_fees_usd, lot.size);
    queue_.push_back(Lot{std::move(lot), std::move(per_unit)});
  }
}

absl::Status SymbolAllocator::Add(const Trade& trade,
                                  std::vector<Allocation>* out) {
  FIFO_RETURN_IF_ERROR(ValidateTrade(trade));
  if (trade.symbol != symbol_) {
    return absl::InvalidArgumentError(
        absl::StrCat("trade ", trade.order_id, ": symbol ", trade.symbol,
                     " given to the allocator of ", symbol_));
  }
  TradeKey key = KeyOf(trade);
  if (last_.has_value() && key <= *last_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "trade ", trade.order_id, " at ", FormatTimestamp(trade.order_time),
        " does not come after ", last_->order_id, " at ",
        FormatTimestamp(last_->order_time),
        " in (order_time, order_id) order"));
  }
  last_ = std::move(key);
  if (trade.side == Side::kBuy) {
    ++stats_.buys_processed;
    OpenLot lot;
    lot.buy_order_id = trade.order_id;
    lot.buy_time = trade.order_time;
    lot.price = trade.price;
    lot.size = trade.size;
    lot.total_fees_usd = trade.total_fees_usd;
    if (lot.size <= config_.dust_threshold) {
      dust_lots_.emplace(KeyOf(trade), std::move(lot));
    } else {
      Decimal per_unit = FeesPerUnit(lot.total_fees_usd, lot.size);
      queue_.push_back(Lot{std::move(lot), std::move(per_unit)});
    }
    return absl::OkStatus();
  }
  ++stats_.sells_processed;
  AllocateSell(trade, out);
  return absl::OkStatus();
}

void SymbolAllocator::AllocateSell(const Trade& sell,
                                   std::vector<Allocation>* out) {
  const Decimal& dust = config_.dust_threshold;
  const Decimal sell_fees_per_unit =
      FeesPerUnit(sell.total_fees_usd, sell.size);
  Decimal remaining = sell.size;
  Decimal sell_cumulative;        // size apportioned a fee share so far
  Decimal sell_cumulative_share;  // fee apportioned so far

  auto new_row = [&](const Decimal& size) {
    Allocation a;
    a.sell_order_id = sell.order_id;
    a.symbol = symbol_;
    a.allocated_size = size;
    a.sell_price = sell.price;
    a.sell_fees_per_unit = sell_fees_per_unit;
    sell_cumulative += size;
    Decimal share_through =
        FeeShareThrough(sell.total_fees_usd, sell_cumulative, sell.size);
    a.sell_fee_share = share_through - sell_cumulative_share;
    sell_cumulative_share = std::move(share_through);
    a.proceeds_usd = sell.price * size;
    a.net_proceeds_usd = a.proceeds_usd - a.sell_fee_share;
    a.sell_time = sell.order_time;
    return a;
  };

  while (remaining > dust && !queue_.empty()) {
    Lot& front = queue_.front();
    OpenLot& lot = front.lot;
    Decimal available = lot.remaining_size();
    if (available <= dust) {
      TradeKey key{lot.buy_time, lot.buy_order_id};
      dust_lots_.emplace(std::move(key), std::move(lot));
      queue_.pop_front();
      continue;
    }
    // Both exceed the threshold, so the allocation does too.
    const Decimal allocated = Decimal::Min(available, remaining);
    Allocation a = new_row(allocated);
    a.buy_order_id = lot.buy_order_id;
    a.buy_price = lot.price;
    a.buy_fees_per_unit = front.fees_per_unit;
    a.buy_time = lot.buy_time;
    lot.consumed_size += allocated;
    Decimal buy_share_through =
        FeeShareThrough(lot.total_fees_usd, lot.consumed_size, lot.size);
    a.buy_fee_share = buy_share_through - lot.consumed_fee_share;
    lot.consumed_fee_share = std::move(buy_share_through);
    a.cost_basis_usd = lot.price * allocated + a.buy_fee_share;
    a.pnl_usd = a.net_proceeds_usd - a.cost_basis_usd;

    remaining -= allocated;
    ++stats_.matched_allocations;
    stats_.matched_size += allocated;
    stats_.realized_pnl += a.pnl_usd;
    out->push_back(std::move(a));
    if (!lot.remaining_size().is_positive()) queue_.pop_front();
  }

  if (remaining > dust) {
    UnmatchedSell event;
    event.sell_order_id = sell.order_id;
    event.symbol = symbol_;
    event.sell_time = sell.order_time;
    event.sell_size = sell.size;
    event.unmatched_size = remaining;
    for (const auto& [key, lot] : dust_lots_) {
      event.available_inventory.emplace_back(lot.buy_order_id,
                                             lot.remaining_size());
    }
    unmatched_sells_.push_back(std::move(event));
    ++stats_.unmatched_allocations;
    stats_.unmatched_size += remaining;
    out->push_back(new_row(remaining));
  } else if (remaining.is_positive()) {
    stats_.dust_size += remaining;
    dust_remainders_.push_back(DustRemainder{sell.order_id, remaining});
  }
}

SymbolState SymbolAllocator::ClosingState() const {
  SymbolState state;
  state.high_water_mark = last_;
  state.open_lots.reserve(dust_lots_.size() + queue_.size());
  // Merge the two engine-ordered sequences.
  auto dust = dust_lots_.begin();
  for (const Lot& open : queue_) {
    const TradeKey open_key{open.lot.buy_time, open.lot.buy_order_id};
    while (dust != dust_lots_.end() && dust->first < open_key) {
      state.open_lots.push_back((dust++)->second);
    }
    state.open_lots.push_back(open.lot);
  }
  for (; dust != dust_lots_.end(); ++dust) {
    state.open_lots.push_back(dust->second);
  }
  return state;
}

namespace {

absl::Status CheckUniqueOrderIds(const std::vector<Trade>& trades) {
  absl::flat_hash_set<absl::string_view> seen;
  seen.reserve(trades.size());
  for (const Trade& t : trades) {
    if (!seen.insert(t.order_id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "duplicate order_id ", t.order_id, " in the ledger"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SymbolComputation> RunSorted(const std::string& symbol,
                                            const std::vector<Trade>& sorted,
                                            const SymbolConfig& config,
                                            SymbolState opening) {
  SymbolAllocator allocator(symbol, config, std::move(opening));
  SymbolComputation result;
  result.symbol = symbol;
  for (const Trade& trade : sorted) {
    FIFO_RETURN_IF_ERROR(allocator.Add(trade, &result.allocations));
  }
  result.closing = allocator.ClosingState();
  result.stats = allocator.stats();
  result.unmatched_sells = allocator.unmatched_sells();
  result.dust_remainders = allocator.dust_remainders();
  return result;
}

}  // namespace

absl::StatusOr<SymbolComputation> ComputeSymbol(const std::string& symbol,
                                                std::vector<Trade> trades,
                                                const SymbolConfig& config,
                                                SymbolState opening) {
  FIFO_RETURN_IF_ERROR(CheckUniqueOrderIds(trades));
  std::sort(trades.begin(), trades.end(), EngineOrderLess);
  return RunSorted(symbol, trades, config, std::move(opening));
}

absl::StatusOr<std::vector<SymbolComputation>> ComputeLedger(
    std::vector<Trade> trades, const SymbolConfigs& configs) {
  FIFO_RETURN_IF_ERROR(CheckUniqueOrderIds(trades));
  std::sort(trades.begin(), trades.end(), [](const Trade& a, const Trade& b) {
    if (a.symbol != b.symbol) return a.symbol < b.symbol;
    return EngineOrderLess(a, b);
  });
  std::vector<SymbolComputation> results;
  size_t begin = 0;
  while (begin < trades.size()) {
    size_t end = begin;
    while (end < trades.size() && trades[end].symbol == trades[begin].symbol) {
      ++end;
    }
    std::vector<Trade> group(std::make_move_iterator(trades.begin() + begin),
                             std::make_move_iterator(trades.begin() + end));
    const std::string symbol = group.front().symbol;
    FIFO_ASSIGN_OR_RETURN(SymbolComputation computed,
                          RunSorted(symbol, group, configs.For(symbol), {}));
    results.push_back(std::move(computed));
    begin = end;
  }
  return results;
}

}  // namespace fifo
