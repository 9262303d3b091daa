#include "service/pnl_reports_service.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/convert.h"
#include "api/grpc_status.h"
#include "core/health.h"
#include "core/reports.h"
#include "core/validations.h"
#include "engine/decimal.h"
#include "service/request_fields.h"
#include "storage/ledger_store.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

}  // namespace

grpc::Status PnlReportsService::GetPnlReport(
    grpc::ServerContext* context, const pb::GetPnlReportRequest* request,
    pb::PnlReport* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  PnlReportQuery query;
  query.version = RequestedVersion(*request);
  query.symbol = OptionalText(request->symbol());
  query.period = request->period().empty() ? "all" : request->period();
  query.grouping = GroupingFromProto(request->group_by());
  query.now = absl::Now();
  absl::StatusOr<PnlReport> report =
      BuildPnlReport(*state_->Next().store, query);
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = PnlReportToProto(*report, query.grouping);
  return grpc::Status::OK;
}

grpc::Status PnlReportsService::ListUnmatchedSells(
    grpc::ServerContext* context, const pb::ListUnmatchedSellsRequest* request,
    pb::ListUnmatchedSellsResponse* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  LedgerStore& store = *state_->Next().store;
  absl::StatusOr<int64_t> version =
      ResolveVersion(store, RequestedVersion(*request));
  if (!version.ok()) return ToGrpcStatus(version.status());
  absl::StatusOr<size_t> offset = OffsetFromToken(request->page_token());
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  const size_t page_size = PageSize(request->page_size());
  AllocationFilter filter;
  filter.version = *version;
  filter.symbol = OptionalText(request->symbol());
  filter.kind = AllocationFilter::Kind::kUnmatchedOnly;
  size_t index = 0;
  bool more = false;
  absl::Status scanned = store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          if (index++ < *offset) continue;
          if (static_cast<size_t>(response->unmatched_sells_size()) >=
              page_size) {
            more = true;
            return absl::CancelledError("page full");
          }
          pb::UnmatchedSell* u = response->add_unmatched_sells();
          u->set_sell_order_id(s.allocation.sell_order_id);
          u->set_symbol(s.allocation.symbol);
          *u->mutable_sell_time() = TimeToProto(s.allocation.sell_time);
          u->set_unmatched_size(s.allocation.allocated_size.ToString());
          u->set_sell_price(s.allocation.sell_price.ToString());
        }
        return absl::OkStatus();
      });
  if (!scanned.ok() && !more) return ToGrpcStatus(scanned);
  response->set_allocation_version(*version);
  if (more) {
    response->set_next_page_token(
        absl::StrCat(*offset + response->unmatched_sells_size()));
  }
  return grpc::Status::OK;
}

grpc::Status PnlReportsService::GetAllocationHealth(
    grpc::ServerContext* context, const pb::GetAllocationHealthRequest* request,
    pb::AllocationHealth* response) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  absl::StatusOr<AllocationHealthReport> health =
      ComputeAllocationHealth(*state_->Next().store, RequestedVersion(*request),
                              [context] { return context->IsCancelled(); });
  if (!health.ok()) return ToGrpcStatus(health.status());
  response->set_allocation_version(health->version);
  response->set_total_allocations(health->total_allocations);
  response->set_unmatched_allocations(health->unmatched_allocations);
  response->set_sells_matched(health->sells_matched);
  response->set_buys_used(health->buys_used);
  response->set_total_pnl_usd(health->total_pnl_usd.ToString());
  if (health->first_sell_time) {
    *response->mutable_first_sell_time() =
        TimeToProto(*health->first_sell_time);
  }
  if (health->last_sell_time) {
    *response->mutable_last_sell_time() = TimeToProto(*health->last_sell_time);
  }
  if (health->latest_computation) {
    *response->mutable_latest_computation() =
        ComputationToProto(*health->latest_computation);
  }
  return grpc::Status::OK;
}

grpc::Status PnlReportsService::ListAllocations(
    grpc::ServerContext* context, const pb::ListAllocationsRequest* request,
    grpc::ServerWriter<pb::Allocation>* writer) {
  FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, pb::PnlReports);
  LedgerStore& store = *state_->Next().store;
  absl::StatusOr<int64_t> version =
      ResolveVersion(store, RequestedVersion(*request));
  if (!version.ok()) return ToGrpcStatus(version.status());
  AllocationFilter filter;
  filter.version = *version;
  filter.symbol = OptionalText(request->symbol());
  if (request->unmatched_only()) {
    filter.kind = AllocationFilter::Kind::kUnmatchedOnly;
  }
  absl::Status scanned = store.ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        for (const StoredAllocation& s : page) {
          const Allocation& a = s.allocation;
          if (!request->sell_order_id().empty() &&
              a.sell_order_id != request->sell_order_id()) {
            continue;
          }
          if (!request->buy_order_id().empty() &&
              a.buy_order_id.value_or("") != request->buy_order_id()) {
            continue;
          }
          if (!writer->Write(AllocationToProto(s))) {
            return absl::CancelledError("the client stopped reading");
          }
        }
        return absl::OkStatus();
      });
  return ToGrpcStatus(scanned);
}

}  // namespace fifo
