// AlertWebhook against a real HTTP server on 127.0.0.1 (a thread with a
// listening socket in this test), never a fake client.
#include "common/alert_webhook.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

// A one-connection-at-a-time HTTP/1.1 server. Answers request k with
// statuses[k] (200 once the list is used up), or never answers when `hang`.
class TinyHttpServer {
 public:
  struct Request {
    std::string method, path, content_type, body;
    absl::Time at;
  };

  explicit TinyHttpServer(std::vector<int> statuses, bool hang = false)
      : statuses_(std::move(statuses)), hang_(hang) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TinyHttpServer() {
    stop_.store(true);
    thread_.join();
    close(fd_);
  }

  std::string url(const std::string& path = "/services/T000/B000/secret") {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  int port() const { return port_; }

  std::vector<Request> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  // Waits for `fd` to be readable; false when stopping.
  bool WaitReadable(int fd) {
    while (!stop_.load()) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }

  void Serve() {
    size_t served = 0;
    while (WaitReadable(fd_)) {
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      std::string data;
      size_t header_end = std::string::npos;
      size_t content_length = 0;
      char buf[4096];
      while (true) {
        if (header_end != std::string::npos &&
            data.size() >= header_end + 4 + content_length) {
          break;
        }
        if (!WaitReadable(conn)) break;
        ssize_t n = read(conn, buf, sizeof(buf));
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end != std::string::npos) {
            std::string lower = absl::AsciiStrToLower(data.substr(0, header_end));
            size_t cl = lower.find("content-length:");
            if (cl != std::string::npos) {
              size_t eol = lower.find("\r\n", cl);
              std::string v = lower.substr(cl + 15, eol - cl - 15);
              absl::SimpleAtoi(absl::StripAsciiWhitespace(v), &content_length);
            }
          }
        }
      }
      Request r;
      r.at = absl::Now();
      if (header_end != std::string::npos) {
        const std::string head = data.substr(0, header_end);
        r.method = head.substr(0, head.find(' '));
        size_t p1 = head.find(' ') + 1;
        r.path = head.substr(p1, head.find(' ', p1) - p1);
        std::string lower = absl::AsciiStrToLower(head);
        size_t ct = lower.find("content-type:");
        if (ct != std::string::npos) {
          size_t eol = lower.find("\r\n", ct);
          r.content_type = std::string(absl::StripAsciiWhitespace(
              head.substr(ct + 13, eol == std::string::npos ? std::string::npos
                                                           : eol - ct - 13)));
        }
        r.body = data.substr(header_end + 4);
      }
      {
        absl::MutexLock lock(&mu_);
        requests_.push_back(r);
      }
      if (hang_) {
        while (!stop_.load()) absl::SleepFor(absl::Milliseconds(20));
        close(conn);
        continue;
      }
      const int status = served < statuses_.size() ? statuses_[served] : 200;
      ++served;
      const std::string reply = absl::StrCat(
          "HTTP/1.1 ", status, " X\r\nContent-Length: 2\r\nConnection: "
          "close\r\n\r\nok");
      (void)!write(conn, reply.data(), reply.size());
      close(conn);
    }
  }

  const std::vector<int> statuses_;
  const bool hang_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

AlertWebhookOptions Fast() {
  AlertWebhookOptions o;
  o.initial_backoff = absl::Milliseconds(10);
  o.connect_timeout = absl::Seconds(2);
  o.request_timeout = absl::Seconds(2);
  return o;
}

TEST(AlertWebhookTest, RetriesAServerErrorWithBackoffThenDelivers) {
  TinyHttpServer server({500});
  // Default options: 4 attempts, first wait 0.5 s.
  absl::StatusOr<std::unique_ptr<AlertWebhook>> webhook =
      AlertWebhook::Create(server.url());
  ASSERT_TRUE(webhook.ok()) << webhook.status();
  const std::string text = FormatAlertText(
      "Unmatched SELL: BTC-USD",
      "Sell SELL-9 has 0.5 unmatched. Manual investigation required.");
  const absl::Time start = absl::Now();
  (*webhook)->Post(text);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(100));  // never blocks
  ASSERT_TRUE((*webhook)->Flush(absl::Now() + absl::Seconds(10)));

  std::vector<TinyHttpServer::Request> got = server.requests();
  ASSERT_EQ(got.size(), 2u);  // 500, then 200
  for (const auto& r : got) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/services/T000/B000/secret");
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body,
              "{\"text\":\"*Unmatched SELL: BTC-USD*\\nSell SELL-9 has 0.5 "
              "unmatched. Manual investigation required.\"}");
  }
  EXPECT_GE(got[1].at - got[0].at, absl::Milliseconds(450));
  AlertWebhook::Stats stats = (*webhook)->stats();
  EXPECT_EQ(stats.posted, 1);
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.attempts, 2);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ((*webhook)->endpoint(),
            absl::StrCat("http://127.0.0.1:", server.port()));
}

TEST(AlertWebhookTest, AClientErrorIsNotRetried) {
  TinyHttpServer server({400, 200});
  auto webhook = AlertWebhook::Create(server.url(), Fast());
  ASSERT_TRUE(webhook.ok()) << webhook.status();
  (*webhook)->Post("x");
  ASSERT_TRUE((*webhook)->Flush(absl::Now() + absl::Seconds(10)));
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ((*webhook)->stats().failed, 1);
  EXPECT_EQ((*webhook)->stats().delivered, 0);
}

TEST(AlertWebhookTest, RateLimitIsRetried) {
  TinyHttpServer server({429, 503});
  auto webhook = AlertWebhook::Create(server.url(), Fast());
  ASSERT_TRUE(webhook.ok()) << webhook.status();
  (*webhook)->Post("x");
  ASSERT_TRUE((*webhook)->Flush(absl::Now() + absl::Seconds(10)));
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ((*webhook)->stats().delivered, 1);
}

TEST(AlertWebhookTest, GivesUpAfterMaxAttemptsAndGoesOn) {
  TinyHttpServer server({503, 503, 503, 200});
  AlertWebhookOptions options = Fast();
  options.max_attempts = 3;
  auto webhook = AlertWebhook::Create(server.url(), options);
  ASSERT_TRUE(webhook.ok()) << webhook.status();
  (*webhook)->Post("first");
  (*webhook)->Post("second");
  ASSERT_TRUE((*webhook)->Flush(absl::Now() + absl::Seconds(10)));
  std::vector<TinyHttpServer::Request> got = server.requests();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_TRUE(absl::StrContains(got[2].body, "first"));
  EXPECT_TRUE(absl::StrContains(got[3].body, "second"));  // in order
  AlertWebhook::Stats stats = (*webhook)->stats();
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.attempts, 4);
}

TEST(AlertWebhookTest, ConnectionErrorsAreRetried) {
  int port = 0;
  {
    TinyHttpServer closed({});
    port = closed.port();
  }  // nothing listens there any more
  AlertWebhookOptions options = Fast();
  options.max_attempts = 3;
  options.initial_backoff = absl::Milliseconds(50);
  auto webhook = AlertWebhook::Create(
      absl::StrCat("http://127.0.0.1:", port, "/hook"), options);
  ASSERT_TRUE(webhook.ok()) << webhook.status();
  const absl::Time start = absl::Now();
  (*webhook)->Post("x");
  ASSERT_TRUE((*webhook)->Flush(absl::Now() + absl::Seconds(10)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(150));  // 50 + 100
  AlertWebhook::Stats stats = (*webhook)->stats();
  EXPECT_EQ(stats.attempts, 3);
  EXPECT_EQ(stats.failed, 1);
}

TEST(AlertWebhookTest, PostNeverBlocksAndShutdownDoesNotWait) {
  TinyHttpServer server({}, /*hang=*/true);
  AlertWebhookOptions options = Fast();
  options.max_queue = 2;
  options.request_timeout = absl::Seconds(60);
  auto webhook = AlertWebhook::Create(server.url(), options);
  ASSERT_TRUE(webhook.ok()) << webhook.status();
  const absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) (*webhook)->Post(absl::StrCat("alert ", i));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(100));
  AlertWebhook::Stats stats = (*webhook)->stats();
  EXPECT_GE(stats.dropped, 2);  // queue of 2, one maybe already in flight
  EXPECT_LE(stats.dropped, 3);
  EXPECT_EQ(stats.posted + stats.dropped, 5);
  // A bounded flush gives up at its deadline.
  const absl::Time flush_start = absl::Now();
  EXPECT_FALSE((*webhook)->Flush(absl::Now() + absl::Milliseconds(200)));
  EXPECT_LT(absl::Now() - flush_start, absl::Seconds(2));
  // Destruction aborts the hanging request instead of waiting 60 s.
  const absl::Time stop_start = absl::Now();
  webhook->reset();
  EXPECT_LT(absl::Now() - stop_start, absl::Seconds(5));
}

TEST(AlertWebhookTest, OnlyHttpAndHttpsUrls) {
  for (const char* url :
       {"", "ftp://example.com/x", "file:///etc/passwd", "http://",
        "https:///path", "hooks.slack.com/services/x", "http://:80/x",
        "http://exa mple.com/"}) {
    absl::StatusOr<std::unique_ptr<AlertWebhook>> w = AlertWebhook::Create(url);
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
  auto w = AlertWebhook::Create(
      "HTTPS://user:pw@hooks.example.com:8443/services/TOKEN?x=1");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ((*w)->endpoint(), "https://hooks.example.com:8443");  // no secret
  AlertWebhookOptions bad;
  bad.max_attempts = 0;
  EXPECT_EQ(AlertWebhook::Create("http://h/", bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AlertWebhookTest, MessageIsSlackJson) {
  EXPECT_EQ(SlackMessageJson("a \"b\"\nc\\"),
            "{\"text\":\"a \\\"b\\\"\\nc\\\\\"}");
  EXPECT_EQ(FormatAlertText("T", "m"), "*T*\nm");
}

}  // namespace
}  // namespace fifo
