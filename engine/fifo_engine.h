// File: engine/fifo_engine.h
//
// The FIFO allocation engine: matches each SELL of a symbol to the earlier
// BUYs of that symbol, oldest first, and prices every match.
//
// It implements the design's algorithm as corrected by ERRATA.md:
//  * one total order per symbol, (order_time, order_id bytewise); a sell
//    consumes only buys that come before it in that order (ERRATA 1);
//  * a queue of open lots: O(trades + allocations) time, O(open lots) memory
//    (ERRATA 2);
//  * a sell remainder that no earlier buy covers becomes an unmatched row
//    (ERRATA 3), reported as an UnmatchedSell event;
//  * fees are apportioned cumulatively, half-even at kFeeShareScale, so the
//    shares of a fully consumed buy or fully matched sell add up to its fee
//    exactly (ERRATA 5);
//  * a per-symbol dust threshold: dust inventory is never matched and a dust
//    remainder on a sell is reported as a DustRemainder event, not as an
//    unmatched row (ERRATA 8).
//
// The engine is pure: no I/O, no clock, no global state. The same trades and
// configuration always give the same allocations, byte for byte. It can start
// from an opening inventory (the closing state of an earlier run), which is how
// incremental runs extend a version.
//
// Thread safety: a SymbolAllocator is not thread-safe; use one per thread.
// The free functions are safe to call concurrently.
#ifndef FIFO_ENGINE_FIFO_ENGINE_H_
#define FIFO_ENGINE_FIFO_ENGINE_H_

#include <cstdint>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/allocation.h"
#include "engine/decimal.h"
#include "engine/symbol_config.h"
#include "engine/trade.h"

namespace fifo {

// Version of the allocation rules implemented here. Bump it whenever the
// output for some ledger would change; stored with every run so that a stale
// inventory snapshot forces a full recomputation.
inline constexpr int kAlgorithmVersion = 1;

// The inventory of one symbol between runs.
struct SymbolState {
  // Every buy with remaining size > 0, in engine order.
  std::vector<OpenLot> open_lots;
  // The last trade (in engine order) that this state includes.
  std::optional<TradeKey> high_water_mark;
};

// OK when `state` can open a run of `symbol`: every lot has a non-empty
// buy_order_id, price > 0, size > 0, total_fees_usd >= 0, 0 <= consumed_size
// < size and consumed_fee_share the cumulative fee share of consumed_size
// (FeeShareThrough, ERRATA 5); the lots are in
// strictly increasing engine order; and, when there is any lot, a
// high-water mark at or after the last one. kInvalidArgument naming the lot
// (its index and buy order) and the field otherwise. A state read back from
// a store is checked with this before the engine trusts it.
absl::Status ValidateSymbolState(const SymbolState& state);

struct SymbolStats {
  int64_t buys_processed = 0;
  int64_t sells_processed = 0;
  int64_t matched_allocations = 0;
  int64_t unmatched_allocations = 0;
  Decimal matched_size;
  Decimal unmatched_size;
  Decimal dust_size;     // sell remainders at or below the dust threshold
  Decimal realized_pnl;  // sum of pnl_usd over matched rows
};

// A sell that earlier buys could not cover (the design's "UNMATCHED SELL
// DETECTED"): the caller logs it, queues it for review and may alert.
struct UnmatchedSell {
  std::string sell_order_id;
  std::string symbol;
  absl::Time sell_time;
  Decimal sell_size;
  Decimal unmatched_size;
  // Inventory left when it happened (only dust lots can remain), by buy.
  std::vector<std::pair<std::string, Decimal>> available_inventory;
};

// A sell whose uncovered remainder was at or below the dust threshold.
struct DustRemainder {
  std::string sell_order_id;
  Decimal remainder;
};

// Allocates one symbol's trades as they arrive in engine order.
class SymbolAllocator {
 public:
  // An `opening` that fails ValidateSymbolState is not loaded: every Add
  // then returns that error (the allocator never divides by a lot's zero
  // size or trusts an inventory that cannot be).
  SymbolAllocator(std::string symbol, SymbolConfig config,
                  SymbolState opening = {});

  SymbolAllocator(const SymbolAllocator&) = delete;
  SymbolAllocator& operator=(const SymbolAllocator&) = delete;

  // Processes the next trade and appends its allocations (none for a buy) to
  // `*out`. Errors: kInvalidArgument when the opening state was invalid,
  // the trade is malformed (ValidateTrade) or of another symbol; kFailedPrecondition when it does not
  // come strictly after the previous trade or the opening high-water mark.
  // On error nothing is appended and the state is unchanged.
  absl::Status Add(const Trade& trade, std::vector<Allocation>* out);

  // The inventory after every trade added so far: all lots with remaining
  // size > 0 in engine order, and the high-water mark.
  SymbolState ClosingState() const;

  const std::string& symbol() const { return symbol_; }
  const SymbolStats& stats() const { return stats_; }
  const std::vector<UnmatchedSell>& unmatched_sells() const {
    return unmatched_sells_;
  }
  const std::vector<DustRemainder>& dust_remainders() const {
    return dust_remainders_;
  }

 private:
  struct Lot {
    Lot(OpenLot open, Decimal per_unit);
    // A new lot for `buy`, built in place (nothing consumed yet).
    explicit Lot(const Trade& buy);

    OpenLot lot;
    Decimal fees_per_unit;
    Decimal remaining;  // lot.remaining_size(), kept up to date
  };

  // A FIFO of lots in a ring of raw storage: a push constructs the lot in
  // place and a pop destroys it in place; lots move only when the ring
  // grows (a vector whose consumed front is erased moves a lot per pop,
  // std::deque's 512-byte blocks hold two lots each).
  class LotQueue {
   public:
    LotQueue() = default;
    LotQueue(const LotQueue&) = delete;
    LotQueue& operator=(const LotQueue&) = delete;
    ~LotQueue();

    bool empty() const { return size_ == 0; }
    size_t size() const { return size_; }
    // The i-th lot from the front. REQUIRES: i < size().
    Lot& operator[](size_t i) { return slots_[(head_ + i) & (capacity_ - 1)]; }
    const Lot& operator[](size_t i) const {
      return slots_[(head_ + i) & (capacity_ - 1)];
    }
    template <typename... Args>
    void emplace_back(Args&&... args) {
      if (size_ == capacity_) Grow();
      new (&slots_[(head_ + size_) & (capacity_ - 1)])
          Lot(std::forward<Args>(args)...);
      ++size_;
    }
    // REQUIRES: !empty().
    void pop_front() {
      slots_[head_].~Lot();
      head_ = (head_ + 1) & (capacity_ - 1);
      --size_;
    }

   private:
    void Grow();

    Lot* slots_ = nullptr;  // capacity_ slots, size_ of them live from head_
    size_t capacity_ = 0;   // zero or a power of two
    size_t head_ = 0;
    size_t size_ = 0;
  };

  void AllocateSell(const Trade& sell, std::vector<Allocation>* out);

  const std::string symbol_;
  const SymbolConfig config_;
  absl::Status opening_status_;  // ValidateSymbolState of the opening
  // Open lots above dust, engine order.
  LotQueue queue_;
  // Lots left at or below dust, keyed (hence iterated) in engine order: a
  // lot can turn into dust after a younger dust-sized buy was recorded.
  std::map<TradeKey, OpenLot> dust_lots_;
  std::optional<TradeKey> last_;
  SymbolStats stats_;
  std::vector<UnmatchedSell> unmatched_sells_;
  std::vector<DustRemainder> dust_remainders_;
};

// Everything one symbol's run produced.
struct SymbolComputation {
  std::string symbol;
  std::vector<Allocation> allocations;  // by sell in engine order, then FIFO
  SymbolState closing;
  SymbolStats stats;
  std::vector<UnmatchedSell> unmatched_sells;
  std::vector<DustRemainder> dust_remainders;
};

// Runs one symbol's trades, given in any order. Errors: kInvalidArgument for
// an invalid opening state (ValidateSymbolState), a malformed trade, a trade
// of another symbol or a duplicate order_id;
// kFailedPrecondition for a trade at or before the opening high-water mark.
absl::StatusOr<SymbolComputation> ComputeSymbol(
    const std::string& symbol, std::vector<Trade> trades,
    const SymbolConfig& config, SymbolState opening = {});

// Runs a whole ledger (any symbols, any order): one SymbolComputation per
// symbol, sorted by symbol bytewise. Errors as ComputeSymbol; a duplicate
// order_id anywhere in the ledger is kInvalidArgument.
//
// Symbols are independent, so they are computed on up to `threads` threads
// (0: std::thread::hardware_concurrency(); 1: the calling thread only). The
// result, including which error is returned when several symbols fail (the
// first failing symbol in bytewise order), does not depend on `threads`.
absl::StatusOr<std::vector<SymbolComputation>> ComputeLedger(
    std::vector<Trade> trades, const SymbolConfigs& configs, int threads = 0);

}  // namespace fifo

#endif  // FIFO_ENGINE_FIFO_ENGINE_H_
