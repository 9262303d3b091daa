// TLS and mutual TLS of the running server, with certificates generated at
// test time by service/testdata/make_test_certs.sh (/usr/bin/openssl); and
// the real fifoctl against a mutual-TLS server (--tls-cert/--tls-key, the
// hint when the server refuses the handshake, usage errors).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/grpc_clients.h"
#include "tests/e2e/server_process.h"

extern char** environ;

namespace fifo {
namespace e2e {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return path;
  return absl::StrCat(srcdir, "/", workspace, "/", path);
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const CommandResult& r) {
  return os << "exit " << r.exit_code << "\n--- stdout\n"
            << r.out.substr(0, 4000) << "\n--- stderr\n"
            << r.err.substr(0, 4000);
}

// Runs the real fifoctl with `args` to completion, stdin from /dev/null,
// with the test's environment minus every FIFO_* variable.
CommandResult RunFifoctl(const std::vector<std::string>& args) {
  static int counter = 0;
  const std::string dir = NewTempDir("fifoctl");
  const std::string out_path = absl::StrCat(dir, "/out", counter);
  const std::string err_path = absl::StrCat(dir, "/err", counter++);
  // Everything the child needs is built before fork (the test has threads).
  std::vector<std::string> argv_storage = {Runfile("cli/fifoctl")};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "FIFO_")) env_storage.emplace_back(*e);
  }
  std::vector<char*> argv, envp;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int out_fd =
      open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd =
      open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  CommandResult result;
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) return result;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  close(null_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

class TlsE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(NewTempDir("certs"));
    const std::string command =
        absl::StrCat("bash service/testdata/make_test_certs.sh ", *dir_);
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  static std::string Path(const std::string& name) {
    return absl::StrCat(*dir_, "/", name);
  }

  // Client credentials trusting `ca`, presenting `client` (.crt/.key) when
  // non-empty.
  static std::shared_ptr<grpc::ChannelCredentials> Client(
      const std::string& ca, const std::string& client = "") {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(Path(ca + ".crt"));
    if (!client.empty()) {
      options.pem_cert_chain = ReadFile(Path(client + ".crt"));
      options.pem_private_key = ReadFile(Path(client + ".key"));
    }
    return grpc::SslCredentials(options);
  }

  static std::vector<std::string> TlsFlags(bool mutual) {
    std::vector<std::string> flags = {"--tls-cert=" + Path("server.crt"),
                                      "--tls-key=" + Path("server.key")};
    if (mutual) flags.push_back("--tls-client-ca=" + Path("ca.crt"));
    return flags;
  }

  // A health check over `creds`, with a 5 s deadline.
  static grpc::Status Probe(const ServerProcess& server,
                            std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto stub = grpc::health::v1::Health::NewStub(server.NewChannel(creds));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&context, request, &response);
  }

  static std::string* dir_;
};

std::string* TlsE2eTest::dir_ = nullptr;

// A failed handshake is UNAVAILABLE; on a very slow machine the deadline
// may expire first. Either way the call did not get through.
bool Refused(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

TEST_F(TlsE2eTest, ServerTlsAcceptsClientsThatTrustItsCa) {
  const std::string tokens = WriteTempFile(
      "tokens",
      "tlsWriterToken-0123456789 writer\ntlsReaderToken-0123456789 "
      "reader\n");
  ServerOptions options;
  options.flags = TlsFlags(/*mutual=*/false);
  options.flags.push_back("--token-file=" + tokens);
  options.credentials = Client("ca");
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(absl::StrContains((*server)->Logs(), "\"transport\":\"tls\""))
      << (*server)->Logs();

  EXPECT_TRUE(Probe(**server, Client("ca")).ok());
  // Bearer tokens work over TLS as over plaintext.
  std::shared_ptr<grpc::Channel> channel = (*server)->NewChannel();
  EXPECT_EQ(CallWithEmptyRequest(channel, "/fifo.v1.TradeLedger/RecordTrade",
                                 "Bearer tlsReaderToken-0123456789")
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ReflectionClient reflection(channel);
  EXPECT_TRUE(reflection.ListServices().ok());
}

TEST_F(TlsE2eTest, ServerTlsRefusesPlaintextAndUntrustingClients) {
  ServerOptions options;
  options.flags = TlsFlags(/*mutual=*/false);
  options.credentials = Client("ca");
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(Refused(Probe(**server, grpc::InsecureChannelCredentials())));
  EXPECT_TRUE(Refused(Probe(**server, Client("other_ca"))));
}

TEST_F(TlsE2eTest, MutualTlsRequiresAClientCertificateFromItsCa) {
  ServerOptions options;
  options.flags = TlsFlags(/*mutual=*/true);
  options.credentials = Client("ca", "client");
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(
      absl::StrContains((*server)->Logs(), "\"transport\":\"mutual_tls\""))
      << (*server)->Logs();

  EXPECT_TRUE(Probe(**server, Client("ca", "client")).ok());
  // No certificate.
  EXPECT_TRUE(Refused(Probe(**server, Client("ca"))));
  // A certificate from another CA.
  EXPECT_TRUE(Refused(Probe(**server, Client("ca", "other_client"))));
  // Plaintext.
  EXPECT_TRUE(Refused(Probe(**server, grpc::InsecureChannelCredentials())));
}

TEST_F(TlsE2eTest, FifoctlWithAClientCertificateTalksToAMutualTlsServer) {
  const std::string tokens = WriteTempFile(
      "tokens", "mtlsReaderToken-0123456789 reader cronjob\n");
  ServerOptions options;
  options.flags = TlsFlags(/*mutual=*/true);
  options.flags.push_back("--token-file=" + tokens);
  options.credentials = Client("ca", "client");
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();

  // Client certificate and bearer token together, as the CronJob does.
  CommandResult runs = RunFifoctl(
      {"--server", (*server)->address(), "--token",
       "mtlsReaderToken-0123456789", "--tls-ca", Path("ca.crt"), "--tls-cert",
       Path("client.crt"), "--tls-key", Path("client.key"), "runs"});
  EXPECT_EQ(runs.exit_code, 0) << runs;
  EXPECT_TRUE(absl::StartsWith(runs.out, "id  version  status")) << runs;
}

TEST_F(TlsE2eTest, FifoctlRefusedByAMutualTlsServerSaysWhy) {
  ServerOptions options;
  options.flags = TlsFlags(/*mutual=*/true);
  options.credentials = Client("ca", "client");
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->address();

  // No client certificate: the server closes the connection in the
  // handshake, and fifoctl says that one may be required.
  CommandResult none = RunFifoctl({"--server", address, "--timeout", "30s",
                                   "--tls-ca", Path("ca.crt"), "runs"});
  EXPECT_EQ(none.exit_code, 1) << none;
  EXPECT_TRUE(absl::StrContains(
      none.err, "fifoctl: UNAVAILABLE: fifo_server at " + address))
      << none;
  EXPECT_TRUE(absl::StrContains(
      none.err, "during the TLS handshake: it may require a client "
                "certificate, --tls-cert/--tls-key"))
      << none;

  // A certificate of another CA: fifoctl says it may not be trusted.
  CommandResult other = RunFifoctl(
      {"--server", address, "--timeout", "30s", "--tls-ca", Path("ca.crt"),
       "--tls-cert", Path("other_client.crt"), "--tls-key",
       Path("other_client.key"), "runs"});
  EXPECT_EQ(other.exit_code, 1) << other;
  EXPECT_TRUE(absl::StrContains(other.err, "fifoctl: UNAVAILABLE: ")) << other;
  EXPECT_TRUE(absl::StrContains(
      other.err, "it may not trust --tls-cert, which must be signed by a CA "
                 "in the server's --tls-client-ca"))
      << other;

  // A server certificate that --tls-ca did not sign: that is what it says.
  CommandResult untrusted = RunFifoctl(
      {"--server", address, "--timeout", "30s", "--tls-ca",
       Path("other_ca.crt"), "--tls-cert", Path("client.crt"), "--tls-key",
       Path("client.key"), "runs"});
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted;
  EXPECT_TRUE(absl::StrContains(
      untrusted.err, "the server's certificate is not signed by a CA in "
                     "--tls-ca"))
      << untrusted;
  EXPECT_FALSE(absl::StrContains(untrusted.err, "client certificate"))
      << untrusted;

  // Plaintext: no TLS hint.
  CommandResult plaintext =
      RunFifoctl({"--server", address, "--timeout", "30s", "runs"});
  EXPECT_EQ(plaintext.exit_code, 1) << plaintext;
  EXPECT_FALSE(absl::StrContains(plaintext.err, "TLS handshake")) << plaintext;
}

TEST_F(TlsE2eTest, FifoctlClientCertificateFlagsAreCheckedBeforeConnecting) {
  // Nothing listens there: every error below comes before any connection.
  const std::string address = "127.0.0.1:1";
  struct UsageCase {
    std::vector<std::string> flags;
    const char* message_part;
  };
  const std::vector<UsageCase> usage = {
      {{"--tls-ca", Path("ca.crt"), "--tls-cert", Path("client.crt")},
       "--tls-cert requires --tls-key"},
      {{"--tls-ca", Path("ca.crt"), "--tls-key", Path("client.key")},
       "--tls-key requires --tls-cert"},
      {{"--tls-cert", Path("client.crt"), "--tls-key", Path("client.key")},
       "requires --tls-ca"},
  };
  for (const UsageCase& c : usage) {
    std::vector<std::string> args = {"--server", address};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    args.push_back("runs");
    CommandResult result = RunFifoctl(args);
    EXPECT_EQ(result.exit_code, 2) << c.message_part << "\n" << result;
    EXPECT_TRUE(absl::StrContains(result.err, c.message_part))
        << c.message_part << "\n"
        << result;
  }

  struct FileCase {
    std::string cert;
    std::string key;
    std::string error;  // the start of stderr
  };
  const std::vector<FileCase> files = {
      {Path("nope.crt"), Path("client.key"),
       "fifoctl: NOT_FOUND: --tls-cert: cannot read " + Path("nope.crt")},
      {Path("client.crt"), Path("nope.key"),
       "fifoctl: NOT_FOUND: --tls-key: cannot read " + Path("nope.key")},
      {Path("client.crt"), Path("other_client.key"),
       "fifoctl: INVALID_ARGUMENT: --tls-key " + Path("other_client.key") +
           " does not match --tls-cert " + Path("client.crt")},
      {Path("client.key"), Path("client.key"),
       "fifoctl: INVALID_ARGUMENT: --tls-cert " + Path("client.key") +
           ": no PEM certificate in it"},
      {Path("expired.crt"), Path("expired.key"),
       "fifoctl: FAILED_PRECONDITION: --tls-cert " + Path("expired.crt") +
           " has expired"},
  };
  for (const FileCase& c : files) {
    CommandResult result =
        RunFifoctl({"--server", address, "--tls-ca", Path("ca.crt"),
                    "--tls-cert", c.cert, "--tls-key", c.key, "runs"});
    EXPECT_EQ(result.exit_code, 1) << c.error << "\n" << result;
    EXPECT_TRUE(absl::StartsWith(result.err, c.error))
        << c.error << "\n"
        << result;
  }
}

TEST_F(TlsE2eTest, BadTlsFilesStopTheServerAtStartUp) {
  struct Case {
    const char* name;
    std::vector<std::string> flags;
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {"key of another certificate",
       {"--tls-cert=" + Path("server.crt"), "--tls-key=" + Path("client.key")},
       "does not match"},
      {"expired certificate",
       {"--tls-cert=" + Path("expired.crt"),
        "--tls-key=" + Path("expired.key")},
       "has expired"},
      {"missing client CA",
       {"--tls-cert=" + Path("server.crt"), "--tls-key=" + Path("server.key"),
        "--tls-client-ca=" + Path("nope.crt")},
       "nope.crt"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ExitResult> result = RunServerToExit(c.flags);
    ASSERT_TRUE(result.ok()) << c.name << ": " << result.status();
    EXPECT_EQ(result->exit_code, 2) << c.name << "\n" << result->logs;
    EXPECT_TRUE(absl::StrContains(result->logs, c.message_part))
        << c.name << "\n"
        << result->logs;
  }
}

}  // namespace
}  // namespace e2e
}  // namespace fifo
