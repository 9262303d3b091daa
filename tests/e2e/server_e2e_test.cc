// fifo_server as a process: start-up, health, reflection, shutdown and
// configuration errors.
#include <signal.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "fifo/v1/options.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "service/auth.h"
#include "tests/e2e/grpc_clients.h"
#include "tests/e2e/server_process.h"

namespace fifo {
namespace e2e {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

std::set<std::string> FifoServiceNames() {
  std::set<std::string> names;
  for (const auto* service : FifoServices()) names.insert(service->full_name());
  return names;
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& service,
                         HealthCheckResponse* response) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  HealthCheckRequest request;
  request.set_service(service);
  return stub->Check(&context, request, response);
}

class ServerE2eTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ServerE2eTest, ServingOverallAndForEveryFifoService) {
  ServerOptions options;
  options.backend = GetParam();
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();

  // The printed address carries the kernel's port, not 0.
  const std::string& address = (*server)->address();
  ASSERT_TRUE(absl::StartsWith(address, "127.0.0.1:")) << address;
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(address.substr(10), &port)) << address;
  EXPECT_GT(port, 0);

  std::shared_ptr<grpc::Channel> channel = (*server)->NewChannel();
  std::vector<std::string> names = {""};
  for (const std::string& name : FifoServiceNames()) names.push_back(name);
  ASSERT_EQ(names.size(), 6u);
  for (const std::string& name : names) {
    HealthCheckResponse response;
    grpc::Status status = CheckHealth(channel, name, &response);
    ASSERT_TRUE(status.ok())
        << "\"" << name << "\": " << status.error_message();
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << name;
  }
  HealthCheckResponse response;
  EXPECT_EQ(
      CheckHealth(channel, "fifo.v1.NoSuchService", &response).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerE2eTest,
                         ::testing::ValuesIn(AvailableBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

TEST(ReflectionE2eTest, ListsEveryFifoServiceAndServesItsDescriptors) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(ServerOptions());
  ASSERT_TRUE(server.ok()) << server.status();
  ReflectionClient reflection((*server)->NewChannel());

  absl::StatusOr<std::vector<std::string>> listed = reflection.ListServices();
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::set<std::string> want = FifoServiceNames();
  ASSERT_EQ(want.size(), 5u);
  want.insert("grpc.health.v1.Health");
  want.insert("grpc.reflection.v1alpha.ServerReflection");
  EXPECT_EQ(std::set<std::string>(listed->begin(), listed->end()), want);

  // What the server describes is what this test was compiled against:
  // same methods, types, streaming and roles.
  for (const auto* compiled : FifoServices()) {
    absl::StatusOr<std::vector<google::protobuf::FileDescriptorProto>> files =
        reflection.FileContainingSymbol(compiled->full_name());
    ASSERT_TRUE(files.ok()) << compiled->full_name() << ": " << files.status();
    ASSERT_FALSE(files->empty());
    EXPECT_EQ((*files)[0].name(), compiled->file()->name());
    google::protobuf::SimpleDescriptorDatabase database;
    for (const auto& file : *files) database.Add(file);
    google::protobuf::DescriptorPool pool(&database);
    const google::protobuf::ServiceDescriptor* served =
        pool.FindServiceByName(compiled->full_name());
    ASSERT_NE(served, nullptr) << compiled->full_name();
    ASSERT_EQ(served->method_count(), compiled->method_count())
        << compiled->full_name();
    for (int i = 0; i < compiled->method_count(); ++i) {
      const auto* a = served->method(i);
      const auto* b = compiled->method(i);
      EXPECT_EQ(a->full_name(), b->full_name());
      EXPECT_EQ(a->input_type()->full_name(), b->input_type()->full_name());
      EXPECT_EQ(a->output_type()->full_name(), b->output_type()->full_name());
      EXPECT_EQ(a->client_streaming(), b->client_streaming()) << a->full_name();
      EXPECT_EQ(a->server_streaming(), b->server_streaming()) << a->full_name();
      EXPECT_EQ(a->options().GetExtension(fifo::v1::required_role),
                b->options().GetExtension(fifo::v1::required_role))
          << a->full_name();
      EXPECT_NE(a->options().GetExtension(fifo::v1::required_role),
                fifo::v1::ROLE_UNSPECIFIED)
          << a->full_name();
    }
  }
  EXPECT_EQ(reflection.FileContainingSymbol("fifo.v1.Nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ReflectionE2eTest, CanBeTurnedOff) {
  ServerOptions options;
  options.flags = {"--reflection=false"};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  ReflectionClient reflection((*server)->NewChannel());
  EXPECT_EQ(reflection.ListServices().status().code(),
            absl::StatusCode::kUnimplemented);
}

TEST(ShutdownE2eTest, SigtermAndSigintDrainAndExitZero) {
  for (int signal_number : {SIGTERM, SIGINT}) {
    ServerOptions options;
    options.flags = {"--shutdown-grace=5s"};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    std::shared_ptr<grpc::Channel> channel = (*server)->NewChannel();
    absl::StatusOr<int> code =
        (*server)->Stop(absl::Seconds(10), signal_number);
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 0) << "signal " << signal_number;
    const std::string logs = (*server)->Logs();
    EXPECT_TRUE(
        absl::StrContains(logs, "\"event\":\"shutdown_started\",\"signal\""))
        << logs;
    EXPECT_TRUE(absl::StrContains(logs, "\"grace\":\"5s\"")) << logs;
    EXPECT_TRUE(absl::StrContains(logs, "\"event\":\"stopped\"")) << logs;
    // Nobody listens any more.
    HealthCheckResponse response;
    EXPECT_FALSE(CheckHealth(channel, "", &response).ok());
  }
}

TEST(ShutdownE2eTest, HealthTurnsNotServingWhileCallsDrain) {
  ServerOptions options;
  options.flags = {"--shutdown-grace=2s"};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  // A Watch call stays open: it is the call in flight during the drain.
  auto stub = grpc::health::v1::Health::NewStub((*server)->NewChannel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  HealthCheckRequest request;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> watch =
      stub->Watch(&context, request);
  HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  const absl::Time signalled = absl::Now();
  ASSERT_EQ(kill((*server)->pid(), SIGTERM), 0);
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  absl::StatusOr<int> code = (*server)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*server)->Logs();
  // The open call held the shutdown for the grace period, and no longer.
  const absl::Duration took = absl::Now() - signalled;
  EXPECT_GE(took, absl::Milliseconds(1500));
  EXPECT_LT(took, absl::Seconds(10));
}

TEST(ShutdownE2eTest, ASecondSignalExitsAtOnce) {
  ServerOptions options;
  options.flags = {"--shutdown-grace=60s"};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = grpc::health::v1::Health::NewStub((*server)->NewChannel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  HealthCheckRequest request;
  std::unique_ptr<grpc::ClientReader<HealthCheckResponse>> watch =
      stub->Watch(&context, request);
  HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  ASSERT_EQ(kill((*server)->pid(), SIGTERM), 0);
  ASSERT_TRUE(watch->Read(&response));  // NOT_SERVING: it is draining
  ASSERT_EQ(kill((*server)->pid(), SIGINT), 0);
  absl::StatusOr<int> code = (*server)->Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1) << (*server)->Logs();
  EXPECT_TRUE(
      absl::StrContains((*server)->Logs(), "\"event\":\"shutdown_forced\""))
      << (*server)->Logs();
}

TEST(StartupE2eTest, APortInUseIsAnError) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> first =
      ServerProcess::Start(ServerOptions());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<ExitResult> second =
      RunServerToExit({absl::StrCat("--listen=", (*first)->address())});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->exit_code, 1) << second->logs;
  EXPECT_TRUE(absl::StrContains(second->logs, "\"event\":\"listen_failed\""))
      << second->logs;
  EXPECT_EQ(second->stdout_text, "");
}

TEST(StartupE2eTest, ConfigurationErrorsExitWithCode2) {
  const std::string short_tokens = WriteTempFile("tokens", "short writer\n");
  const std::string good_tokens =
      WriteTempFile("tokens", "goodTokenGoodToken12 writer\n");
  struct Case {
    const char* name;
    std::vector<std::string> flags;
    std::vector<std::pair<std::string, std::string>> env;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"malformed listen address",
       {"--listen=127.0.0.1"},
       {},
       "want HOST:PORT"},
      {"non-loopback without tokens",
       {"--listen=0.0.0.0:0"},
       {},
       "refusing to listen on non-loopback address 0.0.0.0:0"},
      {"IPv6 wildcard without tokens",
       {"--listen=[::]:0"},
       {},
       "refusing to listen"},
      {"missing token file",
       {"--token-file=/nonexistent/tokens"},
       {},
       "/nonexistent/tokens"},
      {"malformed token file",
       {"--token-file=" + short_tokens},
       {},
       "shorter than 16"},
      {"malformed FIFO_TOKENS",
       {},
       {{"FIFO_TOKENS", "x:admin"}},
       "FIFO_TOKENS line 1"},
      {"two token sources",
       {"--token-file=" + good_tokens},
       {{"FIFO_TOKENS", "goodTokenGoodToken34:reader"}},
       "use one"},
      {"cert without key",
       {"--tls-cert=/nonexistent/cert.pem"},
       {},
       "both --tls-cert and --tls-key"},
      {"client CA without cert",
       {"--tls-client-ca=/nonexistent/ca.pem"},
       {},
       "--tls-client-ca needs"},
      {"positional argument", {"serve"}, {}, "unexpected argument \"serve\""},
      {"unknown log level",
       {"--log-level=loud"},
       {},
       "--log-level: unknown level \"loud\""},
      {"unknown FIFO_LOG_LEVEL",
       {},
       {{"FIFO_LOG_LEVEL", "verbose"}},
       "FIFO_LOG_LEVEL: unknown level \"verbose\""},
      {"empty store URL", {"--db="}, {}, "--db must not be empty"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ExitResult> result = RunServerToExit(c.flags, c.env);
    ASSERT_TRUE(result.ok()) << c.name << ": " << result.status();
    EXPECT_EQ(result->exit_code, 2) << c.name << "\n" << result->logs;
    EXPECT_TRUE(absl::StrContains(result->logs, "\"event\":\"config_error\""))
        << c.name << "\n"
        << result->logs;
    EXPECT_TRUE(absl::StrContains(result->logs, JsonEscape(c.message_part)))
        << c.name << "\n"
        << result->logs;
    EXPECT_EQ(result->stdout_text, "") << c.name;
  }
}

TEST(StartupE2eTest, UnknownFlagsAreRejected) {
  absl::StatusOr<ExitResult> result = RunServerToExit({"--no-such-flag=1"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->exit_code, 0);
  EXPECT_TRUE(absl::StrContains(result->logs, "no_such_flag")) << result->logs;
}

}  // namespace
}  // namespace e2e
}  // namespace fifo
