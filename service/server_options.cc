#include "service/server_options.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace fifo {

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text) {
  ListenAddress address;
  address.text = std::string(text);
  if (absl::StartsWith(text, "unix:")) {
    if (text.size() == 5) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", text, "\": empty unix path"));
    }
    address.unix_socket = true;
    return address;
  }
  absl::string_view port_text;
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", text, "\": unclosed '['"));
    }
    address.host = std::string(text.substr(1, close - 1));
    address.bracketed = true;
    absl::string_view rest = text.substr(close + 1);
    if (!absl::StartsWith(rest, ":")) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", text, "\": want [IPV6]:PORT"));
    }
    port_text = rest.substr(1);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen address \"", text, "\": want HOST:PORT or unix:PATH"));
    }
    address.host = std::string(text.substr(0, colon));
    if (address.host.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen address \"", text,
          "\": write an IPv6 address in brackets, e.g. [::1]:50051"));
    }
    port_text = text.substr(colon + 1);
  }
  int port = -1;
  if (port_text.empty() ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(port_text, &port) || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", text,
                     "\": the port must be a number from 0 to 65535"));
  }
  address.port = port;
  return address;
}

bool IsLoopback(const ListenAddress& address) {
  if (address.unix_socket) return true;
  const std::string host = absl::AsciiStrToLower(address.host);
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;  // a wildcard or another host name
}

absl::Status CheckListenPolicy(const ListenAddress& address,
                               bool authenticated) {
  if (authenticated || IsLoopback(address)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to listen on non-loopback address ", address.text,
      " without authentication: give --token-file (or FIFO_TOKENS), or "
      "listen on 127.0.0.1"));
}

std::string BoundAddress(const ListenAddress& address, int selected_port) {
  if (address.unix_socket) return address.text;
  const std::string host =
      address.bracketed ? absl::StrCat("[", address.host, "]") : address.host;
  return absl::StrCat(host, ":", selected_port);
}

std::vector<std::string> NormalizeFlagNames(
    const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  bool after_terminator = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (i > 0 && !after_terminator) {
      if (arg == "--") {
        after_terminator = true;
      } else if (arg.size() > 1 && arg[0] == '-') {
        const size_t dashes = arg.size() > 2 && arg[1] == '-' ? 2 : 1;
        const size_t name_end = std::min(arg.find('='), arg.size());
        std::replace(arg.begin() + dashes, arg.begin() + name_end, '-', '_');
      }
    }
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace fifo
