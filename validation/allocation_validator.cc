#include "validation/allocation_validator.h"

#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "engine/decimal.h"
#include "engine/timestamp.h"

namespace fifo {
namespace {

// What the rows add up to for one trade.
struct Totals {
  Decimal size;        // allocated_size over the rows that reference it
  Decimal fee_shares;  // the trade's side of the fee shares on those rows
};

std::string Time(absl::Time t) { return FormatTimestamp(t); }

class Checker {
 public:
  Checker(const std::vector<Trade>& trades,
          const std::vector<Allocation>& allocations,
          const SymbolConfigs& configs, const ValidateOptions& options,
          ValidationReport* report)
      : trades_(trades),
        allocations_(allocations),
        configs_(configs),
        options_(options),
        report_(report) {}

  void Run() {
    IndexTrades();
    for (size_t i = 0; i < allocations_.size(); ++i) CheckRow(i);
    CheckTotals();
  }

 private:
  bool InScope(const std::string& symbol) const {
    return !options_.symbol.has_value() || *options_.symbol == symbol;
  }

  void Report(absl::string_view name, const std::string& symbol,
              const std::string& sell, const std::string& buy,
              std::optional<size_t> row, std::string message) {
    Violation v;
    v.invariant = std::string(name);
    v.symbol = symbol;
    v.sell_order_id = sell;
    v.buy_order_id = buy;
    v.allocation_index = row;
    v.message = std::move(message);
    report_->violations.push_back(std::move(v));
  }

  void IndexTrades() {
    index_.reserve(trades_.size());
    for (size_t i = 0; i < trades_.size(); ++i) {
      const Trade& t = trades_[i];
      auto [it, inserted] = index_.emplace(t.order_id, i);
      if (!inserted) {
        if (InScope(t.symbol)) {
          const Trade& first = trades_[it->second];
          Report(invariant::kUniqueOrderId, t.symbol,
                 t.side == Side::kSell ? t.order_id : "",
                 t.side == Side::kBuy ? t.order_id : "", std::nullopt,
                 absl::StrCat("order_id ", t.order_id, " appears again (",
                              SideName(t.side), " ", t.symbol,
                              "); the first one (", SideName(first.side), " ",
                              first.symbol, ") is used"));
        }
        continue;
      }
      if (!InScope(t.symbol)) continue;
      ++report_->trades_checked;
      if (t.side == Side::kBuy) {
        ++report_->buys_checked;
      } else {
        ++report_->sells_checked;
      }
    }
    totals_.resize(trades_.size());
  }

  // The index of the trade with this id, if any.
  std::optional<size_t> Find(const std::string& order_id) const {
    auto it = index_.find(order_id);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  void CheckRow(size_t row) {
    const Allocation& a = allocations_[row];
    if (!InScope(a.symbol)) return;
    ++report_->allocations_checked;
    const bool matched = a.matched();
    if (matched) {
      ++report_->matched_allocations;
    } else {
      ++report_->unmatched_allocations;
    }
    const std::string& sell_id = a.sell_order_id;
    const std::string buy_id = a.buy_order_id.value_or("");
    auto report = [&](absl::string_view name, std::string message) {
      Report(name, a.symbol, sell_id, buy_id, row, std::move(message));
    };

    // The row on its own.
    if (!a.allocated_size.is_positive()) {
      report(invariant::kAllocatedSizePositive,
             absl::StrCat("allocated_size is ", a.allocated_size.ToString(),
                          "; must be > 0"));
    }
    const Decimal proceeds = a.sell_price * a.allocated_size;
    if (a.proceeds_usd != proceeds) {
      report(invariant::kProceedsCorrect,
             absl::StrCat("proceeds_usd is ", a.proceeds_usd.ToString(),
                          "; sell_price * allocated_size is ",
                          proceeds.ToString()));
    }
    Decimal sell_share;
    Decimal buy_share;
    const Decimal buy_cost = a.buy_price * a.allocated_size;
    if (options_.fee_shares_known) {
      sell_share = a.sell_fee_share;
      buy_share = a.buy_fee_share;
      const Decimal net = a.proceeds_usd - a.sell_fee_share;
      if (a.net_proceeds_usd != net) {
        report(invariant::kNetProceedsCorrect,
               absl::StrCat(
                   "net_proceeds_usd is ", a.net_proceeds_usd.ToString(),
                   "; proceeds_usd - sell_fee_share is ", net.ToString()));
      }
      if (matched) {
        const Decimal cost = buy_cost + a.buy_fee_share;
        if (a.cost_basis_usd != cost) {
          report(invariant::kCostBasisCorrect,
                 absl::StrCat("cost_basis_usd is ", a.cost_basis_usd.ToString(),
                              "; buy_price * allocated_size + buy_fee_share "
                              "is ",
                              cost.ToString()));
        }
      }
    } else {
      sell_share = a.proceeds_usd - a.net_proceeds_usd;
      if (matched) buy_share = a.cost_basis_usd - buy_cost;
    }
    const absl::string_view derived =
        options_.fee_shares_known ? "" : " (derived)";
    if (sell_share.is_negative()) {
      report(invariant::kFeeShareNonNegative,
             absl::StrCat("sell fee share", derived, " is ",
                          sell_share.ToString()));
    }
    if (matched && buy_share.is_negative()) {
      report(
          invariant::kFeeShareNonNegative,
          absl::StrCat("buy fee share", derived, " is ", buy_share.ToString()));
    }
    if (matched) {
      const Decimal pnl = a.net_proceeds_usd - a.cost_basis_usd;
      if (a.pnl_usd != pnl) {
        report(invariant::kPnlCorrect,
               absl::StrCat("pnl_usd is ", a.pnl_usd.ToString(),
                            "; net_proceeds_usd - cost_basis_usd is ",
                            pnl.ToString()));
      }
      if (a.buy_time > a.sell_time) {
        report(invariant::kTimeOrdering,
               absl::StrCat("buy_time ", Time(a.buy_time),
                            " is after sell_time ", Time(a.sell_time)));
      }
    } else {
      CheckUnmatchedRow(a, report);
    }

    // No two rows for one pair (nor two unmatched rows for one sell).
    const absl::string_view buy_key =
        matched ? absl::string_view(*a.buy_order_id) : absl::string_view();
    if (!pairs_.emplace(sell_id, matched, buy_key).second) {
      report(invariant::kNoDuplicatePair,
             matched
                 ? absl::StrCat("a second row for sell ", sell_id, " and buy ",
                                buy_id)
                 : absl::StrCat("a second unmatched row for sell ", sell_id));
    }

    // The row against the ledger.
    std::optional<size_t> sell = Find(sell_id);
    if (!sell.has_value()) {
      report(invariant::kNoOrphans,
             absl::StrCat("sell_order_id ", sell_id, " is not in the ledger"));
    } else if (trades_[*sell].side != Side::kSell) {
      report(invariant::kWrongSide,
             absl::StrCat("sell_order_id ", sell_id, " is a buy"));
      sell.reset();
    }
    std::optional<size_t> buy;
    if (matched) {
      buy = Find(buy_id);
      if (!buy.has_value()) {
        report(invariant::kNoOrphans,
               absl::StrCat("buy_order_id ", buy_id, " is not in the ledger"));
      } else if (trades_[*buy].side != Side::kBuy) {
        report(invariant::kWrongSide,
               absl::StrCat("buy_order_id ", buy_id, " is a sell"));
        buy.reset();
      }
    }
    if (sell.has_value()) {
      const Trade& s = trades_[*sell];
      if (s.symbol != a.symbol) {
        report(invariant::kSymbolMismatch,
               absl::StrCat("row symbol ", a.symbol, " but sell ", sell_id,
                            " is ", s.symbol));
      }
      if (a.sell_price != s.price) {
        report(
            invariant::kTradeFieldsMatch,
            absl::StrCat("sell_price is ", a.sell_price.ToString(), "; sell ",
                         sell_id, " has price ", s.price.ToString()));
      }
      if (a.sell_time != s.order_time) {
        report(invariant::kTradeFieldsMatch,
               absl::StrCat("sell_time is ", Time(a.sell_time), "; sell ",
                            sell_id, " has order_time ", Time(s.order_time)));
      }
      Totals& t = totals_[*sell];
      t.size += a.allocated_size;
      t.fee_shares += sell_share;
    }
    if (buy.has_value()) {
      const Trade& b = trades_[*buy];
      if (b.symbol != a.symbol) {
        report(invariant::kSymbolMismatch,
               absl::StrCat("row symbol ", a.symbol, " but buy ", buy_id,
                            " is ", b.symbol));
      }
      if (a.buy_price != b.price) {
        report(invariant::kTradeFieldsMatch,
               absl::StrCat("buy_price is ", a.buy_price.ToString(), "; buy ",
                            buy_id, " has price ", b.price.ToString()));
      }
      if (a.buy_time != b.order_time) {
        report(invariant::kTradeFieldsMatch,
               absl::StrCat("buy_time is ", Time(a.buy_time), "; buy ", buy_id,
                            " has order_time ", Time(b.order_time)));
      }
      Totals& t = totals_[*buy];
      t.size += a.allocated_size;
      t.fee_shares += buy_share;
      // ERRATA 1: a sell consumes only buys before it in engine order. (A
      // row whose own times are reversed was reported above.)
      if (sell.has_value() && a.buy_time <= a.sell_time &&
          !(KeyOf(b) < KeyOf(trades_[*sell]))) {
        const Trade& s = trades_[*sell];
        report(invariant::kTimeOrdering,
               absl::StrCat("buy ", buy_id, " (", Time(b.order_time),
                            ") does not come before sell ", sell_id, " (",
                            Time(s.order_time),
                            ") in (order_time, order_id) order"));
      }
    }
  }

  template <typename ReportFn>
  void CheckUnmatchedRow(const Allocation& a, ReportFn& report) {
    std::vector<std::string> set_fields;
    auto check = [&](const char* name, const Decimal& value) {
      if (!value.is_zero()) {
        set_fields.push_back(absl::StrCat(name, "=", value.ToString()));
      }
    };
    check("buy_price", a.buy_price);
    check("buy_fees_per_unit", a.buy_fees_per_unit);
    check("buy_fee_share", a.buy_fee_share);
    check("cost_basis_usd", a.cost_basis_usd);
    check("pnl_usd", a.pnl_usd);
    if (a.buy_time != absl::Time()) {
      set_fields.push_back(absl::StrCat("buy_time=", Time(a.buy_time)));
    }
    if (!set_fields.empty()) {
      report(invariant::kUnmatchedRowHasNoBuy,
             absl::StrCat("unmatched row has buy-side fields set: ",
                          absl::StrJoin(set_fields, ", ")));
    }
  }

  void CheckTotals() {
    for (size_t i = 0; i < trades_.size(); ++i) {
      const Trade& t = trades_[i];
      if (!InScope(t.symbol)) continue;
      auto it = index_.find(t.order_id);
      if (it == index_.end() || it->second != i) continue;  // a duplicate
      const Totals& total = totals_[i];
      const bool is_sell = t.side == Side::kSell;
      const std::string sell = is_sell ? t.order_id : "";
      const std::string buy = is_sell ? "" : t.order_id;
      auto report = [&](absl::string_view name, std::string message) {
        Report(name, t.symbol, sell, buy, std::nullopt, std::move(message));
      };
      const int cmp = Decimal::Compare(total.size, t.size);
      if (is_sell) {
        const Decimal& dust = configs_.For(t.symbol).dust_threshold;
        if (cmp > 0) {
          report(
              invariant::kSellFullyAllocated,
              absl::StrCat("rows cover ", total.size.ToString(),
                           " but the sell's size is ", t.size.ToString(), " (",
                           (total.size - t.size).ToString(), " too much)"));
        } else if (t.size - total.size > dust) {
          report(invariant::kSellFullyAllocated,
                 absl::StrCat("rows cover ", total.size.ToString(), " of ",
                              t.size.ToString(), "; the shortfall ",
                              (t.size - total.size).ToString(),
                              " exceeds the dust threshold ", dust.ToString()));
        }
      } else if (cmp > 0) {
        report(invariant::kBuyNotOverAllocated,
               absl::StrCat("rows take ", total.size.ToString(),
                            " from a buy of ", t.size.ToString(), " (",
                            (total.size - t.size).ToString(), " too much)"));
      }
      const absl::string_view side = SideName(t.side);
      if (cmp == 0 && total.fee_shares != t.total_fees_usd) {
        report(invariant::kFeeConserved,
               absl::StrCat("the ", side,
                            " is fully allocated but its fee "
                            "shares add up to ",
                            total.fee_shares.ToString(), ", not its fee ",
                            t.total_fees_usd.ToString()));
      } else if (cmp < 0 && total.fee_shares > t.total_fees_usd) {
        report(invariant::kFeeConserved,
               absl::StrCat("the fee shares of the ", side, " add up to ",
                            total.fee_shares.ToString(), ", more than its fee ",
                            t.total_fees_usd.ToString()));
      }
    }
  }

  const std::vector<Trade>& trades_;
  const std::vector<Allocation>& allocations_;
  const SymbolConfigs& configs_;
  const ValidateOptions& options_;
  ValidationReport* const report_;

  absl::flat_hash_map<absl::string_view, size_t> index_;  // first by id
  std::vector<Totals> totals_;                            // by trade index
  // (sell, matched, buy) of every row seen.
  absl::flat_hash_set<std::tuple<absl::string_view, bool, absl::string_view>>
      pairs_;
};

}  // namespace

std::string Violation::ToString() const {
  std::vector<std::string> where;
  if (!symbol.empty()) where.push_back(absl::StrCat("symbol=", symbol));
  if (!sell_order_id.empty())
    where.push_back(absl::StrCat("sell=", sell_order_id));
  if (!buy_order_id.empty())
    where.push_back(absl::StrCat("buy=", buy_order_id));
  if (allocation_index.has_value()) {
    where.push_back(absl::StrCat("row=", *allocation_index));
  }
  std::string out = absl::StrCat(invariant, ": ", message);
  if (!where.empty())
    absl::StrAppend(&out, " [", absl::StrJoin(where, ", "), "]");
  return out;
}

int64_t ValidationReport::CountOf(absl::string_view name) const {
  int64_t n = 0;
  for (const Violation& v : violations) n += v.invariant == name;
  return n;
}

ValidationReport ValidateAllocations(const std::vector<Trade>& trades,
                                     const std::vector<Allocation>& allocations,
                                     const SymbolConfigs& configs,
                                     const ValidateOptions& options) {
  ValidationReport report;
  Checker(trades, allocations, configs, options, &report).Run();
  return report;
}

}  // namespace fifo
