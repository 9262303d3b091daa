// File: service/service_state.h
//
// ServiceState: what every fifo.v1 service of one fifo_server shares. A pool
// of store connections (each with its Computations over the same symbol
// configuration), the SQLite writer turn (service/writer_queue.h), the
// abandoned-run sweep thread, and dedicated stores for long calls. The
// handlers (service/*_service.h) hold a pointer to it; CreateServiceHandlers
// (service/handlers.h) owns it.
//
// Thread safety: thread-safe. Each LedgerStore serialises its own calls and
// the pool spreads concurrent calls over several connections; Next(),
// WriterTurn() and OpenDedicatedStore() may be called concurrently from any
// handler thread. The sweep thread uses a store of its own.
#ifndef FIFO_SERVICE_SERVICE_STATE_H_
#define FIFO_SERVICE_SERVICE_STATE_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>  // NOLINT(build/c++11): the abandoned-run sweep.
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/alert_webhook.h"
#include "core/computations.h"
#include "engine/symbol_config.h"
#include "grpcpp/server_context.h"
#include "service/writer_queue.h"
#include "storage/ledger_store.h"

namespace fifo {

// What fifo_server hands to the handlers (from its flags).
struct ServerConfig {
  std::string db_url;              // --db
  std::string symbol_config_path;  // --symbol-config; empty: exact defaults
  int store_connections = 4;       // size of the store pool
  // --alert-webhook: where unmatched sells are announced; empty: no alerts.
  std::string alert_webhook_url;
};

// State shared by every handler: a pool of store connections, each with its
// Computations over the same symbol configuration.
class ServiceState {
 public:
  // Opens `config.store_connections` stores on `config.db_url`, checks the
  // schema is current (FAILED_PRECONDITION: run `fifoctl migrate`; an empty
  // SQLite file is migrated: OpenStoreForUse, core/open_store.h), marks
  // abandoned runs failed, and loads the symbol configuration. Then starts the
  // abandoned-run sweep: a thread that calls LedgerStore::MarkAbandonedRuns
  // every kAbandonedRunSweep on a store connection of its own, so that this
  // replica marks the runs of dead processes (other replicas, fifoctl)
  // failed/abandoned even when nobody reads runs; the destructor stops it.
  // Errors: kInvalidArgument for an empty db_url or a bad symbol configuration;
  // store errors.
  static absl::StatusOr<std::unique_ptr<ServiceState>> Open(
      const ServerConfig& config);

  struct Slot {
    std::unique_ptr<LedgerStore> store;
    std::unique_ptr<Computations> computations;
  };

  // A slot for one call, round robin.
  Slot& Next();

  // Waits, first come first served, until this server's earlier writers
  // (computations, imports) are done, when the store lets one writer in at
  // a time (SQLite; see service/writer_queue.h). Returns an empty turn at
  // once for PostgreSQL, whose runs proceed concurrently. CANCELLED when the
  // call is cancelled (or its deadline passes) while waiting.
  absl::StatusOr<WriterQueue::Turn> WriterTurn(grpc::ServerContext* context);
  const SymbolConfigs& configs() const { return configs_; }

  // A store of its own for one long call (a streamed import), so that the
  // call does not hold a pooled connection that other calls wait for.
  absl::StatusOr<std::unique_ptr<LedgerStore>> OpenDedicatedStore() const;

  static constexpr absl::Duration kAbandonedRunSweep = absl::Seconds(10);

  // Calls store.MarkAbandonedRuns() before `what` (e.g. "GetComputation")
  // reads runs, so that a dead process's run is never answered as running.
  // Best effort: a failure (read-only database, write lock busy) is logged
  // and the read goes on; so is a run marked.
  static void MarkAbandonedRuns(LedgerStore& store, absl::string_view what);

  // Stops the abandoned-run sweep (waits for a sweep in progress), then
  // delivers queued alerts for up to `grace` (at shutdown).
  ~ServiceState();

 private:
  ServiceState() = default;
  std::string db_url_;
  SymbolConfigs configs_;
  std::unique_ptr<AlertWebhook> alerts_;  // null without --alert-webhook
  std::vector<Slot> slots_;
  std::atomic<size_t> next_{0};
  std::unique_ptr<WriterQueue> writer_queue_;  // null unless SQLite
  // The abandoned-run sweep (Open): its own store, so that a sweep waiting
  // for SQLite's write lock never holds up a pooled connection; stopped by
  // stop_sweep_ and joined in the destructor.
  void SweepAbandonedRuns();
  std::unique_ptr<LedgerStore> sweep_store_;
  absl::Notification stop_sweep_;
  std::thread sweeper_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_SERVICE_STATE_H_
