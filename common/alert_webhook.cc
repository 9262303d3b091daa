#include "common/alert_webhook.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"

namespace fifo {
namespace {

size_t DiscardBody(char* /*data*/, size_t size, size_t count, void* /*user*/) {
  return size * count;
}

// scheme://host[:port] of an http(s) URL, or "" when it is not one.
std::string EndpointOf(const std::string& url) {
  const std::string lower = absl::AsciiStrToLower(url);
  std::string scheme;
  if (absl::StartsWith(lower, "http://")) {
    scheme = "http";
  } else if (absl::StartsWith(lower, "https://")) {
    scheme = "https";
  } else {
    return "";
  }
  std::string rest = url.substr(scheme.size() + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = rest.rfind('@');  // drop user:password@
  if (at != std::string::npos) rest = rest.substr(at + 1);
  if (rest.empty() || rest.front() == ':') return "";
  for (char c : rest) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return "";
  }
  return absl::StrCat(scheme, "://", rest);
}

}  // namespace

std::string FormatAlertText(absl::string_view title,
                            absl::string_view message) {
  return absl::StrCat("*", title, "*\n", message);
}

std::string SlackMessageJson(absl::string_view text) {
  return absl::StrCat("{\"text\":\"", JsonEscape(text), "\"}");
}

absl::StatusOr<std::unique_ptr<AlertWebhook>> AlertWebhook::Create(
    const std::string& url, AlertWebhookOptions options) {
  std::string endpoint = EndpointOf(url);
  if (endpoint.empty()) {
    // Never echo the URL: it may carry a token.
    return absl::InvalidArgumentError(
        "alert webhook: the URL must be http:// or https:// with a host");
  }
  if (options.max_attempts < 1 || options.max_queue < 1 ||
      options.initial_backoff < absl::ZeroDuration() ||
      options.connect_timeout <= absl::ZeroDuration() ||
      options.request_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "alert webhook: max_attempts and max_queue must be >= 1, timeouts "
        "positive, backoff not negative");
  }
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::unique_ptr<AlertWebhook>(
      new AlertWebhook(url, std::move(endpoint), options));
}

AlertWebhook::AlertWebhook(std::string url, std::string endpoint,
                           AlertWebhookOptions options)
    : url_(std::move(url)),
      endpoint_(std::move(endpoint)),
      options_(options),
      thread_([this] { Run(); }) {}

AlertWebhook::~AlertWebhook() {
  int64_t abandoned = 0;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    abandoned = static_cast<int64_t>(queue_.size()) + (in_flight_ ? 1 : 0);
  }
  abort_.store(true);
  thread_.join();
  if (abandoned > 0) {
    LogEvent(LogLevel::kWarning, "alert_webhook_abandoned",
             {{"endpoint", endpoint_},
              {"alerts", abandoned},
              {"reason", "shut down before delivery (not flushed)"}});
  }
}

void AlertWebhook::Post(std::string text) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_ && queue_.size() < options_.max_queue) {
      queue_.push_back(std::move(text));
      ++stats_.posted;
      return;
    }
    ++stats_.dropped;
  }
  LogEvent(LogLevel::kWarning, "alert_webhook_dropped",
           {{"endpoint", endpoint_},
            {"reason", "alert queue full"},
            {"max_queue", options_.max_queue}});
}

bool AlertWebhook::Flush(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.empty() && !in_flight_;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&idle), deadline);
}

AlertWebhook::Stats AlertWebhook::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void AlertWebhook::Run() {
  while (true) {
    std::string text;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) {
        stats_.dropped += static_cast<int64_t>(queue_.size());
        queue_.clear();
        return;
      }
      text = std::move(queue_.front());
      queue_.pop_front();
      in_flight_ = true;
    }
    Deliver(text);
    absl::MutexLock lock(&mu_);
    in_flight_ = false;
  }
}

void AlertWebhook::Deliver(const std::string& text) {
  const std::string body = SlackMessageJson(text);
  absl::Duration backoff = options_.initial_backoff;
  std::string detail;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    {
      absl::MutexLock lock(&mu_);
      ++stats_.attempts;
    }
    const Outcome outcome = SendOnce(body, &detail);
    if (outcome == Outcome::kDelivered) {
      absl::MutexLock lock(&mu_);
      ++stats_.delivered;
      return;
    }
    if (outcome == Outcome::kAborted) {
      absl::MutexLock lock(&mu_);
      ++stats_.dropped;
      return;
    }
    if (outcome == Outcome::kFail || attempt == options_.max_attempts) {
      {
        absl::MutexLock lock(&mu_);
        ++stats_.failed;
      }
      LogEvent(LogLevel::kWarning, "alert_webhook_failed",
               {{"endpoint", endpoint_},
                {"attempts", attempt},
                {"error", detail},
                {"retryable", outcome == Outcome::kRetry ? "true" : "false"}});
      return;
    }
    // Wait before the next attempt; the destructor cuts the wait short.
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_;
    };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), backoff)) {
      ++stats_.dropped;
      return;
    }
    backoff *= 2;
  }
}

int AlertWebhook::AbortCallback(void* self, long long, long long,  // NOLINT
                                long long, long long) {            // NOLINT
  return static_cast<AlertWebhook*>(self)->abort_.load() ? 1 : 0;
}

AlertWebhook::Outcome AlertWebhook::SendOnce(const std::string& body,
                                             std::string* detail) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    *detail = "curl_easy_init failed";
    return Outcome::kRetry;
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers =
      curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE,
                   static_cast<long>(body.size()));  // NOLINT
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(  // NOLINT
                       absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(  // NOLINT
                       absl::ToInt64Milliseconds(options_.request_timeout)));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &DiscardBody);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &AbortCallback);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;  // NOLINT(runtime/int): libcurl's type.
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  if (code == CURLE_ABORTED_BY_CALLBACK) {
    *detail = "aborted at shutdown";
    return Outcome::kAborted;
  }
  if (code != CURLE_OK) {
    // The URL is never part of the message (error buffer texts name the
    // host at most).
    *detail = absl::StrCat("curl error ", static_cast<int>(code), ": ",
                           error[0] != '\0' ? error : curl_easy_strerror(code));
    return Outcome::kRetry;
  }
  *detail = absl::StrCat("HTTP ", status);
  if (status >= 200 && status < 300) return Outcome::kDelivered;
  if (status >= 500 || status == 429) return Outcome::kRetry;
  return Outcome::kFail;
}

}  // namespace fifo
