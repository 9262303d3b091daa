#include "api/convert.h"

#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "validation/allocation_validator.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

std::string D(const Decimal& d) { return d.ToString(); }

absl::StatusOr<Decimal> OptionalDecimal(absl::string_view field,
                                        const std::string& text) {
  return DecimalFromProto(field, text, /*empty_is_zero=*/true);
}

pb::ComputationMode ModeToProto(RunMode mode) {
  switch (mode) {
    case RunMode::kFull:
      return pb::COMPUTATION_MODE_FULL;
    case RunMode::kIncremental:
      return pb::COMPUTATION_MODE_INCREMENTAL;
    case RunMode::kSymbol:
      return pb::COMPUTATION_MODE_SYMBOL;
  }
  return pb::COMPUTATION_MODE_UNSPECIFIED;
}

RunMode ModeFromProto(pb::ComputationMode mode) {
  switch (mode) {
    case pb::COMPUTATION_MODE_INCREMENTAL:
      return RunMode::kIncremental;
    case pb::COMPUTATION_MODE_SYMBOL:
      return RunMode::kSymbol;
    default:
      return RunMode::kFull;
  }
}

pb::ComputationStatus StatusToProto(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return pb::COMPUTATION_STATUS_RUNNING;
    case RunStatus::kCompleted:
      return pb::COMPUTATION_STATUS_COMPLETED;
    case RunStatus::kFailed:
      return pb::COMPUTATION_STATUS_FAILED;
    case RunStatus::kPartial:
      return pb::COMPUTATION_STATUS_PARTIAL;
  }
  return pb::COMPUTATION_STATUS_UNSPECIFIED;
}

RunStatus StatusFromProto(pb::ComputationStatus status) {
  switch (status) {
    case pb::COMPUTATION_STATUS_COMPLETED:
      return RunStatus::kCompleted;
    case pb::COMPUTATION_STATUS_FAILED:
      return RunStatus::kFailed;
    case pb::COMPUTATION_STATUS_PARTIAL:
      return RunStatus::kPartial;
    default:
      return RunStatus::kRunning;
  }
}

// The proto's coarse invariant for a checker's name.
pb::Invariant InvariantToProto(absl::string_view name) {
  static const auto* const kMap = new std::map<std::string, pb::Invariant>{
      {std::string(invariant::kSellFullyAllocated),
       pb::INVARIANT_SELL_FULLY_ALLOCATED},
      {std::string(invariant::kBuyNotOverAllocated),
       pb::INVARIANT_BUY_NOT_OVER_ALLOCATED},
      {std::string(invariant::kPnlCorrect), pb::INVARIANT_PNL_CONSISTENT},
      {std::string(invariant::kCostBasisCorrect), pb::INVARIANT_PNL_CONSISTENT},
      {std::string(invariant::kProceedsCorrect), pb::INVARIANT_PNL_CONSISTENT},
      {std::string(invariant::kNetProceedsCorrect),
       pb::INVARIANT_PNL_CONSISTENT},
      {std::string(invariant::kPnlConsistent), pb::INVARIANT_PNL_CONSISTENT},
      {std::string(invariant::kNoOrphans), pb::INVARIANT_NO_ORPHANS},
      {std::string(invariant::kTimeOrdering), pb::INVARIANT_TIME_ORDER},
      {std::string(invariant::kBuyBeforeSell), pb::INVARIANT_TIME_ORDER},
      {std::string(invariant::kFeeConserved), pb::INVARIANT_FEES_CONSERVED},
      {std::string(invariant::kFeeShareNonNegative),
       pb::INVARIANT_FEES_CONSERVED},
      {std::string(invariant::kSegmentIntact), pb::INVARIANT_SEGMENT_INTACT},
  };
  auto it = kMap->find(std::string(name));
  return it == kMap->end() ? pb::INVARIANT_UNSPECIFIED : it->second;
}

void FillFigures(const PnlRow& row, pb::PnlFigures* f) {
  f->set_realized_pnl_usd(D(row.realized_pnl_usd));
  f->set_matched_size(D(row.matched_size));
  f->set_proceeds_usd(D(row.proceeds_usd));
  f->set_cost_basis_usd(D(row.cost_basis_usd));
  f->set_sells(row.sells);
  f->set_unmatched_sells(row.unmatched_allocations);
  f->set_unmatched_size(D(row.unmatched_size));
  f->set_matched_allocations(row.matched_allocations);
  f->set_net_proceeds_usd(D(row.net_proceeds_usd));
}

absl::StatusOr<PnlRow> RowFromFigures(const std::string& symbol,
                                      const std::string& period,
                                      const pb::PnlFigures& f) {
  PnlRow row;
  row.symbol = symbol;
  row.period = period;
  row.sells = f.sells();
  row.matched_allocations = f.matched_allocations();
  row.unmatched_allocations = f.unmatched_sells();
  FIFO_ASSIGN_OR_RETURN(row.matched_size,
                        OptionalDecimal("matched_size", f.matched_size()));
  FIFO_ASSIGN_OR_RETURN(row.unmatched_size,
                        OptionalDecimal("unmatched_size", f.unmatched_size()));
  FIFO_ASSIGN_OR_RETURN(row.proceeds_usd,
                        OptionalDecimal("proceeds_usd", f.proceeds_usd()));
  FIFO_ASSIGN_OR_RETURN(
      row.net_proceeds_usd,
      OptionalDecimal("net_proceeds_usd", f.net_proceeds_usd()));
  FIFO_ASSIGN_OR_RETURN(row.cost_basis_usd,
                        OptionalDecimal("cost_basis_usd", f.cost_basis_usd()));
  FIFO_ASSIGN_OR_RETURN(
      row.realized_pnl_usd,
      OptionalDecimal("realized_pnl_usd", f.realized_pnl_usd()));
  return row;
}

void AddRow(const PnlRow& r, PnlRow* total) {
  total->sells += r.sells;
  total->matched_allocations += r.matched_allocations;
  total->unmatched_allocations += r.unmatched_allocations;
  total->matched_size += r.matched_size;
  total->unmatched_size += r.unmatched_size;
  total->proceeds_usd += r.proceeds_usd;
  total->net_proceeds_usd += r.net_proceeds_usd;
  total->cost_basis_usd += r.cost_basis_usd;
  total->realized_pnl_usd += r.realized_pnl_usd;
}

}  // namespace

bool IsPlainDecimal(absl::string_view text) {
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  const auto digits = [&] {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

absl::StatusOr<Decimal> DecimalFromProto(absl::string_view field,
                                         const std::string& text,
                                         bool empty_is_zero,
                                         const Decimal::ParseLimits& limits) {
  if (text.empty()) {
    if (empty_is_zero) return Decimal();
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": required (a decimal number as a string)"));
  }
  if (!IsPlainDecimal(text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": not a decimal in plain notation (an optional '-', digits, "
        "optionally '.' and more digits, e.g. \"0.5\"; no exponent, no '+'), "
        "got ", QuoteForError(text)));
  }
  absl::StatusOr<Decimal> d = Decimal::ParseWithLimits(text, limits);
  if (!d.ok()) {
    // Too many digits is as malformed as any other bad text on the wire.
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", d.status().message()));
  }
  return *d;
}

google::protobuf::Timestamp TimeToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest * 1000));
  return out;
}

absl::StatusOr<absl::Time> TimeFromProto(absl::string_view field,
                                         const google::protobuf::Timestamp& t) {
  // RFC 3339 years 0001..9999, as google.protobuf.Timestamp requires.
  if (t.seconds() < -62135596800 || t.seconds() > 253402300799 ||
      t.nanos() < 0 || t.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": timestamp out of range"));
  }
  if (t.nanos() % 1000 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": precision finer than a microsecond (nanos ", t.nanos(), ")"));
  }
  return absl::FromUnixSeconds(t.seconds()) +
         absl::Microseconds(t.nanos() / 1000);
}

pb::TriggeredBy TriggerToProto(RunTrigger trigger) {
  switch (trigger) {
    case RunTrigger::kManual:
      return pb::TRIGGERED_BY_MANUAL;
    case RunTrigger::kScheduled:
      return pb::TRIGGERED_BY_SCHEDULED;
    case RunTrigger::kApi:
      return pb::TRIGGERED_BY_API;
  }
  return pb::TRIGGERED_BY_UNSPECIFIED;
}

RunTrigger TriggerFromProto(pb::TriggeredBy trigger,
                            RunTrigger default_trigger) {
  switch (trigger) {
    case pb::TRIGGERED_BY_MANUAL:
      return RunTrigger::kManual;
    case pb::TRIGGERED_BY_SCHEDULED:
      return RunTrigger::kScheduled;
    case pb::TRIGGERED_BY_API:
      return RunTrigger::kApi;
    default:
      return default_trigger;
  }
}

pb::Trade TradeToProto(const Trade& t) {
  pb::Trade out;
  out.set_order_id(t.order_id);
  out.set_symbol(t.symbol);
  out.set_side(t.side == Side::kBuy ? pb::SIDE_BUY : pb::SIDE_SELL);
  out.set_size(D(t.size));
  out.set_price(D(t.price));
  *out.mutable_order_time() = TimeToProto(t.order_time);
  out.set_total_fees_usd(D(t.total_fees_usd));
  out.set_source(t.source);
  out.set_status(t.status);
  out.set_order_type(t.order_type);
  out.set_ingest_via(t.ingest_via);
  return out;
}

absl::StatusOr<Trade> TradeFromProto(absl::string_view field,
                                     const pb::Trade& in) {
  Trade t;
  auto path = [&](absl::string_view name) {
    return absl::StrCat(field, ".", name);
  };
  if (in.order_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path("order_id"), ": required"));
  }
  if (absl::Status s = CheckTradeText(in.order_id(), TradeText::kIdentifier);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path("order_id"), ": ", s.message()));
  }
  t.order_id = in.order_id();
  auto prefix = [&](absl::string_view name) {
    return absl::StrCat(path(name), " (order ", in.order_id(), ")");
  };
  if (in.symbol().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix("symbol"), ": required"));
  }
  const struct {
    absl::string_view name;
    const std::string* value;
    TradeText kind;
  } texts[] = {
      {"symbol", &in.symbol(), TradeText::kIdentifier},
      {"source", &in.source(), TradeText::kFreeText},
      {"status", &in.status(), TradeText::kFreeText},
      {"order_type", &in.order_type(), TradeText::kFreeText},
      {"ingest_via", &in.ingest_via(), TradeText::kFreeText},
  };
  for (const auto& text : texts) {
    absl::Status s = CheckTradeText(*text.value, text.kind);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix(text.name), ": ", s.message()));
    }
  }
  t.symbol = in.symbol();
  if (in.side() == pb::SIDE_BUY) {
    t.side = Side::kBuy;
  } else if (in.side() == pb::SIDE_SELL) {
    t.side = Side::kSell;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix("side"), ": must be SIDE_BUY or SIDE_SELL"));
  }
  FIFO_ASSIGN_OR_RETURN(t.size,
                        DecimalFromProto(prefix("size"), in.size(), false,
                                         Decimal::kInputLimits));
  FIFO_ASSIGN_OR_RETURN(t.price,
                        DecimalFromProto(prefix("price"), in.price(), false,
                                         Decimal::kInputLimits));
  if (!in.has_order_time()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix("order_time"), ": required"));
  }
  FIFO_ASSIGN_OR_RETURN(t.order_time,
                        TimeFromProto(prefix("order_time"), in.order_time()));
  FIFO_ASSIGN_OR_RETURN(
      t.total_fees_usd,
      DecimalFromProto(prefix("total_fees_usd"), in.total_fees_usd(), true,
                       Decimal::kInputLimits));
  if (in.source().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix("source"), ": required"));
  }
  t.source = in.source();
  t.status = in.status();
  t.order_type = in.order_type();
  t.ingest_via = in.ingest_via();
  absl::Status valid = ValidateTrade(t);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", valid.message()));
  }
  return t;
}

pb::Allocation AllocationToProto(const StoredAllocation& s) {
  const Allocation& a = s.allocation;
  pb::Allocation out;
  out.set_id(s.seq);
  out.set_allocation_version(s.version);
  out.set_batch_id(s.batch_id);
  out.set_sell_order_id(a.sell_order_id);
  out.set_symbol(a.symbol);
  out.set_allocated_size(D(a.allocated_size));
  out.set_sell_price(D(a.sell_price));
  out.set_sell_fees_per_unit(D(a.sell_fees_per_unit));
  out.set_sell_fee_share(D(a.sell_fee_share));
  out.set_proceeds_usd(D(a.proceeds_usd));
  out.set_net_proceeds_usd(D(a.net_proceeds_usd));
  *out.mutable_sell_time() = TimeToProto(a.sell_time);
  out.set_matched(a.matched());
  if (a.matched()) {
    out.set_buy_order_id(*a.buy_order_id);
    out.set_buy_price(D(a.buy_price));
    out.set_buy_fees_per_unit(D(a.buy_fees_per_unit));
    out.set_buy_fee_share(D(a.buy_fee_share));
    out.set_cost_basis_usd(D(a.cost_basis_usd));
    out.set_pnl_usd(D(a.pnl_usd));
    *out.mutable_buy_time() = TimeToProto(a.buy_time);
  }
  return out;
}

absl::StatusOr<StoredAllocation> AllocationFromProto(const pb::Allocation& in) {
  StoredAllocation s;
  s.seq = in.id();
  s.version = in.allocation_version();
  s.batch_id = in.batch_id();
  Allocation& a = s.allocation;
  a.sell_order_id = in.sell_order_id();
  a.symbol = in.symbol();
  FIFO_ASSIGN_OR_RETURN(a.allocated_size,
                        DecimalFromProto("allocated_size", in.allocated_size()));
  FIFO_ASSIGN_OR_RETURN(a.sell_price,
                        DecimalFromProto("sell_price", in.sell_price()));
  FIFO_ASSIGN_OR_RETURN(
      a.sell_fees_per_unit,
      OptionalDecimal("sell_fees_per_unit", in.sell_fees_per_unit()));
  FIFO_ASSIGN_OR_RETURN(a.sell_fee_share,
                        OptionalDecimal("sell_fee_share", in.sell_fee_share()));
  FIFO_ASSIGN_OR_RETURN(a.proceeds_usd,
                        DecimalFromProto("proceeds_usd", in.proceeds_usd()));
  FIFO_ASSIGN_OR_RETURN(
      a.net_proceeds_usd,
      DecimalFromProto("net_proceeds_usd", in.net_proceeds_usd()));
  FIFO_ASSIGN_OR_RETURN(a.sell_time, TimeFromProto("sell_time", in.sell_time()));
  if (in.matched()) {
    a.buy_order_id = in.buy_order_id();
    FIFO_ASSIGN_OR_RETURN(a.buy_price,
                          DecimalFromProto("buy_price", in.buy_price()));
    FIFO_ASSIGN_OR_RETURN(
        a.buy_fees_per_unit,
        OptionalDecimal("buy_fees_per_unit", in.buy_fees_per_unit()));
    FIFO_ASSIGN_OR_RETURN(a.buy_fee_share,
                          OptionalDecimal("buy_fee_share", in.buy_fee_share()));
    FIFO_ASSIGN_OR_RETURN(a.cost_basis_usd,
                          DecimalFromProto("cost_basis_usd", in.cost_basis_usd()));
    FIFO_ASSIGN_OR_RETURN(a.pnl_usd, DecimalFromProto("pnl_usd", in.pnl_usd()));
    FIFO_ASSIGN_OR_RETURN(a.buy_time, TimeFromProto("buy_time", in.buy_time()));
  }
  return s;
}

pb::Computation ComputationToProto(const ComputationRun& run) {
  pb::Computation out;
  out.set_id(run.id);
  out.set_allocation_version(run.allocation_version);
  out.set_batch_id(run.batch_id);
  out.set_status(StatusToProto(run.status));
  out.set_symbol(run.symbol.value_or(""));
  out.set_mode(ModeToProto(run.mode));
  out.set_triggered_by(TriggerToProto(run.triggered_by));
  out.set_buys_processed(run.buys_processed);
  out.set_sells_processed(run.sells_processed);
  out.set_allocations_created(run.allocations_created);
  if (run.total_pnl.has_value()) out.set_total_pnl_usd(D(*run.total_pnl));
  if (run.duration_ms.has_value()) {
    out.mutable_duration()->set_seconds(*run.duration_ms / 1000);
    out.mutable_duration()->set_nanos(
        static_cast<int32_t>(*run.duration_ms % 1000) * 1000000);
  }
  out.set_error_message(run.error_message);
  out.set_fallback_reason(run.fallback_reason);
  *out.mutable_start_time() = TimeToProto(run.start);
  if (run.end.has_value()) *out.mutable_end_time() = TimeToProto(*run.end);
  for (const std::string& s : run.symbols_processed) {
    out.add_symbols_processed(s);
  }
  out.set_allocations_reused(run.allocations_reused);
  if (run.basis_version.has_value()) out.set_basis_version(*run.basis_version);
  if (run.pruned_at.has_value()) {
    *out.mutable_pruned_time() = TimeToProto(*run.pruned_at);
  }
  return out;
}

absl::StatusOr<ComputationRun> ComputationFromProto(const pb::Computation& in) {
  ComputationRun run;
  run.id = in.id();
  run.allocation_version = in.allocation_version();
  run.batch_id = in.batch_id();
  run.status = StatusFromProto(in.status());
  if (!in.symbol().empty()) run.symbol = in.symbol();
  run.mode = ModeFromProto(in.mode());
  run.triggered_by = TriggerFromProto(in.triggered_by(), RunTrigger::kApi);
  run.buys_processed = in.buys_processed();
  run.sells_processed = in.sells_processed();
  run.allocations_created = in.allocations_created();
  if (!in.total_pnl_usd().empty()) {
    FIFO_ASSIGN_OR_RETURN(run.total_pnl,
                          DecimalFromProto("total_pnl_usd", in.total_pnl_usd()));
  }
  if (in.has_duration()) {
    run.duration_ms =
        in.duration().seconds() * 1000 + in.duration().nanos() / 1000000;
  }
  run.error_message = in.error_message();
  run.fallback_reason = in.fallback_reason();
  FIFO_ASSIGN_OR_RETURN(run.start, TimeFromProto("start_time", in.start_time()));
  if (in.has_end_time()) {
    FIFO_ASSIGN_OR_RETURN(run.end, TimeFromProto("end_time", in.end_time()));
  }
  run.symbols_processed.assign(in.symbols_processed().begin(),
                               in.symbols_processed().end());
  run.allocations_reused = in.allocations_reused();
  if (in.has_basis_version()) run.basis_version = in.basis_version();
  if (in.has_pruned_time()) {
    FIFO_ASSIGN_OR_RETURN(run.pruned_at,
                          TimeFromProto("pruned_time", in.pruned_time()));
  }
  return run;
}

pb::ReviewItem ReviewItemToProto(const ReviewItem& item) {
  pb::ReviewItem out;
  out.set_id(item.id);
  out.set_order_id(item.order_id);
  out.set_symbol(item.symbol);
  out.set_issue_type(item.issue_type);
  out.set_severity(item.severity);
  out.set_status(item.resolved ? pb::REVIEW_STATUS_RESOLVED
                               : pb::REVIEW_STATUS_OPEN);
  out.set_allocation_version(item.allocation_version.value_or(0));
  out.set_details(item.details);
  *out.mutable_create_time() = TimeToProto(item.created_at);
  if (item.resolved_at.has_value()) {
    *out.mutable_resolve_time() = TimeToProto(*item.resolved_at);
  }
  out.set_resolution_note(item.resolution_note);
  return out;
}

absl::StatusOr<ReviewItem> ReviewItemFromProto(const pb::ReviewItem& in) {
  ReviewItem item;
  item.id = in.id();
  item.order_id = in.order_id();
  item.symbol = in.symbol();
  item.issue_type = in.issue_type();
  item.severity = in.severity();
  item.resolved = in.status() == pb::REVIEW_STATUS_RESOLVED;
  if (in.allocation_version() != 0) {
    item.allocation_version = in.allocation_version();
  }
  item.details = in.details();
  FIFO_ASSIGN_OR_RETURN(item.created_at,
                        TimeFromProto("create_time", in.create_time()));
  if (in.has_resolve_time()) {
    FIFO_ASSIGN_OR_RETURN(item.resolved_at,
                          TimeFromProto("resolve_time", in.resolve_time()));
  }
  item.resolution_note = in.resolution_note();
  return item;
}

pb::ValidateAllocationsResponse ValidationToProto(const VersionValidation& v,
                                                  int max_violations) {
  pb::ValidateAllocationsResponse out;
  out.set_allocation_version(v.version);
  out.set_valid(v.ok());
  const int64_t total =
      static_cast<int64_t>(v.store_violations.size() + v.violations.size());
  out.set_violation_count(total);
  out.set_allocations_checked(v.allocations_checked);
  out.set_trades_checked(v.trades_checked);
  out.set_symbols_checked(v.symbols_checked);
  auto room = [&] {
    return max_violations <= 0 || out.violations_size() < max_violations;
  };
  for (const InvariantViolation& s : v.store_violations) {
    if (!room()) break;
    pb::Violation* p = out.add_violations();
    p->set_invariant(InvariantToProto(s.invariant));
    p->set_invariant_name(s.invariant);
    p->set_checker("store");
    p->set_symbol(s.symbol);
    p->set_sell_order_id(s.order_id);
    p->set_allocation_id(s.seq.value_or(0));
    p->set_message(s.message);
  }
  for (const Violation& m : v.violations) {
    if (!room()) break;
    pb::Violation* p = out.add_violations();
    p->set_invariant(InvariantToProto(m.invariant));
    p->set_invariant_name(m.invariant);
    p->set_checker("validator");
    p->set_symbol(m.symbol);
    p->set_sell_order_id(m.sell_order_id);
    p->set_buy_order_id(m.buy_order_id);
    p->set_message(m.message);
    if (m.allocation_index.has_value()) {
      p->set_row_index(static_cast<int64_t>(*m.allocation_index));
    }
  }
  return out;
}

absl::StatusOr<VersionValidation> ValidationFromProto(
    const pb::ValidateAllocationsResponse& in) {
  VersionValidation v;
  v.version = in.allocation_version();
  v.allocations_checked = in.allocations_checked();
  v.trades_checked = in.trades_checked();
  v.symbols_checked = in.symbols_checked();
  for (const pb::Violation& p : in.violations()) {
    if (p.checker() == "store") {
      InvariantViolation s;
      s.invariant = p.invariant_name();
      s.symbol = p.symbol();
      s.order_id = p.sell_order_id();
      if (p.allocation_id() != 0) s.seq = p.allocation_id();
      s.message = p.message();
      v.store_violations.push_back(std::move(s));
    } else {
      Violation m;
      m.invariant = p.invariant_name();
      m.symbol = p.symbol();
      m.sell_order_id = p.sell_order_id();
      m.buy_order_id = p.buy_order_id();
      m.message = p.message();
      if (p.has_row_index()) {
        m.allocation_index = static_cast<size_t>(p.row_index());
      }
      v.violations.push_back(std::move(m));
    }
  }
  return v;
}

pb::FindDiscrepanciesResponse ComparisonToProto(const VersionComparison& c,
                                                int max_sells) {
  pb::FindDiscrepanciesResponse out;
  out.set_version_a(c.version_a);
  out.set_version_b(c.version_b);
  out.set_sells_differing(static_cast<int64_t>(c.sells.size()));
  std::map<std::string, pb::SymbolDiscrepancyTotals*> totals;
  for (const SymbolComparison& s : c.symbols) {
    pb::SymbolDiscrepancyTotals* t = out.add_symbol_totals();
    t->set_symbol(s.symbol);
    t->set_pnl_usd_a(D(s.pnl_a));
    t->set_pnl_usd_b(D(s.pnl_b));
    t->set_pnl_delta_usd(D(s.pnl_delta));
    t->set_sells_differing(s.sells_changed);
    t->set_rows_a(s.rows_a);
    t->set_rows_b(s.rows_b);
    totals[s.symbol] = t;
  }
  for (const SellDiscrepancy& d : c.sells) {
    pb::SymbolDiscrepancyTotals* t = totals[d.symbol];
    bool listed = max_sells <= 0 || out.sells_size() < max_sells;
    pb::SellDiscrepancy* p = listed ? out.add_sells() : nullptr;
    if (p != nullptr) {
      p->set_sell_order_id(d.sell_order_id);
      p->set_symbol(d.symbol);
      p->set_pnl_usd_a(D(d.pnl_a));
      p->set_pnl_usd_b(D(d.pnl_b));
      p->set_pnl_delta_usd(D(d.pnl_delta));
    }
    for (const PairChange& change : d.changes) {
      if (t != nullptr) {
        if (change.kind == PairChange::Kind::kAdded) {
          t->set_pairs_added(t->pairs_added() + 1);
        } else if (change.kind == PairChange::Kind::kRemoved) {
          t->set_pairs_removed(t->pairs_removed() + 1);
        } else {
          t->set_pairs_changed(t->pairs_changed() + 1);
        }
      }
      if (p == nullptr) continue;
      pb::PairDiscrepancy* pair = p->add_pairs();
      pair->set_buy_order_id(change.buy_order_id.value_or(""));
      pair->set_change(change.kind == PairChange::Kind::kAdded
                           ? pb::PAIR_CHANGE_ADDED
                       : change.kind == PairChange::Kind::kRemoved
                           ? pb::PAIR_CHANGE_REMOVED
                           : pb::PAIR_CHANGE_CHANGED);
      if (change.size_a) pair->set_allocated_size_a(D(*change.size_a));
      if (change.size_b) pair->set_allocated_size_b(D(*change.size_b));
      if (change.pnl_a) pair->set_pnl_usd_a(D(*change.pnl_a));
      if (change.pnl_b) pair->set_pnl_usd_b(D(*change.pnl_b));
    }
  }
  return out;
}

absl::StatusOr<VersionComparison> ComparisonFromProto(
    const pb::FindDiscrepanciesResponse& in) {
  VersionComparison c;
  c.version_a = in.version_a();
  c.version_b = in.version_b();
  for (const pb::SellDiscrepancy& p : in.sells()) {
    SellDiscrepancy d;
    d.symbol = p.symbol();
    d.sell_order_id = p.sell_order_id();
    FIFO_ASSIGN_OR_RETURN(d.pnl_a, OptionalDecimal("pnl_usd_a", p.pnl_usd_a()));
    FIFO_ASSIGN_OR_RETURN(d.pnl_b, OptionalDecimal("pnl_usd_b", p.pnl_usd_b()));
    FIFO_ASSIGN_OR_RETURN(d.pnl_delta,
                          OptionalDecimal("pnl_delta_usd", p.pnl_delta_usd()));
    for (const pb::PairDiscrepancy& pair : p.pairs()) {
      PairChange change;
      change.kind = pair.change() == pb::PAIR_CHANGE_ADDED
                        ? PairChange::Kind::kAdded
                    : pair.change() == pb::PAIR_CHANGE_REMOVED
                        ? PairChange::Kind::kRemoved
                        : PairChange::Kind::kChanged;
      if (!pair.buy_order_id().empty()) change.buy_order_id = pair.buy_order_id();
      auto opt = [](absl::string_view field, const std::string& text)
          -> absl::StatusOr<std::optional<Decimal>> {
        if (text.empty()) return std::optional<Decimal>();
        FIFO_ASSIGN_OR_RETURN(Decimal d, DecimalFromProto(field, text));
        return std::optional<Decimal>(std::move(d));
      };
      FIFO_ASSIGN_OR_RETURN(change.size_a,
                            opt("allocated_size_a", pair.allocated_size_a()));
      FIFO_ASSIGN_OR_RETURN(change.size_b,
                            opt("allocated_size_b", pair.allocated_size_b()));
      FIFO_ASSIGN_OR_RETURN(change.pnl_a, opt("pnl_usd_a", pair.pnl_usd_a()));
      FIFO_ASSIGN_OR_RETURN(change.pnl_b, opt("pnl_usd_b", pair.pnl_usd_b()));
      d.changes.push_back(std::move(change));
    }
    c.sells.push_back(std::move(d));
  }
  for (const pb::SymbolDiscrepancyTotals& t : in.symbol_totals()) {
    SymbolComparison s;
    s.symbol = t.symbol();
    s.rows_a = t.rows_a();
    s.rows_b = t.rows_b();
    s.sells_changed = t.sells_differing();
    FIFO_ASSIGN_OR_RETURN(s.pnl_a, OptionalDecimal("pnl_usd_a", t.pnl_usd_a()));
    FIFO_ASSIGN_OR_RETURN(s.pnl_b, OptionalDecimal("pnl_usd_b", t.pnl_usd_b()));
    FIFO_ASSIGN_OR_RETURN(s.pnl_delta,
                          OptionalDecimal("pnl_delta_usd", t.pnl_delta_usd()));
    c.pnl_a += s.pnl_a;
    c.pnl_b += s.pnl_b;
    c.symbols.push_back(std::move(s));
  }
  c.pnl_delta = c.pnl_b - c.pnl_a;
  return c;
}

PnlGrouping GroupingFromProto(pb::GroupBy group_by) {
  switch (group_by) {
    case pb::GROUP_BY_DAY:
      return PnlGrouping::kDay;
    case pb::GROUP_BY_MONTH:
      return PnlGrouping::kMonth;
    default:
      return PnlGrouping::kNone;
  }
}

pb::GroupBy GroupingToProto(PnlGrouping grouping) {
  switch (grouping) {
    case PnlGrouping::kDay:
      return pb::GROUP_BY_DAY;
    case PnlGrouping::kMonth:
      return pb::GROUP_BY_MONTH;
    case PnlGrouping::kNone:
      return pb::GROUP_BY_NONE;
  }
  return pb::GROUP_BY_NONE;
}

pb::PnlReport PnlReportToProto(const PnlReport& report, PnlGrouping grouping) {
  pb::PnlReport out;
  out.set_allocation_version(report.version);
  if (report.range.from) {
    *out.mutable_period_start() = TimeToProto(*report.range.from);
  }
  if (report.range.to) *out.mutable_period_end() = TimeToProto(*report.range.to);
  out.set_period(report.period);
  out.set_group_by(GroupingToProto(grouping));
  std::map<std::string, pb::SymbolPnl*> symbols;
  std::map<std::string, PnlRow> symbol_totals;
  auto symbol = [&](const std::string& name) {
    pb::SymbolPnl*& p = symbols[name];
    if (p == nullptr) {
      p = out.add_symbols();
      p->set_symbol(name);
    }
    return p;
  };
  PnlRow total;
  for (const PnlRow& row : report.rows) {
    pb::SymbolPnl* p = symbol(row.symbol);
    if (grouping == PnlGrouping::kNone) {
      FillFigures(row, p->mutable_totals());
    } else {
      pb::PnlBucket* bucket = p->add_buckets();
      bucket->set_label(row.period);
      absl::CivilDay day;
      absl::CivilMonth month;
      if (absl::ParseCivilTime(row.period, &day)) {
        *bucket->mutable_start_time() =
            TimeToProto(absl::FromCivil(day, absl::UTCTimeZone()));
      } else if (absl::ParseCivilTime(row.period, &month)) {
        *bucket->mutable_start_time() =
            TimeToProto(absl::FromCivil(month, absl::UTCTimeZone()));
      }
      FillFigures(row, bucket->mutable_figures());
      AddRow(row, &symbol_totals[row.symbol]);
    }
    AddRow(row, &total);
  }
  for (auto& [name, row] : symbol_totals) {
    FillFigures(row, symbol(name)->mutable_totals());
  }
  FillFigures(total, out.mutable_totals());
  for (const OpenInventoryRow& inv : report.inventory) {
    pb::OpenInventory* o = symbol(inv.symbol)->mutable_open_inventory();
    o->set_remaining_size(D(inv.remaining_size));
    o->set_remaining_cost_usd(D(inv.remaining_cost_usd));
    if (inv.remaining_size.is_positive()) {
      o->set_average_cost_usd(D(inv.average_cost_usd));
    }
    o->set_open_lots(inv.open_lots);
  }
  // Symbols in order, whatever order they were first met in.
  std::sort(out.mutable_symbols()->pointer_begin(),
            out.mutable_symbols()->pointer_end(),
            [](const pb::SymbolPnl* a, const pb::SymbolPnl* b) {
              return a->symbol() < b->symbol();
            });
  for (const UnmatchedSellRow& u : report.unmatched) {
    pb::UnmatchedSell* p = out.add_unmatched_sells();
    p->set_sell_order_id(u.sell_order_id);
    p->set_symbol(u.symbol);
    *p->mutable_sell_time() = TimeToProto(u.sell_time);
    p->set_unmatched_size(D(u.unmatched_size));
    p->set_sell_price(D(u.sell_price));
  }
  return out;
}

absl::StatusOr<PnlReport> PnlReportFromProto(const pb::PnlReport& in) {
  PnlReport report;
  report.version = in.allocation_version();
  report.period = in.period();
  if (in.has_period_start()) {
    FIFO_ASSIGN_OR_RETURN(report.range.from,
                          TimeFromProto("period_start", in.period_start()));
  }
  if (in.has_period_end()) {
    FIFO_ASSIGN_OR_RETURN(report.range.to,
                          TimeFromProto("period_end", in.period_end()));
  }
  const bool grouped = in.group_by() == pb::GROUP_BY_DAY ||
                       in.group_by() == pb::GROUP_BY_MONTH;
  for (const pb::SymbolPnl& s : in.symbols()) {
    if (grouped) {
      for (const pb::PnlBucket& b : s.buckets()) {
        FIFO_ASSIGN_OR_RETURN(PnlRow row,
                              RowFromFigures(s.symbol(), b.label(), b.figures()));
        report.rows.push_back(std::move(row));
      }
    } else if (s.has_totals()) {
      FIFO_ASSIGN_OR_RETURN(PnlRow row,
                            RowFromFigures(s.symbol(), "", s.totals()));
      report.rows.push_back(std::move(row));
    }
    if (s.has_open_inventory()) {
      const pb::OpenInventory& o = s.open_inventory();
      OpenInventoryRow inv;
      inv.symbol = s.symbol();
      inv.open_lots = o.open_lots();
      FIFO_ASSIGN_OR_RETURN(inv.remaining_size,
                            OptionalDecimal("remaining_size", o.remaining_size()));
      FIFO_ASSIGN_OR_RETURN(
          inv.remaining_cost_usd,
          OptionalDecimal("remaining_cost_usd", o.remaining_cost_usd()));
      FIFO_ASSIGN_OR_RETURN(
          inv.average_cost_usd,
          OptionalDecimal("average_cost_usd", o.average_cost_usd()));
      report.inventory.push_back(std::move(inv));
    }
  }
  FIFO_ASSIGN_OR_RETURN(
      report.total_realized_pnl_usd,
      OptionalDecimal("totals.realized_pnl_usd", in.totals().realized_pnl_usd()));
  for (const pb::UnmatchedSell& u : in.unmatched_sells()) {
    UnmatchedSellRow row;
    row.symbol = u.symbol();
    row.sell_order_id = u.sell_order_id();
    FIFO_ASSIGN_OR_RETURN(row.sell_time, TimeFromProto("sell_time", u.sell_time()));
    FIFO_ASSIGN_OR_RETURN(row.unmatched_size,
                          DecimalFromProto("unmatched_size", u.unmatched_size()));
    FIFO_ASSIGN_OR_RETURN(row.sell_price,
                          DecimalFromProto("sell_price", u.sell_price()));
    report.unmatched.push_back(std::move(row));
  }
  return report;
}

}  // namespace fifo
