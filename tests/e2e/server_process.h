// File: tests/e2e/server_process.h
//
// End-to-end harness: runs the real //service:fifo_server binary (a data
// dependency of the test) as a child process, the way production does.
//
//   ServerOptions options;
//   options.flags = {"--token-file=" + path};
//   absl::StatusOr<std::unique_ptr<ServerProcess>> server =
//       ServerProcess::Start(options);
//   ASSERT_TRUE(server.ok()) << server.status();
//   auto stub = fifo::v1::TradeLedger::NewStub((*server)->NewChannel());
//
// Start() gives the server a fresh store (a new SQLite file under
// TEST_TMPDIR, or a new database on the PostgreSQL server named by
// FIFO_TEST_POSTGRES_URL), lets it pick a free port (--listen=127.0.0.1:0),
// reads the "fifo_server listening on ADDRESS" line from its stdout, and
// returns once the gRPC health check answers SERVING. The server's stderr
// goes to a file; Logs() returns it, and the destructor prints it when the
// current test has failed. The destructor stops the server (SIGTERM, then
// SIGKILL after a timeout) and drops the PostgreSQL database.
//
// The child's environment is the test's, minus FIFO_DB and FIFO_TOKENS (so
// an outer setting cannot leak in), plus ServerOptions::env.
//
// Thread safety: a ServerProcess is not thread-safe; NewChannel() may be
// called from any thread.
#ifndef FIFO_TESTS_E2E_SERVER_PROCESS_H_
#define FIFO_TESTS_E2E_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace fifo {
namespace e2e {

enum class Backend { kSqlite, kPostgres };

// "sqlite" / "postgres" (usable in test names).
std::string BackendName(Backend backend);

// kSqlite, and kPostgres when FIFO_TEST_POSTGRES_URL is set and non-empty.
std::vector<Backend> AvailableBackends();

// Path of the fifo_server binary in the test's runfiles.
std::string FifoServerPath();

// A fresh directory under TEST_TMPDIR (or /tmp).
std::string NewTempDir(const std::string& prefix);

struct ServerOptions {
  Backend backend = Backend::kSqlite;
  // Appended after --listen and --db (a later flag wins in Abseil).
  std::vector<std::string> flags;
  // Extra environment variables for the server.
  std::vector<std::pair<std::string, std::string>> env;
  std::string listen = "127.0.0.1:0";
  // What the harness (health wait, NewChannel()) dials with; null means
  // plaintext. Use TLS credentials for a TLS server.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Time for the whole start: process, listening line and SERVING.
  absl::Duration start_timeout = absl::Seconds(30);
};

class ServerProcess {
 public:
  // Starts and waits until SERVING. Errors: kUnavailable when the server
  // exits or does not become SERVING in time (the message includes its
  // stderr); kFailedPrecondition when the binary or PostgreSQL is missing;
  // kInternal when a system call fails.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      ServerOptions options);

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Stops the server if it still runs, drops its PostgreSQL database, and
  // prints its log when the current test has failed.
  ~ServerProcess();

  // "127.0.0.1:PORT" as printed by the server.
  const std::string& address() const { return address_; }
  // The --db the server got.
  const std::string& db_url() const { return db_url_; }
  pid_t pid() const { return pid_; }

  // A channel to the server with the options' credentials (or `credentials`
  // and `args` when given).
  std::shared_ptr<grpc::Channel> NewChannel() const;
  std::shared_ptr<grpc::Channel> NewChannel(
      std::shared_ptr<grpc::ChannelCredentials> credentials,
      const grpc::ChannelArguments& args = grpc::ChannelArguments()) const;

  // Sends `signal_number` (SIGTERM by default) and waits up to `timeout` for
  // the process to exit, then SIGKILLs it. Returns the exit code, or 128 +
  // signal when a signal ended it. kFailedPrecondition when already stopped.
  absl::StatusOr<int> Stop(absl::Duration timeout = absl::Seconds(20),
                           int signal_number = 15);

  // Waits up to `timeout` for the process to exit by itself (after a signal
  // the test sent with kill(pid(), ...)), then SIGKILLs it. Returns as Stop.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // Everything the server wrote to stderr so far.
  std::string Logs() const;

 private:
  ServerProcess() = default;

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string address_;
  std::string db_url_;
  std::string log_path_;
  std::string postgres_admin_url_;  // set when a database must be dropped
  std::string postgres_database_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
};

// What a server run to completion left behind.
struct ExitResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string logs;    // stderr
  std::string stdout_text;
};

// Runs fifo_server with `flags` (and a temp SQLite store unless a --db flag
// is given) until it exits by itself, for start-up failures. kDeadlineExceeded
// (after killing it) when it is still running after `timeout`.
absl::StatusOr<ExitResult> RunServerToExit(
    const std::vector<std::string>& flags,
    const std::vector<std::pair<std::string, std::string>>& env = {},
    absl::Duration timeout = absl::Seconds(20));

// Writes `text` to a new file under TEST_TMPDIR with mode 0600; returns its
// path.
std::string WriteTempFile(const std::string& name, const std::string& text);

}  // namespace e2e
}  // namespace fifo

#endif  // FIFO_TESTS_E2E_SERVER_PROCESS_H_
