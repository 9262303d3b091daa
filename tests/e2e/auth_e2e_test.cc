// Authentication and authorization of the running server, swept over every
// method of every fifo.v1 service (taken from the descriptors, so a new
// method is covered without touching this file).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fifo/v1/options.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/auth.h"
#include "tests/e2e/grpc_clients.h"
#include "tests/e2e/server_process.h"

namespace fifo {
namespace e2e {
namespace {

constexpr char kWriterToken[] = "e2eWriterToken-0123456789abcdef";
constexpr char kReaderToken[] = "e2eReaderToken-0123456789abcdef";
constexpr char kUnknownToken[] = "e2eUnknownToken-0123456789abcdef";

std::string Bearer(const std::string& token) {
  return absl::StrCat("Bearer ", token);
}

bool IsAuthError(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

struct Method {
  std::string path;  // "/fifo.v1.TradeLedger/RecordTrade"
  fifo::v1::Role role;
};

// Every method of every fifo.v1 service the server lists (through
// reflection), with its role from the descriptor this test was compiled
// with. Fails the test if the two disagree about which services exist.
std::vector<Method> ServedFifoMethods(ServerProcess& server) {
  ReflectionClient reflection(server.NewChannel());
  absl::StatusOr<std::vector<std::string>> listed = reflection.ListServices();
  EXPECT_TRUE(listed.ok()) << listed.status();
  if (!listed.ok()) return {};
  std::vector<Method> methods;
  std::set<std::string> served;
  for (const std::string& name : *listed) {
    if (!absl::StartsWith(name, "fifo.")) continue;
    served.insert(name);
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    EXPECT_NE(service, nullptr) << name << " is served but unknown here";
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      methods.push_back(
          {MethodPath(service->full_name(), method->name()),
           method->options().GetExtension(fifo::v1::required_role)});
    }
  }
  std::set<std::string> compiled;
  for (const auto* service : FifoServices()) {
    compiled.insert(service->full_name());
  }
  EXPECT_EQ(served, compiled);
  return methods;
}

class AuthE2eTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    token_file_ = WriteTempFile(
        "tokens",
        absl::StrCat("# e2e tokens\n", kWriterToken, " writer e2e-writer\n",
                     kReaderToken, " reader e2e-reader\n"));
    ServerOptions options;
    options.backend = GetParam();
    options.flags = {"--token-file=" + token_file_};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::string token_file_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_P(AuthE2eTest, EveryMethodEnforcesItsRole) {
  const std::vector<Method> methods = ServedFifoMethods(*server_);
  ASSERT_GE(methods.size(), 16u);
  std::shared_ptr<grpc::Channel> channel = server_->NewChannel();
  int readers = 0, writers = 0;
  for (const Method& m : methods) {
    ASSERT_TRUE(m.role == fifo::v1::ROLE_READER ||
                m.role == fifo::v1::ROLE_WRITER)
        << m.path << " has no role";
    (m.role == fifo::v1::ROLE_READER ? readers : writers) += 1;

    struct Attempt {
      const char* who;
      std::string authorization;
      // nullopt: must get past authorization (any other code).
      std::optional<grpc::StatusCode> want;
    };
    const std::vector<Attempt> attempts = {
        {"no token", "", grpc::StatusCode::UNAUTHENTICATED},
        {"unknown token", Bearer(kUnknownToken),
         grpc::StatusCode::UNAUTHENTICATED},
        {"not a bearer", absl::StrCat("Basic ", kWriterToken),
         grpc::StatusCode::UNAUTHENTICATED},
        {"reader", Bearer(kReaderToken),
         m.role == fifo::v1::ROLE_WRITER
             ? std::optional<grpc::StatusCode>(
                   grpc::StatusCode::PERMISSION_DENIED)
             : std::nullopt},
        {"writer", Bearer(kWriterToken), std::nullopt},
    };
    for (const Attempt& a : attempts) {
      grpc::Status status =
          CallWithEmptyRequest(channel, m.path, a.authorization);
      if (a.want.has_value()) {
        EXPECT_EQ(status.error_code(), *a.want)
            << m.path << " as " << a.who << ": " << status.error_message();
      } else {
        EXPECT_FALSE(IsAuthError(status))
            << m.path << " as " << a.who << ": " << status.error_code() << " "
            << status.error_message();
        EXPECT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
            << m.path << " as " << a.who;
      }
      for (const char* token : {kWriterToken, kReaderToken, kUnknownToken}) {
        EXPECT_FALSE(absl::StrContains(status.error_message(), token))
            << m.path << " as " << a.who << " echoes a token";
      }
    }
  }
  EXPECT_GT(readers, 0);
  EXPECT_GT(writers, 0);

  // Denials were logged, tokens never.
  const std::string logs = server_->Logs();
  EXPECT_TRUE(absl::StrContains(logs, "\"event\":\"auth_denied\"")) << logs;
  EXPECT_TRUE(absl::StrContains(logs, "e2e-reader")) << logs;
  for (const char* token : {kWriterToken, kReaderToken, kUnknownToken}) {
    EXPECT_FALSE(absl::StrContains(logs, token)) << "log contains a token";
  }
}

TEST_P(AuthE2eTest, HealthNeedsNoToken) {
  auto stub = grpc::health::v1::Health::NewStub(server_->NewChannel());
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthE2eTest,
                         ::testing::ValuesIn(AvailableBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

TEST(AuthEnvE2eTest, TokensFromTheEnvironment) {
  ServerOptions options;
  options.env = {{"FIFO_TOKENS", absl::StrCat(kWriterToken, ":writer:env-w,",
                                              kReaderToken, ":reader")}};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<grpc::Channel> channel = (*server)->NewChannel();
  const std::string record = "/fifo.v1.TradeLedger/RecordTrade";
  EXPECT_EQ(CallWithEmptyRequest(channel, record, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status denied =
      CallWithEmptyRequest(channel, record, Bearer(kReaderToken));
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(),
            "/fifo.v1.TradeLedger/RecordTrade requires role writer; token "
            "\"token#2\" has role reader");
  EXPECT_FALSE(
      IsAuthError(CallWithEmptyRequest(channel, record, Bearer(kWriterToken))));
}

TEST(AuthOpenE2eTest, WithoutTokensLoopbackCallersNeedNoToken) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(ServerOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<grpc::Channel> channel = (*server)->NewChannel();
  const std::vector<Method> methods = ServedFifoMethods(**server);
  ASSERT_GE(methods.size(), 16u);
  for (const Method& m : methods) {
    grpc::Status status = CallWithEmptyRequest(channel, m.path, "");
    EXPECT_FALSE(IsAuthError(status))
        << m.path << ": " << status.error_message();
  }
  EXPECT_TRUE(absl::StrContains((*server)->Logs(),
                                "\"event\":\"unauthenticated_mode\""))
      << (*server)->Logs();
}

TEST(AuthOpenE2eTest, WithTokensAnyAddressIsAllowed) {
  const std::string tokens =
      WriteTempFile("tokens", absl::StrCat(kWriterToken, " writer\n"));
  ServerOptions options;
  options.flags = {"--token-file=" + tokens};
  options.listen = "0.0.0.0:0";
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(absl::StartsWith((*server)->address(), "0.0.0.0:"))
      << (*server)->address();
  EXPECT_TRUE(
      absl::StrContains((*server)->Logs(), "\"event\":\"plaintext_tokens\""))
      << (*server)->Logs();
}

}  // namespace
}  // namespace e2e
}  // namespace fifo
