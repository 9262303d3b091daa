// File: service/metrics/http_listener.h
//
// fifo_server's HTTP listener (--http-listen HOST:PORT), on Debian's
// cpp-httplib: GET /metrics answers ServerMetrics::Scrape() in the
// Prometheus text format. It is the listener a future web dashboard shares.
// Read-only and unauthenticated: it serves aggregate counts only (no
// symbol, order or token ever appears in a metric).
//
// Thread safety: Start and Stop from one thread; requests are served on
// the listener's own threads.
#ifndef FIFO_SERVICE_METRICS_HTTP_LISTENER_H_
#define FIFO_SERVICE_METRICS_HTTP_LISTENER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "service/metrics/metrics.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace fifo {

class HttpListener {
 public:
  // REQUIRES: `metrics` outlives the listener.
  explicit HttpListener(ServerMetrics* metrics);
  // Stops the listener if it runs.
  ~HttpListener();

  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds HOST:PORT (port 0: a free port) and serves on a thread of its
  // own. Returns the bound "HOST:PORT". Errors: kInvalidArgument for an
  // address that is not HOST:PORT, kUnavailable when it cannot be bound.
  absl::StatusOr<std::string> Start(const std::string& address);

  // Stops accepting and waits for the serving thread. Idempotent.
  void Stop();

 private:
  ServerMetrics* const metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace fifo

#endif  // FIFO_SERVICE_METRICS_HTTP_LISTENER_H_
