#include "service/service_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "core/open_store.h"
#include "formats/symbol_config_json.h"

namespace fifo {

absl::StatusOr<std::unique_ptr<ServiceState>> ServiceState::Open(
    const ServerConfig& config) {
  if (config.db_url.empty()) {
    return absl::InvalidArgumentError("--db must not be empty");
  }
  std::unique_ptr<ServiceState> state(new ServiceState());
  state->db_url_ = config.db_url;
  if (!config.symbol_config_path.empty()) {
    FIFO_ASSIGN_OR_RETURN(state->configs_,
                          ReadSymbolConfigFile(config.symbol_config_path));
  }
  if (!config.alert_webhook_url.empty()) {
    FIFO_ASSIGN_OR_RETURN(state->alerts_,
                          AlertWebhook::Create(config.alert_webhook_url));
  }
  const int connections = std::max(1, config.store_connections);
  for (int i = 0; i < connections; ++i) {
    // The first store checks the schema (and migrates an empty SQLite
    // file) before the others are opened.
    FIFO_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> store,
                          i == 0 ? OpenStoreForUse(config.db_url)
                                 : OpenLedgerStore(config.db_url));
    if (i == 0) {
      MarkAbandonedRuns(*store, "start");  // the sweep retries a failure
    }
    Slot slot;
    slot.computations = std::make_unique<Computations>(
        store.get(), state->configs_, state->alerts_.get());
    slot.store = std::move(store);
    state->slots_.push_back(std::move(slot));
  }
  if (state->slots_.front().store->dialect() == "sqlite") {
    state->writer_queue_ = std::make_unique<WriterQueue>();
  }
  FIFO_ASSIGN_OR_RETURN(state->sweep_store_, OpenLedgerStore(config.db_url));
  ServiceState* raw = state.get();
  state->sweeper_ = std::thread([raw] { raw->SweepAbandonedRuns(); });
  return state;
}

ServiceState::~ServiceState() {
  // Before any member goes: the sweep uses sweep_store_.
  stop_sweep_.Notify();
  if (sweeper_.joinable()) sweeper_.join();
  if (alerts_ != nullptr) alerts_->Flush(absl::Now() + absl::Seconds(10));
}

void ServiceState::MarkAbandonedRuns(LedgerStore& store,
                                     absl::string_view what) {
  absl::StatusOr<int64_t> marked = store.MarkAbandonedRuns();
  if (!marked.ok()) {
    LogEvent(LogLevel::kWarning, "mark_abandoned_runs_failed",
             {{"before", std::string(what)},
              {"error", std::string(marked.status().message())}});
  } else if (*marked > 0) {
    LogEvent(LogLevel::kWarning, "abandoned_runs_marked",
             {{"before", std::string(what)}, {"runs", *marked}});
  }
}

// The sweep thread: marks abandoned runs every kAbandonedRunSweep until the
// destructor notifies stop_sweep_ (a sweep in progress finishes first; on
// SQLite it waits at most ~2 s for the write lock). It is the only user of
// sweep_store_, so it never contends with the handlers' pooled stores. A
// failure that repeats (e.g. a read-only database) is logged once, until a
// sweep succeeds again.
void ServiceState::SweepAbandonedRuns() {
  std::string last_error;
  while (!stop_sweep_.WaitForNotificationWithTimeout(kAbandonedRunSweep)) {
    absl::StatusOr<int64_t> marked = sweep_store_->MarkAbandonedRuns();
    if (!marked.ok()) {
      const std::string error(marked.status().message());
      if (error != last_error) {
        LogEvent(LogLevel::kWarning, "mark_abandoned_runs_failed",
                 {{"before", "sweep"}, {"error", error}});
      }
      last_error = error;
      continue;
    }
    last_error.clear();
    if (*marked > 0) {
      LogEvent(LogLevel::kWarning, "abandoned_runs_marked",
               {{"before", "sweep"}, {"runs", *marked}});
    }
  }
}

absl::StatusOr<WriterQueue::Turn> ServiceState::WriterTurn(
    grpc::ServerContext* context) {
  if (writer_queue_ == nullptr) return WriterQueue::Turn();
  return writer_queue_->Wait([context] { return context->IsCancelled(); });
}

absl::StatusOr<std::unique_ptr<LedgerStore>> ServiceState::OpenDedicatedStore()
    const {
  return OpenLedgerStore(db_url_);
}

ServiceState::Slot& ServiceState::Next() {
  return slots_[next_.fetch_add(1, std::memory_order_relaxed) % slots_.size()];
}

}  // namespace fifo
