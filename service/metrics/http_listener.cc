#include "service/metrics/http_listener.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace fifo {

HttpListener::HttpListener(ServerMetrics* metrics)
    : metrics_(metrics), server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [this](const httplib::Request&,
                                  httplib::Response& response) {
    response.set_content(metrics_->Scrape(),
                         "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("fifo_server: metrics at /metrics\n",
                         "text/plain; charset=utf-8");
  });
}

HttpListener::~HttpListener() { Stop(); }

absl::StatusOr<std::string> HttpListener::Start(const std::string& address) {
  // HOST:PORT, with [v6] in brackets.
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http-listen: want HOST:PORT (e.g. 127.0.0.1:9090), got \"", address,
        "\""));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (port == 0) {
    port = server_->bind_to_any_port(host);
    if (port < 0) {
      return absl::UnavailableError(
          absl::StrCat("--http-listen: cannot bind ", address));
    }
  } else if (!server_->bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat(
        "--http-listen: cannot bind ", address, " (in use, or not an address "
        "of this machine)"));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  const bool v6 = host.find(':') != std::string::npos;
  return v6 ? absl::StrCat("[", host, "]:", port) : absl::StrCat(host, ":", port);
}

void HttpListener::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace fifo
