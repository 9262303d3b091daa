#include "engine/fifo_engine.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <map>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "engine/timestamp.h"

namespace fifo {

absl::Status ValidateSymbolState(const SymbolState& state) {
  const TradeKey* previous = nullptr;
  TradeKey key;
  TradeKey previous_key;
  for (size_t i = 0; i < state.open_lots.size(); ++i) {
    const OpenLot& lot = state.open_lots[i];
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(
          "opening state: lot ", i, " (buy ", QuoteForError(lot.buy_order_id),
          "): ", why));
    };
    if (lot.buy_order_id.empty()) return bad("buy_order_id is empty");
    if (!lot.price.is_positive()) {
      return bad(absl::StrCat("price must be > 0, got ", lot.price.ToString()));
    }
    if (!lot.size.is_positive()) {
      return bad(absl::StrCat("size must be > 0, got ", lot.size.ToString()));
    }
    if (lot.total_fees_usd.is_negative()) {
      return bad(absl::StrCat("total_fees_usd must be >= 0, got ",
                              lot.total_fees_usd.ToString()));
    }
    if (lot.consumed_size.is_negative() || !(lot.consumed_size < lot.size)) {
      return bad(absl::StrCat("consumed_size must be in [0, size ",
                              lot.size.ToString(), "), got ",
                              lot.consumed_size.ToString()));
    }
    if (lot.consumed_fee_share !=
        FeeShareThrough(lot.total_fees_usd, lot.consumed_size, lot.size)) {
      return bad(absl::StrCat(
          "consumed_fee_share must be the cumulative share of consumed_size "
          "(ERRATA 5), ",
          FeeShareThrough(lot.total_fees_usd, lot.consumed_size, lot.size)
              .ToString(),
          ", got ", lot.consumed_fee_share.ToString()));
    }
    key = TradeKey{lot.buy_time, lot.buy_order_id};
    if (previous != nullptr && !(previous_key < key)) {
      return bad("lots are not in strictly increasing engine order");
    }
    previous_key = key;
    previous = &previous_key;
  }
  if (previous != nullptr) {
    if (!state.high_water_mark.has_value()) {
      return absl::InvalidArgumentError(
          "opening state: open lots without a high-water mark");
    }
    if (*state.high_water_mark < previous_key) {
      return absl::InvalidArgumentError(
          "opening state: the last open lot comes after the high-water mark");
    }
  }
  return absl::OkStatus();
}

SymbolAllocator::SymbolAllocator(std::string symbol, SymbolConfig config,
                                 SymbolState opening)
    : symbol_(std::move(symbol)),
      config_(std::move(config)),
      opening_status_(ValidateSymbolState(opening)),
      last_(std::move(opening.high_water_mark)) {
  if (!opening_status_.ok()) {
    last_.reset();
    return;
  }
  for (OpenLot& lot : opening.open_lots) {
    if (lot.remaining_size() <= config_.dust_threshold) {
      if (lot.remaining_size().is_positive()) {
        TradeKey key{lot.buy_time, lot.buy_order_id};
        dust_lots_.emplace(std::move(key), std::move(lot));
      }
      continue;
    }
    Decimal per_unit = FeesPerUnit(lot.total_fees_usd, lot.size);
    queue_.emplace_back(std::move(lot), std::move(per_unit));
  }
}

namespace {

// FeeShareThrough(fee, size - remaining, size) for 0 <= remaining < size:
// the same value, without comparing through with size (and computing
// through only when a division needs it).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline Decimal FeeShareThroughRemaining(
    const Decimal& fee, const Decimal& size, const Decimal& remaining) {
  if (fee.is_zero()) return Decimal();
  if (remaining.is_zero()) return fee;
  Decimal numerator = size;
  numerator -= remaining;
  numerator *= fee;  // fee * through: the same value (Divide ignores scales)
  // FeeShareScale(fee) without a call in the usual case.
  const int places =
      fee.scale() <= kFeeShareScale ? kFeeShareScale : FeeShareScale(fee);
  return Decimal::Divide(numerator, size, places);
}

// *to = from. Ids of one format have one length: then the bytes are copied
// in place, without the library's general assignment.
inline void AssignString(const std::string& from, std::string* to) {
  if (from.size() == to->size()) {
    if (!from.empty()) std::memcpy(&(*to)[0], from.data(), from.size());
  } else {
    *to = from;  // reuses the string's storage when large enough
  }
}

}  // namespace

SymbolAllocator::Lot::Lot(OpenLot open, Decimal per_unit)
    : lot(std::move(open)),
      fees_per_unit(std::move(per_unit)),
      remaining(lot.remaining_size()) {}

SymbolAllocator::Lot::Lot(const Trade& buy)
    : lot{buy.order_id, buy.order_time, buy.price, buy.size,
          buy.total_fees_usd},
      fees_per_unit(FeesPerUnit(buy.total_fees_usd, buy.size)),
      // size - 0: the same value and scale as lot.remaining_size().
      remaining(buy.size) {}

SymbolAllocator::LotQueue::~LotQueue() {
  for (size_t i = 0; i < size_; ++i) (*this)[i].~Lot();
  ::operator delete(slots_);
}

void SymbolAllocator::LotQueue::Grow() {
  static_assert(std::is_nothrow_move_constructible<Lot>::value,
                "moving the lots into a larger ring cannot fail halfway");
  const size_t capacity = capacity_ == 0 ? 16 : capacity_ * 2;
  Lot* slots = static_cast<Lot*>(::operator new(capacity * sizeof(Lot)));
  for (size_t i = 0; i < size_; ++i) {
    Lot& lot = (*this)[i];
    new (&slots[i]) Lot(std::move(lot));
    lot.~Lot();
  }
  ::operator delete(slots_);
  slots_ = slots;
  capacity_ = capacity;
  head_ = 0;
}

absl::Status SymbolAllocator::Add(const Trade& trade,
                                  std::vector<Allocation>* out) {
  FIFO_RETURN_IF_ERROR(opening_status_);
  FIFO_RETURN_IF_ERROR(ValidateTrade(trade));
  if (trade.symbol != symbol_) {
    return absl::InvalidArgumentError(
        absl::StrCat("trade ", trade.order_id, ": symbol ", trade.symbol,
                     " given to the allocator of ", symbol_));
  }
  if (last_.has_value()) {
    // The trade must come strictly after the last one: last_ < key.
    const TradeKey& last = *last_;
    const bool after = trade.order_time != last.order_time
                           ? last.order_time < trade.order_time
                           : last.order_id < trade.order_id;
    if (!after) {
      return absl::FailedPreconditionError(absl::StrCat(
          "trade ", trade.order_id, " at ", FormatTimestamp(trade.order_time),
          " does not come after ", last.order_id, " at ",
          FormatTimestamp(last.order_time),
          " in (order_time, order_id) order"));
    }
    last_->order_time = trade.order_time;
    AssignString(trade.order_id, &last_->order_id);
  } else {
    last_ = KeyOf(trade);
  }
  if (trade.side == Side::kBuy) {
    ++stats_.buys_processed;
    if (trade.size <= config_.dust_threshold) {
      OpenLot lot;
      lot.buy_order_id = trade.order_id;
      lot.buy_time = trade.order_time;
      lot.price = trade.price;
      lot.size = trade.size;
      lot.total_fees_usd = trade.total_fees_usd;
      dust_lots_.emplace(KeyOf(trade), std::move(lot));
    } else {
      queue_.emplace_back(trade);
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
  Decimal sell_cumulative_share;  // fee apportioned so far

  // Appends a row of `size` units with its sell side filled in (`remaining`
  // already reduced by `size`); sets *net_proceeds to the row's net
  // proceeds. The values are computed in locals and stored once: reading
  // back fields of the row just written stalls on store forwarding.
  auto new_row = [&](const Decimal& size, const std::string* buy_order_id,
                     Decimal* net_proceeds) -> Allocation& {
    Decimal share_through =
        FeeShareThroughRemaining(sell.total_fees_usd, sell.size, remaining);
    // Compound assignments: the same values (and scales) as the binary
    // operators, without their temporaries.
    Decimal fee_share = share_through;
    fee_share -= sell_cumulative_share;
    sell_cumulative_share = std::move(share_through);
    Decimal proceeds = sell.price;
    proceeds *= size;
    *net_proceeds = proceeds;
    *net_proceeds -= fee_share;
    Allocation& a = out->emplace_back(sell.order_id, buy_order_id, symbol_);
    a.allocated_size = size;
    a.sell_price = sell.price;
    a.sell_fees_per_unit = sell_fees_per_unit;
    a.sell_fee_share = std::move(fee_share);
    a.proceeds_usd = std::move(proceeds);
    a.net_proceeds_usd = *net_proceeds;
    a.sell_time = sell.order_time;
    return a;
  };

  Decimal net_proceeds;
  while (remaining > dust && !queue_.empty()) {
    Lot& front = queue_[0];
    OpenLot& lot = front.lot;
    if (front.remaining <= dust) {
      TradeKey key{lot.buy_time, lot.buy_order_id};
      dust_lots_.emplace(std::move(key), std::move(lot));
      queue_.pop_front();
      continue;
    }
    // Both exceed the threshold, so the allocation does too.
    const Decimal allocated = Decimal::Min(front.remaining, remaining);
    lot.consumed_size += allocated;
    front.remaining -= allocated;
    remaining -= allocated;
    Decimal buy_share_through =
        FeeShareThroughRemaining(lot.total_fees_usd, lot.size, front.remaining);
    Decimal buy_fee_share = buy_share_through;
    buy_fee_share -= lot.consumed_fee_share;
    lot.consumed_fee_share = std::move(buy_share_through);
    Decimal cost_basis = lot.price;
    cost_basis *= allocated;
    cost_basis += buy_fee_share;

    Allocation& a = new_row(allocated, &lot.buy_order_id, &net_proceeds);
    Decimal pnl = std::move(net_proceeds);
    pnl -= cost_basis;
    stats_.realized_pnl += pnl;
    a.buy_price = lot.price;
    a.buy_fees_per_unit = front.fees_per_unit;
    a.buy_fee_share = std::move(buy_fee_share);
    a.cost_basis_usd = std::move(cost_basis);
    a.pnl_usd = std::move(pnl);
    a.buy_time = lot.buy_time;

    ++stats_.matched_allocations;
    stats_.matched_size += allocated;
    if (!front.remaining.is_positive()) queue_.pop_front();
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
    const Decimal unmatched = std::move(remaining);
    remaining = Decimal();  // the row below completes the sell
    new_row(unmatched, nullptr, &net_proceeds);
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
  for (size_t i = 0; i < queue_.size(); ++i) {
    const Lot& open = queue_[i];
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
      return absl::InvalidArgumentError(
          absl::StrCat("duplicate order_id ", t.order_id, " in the ledger"));
    }
  }
  return absl::OkStatus();
}

// Runs one symbol's trades, given in engine order, `sells` of them sells.
absl::StatusOr<SymbolComputation> RunSorted(
    const std::string& symbol, const std::vector<const Trade*>& sorted,
    size_t sells, const SymbolConfig& config, SymbolState opening) {
  SymbolComputation result;
  result.symbol = symbol;
  // Most sells give at least one row (and each row either completes its
  // sell or exhausts a lot, so there are never more rows than trades plus
  // opening lots). Reserving a row per sell spares most of the copies of a
  // growing vector of large rows without ever reserving more than the bound.
  result.allocations.reserve(sells);
  SymbolAllocator allocator(symbol, config, std::move(opening));
  // The trades of one symbol are scattered through the ledger: fetch the
  // fields the allocator reads a few trades ahead.
  constexpr size_t kPrefetchAhead = 8;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + kPrefetchAhead < sorted.size()) {
      const char* ahead =
          reinterpret_cast<const char*>(sorted[i + kPrefetchAhead]);
      for (size_t offset = 0; offset < offsetof(Trade, source); offset += 64) {
        __builtin_prefetch(ahead + offset);
      }
    }
    FIFO_RETURN_IF_ERROR(allocator.Add(*sorted[i], &result.allocations));
  }
  result.closing = allocator.ClosingState();
  result.stats = allocator.stats();
  result.unmatched_sells = allocator.unmatched_sells();
  result.dust_remainders = allocator.dust_remainders();
  return result;
}

// Sorts trades into engine order. Ledgers usually arrive in that order
// already (by time, from a store or a file): then this is one linear check.
void SortInEngineOrder(std::vector<const Trade*>* trades) {
  auto less = [](const Trade* a, const Trade* b) {
    return EngineOrderLess(*a, *b);
  };
  if (!std::is_sorted(trades->begin(), trades->end(), less)) {
    std::sort(trades->begin(), trades->end(), less);
  }
}

// Pointers to `trades` in engine order.
std::vector<const Trade*> SortedPointers(const std::vector<Trade>& trades) {
  std::vector<const Trade*> sorted;
  sorted.reserve(trades.size());
  for (const Trade& t : trades) sorted.push_back(&t);
  SortInEngineOrder(&sorted);
  return sorted;
}

// Runs task(i) for every i in [0, count) on up to `threads` threads (the
// caller's included), larger `weight`s first. task must be safe to call
// concurrently for distinct i.
template <typename Task>
void RunTasks(size_t count, int threads, const std::vector<size_t>& weight,
              const Task& task) {
  if (count == 0) return;
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return weight[a] > weight[b]; });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k = next.fetch_add(1); k < count; k = next.fetch_add(1)) {
      task(order[k]);
    }
  };
  std::vector<std::thread> helpers;
  const size_t extra =
      std::min<size_t>(count, static_cast<size_t>(std::max(threads, 1))) - 1;
  helpers.reserve(extra);
  for (size_t i = 0; i < extra; ++i) helpers.emplace_back(worker);
  worker();
  for (std::thread& t : helpers) t.join();
}

}  // namespace

absl::StatusOr<SymbolComputation> ComputeSymbol(const std::string& symbol,
                                                std::vector<Trade> trades,
                                                const SymbolConfig& config,
                                                SymbolState opening) {
  FIFO_RETURN_IF_ERROR(CheckUniqueOrderIds(trades));
  size_t sells = 0;
  for (const Trade& t : trades) sells += t.side == Side::kSell;
  return RunSorted(symbol, SortedPointers(trades), sells, config,
                   std::move(opening));
}

absl::StatusOr<std::vector<SymbolComputation>> ComputeLedger(
    std::vector<Trade> trades, const SymbolConfigs& configs, int threads) {
  FIFO_RETURN_IF_ERROR(CheckUniqueOrderIds(trades));
  if (threads <= 0) {
    threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  // Group the trades by symbol, symbols in bytewise order.
  absl::flat_hash_map<absl::string_view, size_t> group_of;
  std::vector<std::vector<const Trade*>> groups;
  std::vector<size_t> group_sells;
  for (const Trade& t : trades) {
    auto [it, inserted] = group_of.try_emplace(t.symbol, groups.size());
    if (inserted) {
      groups.emplace_back();
      group_sells.push_back(0);
    }
    groups[it->second].push_back(&t);
    group_sells[it->second] += t.side == Side::kSell;
  }
  std::vector<size_t> by_symbol(groups.size());
  for (size_t i = 0; i < by_symbol.size(); ++i) by_symbol[i] = i;
  std::sort(by_symbol.begin(), by_symbol.end(), [&](size_t a, size_t b) {
    return groups[a].front()->symbol < groups[b].front()->symbol;
  });
  std::vector<std::vector<const Trade*>> sorted_groups(groups.size());
  std::vector<size_t> sells(groups.size());
  std::vector<size_t> weight(groups.size());
  for (size_t i = 0; i < by_symbol.size(); ++i) {
    sorted_groups[i] = std::move(groups[by_symbol[i]]);
    sells[i] = group_sells[by_symbol[i]];
    weight[i] = sorted_groups[i].size();
  }

  // Symbols are independent: sort and allocate each on any thread, keep the
  // results in symbol order. After a failure, symbols that come later in
  // that order are skipped; earlier ones still run, so that the error
  // returned is the first in symbol order, as with one thread.
  std::vector<absl::StatusOr<SymbolComputation>> results(
      sorted_groups.size(), absl::UnknownError("not computed"));
  std::atomic<size_t> first_failure{sorted_groups.size()};
  RunTasks(sorted_groups.size(), threads, weight, [&](size_t i) {
    if (i > first_failure.load(std::memory_order_relaxed)) return;
    std::vector<const Trade*>& group = sorted_groups[i];
    SortInEngineOrder(&group);
    const std::string& symbol = group.front()->symbol;
    results[i] = RunSorted(symbol, group, sells[i], configs.For(symbol), {});
    if (!results[i].ok()) {
      size_t seen = first_failure.load(std::memory_order_relaxed);
      while (i < seen && !first_failure.compare_exchange_weak(seen, i)) {
      }
    }
  });

  std::vector<SymbolComputation> computed;
  computed.reserve(results.size());
  for (absl::StatusOr<SymbolComputation>& result : results) {
    if (!result.ok()) return result.status();
    computed.push_back(*std::move(result));
  }
  return computed;
}

}  // namespace fifo
