#include "service/handlers.h"

#include <memory>

#include "common/status_macros.h"
#include "service/allocation_engine_service.h"
#include "service/allocation_validator_service.h"
#include "service/pnl_reports_service.h"
#include "service/review_queue_service.h"
#include "service/trade_ledger_service.h"

namespace fifo {

absl::StatusOr<ServiceHandlers> CreateServiceHandlers(
    const ServerConfig& config, const Authorizer* authorizer) {
  ServiceHandlers handlers;
  FIFO_ASSIGN_OR_RETURN(handlers.state, ServiceState::Open(config));
  ServiceState* state = handlers.state.get();
  handlers.services.push_back(
      std::make_unique<AllocationEngineService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<AllocationValidatorService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<PnlReportsService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<ReviewQueueService>(state, authorizer));
  handlers.services.push_back(
      std::make_unique<TradeLedgerService>(state, authorizer));
  return handlers;
}

}  // namespace fifo
