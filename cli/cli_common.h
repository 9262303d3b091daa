// File: cli/cli_common.h
//
// What every fifoctl subcommand shares: the global options, how a failed
// absl::Status becomes a message on stderr and an exit code, and output-file
// handling ("-" or empty means stdout).
#ifndef FIFO_CLI_CLI_COMMON_H_
#define FIFO_CLI_CLI_COMMON_H_

#include <fstream>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/status/statusor.h"
#include "engine/symbol_config.h"

namespace fifo::cli {

// Exit codes: 0 success, 1 the command failed (bad input, store error,
// violations found), 2 usage errors (unknown option or subcommand, missing
// argument; CLI11 prints the message).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
  // Store URL: sqlite:PATH or postgresql://...; empty means $FIFO_DB or
  // sqlite:fifo.db.
  std::string db;
  // Symbol configuration JSON; empty means $FIFO_SYMBOL_CONFIG or none.
  std::string symbol_config;
  // Remote mode (cli/remote_backend.h): talk to fifo_server at HOST:PORT
  // instead of a local store (--server; excludes --db).
  std::string server;
  // Bearer token sent with every call (--token, $FIFO_TOKEN); empty = none.
  // Never printed.
  std::string token;
  // PEM CA bundle to verify the server with; non-empty turns TLS on
  // (--tls-ca). Empty: plaintext.
  std::string tls_ca;
  // PEM client certificate chain (leaf first) and its unencrypted private
  // key, presented to a server that requires mutual TLS (--tls-cert,
  // --tls-key). Both or neither, and only with tls_ca (fifoctl_main.cc
  // makes anything else a usage error); empty: no client certificate.
  std::string tls_cert;
  std::string tls_key;
  // Deadline of every call (--timeout: "90s", "10m" or seconds); empty:
  // 10 minutes for long calls (import, compute, reports), 60 s otherwise.
  std::string timeout;
  // Slack-compatible webhook URL for unmatched-sell alerts of local
  // computations (--alert-webhook, $FIFO_ALERT_WEBHOOK); empty = none.
  std::string alert_webhook;
  bool quiet = false;
};

// A usage error found after parsing (option values CLI11 cannot check by
// itself, such as "exactly one of these flags"): kInvalidArgument marked so
// that ReportError exits kExitUsage, like CLI11's own usage errors.
absl::Status UsageError(absl::string_view message);

// Prints "fifoctl: <CODE>: <message>" to stderr and returns kExitFailure, or
// kExitUsage for a UsageError.
int ReportError(const absl::Status& status);

// Loads the symbol configuration named by --symbol-config or
// $FIFO_SYMBOL_CONFIG; an empty configuration (exact, no dust) when neither
// is set.
absl::StatusOr<SymbolConfigs> LoadSymbolConfigs(const GlobalOptions& global);

// A progress line's figures: "12/50 (24%), 3.1/s, ETA 13s" for `done` of
// `total` units after `elapsed` (rate and ETA left out until they mean
// something: at least one unit done and 100 ms elapsed). `total` <= 0:
// "12, 3.1/s".
std::string ProgressFigures(int64_t done, int64_t total, absl::Duration elapsed);

// For commands that only read: kNotFound naming the file when `url` is a
// SQLite store ("sqlite:PATH") whose file does not exist, so that a typo in
// --db (or a command run in the wrong directory) is told, instead of a new
// empty database being created there. OK for any other URL.
absl::Status RequireExistingSqliteFile(const std::string& url);

// An output stream for `path` ("" or "-" is stdout). Errors: kUnavailable
// when the file cannot be created.
class Output {
 public:
  static absl::StatusOr<std::unique_ptr<Output>> Open(const std::string& path);
  std::ostream& stream() { return file_ ? *file_ : std::cout; }
  // Flushes and reports a write error (disk full...) as kDataLoss.
  absl::Status Close();

 private:
  std::string path_;
  std::unique_ptr<std::ofstream> file_;
};

}  // namespace fifo::cli

#endif  // FIFO_CLI_CLI_COMMON_H_
