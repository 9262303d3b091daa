#include "service/server_options.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(ListenAddressTest, ParsesTheForms) {
  struct Case {
    const char* text;
    bool unix_socket;
    const char* host;
    bool bracketed;
    int port;
  };
  for (const Case& c : std::vector<Case>{
           {"127.0.0.1:50051", false, "127.0.0.1", false, 50051},
           {"127.0.0.1:0", false, "127.0.0.1", false, 0},
           {"0.0.0.0:65535", false, "0.0.0.0", false, 65535},
           {":8080", false, "", false, 8080},
           {"localhost:1", false, "localhost", false, 1},
           {"fifo.internal:443", false, "fifo.internal", false, 443},
           {"[::1]:50051", false, "::1", true, 50051},
           {"[::]:0", false, "::", true, 0},
           {"unix:/run/fifo.sock", true, "", false, 0},
       }) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(c.text);
    ASSERT_TRUE(a.ok()) << c.text << ": " << a.status();
    EXPECT_EQ(a->text, c.text);
    EXPECT_EQ(a->unix_socket, c.unix_socket) << c.text;
    EXPECT_EQ(a->host, c.host) << c.text;
    EXPECT_EQ(a->bracketed, c.bracketed) << c.text;
    EXPECT_EQ(a->port, c.port) << c.text;
  }
}

TEST(ListenAddressTest, RejectsMalformedAddresses) {
  for (const char* text :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536",
        "127.0.0.1:-1", "127.0.0.1:+5", "[::1:50051", "[::1]50051", "::1:50051",
        "unix:", "127.0.0.1:99999999999999999999"}) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(text);
    ASSERT_FALSE(a.ok()) << text;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(absl::StrContains(a.status().message(), text)) << text;
  }
}

TEST(ListenAddressTest, Loopback) {
  struct Case {
    const char* text;
    bool loopback;
  };
  for (const Case& c : std::vector<Case>{
           {"127.0.0.1:1", true},
           {"127.1.2.3:1", true},
           {"localhost:1", true},
           {"LOCALHOST:1", true},
           {"[::1]:1", true},
           {"[::ffff:127.0.0.1]:1", true},
           {"unix:/tmp/x.sock", true},
           {"0.0.0.0:1", false},
           {":1", false},
           {"[::]:1", false},
           {"10.0.0.1:1", false},
           {"128.0.0.1:1", false},
           {"[::ffff:10.0.0.1]:1", false},
           {"[fe80::1]:1", false},
           {"fifo.internal:1", false},
           {"localhost.evil.com:1", false},
       }) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(c.text);
    ASSERT_TRUE(a.ok()) << c.text;
    EXPECT_EQ(IsLoopback(*a), c.loopback) << c.text;
  }
}

TEST(ListenPolicyTest, UnauthenticatedOnlyOnLoopback) {
  const ListenAddress loopback = *ParseListenAddress("127.0.0.1:0");
  const ListenAddress wildcard = *ParseListenAddress("0.0.0.0:0");
  EXPECT_TRUE(CheckListenPolicy(loopback, false).ok());
  EXPECT_TRUE(CheckListenPolicy(loopback, true).ok());
  EXPECT_TRUE(CheckListenPolicy(wildcard, true).ok());
  absl::Status refused = CheckListenPolicy(wildcard, false);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.message(), "0.0.0.0:0"));
  EXPECT_TRUE(absl::StrContains(refused.message(), "--token-file"));
}

TEST(BoundAddressTest, ReplacesThePort) {
  EXPECT_EQ(BoundAddress(*ParseListenAddress("127.0.0.1:0"), 43121),
            "127.0.0.1:43121");
  EXPECT_EQ(BoundAddress(*ParseListenAddress("[::1]:0"), 43121), "[::1]:43121");
  EXPECT_EQ(BoundAddress(*ParseListenAddress("localhost:50051"), 50051),
            "localhost:50051");
  EXPECT_EQ(BoundAddress(*ParseListenAddress("unix:/tmp/f.sock"), 0),
            "unix:/tmp/f.sock");
}

TEST(NormalizeFlagNamesTest, DashesBecomeUnderscoresInNamesOnly) {
  const std::vector<std::string> in = {"fifo_server",
                                       "--token-file=/etc/fifo-tokens",
                                       "--tls-cert",
                                       "/a-b/c-d.pem",
                                       "-symbol-config=x-y.json",
                                       "--listen=[::1]:0",
                                       "--no-reflection",
                                       "--",
                                       "--not-a-flag"};
  const std::vector<std::string> want = {"fifo_server",
                                         "--token_file=/etc/fifo-tokens",
                                         "--tls_cert",
                                         "/a-b/c-d.pem",
                                         "-symbol_config=x-y.json",
                                         "--listen=[::1]:0",
                                         "--no_reflection",
                                         "--",
                                         "--not-a-flag"};
  EXPECT_EQ(NormalizeFlagNames(in), want);
  // The program name is never touched, nor a lone "-".
  EXPECT_EQ(NormalizeFlagNames({"./my-server", "-"}),
            (std::vector<std::string>{"./my-server", "-"}));
}

}  // namespace
}  // namespace fifo
