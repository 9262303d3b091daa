// fifoctl in remote mode (--server) against the real fifo_server, compared
// with fifoctl in local mode (--db, a separate SQLite store) running the
// same steps: the printing code is shared, so every output that does not
// carry a batch id, a clock time or a duration must be byte for byte the
// same, and the exported allocations and the PnL reports must be identical.
// Also: authentication and authorization errors, a conflicting import that
// writes nothing, migrate refused remotely, TLS.
//
// The server runs on a temp SQLite file and, when FIFO_TEST_POSTGRES_URL is
// set, on a fresh PostgreSQL database.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "engine/trade.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/e2e/ledger_generator.h"
#include "tests/e2e/server_process.h"

extern char** environ;

namespace fifo {
namespace e2e {
namespace {

constexpr char kWriterToken[] = "remoteWriterToken-0123456789abcdef";
constexpr char kReaderToken[] = "remoteReaderToken-0123456789abcdef";

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return path;
  return absl::StrCat(srcdir, "/", workspace, "/", path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string file;  // the --out file, when the command had one
};

std::ostream& operator<<(std::ostream& os, const CommandResult& r) {
  return os << "exit " << r.exit_code << "\n--- stdout\n"
            << r.out.substr(0, 4000) << "\n--- stderr\n"
            << r.err.substr(0, 4000);
}

// Runs `argv` (argv[0] a path) to completion with the test's environment
// minus every FIFO_* variable, plus `env`.
CommandResult RunCommand(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env = {}) {
  static int counter = 0;
  const std::string dir = NewTempDir("cmd");
  const std::string out_path = absl::StrCat(dir, "/out", counter);
  const std::string err_path = absl::StrCat(dir, "/err", counter++);
  // Everything the child needs is built before fork (the test has threads).
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "FIFO_")) env_storage.emplace_back(*e);
  }
  for (const auto& [key, value] : env) {
    env_storage.push_back(absl::StrCat(key, "=", value));
  }
  std::vector<std::string> argv_storage = argv;
  std::vector<char*> args, envp;
  for (std::string& s : argv_storage) args.push_back(s.data());
  args.push_back(nullptr);
  for (std::string& s : env_storage) envp.push_back(s.data());
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
    execve(args[0], args.data(), envp.data());
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

// Replaces what legitimately differs between two runs of one computation.
std::string Normalize(const std::string& text) {
  std::string s = std::regex_replace(
      text, std::regex("batch [0-9a-f-]{36}"), "batch <uuid>");
  s = std::regex_replace(s, std::regex("duration [0-9]+ ms"),
                         "duration <n> ms");
  return std::regex_replace(
      s, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"), "<time>");
}

// The words of a table, without clock times and (with `durations`) the
// word after each time, which is the duration column of `fifoctl runs`.
// Column widths depend on those values, hence words, not lines.
std::vector<std::string> TableWords(const std::string& table,
                                    bool durations = false) {
  static const std::regex kTime("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z");
  std::vector<std::string> words;
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    bool skip_next = false;
    for (absl::string_view w :
         absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      if (skip_next) {
        skip_next = false;
        continue;
      }
      if (std::regex_match(std::string(w), kTime)) {
        skip_next = durations;
        continue;
      }
      words.emplace_back(w);
    }
    words.push_back("\n");
  }
  return words;
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// Every trade of the server's ledger, through TradeLedger.ListTrades.
std::vector<std::string> ListOrderIds(const ServerProcess& server) {
  auto stub = fifo::v1::TradeLedger::NewStub(server.NewChannel());
  std::vector<std::string> ids;
  fifo::v1::ListTradesRequest request;
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", kReaderToken));
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    fifo::v1::ListTradesResponse response;
    grpc::Status status = stub->ListTrades(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const auto& t : response.trades()) ids.push_back(t.order_id());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return ids;
}

class FifoctlRemoteTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = NewTempDir(absl::StrCat("remote_", BackendName(GetParam())));
    config_ = Runfile("examples/symbol_config.json");
    sample_ = Runfile("examples/sample_trades.csv");
    fifoctl_ = Runfile("cli/fifoctl");
    const std::string tokens = WriteTempFile(
        "tokens", absl::StrCat(kWriterToken, " writer remote-writer\n",
                               kReaderToken, " reader remote-reader\n"));
    ServerOptions options;
    options.backend = GetParam();
    options.flags = {"--token-file=" + tokens, "--symbol-config=" + config_};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    local_db_ = absl::StrCat("sqlite:", dir_, "/local.db");
  }

  // fifoctl through the server; `token` empty sends none. No output of a
  // remote run may contain a token.
  CommandResult Remote(const std::vector<std::string>& args,
                       const std::string& token = kWriterToken,
                       const std::vector<std::pair<std::string, std::string>>&
                           env = {}) {
    std::vector<std::string> argv = {fifoctl_, "--server", server_->address(),
                                     "--symbol-config", config_, "-q"};
    if (!token.empty()) {
      argv.push_back("--token");
      argv.push_back(token);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = RunCommand(argv, env);
    for (const char* secret : {kWriterToken, kReaderToken}) {
      EXPECT_FALSE(absl::StrContains(r.out, secret) ||
                   absl::StrContains(r.err, secret))
          << "a token was printed by " << absl::StrJoin(args, " ");
    }
    return r;
  }

  CommandResult Local(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {fifoctl_, "--db", local_db_,
                                     "--symbol-config", config_, "-q"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  // Runs `args` remotely and locally; "@OUT" in `args` becomes a separate
  // file for each side, read back into CommandResult::file. Both must
  // succeed.
  std::pair<CommandResult, CommandResult> Both(std::vector<std::string> args) {
    std::vector<std::string> remote_args = args, local_args = args;
    std::string remote_out, local_out;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] != "@OUT") continue;
      remote_out = absl::StrCat(dir_, "/remote_", ++files_);
      local_out = absl::StrCat(dir_, "/local_", files_);
      remote_args[i] = remote_out;
      local_args[i] = local_out;
    }
    CommandResult remote = Remote(remote_args);
    CommandResult local = Local(local_args);
    const std::string what = absl::StrJoin(args, " ");
    EXPECT_EQ(remote.exit_code, 0) << "remote " << what << ": " << remote;
    EXPECT_EQ(local.exit_code, 0) << "local " << what << ": " << local;
    if (!remote_out.empty()) remote.file = ReadFile(remote_out);
    if (!local_out.empty()) local.file = ReadFile(local_out);
    return {remote, local};
  }

  // Both() and the two stdouts must be identical.
  std::string Same(const std::vector<std::string>& args) {
    auto [remote, local] = Both(args);
    EXPECT_EQ(remote.out, local.out) << absl::StrJoin(args, " ");
    return remote.out;
  }

  // Both() and the stdouts identical up to batch ids, durations and times.
  std::string SameNormalized(const std::vector<std::string>& args) {
    auto [remote, local] = Both(args);
    EXPECT_EQ(Normalize(remote.out), Normalize(local.out))
        << absl::StrJoin(args, " ");
    return remote.out;
  }

  // Exported allocations byte for byte; returns them.
  std::string SameExport(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"export-allocations", "--out", "@OUT"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto [remote, local] = Both(args);
    EXPECT_FALSE(remote.file.empty());
    EXPECT_TRUE(remote.file == local.file)
        << "allocations CSV differ (" << absl::StrJoin(extra, " ") << "): "
        << CountLines(remote.file) << " remote lines, "
        << CountLines(local.file) << " local lines";
    return remote.file;
  }

  std::string dir_, config_, sample_, fifoctl_, local_db_;
  std::unique_ptr<ServerProcess> server_;
  int files_ = 0;
};

TEST_P(FifoctlRemoteTest, EverySubcommandPrintsWhatLocalModePrints) {
  // A few thousand trades (and a symbol with sells only, so that the review
  // queue needs more than one page), then later trades for --incremental.
  LedgerOptions big;
  big.trades = 3000;
  big.orphan_sells = 1100;
  const std::string big_csv = absl::StrCat(dir_, "/big.csv");
  WriteFile(big_csv, LedgerCsv(GenerateLedger(big)));
  LedgerOptions later = big;
  later.trades = 300;
  later.orphan_sells = 5;
  later.id_prefix = "L";
  later.seed = 2;
  later.start = big.start + (big.trades + big.orphan_sells + 10) * big.spacing;
  const std::string later_csv = absl::StrCat(dir_, "/later.csv");
  WriteFile(later_csv, LedgerCsv(GenerateLedger(later)));

  EXPECT_EQ(Same({"import-trades", sample_}),
            absl::StrCat("imported 14 new trades, 0 already recorded, from ",
                         sample_, "\n"));
  EXPECT_EQ(Same({"import-trades", big_csv}),
            absl::StrCat("imported 4100 new trades, 0 already recorded, from ",
                         big_csv, "\n"));
  EXPECT_EQ(Same({"import-trades", sample_}),
            absl::StrCat("imported 0 new trades, 14 already recorded, from ",
                         sample_, "\n"));

  EXPECT_TRUE(absl::StrContains(SameNormalized({"compute", "--all-symbols"}),
                                "run 1: version 1 completed (full, manual)"));
  const std::string v1 = SameExport();
  EXPECT_GT(CountLines(v1), 3000);
  EXPECT_TRUE(absl::StrContains(Same({"validate"}), "; 0 violations\n"));
  for (const std::vector<std::string>& report :
       std::vector<std::vector<std::string>>{
           {"pnl-report"},
           {"pnl-report", "--format", "csv"},
           {"pnl-report", "--format", "json"},
           {"pnl-report", "--by", "day", "--format", "json"},
           {"pnl-report", "--by", "month", "--format", "csv"},
           {"pnl-report", "--by", "month"},
           {"pnl-report", "--symbol", "BTC-USD", "--period",
            "2025-01-10..2025-01-20", "--format", "json"},
           {"pnl-report", "--symbol", "SOL-USD", "--format", "csv"},
       }) {
    EXPECT_FALSE(Same(report).empty()) << absl::StrJoin(report, " ");
  }

  EXPECT_TRUE(absl::StrContains(
      SameNormalized({"compute", "--symbol", "BTC-USD", "--triggered-by",
                      "scheduled"}),
      "run 2: version 2 completed (symbol, scheduled)"));
  const std::string v2 = SameExport();
  EXPECT_TRUE(absl::StrContains(
      Same({"validate", "--compare-versions", "1", "2"}),
      "comparing version 1 with version 2\n"));
  Same({"validate", "--version", "1", "--symbol", "ETH-USD"});
  EXPECT_EQ(SameExport({"--version", "1"}), v1);
  SameExport({"--version", "2", "--symbol", "ZZZ-USD"});

  // Later trades, then an incremental run.
  Same({"import-trades", later_csv});
  EXPECT_TRUE(absl::StrContains(
      SameNormalized({"compute", "--incremental", "--triggered-by", "api"}),
      "completed"));
  const std::string v3 = SameExport();
  EXPECT_GT(CountLines(v3), CountLines(v2));
  Same({"validate"});
  Same({"pnl-report", "--format", "json"});
  Same({"pnl-report", "--format", "csv"});
  // A second incremental run changes nothing; same either way.
  SameNormalized({"compute", "--incremental"});

  {
    auto [remote, local] = Both({"runs", "--limit", "10"});
    EXPECT_EQ(TableWords(remote.out, /*durations=*/true),
              TableWords(local.out, /*durations=*/true))
        << remote.out << "\n" << local.out;
    EXPECT_EQ(CountLines(remote.out), 5) << remote.out;
  }
  {
    auto [remote, local] = Both({"runs", "--limit", "1"});
    EXPECT_EQ(CountLines(remote.out), 2) << remote.out;
  }

  // The review queue: more than one page of items.
  std::string first_id;
  {
    auto [remote, local] = Both({"review", "list"});
    EXPECT_EQ(TableWords(remote.out), TableWords(local.out));
    EXPECT_GT(CountLines(remote.out), 1100);
    std::vector<std::string> words = TableWords(remote.out);
    // Header words end at the first "\n"; the first row's id follows.
    auto newline = std::find(words.begin(), words.end(), "\n");
    ASSERT_NE(newline, words.end());
    first_id = *(newline + 1);
  }
  {
    auto [remote, local] =
        Both({"review", "resolve", first_id, "--note", "checked by e2e"});
    EXPECT_EQ(Normalize(remote.out), Normalize(local.out));
    EXPECT_TRUE(absl::StartsWith(remote.out,
                                 absl::StrCat("review item ", first_id, " (")))
        << remote.out;
  }
  {
    auto [remote, local] = Both({"review", "list", "--status", "resolved"});
    EXPECT_EQ(TableWords(remote.out), TableWords(local.out));
    EXPECT_EQ(CountLines(remote.out), 2) << remote.out;
    EXPECT_TRUE(absl::StrContains(remote.out, "checked by e2e"));
  }
  {
    auto [remote, local] = Both({"review", "list", "--status", "all"});
    EXPECT_EQ(TableWords(remote.out), TableWords(local.out));
  }

  // Errors read the same too.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"export-allocations", "--version", "99"},
           {"validate", "--version", "99"},
           {"pnl-report", "--period", "yesterday"},
           {"review", "resolve", first_id, "--note", "again"},
           {"runs", "--limit", "0"},
       }) {
    CommandResult remote = Remote(args);
    CommandResult local = Local(args);
    EXPECT_EQ(remote.exit_code, 1) << remote;
    EXPECT_EQ(local.exit_code, 1) << local;
    EXPECT_EQ(remote.err, local.err) << absl::StrJoin(args, " ");
  }
}

TEST_P(FifoctlRemoteTest, AuthenticationAndAuthorization) {
  ASSERT_EQ(Remote({"import-trades", sample_}).exit_code, 0);
  ASSERT_EQ(Remote({"compute", "--all-symbols"}).exit_code, 0);

  // A reader reads...
  CommandResult read = Remote({"pnl-report", "--format", "json"}, kReaderToken);
  EXPECT_EQ(read.exit_code, 0) << read;
  EXPECT_TRUE(absl::StartsWith(read.out, "{\"version\":1,")) << read;
  // ...but may not compute, import or resolve.
  CommandResult compute =
      Remote({"compute", "--all-symbols"}, kReaderToken);
  EXPECT_EQ(compute.exit_code, 1) << compute;
  EXPECT_TRUE(absl::StartsWith(compute.err, "fifoctl: PERMISSION_DENIED: "))
      << compute;
  EXPECT_TRUE(absl::StrContains(compute.err, "ComputeAllSymbols")) << compute;
  CommandResult import = Remote({"import-trades", sample_}, kReaderToken);
  EXPECT_TRUE(absl::StartsWith(import.err, "fifoctl: PERMISSION_DENIED: "))
      << import;

  // No token, or an unknown one.
  CommandResult anonymous = Remote({"runs"}, "");
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous;
  EXPECT_TRUE(absl::StartsWith(anonymous.err, "fifoctl: UNAUTHENTICATED: "))
      << anonymous;
  CommandResult unknown = Remote({"runs"}, "unknownToken-0123456789abcdef");
  EXPECT_TRUE(absl::StartsWith(unknown.err, "fifoctl: UNAUTHENTICATED: "))
      << unknown;
  EXPECT_FALSE(absl::StrContains(unknown.err, "unknownToken")) << unknown;

  // FIFO_TOKEN instead of --token.
  CommandResult from_env =
      Remote({"runs"}, "", {{"FIFO_TOKEN", kReaderToken}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env;
  // The header and the writer's run: the refused compute left no run.
  EXPECT_EQ(CountLines(from_env.out), 2) << from_env;
  // A malformed token is refused before any call, without echoing it.
  CommandResult malformed = Remote({"runs"}, "two words");
  EXPECT_TRUE(absl::StartsWith(malformed.err, "fifoctl: INVALID_ARGUMENT: "))
      << malformed;
  EXPECT_FALSE(absl::StrContains(malformed.err, "two words")) << malformed;
}

TEST_P(FifoctlRemoteTest, ConflictingImportWritesNothing) {
  ASSERT_EQ(Remote({"import-trades", sample_}).exit_code, 0);
  const std::vector<std::string> before = ListOrderIds(*server_);
  ASSERT_EQ(before.size(), 14u);

  // NEW-1 is new; BUY-1 repeats an order id with another size.
  const std::string conflict = absl::StrCat(dir_, "/conflict.csv");
  WriteFile(conflict,
            "order_id,symbol,side,size,price,order_time,total_fees_usd,source\n"
            "NEW-1,BTC-USD,buy,1,100,2025-12-01T00:00:00Z,0,manual\n"
            "BUY-1,BTC-USD,buy,0.6,30000,2025-11-20T10:00:00Z,0,manual\n");
  CommandResult r = Remote({"import-trades", conflict});
  EXPECT_EQ(r.exit_code, 1) << r;
  EXPECT_TRUE(absl::StartsWith(r.err, "fifoctl: ALREADY_EXISTS: ")) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "BUY-1")) << r;
  EXPECT_TRUE(absl::StrContains(r.err, "size")) << r;
  EXPECT_EQ(ListOrderIds(*server_), before);
  // Locally the same file fails with the same message.
  ASSERT_EQ(Local({"import-trades", sample_}).exit_code, 0);
  EXPECT_EQ(Local({"import-trades", conflict}).err, r.err);

  // A bad row after 25,000 good ones: the good ones have already streamed to
  // the server (and, locally, 2 batches of 10,000 have reached the store's
  // open transaction) when the row is read. Nothing is written either way,
  // and both modes name the row.
  const std::string late_error = absl::StrCat(dir_, "/late_error.csv");
  {
    std::string text =
        "order_id,symbol,side,size,price,order_time,total_fees_usd,source\n";
    for (int i = 0; i < 25000; ++i) {
      absl::StrAppend(&text, "LATE-", i, ",ETH-USD,buy,1,100,",
                      "2025-12-02T00:00:00Z,0,manual\n");
    }
    text += "LATE-BAD,ETH-USD,buy,-1,100,2025-12-02T00:00:00Z,0,manual\n";
    WriteFile(late_error, text);
  }
  CommandResult late = Remote({"import-trades", late_error});
  EXPECT_EQ(late.exit_code, 1) << late;
  EXPECT_TRUE(absl::StartsWith(late.err, "fifoctl: INVALID_ARGUMENT: ")) << late;
  EXPECT_TRUE(absl::StrContains(late.err, "line 25002")) << late;
  EXPECT_EQ(ListOrderIds(*server_), before);
  CommandResult late_local = Local({"import-trades", late_error});
  EXPECT_EQ(late_local.err, late.err);
  CommandResult local_count = Local({"import-trades", sample_});
  EXPECT_TRUE(absl::StrContains(local_count.out, "imported 0 new trades, 14 "
                                                 "already recorded"))
      << local_count;

  // Remote mode has no dry run and no migrate.
  CommandResult dry = Remote({"import-trades", "--dry-run", sample_});
  EXPECT_TRUE(absl::StartsWith(dry.err, "fifoctl: UNIMPLEMENTED: ")) << dry;
  CommandResult migrate = Remote({"migrate"});
  EXPECT_EQ(migrate.exit_code, 1) << migrate;
  EXPECT_TRUE(absl::StartsWith(migrate.err, "fifoctl: UNIMPLEMENTED: "))
      << migrate;
  EXPECT_TRUE(absl::StrContains(migrate.err, "--db")) << migrate;
  // --db and --server together are a mistake.
  CommandResult both = Remote({"--db", local_db_, "runs"});
  EXPECT_TRUE(absl::StartsWith(both.err, "fifoctl: INVALID_ARGUMENT: "))
      << both;
  EXPECT_EQ(ListOrderIds(*server_), before);
}

INSTANTIATE_TEST_SUITE_P(Backends, FifoctlRemoteTest,
                         ::testing::ValuesIn(AvailableBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

TEST(FifoctlRemoteTlsTest, TlsCaVerifiesTheServer) {
  const std::string certs = NewTempDir("certs");
  const std::string command =
      absl::StrCat("bash service/testdata/make_test_certs.sh ", certs);
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(certs + "/ca.crt");
  ServerOptions options;
  options.flags = {"--tls-cert=" + certs + "/server.crt",
                   "--tls-key=" + certs + "/server.key"};
  options.credentials = grpc::SslCredentials(ssl);
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string fifoctl = Runfile("cli/fifoctl");
  const std::string address = (*server)->address();
  const std::string sample = Runfile("examples/sample_trades.csv");

  CommandResult ok = RunCommand({fifoctl, "--server", address, "--tls-ca",
                                 certs + "/ca.crt", "import-trades", sample});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  EXPECT_TRUE(absl::StartsWith(ok.out, "imported 14 new trades")) << ok;

  // Plaintext to a TLS port, or a CA that did not sign the server: refused.
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{
           {},
           {"--tls-ca", certs + "/other_ca.crt"},
       }) {
    std::vector<std::string> argv = {fifoctl, "--server", address,
                                     "--timeout", "10s"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back("runs");
    CommandResult refused = RunCommand(argv);
    EXPECT_EQ(refused.exit_code, 1) << refused;
    // (gRPC itself may log the failed handshake first.)
    EXPECT_TRUE(absl::StrContains(refused.err, "fifoctl: UNAVAILABLE: ") ||
                absl::StrContains(refused.err, "fifoctl: DEADLINE_EXCEEDED: "))
        << absl::StrJoin(flags, " ") << ": " << refused;
  }
  CommandResult missing = RunCommand({fifoctl, "--server", address,
                                      "--tls-ca", certs + "/nope.crt", "runs"});
  EXPECT_TRUE(absl::StartsWith(missing.err, "fifoctl: NOT_FOUND: --tls-ca"))
      << missing;
}

}  // namespace
}  // namespace e2e
}  // namespace fifo
