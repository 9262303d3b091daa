// TLS and mutual TLS of the running server, with certificates generated at
// test time by service/testdata/make_test_certs.sh (/usr/bin/openssl).
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/grpc_clients.h"
#include "tests/e2e/server_process.h"

namespace fifo {
namespace e2e {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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
