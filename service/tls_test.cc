#include "service/tls.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

// Certificates made once per test binary by testdata/make_test_certs.sh.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(absl::StrCat(std::getenv("TEST_TMPDIR"), "/certs"));
    const std::string command =
        absl::StrCat("bash service/testdata/make_test_certs.sh ", *dir_);
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static std::string Path(const std::string& name) {
    return absl::StrCat(*dir_, "/", name);
  }
  static std::string* dir_;
};

std::string* TlsTest::dir_ = nullptr;

TEST_F(TlsTest, PlaintextWithoutFiles) {
  EXPECT_FALSE(TlsRequested(TlsFiles{}));
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
      MakeServerCredentials(TlsFiles{});
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_NE(*creds, nullptr);
}

TEST_F(TlsTest, ServerTls) {
  const TlsFiles files{Path("server.crt"), Path("server.key"), ""};
  ASSERT_TRUE(TlsRequested(files));
  absl::StatusOr<grpc::SslServerCredentialsOptions> options =
      LoadSslServerOptions(files);
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->pem_key_cert_pairs.size(), 1u);
  EXPECT_TRUE(absl::StrContains(options->pem_key_cert_pairs[0].cert_chain,
                                "BEGIN CERTIFICATE"));
  EXPECT_TRUE(absl::StrContains(options->pem_key_cert_pairs[0].private_key,
                                "PRIVATE KEY"));
  EXPECT_TRUE(options->pem_root_certs.empty());
  EXPECT_EQ(options->client_certificate_request,
            GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  EXPECT_TRUE(MakeServerCredentials(files).ok());
}

TEST_F(TlsTest, MutualTlsRequiresAndVerifiesClientCertificates) {
  const TlsFiles files{Path("server.crt"), Path("server.key"), Path("ca.crt")};
  absl::StatusOr<grpc::SslServerCredentialsOptions> options =
      LoadSslServerOptions(files);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(absl::StrContains(options->pem_root_certs, "BEGIN CERTIFICATE"));
  EXPECT_EQ(options->client_certificate_request,
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
}

TEST_F(TlsTest, ConfigurationErrorsNameTheProblem) {
  const std::string missing = Path("missing.pem");
  const std::string garbage = Path("garbage.pem");
  std::ofstream(garbage) << "not a certificate\n";
  struct Case {
    const char* name;
    TlsFiles files;
    absl::StatusCode code;
    std::string message_part;
  };
  const Case cases[] = {
      {"cert without key",
       {Path("server.crt"), "", ""},
       absl::StatusCode::kInvalidArgument,
       "both --tls-cert and --tls-key"},
      {"key without cert",
       {"", Path("server.key"), ""},
       absl::StatusCode::kInvalidArgument,
       "both --tls-cert and --tls-key"},
      {"missing cert",
       {missing, Path("server.key"), ""},
       absl::StatusCode::kNotFound,
       missing},
      {"missing key",
       {Path("server.crt"), missing, ""},
       absl::StatusCode::kNotFound,
       missing},
      {"missing CA",
       {Path("server.crt"), Path("server.key"), missing},
       absl::StatusCode::kNotFound,
       missing},
      {"garbage cert",
       {garbage, Path("server.key"), ""},
       absl::StatusCode::kInvalidArgument,
       "no PEM certificate"},
      {"garbage key",
       {Path("server.crt"), garbage, ""},
       absl::StatusCode::kInvalidArgument,
       "no unencrypted PEM private key"},
      {"garbage CA",
       {Path("server.crt"), Path("server.key"), garbage},
       absl::StatusCode::kInvalidArgument,
       "no PEM certificate"},
      {"key of another certificate",
       {Path("server.crt"), Path("client.key"), ""},
       absl::StatusCode::kInvalidArgument,
       "does not match"},
      {"expired certificate",
       {Path("expired.crt"), Path("expired.key"), ""},
       absl::StatusCode::kFailedPrecondition,
       "has expired"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
        MakeServerCredentials(c.files);
    ASSERT_FALSE(creds.ok()) << c.name;
    EXPECT_EQ(creds.status().code(), c.code)
        << c.name << ": " << creds.status();
    EXPECT_TRUE(absl::StrContains(creds.status().message(), c.message_part))
        << c.name << ": " << creds.status();
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ca_only =
      MakeServerCredentials(TlsFiles{"", "", Path("ca.crt")});
  EXPECT_EQ(ca_only.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(ca_only.status().message(), "--tls-client-ca"));
}

}  // namespace
}  // namespace fifo
