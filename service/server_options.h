// File: service/server_options.h
//
// What fifo_server needs to decide before it listens, as small pure
// functions: where to listen, whether that address is loopback, whether it
// may run without authentication there, which address it finally bound, and
// how its command line is spelled.
//
// Listen addresses: "HOST:PORT" where HOST is an IPv4 address, a bracketed
// IPv6 address ("[::1]:50051") or a host name, and PORT is 0..65535 (0 lets
// the kernel choose); or "unix:PATH" for a Unix domain socket. Loopback
// means 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104, the name "localhost", or a
// Unix socket. A wildcard ("0.0.0.0", "[::]", "") or any other host name is
// not loopback.
//
// Policy (the rule): without tokens the server listens only on
// loopback; with tokens anywhere.
//
// Thread safety: pure functions.
#ifndef FIFO_SERVICE_SERVER_OPTIONS_H_
#define FIFO_SERVICE_SERVER_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fifo {

// The default of --listen.
inline constexpr absl::string_view kDefaultListenAddress = "127.0.0.1:50051";

struct ListenAddress {
  std::string text;  // as given
  bool unix_socket = false;
  std::string host;        // without brackets; empty for a wildcard or unix
  bool bracketed = false;  // host was written "[...]" (IPv6)
  int port = 0;            // 0: chosen by the kernel (unused for unix)
};

// Parses a listen address. kInvalidArgument (naming the text) for a missing
// or non-numeric port, a port above 65535, an unclosed bracket, or an empty
// unix path.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text);

// True for loopback addresses (see the file comment).
bool IsLoopback(const ListenAddress& address);

// kFailedPrecondition when `address` is not loopback and `authenticated` is
// false; the message says how to fix it.
absl::Status CheckListenPolicy(const ListenAddress& address,
                               bool authenticated);

// The address clients can dial once the server has bound `selected_port`:
// the text with its port replaced ("127.0.0.1:0" -> "127.0.0.1:43121",
// "[::1]:0" -> "[::1]:43121"); a unix address unchanged.
std::string BoundAddress(const ListenAddress& address, int selected_port);

// Abseil flag names cannot contain '-', but the documented spelling is
// "--token-file": turns "--token-file=x" / "--token-file" into
// "--token_file=x" / "--token_file" (and likewise with one leading '-').
// Only the name part changes; values, positional arguments and everything
// after a bare "--" stay as they are.
std::vector<std::string> NormalizeFlagNames(
    const std::vector<std::string>& args);

}  // namespace fifo

#endif  // FIFO_SERVICE_SERVER_OPTIONS_H_
