#include "tests/e2e/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/ledger_store.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "libpq-fe.h"

extern char** environ;

namespace fifo {
namespace e2e {
namespace {

constexpr char kListeningPrefix[] = "fifo_server listening on ";

std::atomic<int> g_counter{0};

std::string TempRoot() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// Unique across the test processes that share one PostgreSQL server: in
// Bazel's sandbox every test has the same pid (its own pid namespace), so
// the pid alone would give parallel tests the same database names.
std::string UniqueSuffix() {
  static const std::string* const process = [] {
    std::random_device device;
    return new std::string(absl::StrCat(
        getpid(), "_", absl::Hex(device() ^ static_cast<uint32_t>(
                                     absl::ToUnixNanos(absl::Now())))));
  }();
  return absl::StrCat(*process, "_", g_counter.fetch_add(1));
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Waits for `pid` until `deadline`; the exit code, or nullopt on timeout.
std::optional<int> WaitUntil(pid_t pid, absl::Time deadline) {
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return ExitCodeOf(status);
    if (done < 0 && errno != EINTR) return -1;
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

struct Child {
  pid_t pid = -1;
  int stdout_fd = -1;
};

// fork/exec of fifo_server with `args` (argv[1..]); stdout to a pipe,
// stderr to `log_path`, stdin from /dev/null. The child gets SIGKILL if the
// test thread that started it dies first.
absl::StatusOr<Child> Spawn(
    const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& env,
    const std::string& log_path) {
  const std::string binary = FifoServerPath();
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("fifo_server not found at ", binary));
  }
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());

  std::set<std::string> replaced = {"FIFO_DB", "FIFO_TOKENS"};
  for (const auto& [key, value] : env) replaced.insert(key);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    const std::string key(entry.substr(0, entry.find('=')));
    if (replaced.count(key) == 0) env_storage.emplace_back(entry);
  }
  for (const auto& [key, value] : env) {
    env_storage.push_back(absl::StrCat(key, "=", value));
  }

  std::vector<char*> argv, envp;
  for (std::string& s : argv_storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (std::string& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", strerror(errno)));
  }
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    return absl::InternalError(
        absl::StrCat("open ", log_path, ": ", strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to execve.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(null_fd, STDIN_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // The parent may block these (it does not, but be safe).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  close(log_fd);
  close(null_fd);
  return Child{pid, pipe_fds[0]};
}

// "postgresql://u@h:p/db?x" with the database replaced by `database`.
absl::StatusOr<std::string> WithDatabase(const std::string& url,
                                         const std::string& database) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos || !(absl::StartsWith(url, "postgresql://") ||
                                       absl::StartsWith(url, "postgres://"))) {
    return absl::FailedPreconditionError(
        "FIFO_TEST_POSTGRES_URL must be a postgresql:// URL");
  }
  const size_t query = url.find('?', scheme + 3);
  const std::string params =
      query == std::string::npos ? "" : url.substr(query);
  const std::string before_query = url.substr(0, query);
  const size_t slash = before_query.find('/', scheme + 3);
  const std::string authority = before_query.substr(0, slash);
  return absl::StrCat(authority, "/", database, params);
}

absl::Status PostgresExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status error = absl::FailedPreconditionError(absl::StrCat(
        "cannot connect to FIFO_TEST_POSTGRES_URL: ", PQerrorMessage(conn)));
    PQfinish(conn);
    return error;
  }
  PGresult* result = PQexec(conn, sql.c_str());
  absl::Status status = absl::OkStatus();
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    status = absl::InternalError(
        absl::StrCat(sql, ": ", PQresultErrorMessage(result)));
  }
  PQclear(result);
  PQfinish(conn);
  return status;
}

}  // namespace

std::string BackendName(Backend backend) {
  return backend == Backend::kPostgres ? "postgres" : "sqlite";
}

std::vector<Backend> AvailableBackends() {
  std::vector<Backend> backends = {Backend::kSqlite};
  const char* url = std::getenv("FIFO_TEST_POSTGRES_URL");
  if (url != nullptr && *url != '\0') backends.push_back(Backend::kPostgres);
  return backends;
}

std::string FifoServerPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return absl::StrCat(srcdir, "/", workspace, "/service/fifo_server");
  }
  return "service/fifo_server";  // `bazel run` or a manual run from runfiles
}

std::string NewTempDir(const std::string& prefix) {
  const std::string dir =
      absl::StrCat(TempRoot(), "/", prefix, "_", UniqueSuffix());
  mkdir(dir.c_str(), 0700);
  return dir;
}

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path =
      absl::StrCat(TempRoot(), "/", UniqueSuffix(), "_", name);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  chmod(path.c_str(), 0600);
  return path;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    ServerOptions options) {
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  const std::string suffix = UniqueSuffix();
  server->log_path_ =
      absl::StrCat(TempRoot(), "/fifo_server_", suffix, ".stderr");
  server->credentials_ = options.credentials != nullptr
                             ? options.credentials
                             : grpc::InsecureChannelCredentials();

  if (options.backend == Backend::kPostgres) {
    const char* admin = std::getenv("FIFO_TEST_POSTGRES_URL");
    if (admin == nullptr || *admin == '\0') {
      return absl::FailedPreconditionError("FIFO_TEST_POSTGRES_URL is unset");
    }
    const std::string database = absl::StrCat("fifo_e2e_", suffix);
    absl::StatusOr<std::string> url = WithDatabase(admin, database);
    if (!url.ok()) return url.status();
    if (absl::Status created =
            PostgresExec(admin, absl::StrCat("CREATE DATABASE ", database));
        !created.ok()) {
      return created;
    }
    server->postgres_admin_url_ = admin;
    server->postgres_database_ = database;
    server->db_url_ = *url;
    // As in production, where the migration Job runs before the servers.
    absl::StatusOr<std::unique_ptr<LedgerStore>> store =
        OpenLedgerStore(server->db_url_);
    if (!store.ok()) return store.status();
    if (absl::Status migrated = (*store)->Migrate().status(); !migrated.ok()) {
      return migrated;
    }
  } else {
    server->db_url_ =
        absl::StrCat("sqlite:", TempRoot(), "/fifo_e2e_", suffix, ".db");
  }

  std::vector<std::string> args = {absl::StrCat("--listen=", options.listen),
                                   absl::StrCat("--db=", server->db_url_)};
  args.insert(args.end(), options.flags.begin(), options.flags.end());
  absl::StatusOr<Child> child = Spawn(args, options.env, server->log_path_);
  if (!child.ok()) return child.status();
  server->pid_ = child->pid;
  server->stdout_fd_ = child->stdout_fd;

  // The listening line.
  const absl::Time deadline = absl::Now() + options.start_timeout;
  std::string out;
  while (true) {
    const size_t newline = out.find('\n');
    if (newline != std::string::npos) {
      const std::string line = out.substr(0, newline);
      if (absl::StartsWith(line, kListeningPrefix)) {
        server->address_ = line.substr(strlen(kListeningPrefix));
        break;
      }
      out.erase(0, newline + 1);
      continue;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::UnavailableError(
          absl::StrCat("fifo_server printed no listening line in time; log:\n",
                       server->Logs()));
    }
    pollfd pfd{server->stdout_fd_, POLLIN, 0};
    const int ready =
        poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno != EINTR) {
      return absl::InternalError(absl::StrCat("poll: ", strerror(errno)));
    }
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(server->stdout_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {  // the server closed stdout: it exited
      const std::optional<int> code =
          WaitUntil(server->pid_, absl::Now() + absl::Seconds(5));
      server->pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("fifo_server exited with code ", code.value_or(-1),
                       " before listening; log:\n", server->Logs()));
    }
  }

  // SERVING.
  std::unique_ptr<grpc::health::v1::Health::Stub> health =
      grpc::health::v1::Health::NewStub(server->NewChannel());
  std::string last_error;
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      break;
    }
    last_error = status.ok() ? absl::StrCat("status ", response.status())
                             : status.error_message();
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(absl::StrCat(
          "fifo_server on ", server->address_, " did not become SERVING (",
          last_error, "); log:\n", server->Logs()));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return server;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    (void)Stop(absl::Seconds(10));
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (!postgres_database_.empty()) {
    absl::Status dropped = PostgresExec(
        postgres_admin_url_, absl::StrCat("DROP DATABASE IF EXISTS ",
                                          postgres_database_, " WITH (FORCE)"));
    if (!dropped.ok()) std::cerr << "e2e: " << dropped << "\n";
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- fifo_server log (" << log_path_ << ") ----\n"
              << Logs() << "---- end of fifo_server log ----\n";
  }
}

std::shared_ptr<grpc::Channel> ServerProcess::NewChannel() const {
  return NewChannel(credentials_);
}

std::shared_ptr<grpc::Channel> ServerProcess::NewChannel(
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    const grpc::ChannelArguments& args) const {
  return grpc::CreateCustomChannel(address_, credentials, args);
}

absl::StatusOr<int> ServerProcess::Stop(absl::Duration timeout,
                                        int signal_number) {
  if (pid_ <= 0) return absl::FailedPreconditionError("already stopped");
  kill(pid_, signal_number);
  return Wait(timeout);
}

absl::StatusOr<int> ServerProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("already stopped");
  std::optional<int> code = WaitUntil(pid_, absl::Now() + timeout);
  if (!code.has_value()) {
    kill(pid_, SIGKILL);
    code = WaitUntil(pid_, absl::InfiniteFuture());
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
  return *code;
}

std::string ServerProcess::Logs() const { return ReadWholeFile(log_path_); }

absl::StatusOr<ExitResult> RunServerToExit(
    const std::vector<std::string>& flags,
    const std::vector<std::pair<std::string, std::string>>& env,
    absl::Duration timeout) {
  const std::string suffix = UniqueSuffix();
  const std::string log_path =
      absl::StrCat(TempRoot(), "/fifo_server_", suffix, ".stderr");
  std::vector<std::string> args;
  if (std::none_of(flags.begin(), flags.end(), [](const std::string& f) {
        return absl::StartsWith(f, "--db=");
      })) {
    args.push_back(
        absl::StrCat("--db=sqlite:", TempRoot(), "/fifo_e2e_", suffix, ".db"));
  }
  args.insert(args.end(), flags.begin(), flags.end());
  absl::StatusOr<Child> child = Spawn(args, env, log_path);
  if (!child.ok()) return child.status();

  ExitResult result;
  const absl::Time deadline = absl::Now() + timeout;
  // Drain stdout until EOF (the server exited) or the deadline.
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    pollfd pfd{child->stdout_fd, POLLIN, 0};
    const int ready =
        poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(child->stdout_fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    result.stdout_text.append(buffer, static_cast<size_t>(n));
  }
  close(child->stdout_fd);
  std::optional<int> code = WaitUntil(child->pid, deadline);
  if (!code.has_value()) {
    kill(child->pid, SIGKILL);
    WaitUntil(child->pid, absl::InfiniteFuture());
    return absl::DeadlineExceededError(absl::StrCat(
        "fifo_server still running after ", absl::FormatDuration(timeout),
        "; log:\n", ReadWholeFile(log_path)));
  }
  result.exit_code = *code;
  result.logs = ReadWholeFile(log_path);
  return result;
}

}  // namespace e2e
}  // namespace fifo
