// Concurrency through the real server: simultaneous computations each make
// their own complete version, reads go on while a computation runs, several
// server processes can share one PostgreSQL database, and a computation
// whose caller gives up (a tiny deadline) is rolled back, never left half
// written.
//
// The server runs on a temp SQLite file and, when FIFO_TEST_POSTGRES_URL is
// set, on a fresh PostgreSQL database; it runs without tokens (open mode,
// loopback only): authentication is auth_e2e_test's subject.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <optional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/allocation_validator.grpc.pb.h"
#include "fifo/v1/pnl_reports.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "api/convert.h"
#include "storage/ledger_store.h"
#include "tests/e2e/grpc_clients.h"
#include "tests/e2e/ledger_generator.h"
#include "tests/e2e/server_process.h"

namespace fifo {
namespace e2e {
namespace {

namespace pb = ::fifo::v1;

std::unique_ptr<grpc::ClientContext> Context(
    absl::Duration timeout = absl::Seconds(60)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// Records `trades` through one ImportTrades stream.
grpc::Status Import(const std::shared_ptr<grpc::Channel>& channel,
                    const std::vector<Trade>& trades) {
  std::vector<pb::Trade> messages;
  messages.reserve(trades.size());
  for (const Trade& t : trades) messages.push_back(TradeToProto(t));
  pb::ImportTradesResponse response;
  grpc::Status status = StreamTrades(channel, messages, &response);
  if (status.ok() && response.created() != static_cast<int64_t>(trades.size())) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat("created ", response.created()));
  }
  return status;
}

struct ComputeResult {
  grpc::Status status;
  pb::Computation computation;
};

ComputeResult ComputeAll(const std::shared_ptr<grpc::Channel>& channel,
                         absl::Duration timeout = absl::Seconds(60)) {
  auto stub = pb::AllocationEngine::NewStub(channel);
  auto context = Context(timeout);
  pb::ComputeAllSymbolsRequest request;
  request.set_triggered_by(pb::TRIGGERED_BY_API);
  pb::ComputeAllSymbolsResponse response;
  ComputeResult result;
  result.status = stub->ComputeAllSymbols(context.get(), request, &response);
  result.computation = response.computation();
  return result;
}

// The rows of `version` as serialized messages without what differs between
// versions (row id, version, batch), in stream order.
std::vector<std::string> VersionRows(
    const std::shared_ptr<grpc::Channel>& channel, int64_t version) {
  auto stub = pb::PnlReports::NewStub(channel);
  auto context = Context();
  pb::ListAllocationsRequest request;
  request.set_allocation_version(version);
  auto reader = stub->ListAllocations(context.get(), request);
  std::vector<std::string> rows;
  pb::Allocation row;
  while (reader->Read(&row)) {
    EXPECT_EQ(row.allocation_version(), version);
    row.clear_id();
    row.clear_allocation_version();
    row.clear_batch_id();
    rows.push_back(row.SerializeAsString());
  }
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << "version " << version << ": "
                           << status.error_message();
  return rows;
}

// The latest completed version (0 when none).
int64_t LatestVersion(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = pb::PnlReports::NewStub(channel);
  auto context = Context();
  pb::ListUnmatchedSellsRequest request;
  request.set_page_size(1);
  pb::ListUnmatchedSellsResponse response;
  grpc::Status status =
      stub->ListUnmatchedSells(context.get(), request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return 0;
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.allocation_version();
}

std::vector<pb::Computation> AllRuns(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = pb::AllocationEngine::NewStub(channel);
  std::vector<pb::Computation> runs;
  pb::ListComputationsRequest request;
  request.set_page_size(1000);
  do {
    auto context = Context();
    pb::ListComputationsResponse response;
    grpc::Status status =
        stub->ListComputations(context.get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    runs.insert(runs.end(), response.computations().begin(),
                response.computations().end());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return runs;
}

bool IsValid(const std::shared_ptr<grpc::Channel>& channel, int64_t version) {
  auto stub = pb::AllocationValidator::NewStub(channel);
  auto context = Context();
  pb::ValidateAllocationsRequest request;
  request.set_allocation_version(version);
  pb::ValidateAllocationsResponse response;
  grpc::Status status =
      stub->ValidateAllocations(context.get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.valid())
      << "version " << version << ": " << response.violation_count()
      << " violations, first: "
      << (response.violations_size() ? response.violations(0).message() : "");
  return status.ok() && response.valid();
}

// Rows of `version` straight from the store, whatever its runs say.
int64_t StoredRows(const std::string& db_url, int64_t version) {
  absl::StatusOr<std::unique_ptr<LedgerStore>> store = OpenLedgerStore(db_url);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return -1;
  AllocationFilter filter;
  filter.version = version;
  int64_t rows = 0;
  absl::Status scanned = (*store)->ScanAllocations(
      filter, [&](const std::vector<StoredAllocation>& page) {
        rows += static_cast<int64_t>(page.size());
        return absl::OkStatus();
      });
  EXPECT_TRUE(scanned.ok()) << scanned;
  return rows;
}

std::vector<Trade> Ledger(int trades) {
  LedgerOptions options;
  options.trades = trades;
  options.orphan_sells = 20;
  return GenerateLedger(options);
}

// Runs ComputeAllSymbols on `channels[i]` from one thread each, released
// together.
std::vector<ComputeResult> ComputeConcurrently(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<ComputeResult> results(channels.size());
  absl::Barrier* barrier = new absl::Barrier(static_cast<int>(channels.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < channels.size(); ++i) {
    threads.emplace_back([&, i] {
      if (barrier->Block()) delete barrier;
      results[i] = ComputeAll(channels[i]);
    });
  }
  for (std::thread& t : threads) t.join();
  return results;
}

// Every result completed, with distinct versions whose rows equal
// `reference` (or each other when `reference` is empty).
void ExpectDistinctIdenticalVersions(
    const std::shared_ptr<grpc::Channel>& channel,
    const std::vector<ComputeResult>& results,
    std::vector<std::string> reference = {}) {
  std::set<int64_t> versions;
  for (const ComputeResult& r : results) {
    ASSERT_TRUE(r.status.ok()) << r.status.error_code() << ": "
                               << r.status.error_message();
    EXPECT_EQ(r.computation.status(), pb::COMPUTATION_STATUS_COMPLETED);
    versions.insert(r.computation.allocation_version());
  }
  EXPECT_EQ(versions.size(), results.size()) << "versions must be distinct";
  for (int64_t version : versions) {
    std::vector<std::string> rows = VersionRows(channel, version);
    if (reference.empty()) reference = rows;
    EXPECT_GT(rows.size(), 100u);
    EXPECT_TRUE(rows == reference)
        << "version " << version << " differs: " << rows.size() << " rows vs "
        << reference.size();
    EXPECT_TRUE(IsValid(channel, version));
  }
}

class ConcurrencyE2eTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.backend = GetParam();
    absl::StatusOr<std::unique_ptr<ServerProcess>> server =
        ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = server_->NewChannel();
  }

  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_P(ConcurrencyE2eTest, TwoConcurrentComputationsMakeTwoEqualVersions) {
  ASSERT_TRUE(Import(channel_, Ledger(3000)).ok());
  // Two clients, each with its own connection.
  std::vector<ComputeResult> results = ComputeConcurrently(
      {server_->NewChannel(), server_->NewChannel()});
  ExpectDistinctIdenticalVersions(channel_, results);
  // A third, alone, agrees with them.
  ComputeResult alone = ComputeAll(channel_);
  ASSERT_TRUE(alone.status.ok()) << alone.status.error_message();
  ExpectDistinctIdenticalVersions(
      channel_, {alone},
      VersionRows(channel_, results[0].computation.allocation_version()));
}

// ComputeSymbol of `symbol` on `channel`.
ComputeResult ComputeOne(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& symbol) {
  auto stub = pb::AllocationEngine::NewStub(channel);
  auto context = Context();
  pb::ComputeSymbolRequest request;
  request.set_symbol(symbol);
  pb::ComputeSymbolResponse response;
  ComputeResult result;
  result.status = stub->ComputeSymbol(context.get(), request, &response);
  result.computation = response.computation();
  return result;
}

// The rows of `version` of one symbol (as VersionRows).
std::vector<std::string> SymbolRows(
    const std::shared_ptr<grpc::Channel>& channel, int64_t version,
    const std::string& symbol) {
  std::vector<std::string> out;
  for (const std::string& bytes : VersionRows(channel, version)) {
    pb::Allocation row;
    row.ParseFromString(bytes);
    if (row.symbol() == symbol) out.push_back(bytes);
  }
  return out;
}

// Versions by reference (issue 11): ComputeSymbol calls for different
// symbols at once (in parallel on PostgreSQL; one after the other behind
// SQLite's writer queue) each publish a complete version, and the last one
// published loses none of the others' newest rows.
TEST_P(ConcurrencyE2eTest, ConcurrentSymbolComputationsLoseNoRows) {
  ASSERT_TRUE(Import(channel_, Ledger(3000)).ok());
  ComputeResult first = ComputeAll(channel_);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  // New trades of every symbol, after the first ones.
  LedgerOptions more;
  more.trades = 900;
  more.id_prefix = "H-";
  more.start = absl::FromUnixSeconds(1735689600) + absl::Seconds(37 * 3100);
  absl::StatusOr<std::vector<Trade>> later = GenerateLedger(more);
  ASSERT_TRUE(later.ok()) << later.status();
  ASSERT_TRUE(Import(channel_, *later).ok());

  const std::vector<std::string> symbols = {"BTC-USD", "ETH-USD", "LTC-USD"};
  std::vector<ComputeResult> results(symbols.size());
  absl::Barrier* barrier = new absl::Barrier(static_cast<int>(symbols.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < symbols.size(); ++i) {
    threads.emplace_back([&, i] {
      std::shared_ptr<grpc::Channel> own = server_->NewChannel();
      if (barrier->Block()) delete barrier;
      results[i] = ComputeOne(own, symbols[i]);
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> versions;
  for (const ComputeResult& r : results) {
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    versions.insert(r.computation.allocation_version());
  }
  ASSERT_EQ(versions.size(), symbols.size()) << "versions must be distinct";
  const int64_t last = *versions.rbegin();
  EXPECT_EQ(LatestVersion(channel_), last);

  // The reference: a full recomputation of the same ledger.
  ComputeResult full = ComputeAll(channel_);
  ASSERT_TRUE(full.status.ok()) << full.status.error_message();
  const int64_t reference = full.computation.allocation_version();
  EXPECT_TRUE(VersionRows(channel_, last) == VersionRows(channel_, reference))
      << "the last published version must hold every symbol's newest rows";
  for (size_t i = 0; i < symbols.size(); ++i) {
    SCOPED_TRACE(symbols[i]);
    const int64_t v = results[i].computation.allocation_version();
    std::vector<std::string> own = SymbolRows(channel_, v, symbols[i]);
    EXPECT_TRUE(own == SymbolRows(channel_, reference, symbols[i]));
    // It wrote (or referenced) its own symbol's rows only.
    EXPECT_EQ(results[i].computation.allocations_created() +
                  results[i].computation.allocations_reused(),
              static_cast<int64_t>(own.size()));
    EXPECT_TRUE(IsValid(channel_, v));
  }
  // The full run found every symbol unchanged since the last version:
  // nothing written, everything referenced.
  EXPECT_EQ(full.computation.allocations_created(), 0);
  EXPECT_EQ(full.computation.allocations_reused(),
            static_cast<int64_t>(VersionRows(channel_, reference).size()));
}

TEST_P(ConcurrencyE2eTest, ReportsDuringAComputationSucceed) {
  ASSERT_TRUE(Import(channel_, Ledger(4000)).ok());
  ComputeResult first = ComputeAll(channel_);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const int64_t v1 = first.computation.allocation_version();

  auto stub = pb::PnlReports::NewStub(server_->NewChannel());
  auto report = [&](std::optional<int64_t> version, pb::PnlReport* out) {
    auto context = Context();
    pb::GetPnlReportRequest request;
    if (version) request.set_allocation_version(*version);
    request.set_group_by(pb::GROUP_BY_DAY);
    return stub->GetPnlReport(context.get(), request, out);
  };
  pb::PnlReport baseline;
  ASSERT_TRUE(report(v1, &baseline).ok());

  std::atomic<bool> computing{true};
  ComputeResult second;
  std::thread compute([&] {
    second = ComputeAll(server_->NewChannel());
    computing = false;
  });
  int reads_during = 0, failures = 0;
  std::set<int64_t> latest_seen;
  while (computing) {
    const bool during = computing;
    pb::PnlReport pinned, latest;
    grpc::Status a = report(v1, &pinned);
    grpc::Status b = report(std::nullopt, &latest);
    if (!a.ok() || !b.ok()) {
      ++failures;
      ADD_FAILURE() << a.error_message() << " / " << b.error_message();
      if (failures > 3) break;
      continue;
    }
    if (during) ++reads_during;
    // The pinned version never changes; the latest is v1 until the new
    // version completes, then the new one, with the same figures.
    EXPECT_EQ(pinned.SerializeAsString(), baseline.SerializeAsString());
    latest_seen.insert(latest.allocation_version());
    latest.set_allocation_version(v1);
    EXPECT_EQ(latest.SerializeAsString(), baseline.SerializeAsString());
  }
  compute.join();
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_GE(reads_during, 1);
  for (int64_t v : latest_seen) {
    EXPECT_TRUE(v == v1 || v == second.computation.allocation_version()) << v;
  }
  EXPECT_EQ(failures, 0);
}

TEST_P(ConcurrencyE2eTest, AComputationPastItsDeadlineIsRolledBack) {
  ASSERT_TRUE(Import(channel_, Ledger(6000)).ok());
  const absl::Time start = absl::Now();
  ComputeResult first = ComputeAll(channel_);
  const absl::Duration full = absl::Now() - start;
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const int64_t v1 = first.computation.allocation_version();
  const std::vector<std::string> v1_rows = VersionRows(channel_, v1);

  // From "gone before it starts" to "gone in the middle of it".
  std::vector<absl::Duration> deadlines = {absl::Milliseconds(1),
                                           absl::Milliseconds(5)};
  for (double f : {0.1, 0.25, 0.4, 0.6}) deadlines.push_back(full * f);
  int failed_runs = 0;
  std::set<int64_t> seen_runs;
  for (const pb::Computation& c : AllRuns(channel_)) seen_runs.insert(c.id());
  int64_t latest = v1;
  for (absl::Duration deadline : deadlines) {
    SCOPED_TRACE(absl::StrCat("deadline ", absl::FormatDuration(deadline),
                              " (a full run took ",
                              absl::FormatDuration(full), ")"));
    ComputeResult r = ComputeAll(channel_, deadline);
    if (!r.status.ok()) {
      EXPECT_TRUE(r.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                  r.status.error_code() == grpc::StatusCode::CANCELLED)
          << r.status.error_code() << ": " << r.status.error_message();
    }
    // Wait for the server to finish with the run the call started, if any.
    std::vector<pb::Computation> runs;
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (true) {
      runs = AllRuns(channel_);
      bool running = false;
      for (const pb::Computation& c : runs) {
        running |= c.status() == pb::COMPUTATION_STATUS_RUNNING;
      }
      if (!running) break;
      ASSERT_LT(absl::Now(), until) << "a run is still running";
      absl::SleepFor(absl::Milliseconds(20));
    }
    for (const pb::Computation& c : runs) {
      if (!seen_runs.insert(c.id()).second) continue;  // not new
      if (c.status() == pb::COMPUTATION_STATUS_FAILED) {
        ++failed_runs;
        EXPECT_FALSE(c.error_message().empty());
        // Rolled back: not one row of its version is left.
        EXPECT_EQ(StoredRows(server_->db_url(), c.allocation_version()), 0)
            << "failed run " << c.id() << " left rows in version "
            << c.allocation_version();
      } else {
        // The run beat the deadline on the server (the answer came too
        // late for the client): then it is complete, never partial.
        EXPECT_EQ(c.status(), pb::COMPUTATION_STATUS_COMPLETED) << c.id();
        EXPECT_TRUE(VersionRows(channel_, c.allocation_version()) == v1_rows)
            << "run " << c.id();
        latest = std::max(latest, c.allocation_version());
      }
    }
    // The latest completed version is the one before, or a complete one.
    EXPECT_EQ(LatestVersion(channel_), latest);
    if (r.status.ok()) break;  // the deadline was long enough
  }
  EXPECT_GE(failed_runs, 1) << "no deadline interrupted a run";

  // The store still works: a normal run completes and equals the first.
  ComputeResult after = ComputeAll(channel_);
  ASSERT_TRUE(after.status.ok()) << after.status.error_message();
  EXPECT_TRUE(VersionRows(channel_, after.computation.allocation_version()) ==
              v1_rows);
  EXPECT_TRUE(IsValid(channel_, after.computation.allocation_version()));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConcurrencyE2eTest,
                         ::testing::ValuesIn(AvailableBackends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return BackendName(info.param);
                         });

// Several server processes on one PostgreSQL database (as in a deployment
// with replicas), computing at the same time.
TEST(MultiServerE2eTest, TwoServersComputeOnOneDatabase) {
  if (AvailableBackends().size() < 2) {
    GTEST_SKIP() << "needs FIFO_TEST_POSTGRES_URL";
  }
  ServerOptions first_options;
  first_options.backend = Backend::kPostgres;
  absl::StatusOr<std::unique_ptr<ServerProcess>> first =
      ServerProcess::Start(first_options);
  ASSERT_TRUE(first.ok()) << first.status();
  // The second server gets the first one's database (a later --db wins).
  ServerOptions second_options;
  second_options.flags = {"--db=" + (*first)->db_url()};
  absl::StatusOr<std::unique_ptr<ServerProcess>> second =
      ServerProcess::Start(second_options);
  ASSERT_TRUE(second.ok()) << second.status();

  std::shared_ptr<grpc::Channel> a = (*first)->NewChannel();
  std::shared_ptr<grpc::Channel> b = (*second)->NewChannel();
  ASSERT_TRUE(Import(a, Ledger(2500)).ok());
  // Two calls on each server, all at once.
  std::vector<ComputeResult> results = ComputeConcurrently(
      {(*first)->NewChannel(), (*second)->NewChannel(),
       (*first)->NewChannel(), (*second)->NewChannel()});
  ExpectDistinctIdenticalVersions(a, results);
  // Both servers see every version and the same latest one.
  EXPECT_EQ(LatestVersion(a), LatestVersion(b));
  for (const ComputeResult& r : results) {
    EXPECT_TRUE(VersionRows(b, r.computation.allocation_version()) ==
                VersionRows(a, r.computation.allocation_version()));
  }
  EXPECT_EQ(AllRuns(a).size(), 4u);
  EXPECT_EQ(AllRuns(b).size(), 4u);
}

}  // namespace
}  // namespace e2e
}  // namespace fifo
