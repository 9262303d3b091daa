#include "service/auth.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/test/server_context_test_spouse.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

constexpr char kWriterToken[] = "wr1ter-Token_0123456789";
constexpr char kReaderToken[] = "reader.Token~0123456789+/==";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

void WriteFile(const std::string& path, const std::string& text, int mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

TokenSet TwoTokens() {
  absl::StatusOr<TokenSet> set = TokenSet::Parse(
      absl::StrCat(kWriterToken, " writer cron\n", kReaderToken, " reader\n"),
      "test");
  EXPECT_TRUE(set.ok()) << set.status();
  return *std::move(set);
}

Authorizer EnforcingAuthorizer() {
  absl::StatusOr<MethodRoles> roles = MethodRoles::ForFifoApi();
  EXPECT_TRUE(roles.ok()) << roles.status();
  return Authorizer(*std::move(roles), TwoTokens());
}

// --- Roles -----------------------------------------------------------------

TEST(RoleTest, ParseAndName) {
  EXPECT_EQ(*ParseRole("reader"), Role::kReader);
  EXPECT_EQ(*ParseRole("writer"), Role::kWriter);
  EXPECT_EQ(RoleName(Role::kReader), "reader");
  EXPECT_EQ(RoleName(Role::kWriter), "writer");
  for (const char* bad : {"", "Reader", "WRITER", "admin", "read"}) {
    EXPECT_EQ(ParseRole(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(RoleTest, WriterImpliesReader) {
  EXPECT_TRUE(RoleSatisfies(Role::kReader, Role::kReader));
  EXPECT_FALSE(RoleSatisfies(Role::kReader, Role::kWriter));
  EXPECT_TRUE(RoleSatisfies(Role::kWriter, Role::kReader));
  EXPECT_TRUE(RoleSatisfies(Role::kWriter, Role::kWriter));
}

// --- The role table from the descriptors -----------------------------------

TEST(MethodRolesTest, FindsEveryFifoService) {
  std::vector<std::string> names;
  for (const auto* service : FifoServices()) {
    names.push_back(service->full_name());
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "fifo.v1.AllocationEngine",
                       "fifo.v1.AllocationValidator",
                       "fifo.v1.PnlReports",
                       "fifo.v1.ReviewQueue",
                       "fifo.v1.TradeLedger",
                   }));
}

TEST(MethodRolesTest, EveryMethodHasARole) {
  absl::StatusOr<MethodRoles> roles = MethodRoles::ForFifoApi();
  ASSERT_TRUE(roles.ok()) << roles.status();
  size_t methods = 0;
  for (const auto* service : FifoServices()) {
    for (int i = 0; i < service->method_count(); ++i) {
      ++methods;
      const std::string path =
          MethodPath(service->full_name(), service->method(i)->name());
      EXPECT_TRUE(roles->RequiredRole(path).has_value()) << path;
    }
  }
  EXPECT_EQ(roles->table().size(), methods);
  EXPECT_EQ(methods, 17u);
}

// The policy of the issue, by verb: reader for validate, reports, lists and
// Get*; writer for record, import, compute, resolve and prune. A method with a new
// verb fails here until someone decides which list it belongs to.
TEST(MethodRolesTest, RolesFollowThePolicy) {
  const std::vector<std::string> reader_verbs = {"Get", "List", "Validate",
                                                 "Find"};
  const std::vector<std::string> writer_verbs = {"Record", "Import", "Compute",
                                                 "Resolve", "Prune"};
  absl::StatusOr<MethodRoles> roles = MethodRoles::ForFifoApi();
  ASSERT_TRUE(roles.ok()) << roles.status();
  int readers = 0, writers = 0;
  for (const auto& [path, role] : roles->table()) {
    const std::string method = path.substr(path.rfind('/') + 1);
    std::optional<Role> expected;
    for (const std::string& verb : reader_verbs) {
      if (absl::StartsWith(method, verb)) expected = Role::kReader;
    }
    for (const std::string& verb : writer_verbs) {
      if (absl::StartsWith(method, verb)) expected = Role::kWriter;
    }
    ASSERT_TRUE(expected.has_value())
        << path << ": a new verb; add it to this test's policy";
    EXPECT_EQ(role, *expected) << path;
    (role == Role::kReader ? readers : writers) += 1;
  }
  EXPECT_EQ(readers, 10);
  EXPECT_EQ(writers, 7);
}

TEST(MethodRolesTest, AMethodWithoutARoleIsRefused) {
  // A service built at run time, one method with the option, one without.
  google::protobuf::DescriptorPool pool(
      google::protobuf::DescriptorPool::generated_pool());
  google::protobuf::FileDescriptorProto file;
  file.set_name("test/no_role.proto");
  file.set_package("test");
  file.set_syntax("proto3");
  file.add_message_type()->set_name("Empty");
  google::protobuf::ServiceDescriptorProto* service = file.add_service();
  service->set_name("Forgetful");
  google::protobuf::MethodDescriptorProto* with = service->add_method();
  with->set_name("WithRole");
  with->set_input_type(".test.Empty");
  with->set_output_type(".test.Empty");
  with->mutable_options()->SetExtension(fifo::v1::required_role,
                                        fifo::v1::ROLE_READER);
  google::protobuf::MethodDescriptorProto* without = service->add_method();
  without->set_name("WithoutRole");
  without->set_input_type(".test.Empty");
  without->set_output_type(".test.Empty");
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);

  absl::StatusOr<MethodRoles> roles =
      MethodRoles::FromServices({built->service(0)});
  EXPECT_EQ(roles.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(roles.status().message(), "test.Forgetful.WithoutRole"))
      << roles.status();

  // Explicitly unspecified is no better.
  without->mutable_options()->SetExtension(fifo::v1::required_role,
                                           fifo::v1::ROLE_UNSPECIFIED);
  file.set_name("test/unspecified_role.proto");
  file.set_package("test2");
  file.mutable_message_type(0)->set_name("Empty");
  with->set_input_type(".test2.Empty");
  with->set_output_type(".test2.Empty");
  without->set_input_type(".test2.Empty");
  without->set_output_type(".test2.Empty");
  const google::protobuf::FileDescriptor* built2 = pool.BuildFile(file);
  ASSERT_NE(built2, nullptr);
  EXPECT_EQ(MethodRoles::FromServices({built2->service(0)}).status().code(),
            absl::StatusCode::kFailedPrecondition);

  EXPECT_EQ(MethodRoles::FromServices({}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- Token sets ------------------------------------------------------------

TEST(TokenSetTest, ParsesTheDocumentedGrammar) {
  absl::StatusOr<TokenSet> set = TokenSet::Parse(
      "# operators\n"
      "\n"
      "  aaaaaaaaaaaaaaaa   writer   ops@example.com  # trailing comment\n"
      "bbbbbbbbbbbbbbbb\treader\r\n"
      "cccccccccccccccc:reader:dashboards,dddddddddddddddd:writer\n",
      "tokens");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 4u);
  struct Case {
    const char* token;
    const char* name;
    Role role;
  };
  for (const Case& c : std::vector<Case>{
           {"aaaaaaaaaaaaaaaa", "ops@example.com", Role::kWriter},
           {"bbbbbbbbbbbbbbbb", "token#2", Role::kReader},
           {"cccccccccccccccc", "dashboards", Role::kReader},
           {"dddddddddddddddd", "token#4", Role::kWriter},
       }) {
    std::optional<Principal> p = set->Find(c.token);
    ASSERT_TRUE(p.has_value()) << c.token;
    EXPECT_EQ(p->name, c.name) << c.token;
    EXPECT_EQ(p->role, c.role) << c.token;
  }
  EXPECT_FALSE(set->Find("eeeeeeeeeeeeeeee").has_value());
  EXPECT_FALSE(set->Find("aaaaaaaaaaaaaaa").has_value());  // a prefix
  EXPECT_FALSE(set->Find("").has_value());
}

TEST(TokenSetTest, RejectsBadEntriesWithoutEchoingTheToken) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  for (const Case& c : std::vector<Case>{
           {"", "no token"},
           {"# only a comment\n\n", "no token"},
           {"SecretSecretSecret01", "line 1: want"},
           {"SecretSecretSecret01 writer name extra", "got 4 field(s)"},
           {"\nSecretSecretSecret01 admin", "line 2: unknown role \"admin\""},
           {"SecretSecret writer", "shorter than 16"},
           {"Secret$ecretSecret01 writer", "outside [A-Za-z0-9"},
           {"SecretSecret==Secret01 writer", "outside [A-Za-z0-9"},
           {"SecretSecretSecret01 writer bad:name", "got 4 field(s)"},
           {"SecretSecretSecret01 writer bad!name", "the name must be"},
           {"SecretSecretSecret01 writer\nx SecretSecretSecret01 reader",
            "line 2: the token is shorter"},
           {"SecretSecretSecret01 writer\n\nSecretSecretSecret01 reader",
            "line 3: duplicate token (already on line 1)"},
       }) {
    absl::StatusOr<TokenSet> set = TokenSet::Parse(c.text, "src");
    ASSERT_FALSE(set.ok()) << c.text;
    EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_TRUE(absl::StartsWith(set.status().message(), "src"))
        << c.text << " -> " << set.status();
    EXPECT_TRUE(absl::StrContains(set.status().message(), c.message_part))
        << c.text << " -> " << set.status();
    EXPECT_FALSE(absl::StrContains(set.status().message(), "Secret"))
        << c.text << " -> " << set.status();
  }
}

TEST(TokenSetTest, ReadsFiles) {
  const std::string path = TempPath("tokens_ok");
  WriteFile(path, absl::StrCat(kWriterToken, " writer\n"), 0600);
  absl::StatusOr<TokenSet> set = TokenSet::ReadFile(path);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->Find(kWriterToken).has_value());

  absl::StatusOr<TokenSet> missing = TokenSet::ReadFile(TempPath("nope"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "nope"));

  const std::string bad = TempPath("tokens_bad");
  WriteFile(bad, "short writer\n", 0600);
  absl::StatusOr<TokenSet> parsed = TokenSet::ReadFile(bad);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(parsed.status().message(), bad + " line 1"))
      << parsed.status();
}

TEST(TokenSetTest, LoadTokensPicksOneSource) {
  const std::string path = TempPath("tokens_load");
  WriteFile(path, absl::StrCat(kWriterToken, " writer\n"), 0600);
  const std::string env = absl::StrCat(kReaderToken, ":reader");

  absl::StatusOr<std::optional<TokenSet>> none = LoadTokens("", nullptr);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  absl::StatusOr<std::optional<TokenSet>> empty_env = LoadTokens("", "");
  ASSERT_TRUE(empty_env.ok());
  EXPECT_FALSE(empty_env->has_value());

  absl::StatusOr<std::optional<TokenSet>> from_file = LoadTokens(path, nullptr);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  ASSERT_TRUE(from_file->has_value());
  EXPECT_TRUE((*from_file)->Find(kWriterToken).has_value());

  absl::StatusOr<std::optional<TokenSet>> from_env =
      LoadTokens("", env.c_str());
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  ASSERT_TRUE(from_env->has_value());
  EXPECT_EQ((*from_env)->Find(kReaderToken)->role, Role::kReader);

  EXPECT_EQ(LoadTokens(path, env.c_str()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadTokens(TempPath("absent"), nullptr).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(TokenSetTest, WarnsAboutReadableTokenFiles) {
  const std::string path = TempPath("tokens_mode");
  WriteFile(path, "x", 0600);
  EXPECT_FALSE(TokenFilePermissionWarning(path).has_value());
  WriteFile(path, "x", 0640);
  std::optional<std::string> warning = TokenFilePermissionWarning(path);
  ASSERT_TRUE(warning.has_value());
  EXPECT_TRUE(absl::StrContains(*warning, "0640")) << *warning;
  EXPECT_FALSE(TokenFilePermissionWarning(TempPath("absent")).has_value());
}

// --- Decisions -------------------------------------------------------------

constexpr char kRecordTrade[] = "/fifo.v1.TradeLedger/RecordTrade";
constexpr char kListTrades[] = "/fifo.v1.TradeLedger/ListTrades";

TEST(AuthorizerTest, Decisions) {
  const Authorizer auth = EnforcingAuthorizer();
  ASSERT_TRUE(auth.enforcing());
  const std::string bearer_writer = absl::StrCat("Bearer ", kWriterToken);
  const std::string bearer_reader = absl::StrCat("Bearer ", kReaderToken);
  const std::string lower_case = absl::StrCat("bearer   ", kWriterToken, " ");
  struct Case {
    const char* name;
    const char* method;
    std::vector<std::string> headers;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"writer on writer method",
       kRecordTrade,
       {bearer_writer},
       absl::StatusCode::kOk},
      {"writer on reader method",
       kListTrades,
       {bearer_writer},
       absl::StatusCode::kOk},
      {"reader on reader method",
       kListTrades,
       {bearer_reader},
       absl::StatusCode::kOk},
      {"reader on writer method",
       kRecordTrade,
       {bearer_reader},
       absl::StatusCode::kPermissionDenied},
      {"scheme in any case, extra spaces",
       kRecordTrade,
       {lower_case},
       absl::StatusCode::kOk},
      {"no header", kListTrades, {}, absl::StatusCode::kUnauthenticated},
      {"two headers",
       kListTrades,
       {bearer_reader, bearer_reader},
       absl::StatusCode::kUnauthenticated},
      {"bare token",
       kListTrades,
       {kReaderToken},
       absl::StatusCode::kUnauthenticated},
      {"basic scheme",
       kListTrades,
       {absl::StrCat("Basic ", kReaderToken)},
       absl::StatusCode::kUnauthenticated},
      {"scheme without token",
       kListTrades,
       {"Bearer "},
       absl::StatusCode::kUnauthenticated},
      {"scheme glued to token",
       kListTrades,
       {absl::StrCat("Bearer", kReaderToken)},
       absl::StatusCode::kUnauthenticated},
      {"unknown token",
       kListTrades,
       {"Bearer unknownTokenUnknownToken"},
       absl::StatusCode::kUnauthenticated},
      {"method without a role",
       "/fifo.v1.TradeLedger/DeleteTrade",
       {bearer_writer},
       absl::StatusCode::kInternal},
      {"not a fifo method",
       "/grpc.health.v1.Health/Check",
       {bearer_writer},
       absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    std::vector<absl::string_view> headers(c.headers.begin(), c.headers.end());
    absl::StatusOr<Principal> p = auth.Check(c.method, headers);
    EXPECT_EQ(p.status().code(), c.code) << c.name << ": " << p.status();
    EXPECT_FALSE(absl::StrContains(p.status().message(), kWriterToken))
        << c.name;
    EXPECT_FALSE(absl::StrContains(p.status().message(), kReaderToken))
        << c.name;
  }
}

TEST(AuthorizerTest, PermissionDeniedNamesMethodRolesAndCaller) {
  const Authorizer auth = EnforcingAuthorizer();
  const std::string header = absl::StrCat("Bearer ", kReaderToken);
  absl::StatusOr<Principal> p = auth.Check(kRecordTrade, {header});
  EXPECT_EQ(p.status().message(),
            "/fifo.v1.TradeLedger/RecordTrade requires role writer; token "
            "\"token#2\" has role reader");
}

TEST(AuthorizerTest, ReturnsThePrincipal) {
  const Authorizer auth = EnforcingAuthorizer();
  const std::string header = absl::StrCat("Bearer ", kWriterToken);
  absl::StatusOr<Principal> p = auth.Check(kListTrades, {header});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "cron");
  EXPECT_EQ(p->role, Role::kWriter);
}

TEST(AuthorizerTest, OpenModeLetsEveryoneWrite) {
  absl::StatusOr<MethodRoles> roles = MethodRoles::ForFifoApi();
  ASSERT_TRUE(roles.ok());
  const Authorizer open(*std::move(roles), std::nullopt);
  EXPECT_FALSE(open.enforcing());
  absl::StatusOr<Principal> p = open.Check(kRecordTrade, {});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "anonymous");
  EXPECT_EQ(p->role, Role::kWriter);
  // Even with garbage credentials.
  EXPECT_TRUE(open.Check(kRecordTrade, {"Basic x"}).ok());
  // A method without a role is still a server bug.
  EXPECT_EQ(open.Check("/fifo.v1.TradeLedger/Nope", {}).status().code(),
            absl::StatusCode::kInternal);
}

// --- Through a ServerContext and the macro ---------------------------------

TEST(AuthorizerTest, AuthorizeReadsTheCallMetadata) {
  const Authorizer auth = EnforcingAuthorizer();
  {
    grpc::ServerContext context;
    grpc::Status s =
        auth.Authorize(context, "fifo.v1.TradeLedger", "ListTrades");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ServerContext context;
    grpc::testing::ServerContextTestSpouse spouse(&context);
    spouse.AddClientMetadata("authorization",
                             absl::StrCat("Bearer ", kReaderToken));
    Principal who;
    grpc::Status s =
        auth.Authorize(context, "fifo.v1.TradeLedger", "ListTrades", &who);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(who.name, "token#2");
    s = auth.Authorize(context, "fifo.v1.TradeLedger", "RecordTrade");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
}

// A handler written the way every real one must be.
class LedgerUnderTest : public fifo::v1::TradeLedger::Service {
 public:
  explicit LedgerUnderTest(const Authorizer* authorizer)
      : authorizer_(authorizer) {}
  grpc::Status RecordTrade(grpc::ServerContext* context,
                           const fifo::v1::RecordTradeRequest*,
                           fifo::v1::RecordTradeResponse*) override {
    FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::TradeLedger);
    ++bodies_run;
    return grpc::Status::OK;
  }
  grpc::Status ListTrades(grpc::ServerContext* context,
                          const fifo::v1::ListTradesRequest*,
                          fifo::v1::ListTradesResponse*) override {
    FIFO_AUTHORIZE_OR_RETURN(*authorizer_, context, fifo::v1::TradeLedger);
    ++bodies_run;
    return grpc::Status::OK;
  }
  int bodies_run = 0;

 private:
  const Authorizer* const authorizer_;
};

TEST(AuthorizerTest, TheMacroUsesTheHandlersOwnName) {
  const Authorizer auth = EnforcingAuthorizer();
  LedgerUnderTest ledger(&auth);
  grpc::ServerContext context;
  grpc::testing::ServerContextTestSpouse spouse(&context);
  spouse.AddClientMetadata("authorization",
                           absl::StrCat("Bearer ", kReaderToken));
  fifo::v1::RecordTradeRequest record;
  fifo::v1::RecordTradeResponse recorded;
  fifo::v1::ListTradesRequest list;
  fifo::v1::ListTradesResponse listed;
  // A reader may list but not record: the macro looked up each method's own
  // role.
  EXPECT_EQ(ledger.RecordTrade(&context, &record, &recorded).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ledger.bodies_run, 0);
  EXPECT_TRUE(ledger.ListTrades(&context, &list, &listed).ok());
  EXPECT_EQ(ledger.bodies_run, 1);
}

}  // namespace
}  // namespace fifo
