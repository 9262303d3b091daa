// File: common/alert_webhook.h
//
// Alerts for things a human must look at (design: "Unmatched Sells: Log +
// Alert + Manual Review"), sent to a Slack-compatible incoming webhook: an
// HTTP(S) POST of {"text": "..."} (Content-Type: application/json).
//
//   AlertSink     what producers see: Post(text) queues and returns at once.
//   AlertWebhook  the libcurl implementation: a bounded queue and one
//                 background thread that delivers alerts in order, retrying
//                 connection errors, timeouts, 5xx and 429 with exponential
//                 backoff (default 4 attempts: waits 0.5 s, 1 s, 2 s); any
//                 other status (4xx, 3xx) is not retried. An alert it gives
//                 up on, or drops because the queue is full, is logged at
//                 warning level (common/log.h) and counted in stats().
//
// Typical use (fifoctl --alert-webhook, the server's flag):
//
//   FIFO_ASSIGN_OR_RETURN(std::unique_ptr<AlertWebhook> webhook,
//                         AlertWebhook::Create(url));
//   Computations computations(store, configs, webhook.get());
//   ...
//   webhook->Flush(absl::Now() + absl::Seconds(20));  // at process end
//
// The webhook URL is a secret (Slack puts the token in the path): it is
// never logged or put in an error message; only its scheme and host are.
//
// Thread safety: AlertSink::Post and every AlertWebhook method are
// thread-safe. Destroying an AlertWebhook does not wait for pending alerts
// (call Flush first): it aborts the request in flight and drops the queue.
#ifndef FIFO_COMMON_ALERT_WEBHOOK_H_
#define FIFO_COMMON_ALERT_WEBHOOK_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace fifo {

// Receives alert texts. Implementations must not block the caller.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Queues `text` (Slack mrkdwn: "*bold*", new lines) for delivery and
  // returns at once; delivery failures are the sink's to report.
  virtual void Post(std::string text) = 0;
};

// "*<title>*\n<message>": a title line in bold, then the message.
std::string FormatAlertText(absl::string_view title, absl::string_view message);

// The request body: {"text":"<text, JSON-escaped>"}.
std::string SlackMessageJson(absl::string_view text);

struct AlertWebhookOptions {
  int max_attempts = 4;                                // >= 1
  absl::Duration initial_backoff = absl::Milliseconds(500);  // then doubles
  absl::Duration connect_timeout = absl::Seconds(3);   // per attempt
  absl::Duration request_timeout = absl::Seconds(5);   // per attempt, total
  size_t max_queue = 100;  // pending alerts beyond this are dropped (>= 1)
};

class AlertWebhook : public AlertSink {
 public:
  // Starts the delivery thread. Errors: kInvalidArgument when `url` is not
  // an http:// or https:// URL with a host, or an option is out of range.
  static absl::StatusOr<std::unique_ptr<AlertWebhook>> Create(
      const std::string& url, AlertWebhookOptions options = {});

  ~AlertWebhook() override;
  AlertWebhook(const AlertWebhook&) = delete;
  AlertWebhook& operator=(const AlertWebhook&) = delete;

  // Never blocks: queues `text`, or drops it (logged, counted) when the
  // queue is full or the webhook is shutting down.
  void Post(std::string text) override;

  // Waits until every alert posted so far has been delivered or given up
  // on, or until `deadline`. True when nothing is pending any more.
  bool Flush(absl::Time deadline);

  struct Stats {
    int64_t posted = 0;     // accepted into the queue
    int64_t delivered = 0;  // answered with 2xx
    int64_t failed = 0;     // given up on (attempts exhausted, or not retryable)
    int64_t dropped = 0;    // not accepted, or abandoned at destruction
    int64_t attempts = 0;   // HTTP requests tried, retries included
  };
  Stats stats() const;

  // "https://example.com" for the URL given to Create (no path, no
  // credentials): safe to log.
  const std::string& endpoint() const { return endpoint_; }

 private:
  AlertWebhook(std::string url, std::string endpoint,
               AlertWebhookOptions options);

  enum class Outcome { kDelivered, kRetry, kFail, kAborted };
  void Run();
  void Deliver(const std::string& text);
  Outcome SendOnce(const std::string& body, std::string* detail);
  static int AbortCallback(void* self, long long, long long, long long,  // NOLINT
                           long long);                                  // NOLINT

  const std::string url_;
  const std::string endpoint_;
  const AlertWebhookOptions options_;

  mutable absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  bool in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  // Set by the destructor; read by libcurl's progress callback.
  std::atomic<bool> abort_{false};
  std::thread thread_;
};

}  // namespace fifo

#endif  // FIFO_COMMON_ALERT_WEBHOOK_H_
