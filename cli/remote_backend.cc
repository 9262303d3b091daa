// RemoteBackend: the Backend methods as fifo.v1 RPCs.
#include "cli/remote_backend.h"

#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "fifo/v1/allocation_engine.grpc.pb.h"
#include "fifo/v1/allocation_validator.grpc.pb.h"
#include "fifo/v1/pnl_reports.grpc.pb.h"
#include "fifo/v1/review_queue.grpc.pb.h"
#include "fifo/v1/trade_ledger.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "api/convert.h"
#include "api/grpc_status.h"

namespace fifo::cli {
namespace {

namespace pb = ::fifo::v1;

constexpr absl::Duration kLongCallTimeout = absl::Minutes(10);
constexpr absl::Duration kShortCallTimeout = absl::Seconds(60);
// Rows handed to an AllocationSink at a time.
constexpr size_t kAllocationPage = 1000;
// The server's largest page.
constexpr int kMaxPageSize = 1000;
// "Return everything" for the list-capped replies (validate, compare).
constexpr int kUnlimited = std::numeric_limits<int32_t>::max();

// --timeout: an absl duration ("90s", "10m", "1h30m") or plain seconds.
absl::StatusOr<absl::Duration> ParseTimeout(const std::string& text) {
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--timeout: not a duration (e.g. 90s, 10m) or seconds: \"", text,
        "\""));
  }
  if (d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive");
  }
  return d;
}

// A bearer token must be a valid HTTP/2 header value; the message never
// repeats the token.
absl::Status CheckToken(const std::string& token) {
  for (char c : token) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(
          "--token / FIFO_TOKEN: a token is printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

// The content of `path`; `flag` (e.g. "--tls-ca") names it in the error.
absl::StatusOr<std::string> ReadFile(absl::string_view flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(flag, ": cannot read ", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of a PEM text, or null.
X509Ptr FirstCertificate(const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

// gRPC takes unusable PEM without complaint and then fails every call with
// "empty address list"; these checks name the flag and file instead.
absl::Status CheckCaPem(const std::string& pem, const std::string& path) {
  if (FirstCertificate(pem) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-ca ", path, ": no PEM certificate in it"));
  }
  return absl::OkStatus();
}

// The client certificate must parse, be valid now and match the key.
absl::Status CheckClientPem(const std::string& cert_pem,
                            const std::string& key_pem,
                            const GlobalOptions& global) {
  X509Ptr cert = FirstCertificate(cert_pem);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-cert ", global.tls_cert, ": no PEM certificate in it"));
  }
  KeyPtr key;
  {
    BioPtr bio = MemoryBio(key_pem);
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key ", global.tls_key,
                     ": no unencrypted PEM private key in it"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key ", global.tls_key,
                     " does not match --tls-cert ", global.tls_cert));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls-cert ", global.tls_cert, " is not valid yet (notBefore is "
        "later)"));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("--tls-cert ", global.tls_cert, " has expired"));
  }
  return absl::OkStatus();
}

// What the connection was set up with, for the hints of TlsHint().
struct Transport {
  bool tls = false;
  bool client_cert = false;
};

// A hint for an UNAVAILABLE call, keyed on what gRPC 1.51 (OpenSSL 3,
// TLS 1.3) reports on the client side when no connection could be set up
// ("failed to connect to all addresses; last error: ..."); "" when there is
// nothing to add.
//  - A server with --tls-client-ca that gets no client certificate, or one
//    its CA did not sign, aborts the handshake after the client has
//    finished its part; the client only sees "Socket closed" (the reason is
//    in the server's log: "peer did not return a certificate",
//    "certificate verify failed"). Nothing on the client tells this apart
//    from another reason to close, hence "may".
//  - A server certificate that --tls-ca did not sign: "Ssl handshake
//    failed: ... certificate verify failed".
//  - A plaintext server: "Ssl handshake failed: ... wrong version number".
std::string TlsHint(const Transport& transport, absl::string_view message) {
  if (!transport.tls ||
      !absl::StrContains(message, "failed to connect to all addresses")) {
    return "";
  }
  if (absl::StrContains(message, "Socket closed")) {
    if (!transport.client_cert) {
      return " (the server closed the connection during the TLS handshake: "
             "it may require a client certificate, --tls-cert/--tls-key; "
             "the server's log says why)";
    }
    return " (the server closed the connection during the TLS handshake: "
           "it may not trust --tls-cert, which must be signed by a CA in the "
           "server's --tls-client-ca; the server's log says why)";
  }
  if (absl::StrContains(message, "Ssl handshake failed") &&
      absl::StrContains(message, "certificate verify failed")) {
    return " (the TLS handshake failed: the server's certificate is not "
           "signed by a CA in --tls-ca)";
  }
  if (absl::StrContains(message, "Ssl handshake failed") &&
      absl::StrContains(message, "wrong version number")) {
    return " (the TLS handshake failed: the server does not seem to speak "
           "TLS)";
  }
  return "";
}

class RemoteBackend : public Backend {
 public:
  RemoteBackend(std::string server, Transport transport,
                std::shared_ptr<grpc::Channel> channel, std::string token,
                std::optional<absl::Duration> timeout)
      : server_(std::move(server)),
        transport_(transport),
        token_(std::move(token)),
        timeout_(timeout),
        ledger_(pb::TradeLedger::NewStub(channel)),
        engine_(pb::AllocationEngine::NewStub(channel)),
        validator_(pb::AllocationValidator::NewStub(channel)),
        reports_(pb::PnlReports::NewStub(channel)),
        review_(pb::ReviewQueue::NewStub(channel)) {}

  absl::StatusOr<std::vector<AppliedMigration>> Migrate() override {
    return absl::UnimplementedError(
        "migrate runs against the database, not through fifo_server: use "
        "--db URL instead of --server");
  }

  absl::StatusOr<ImportResult> ImportTrades(const TradeReader& read,
                                            bool dry_run) override {
    if (dry_run) {
      return absl::UnimplementedError(
          "--dry-run is not available with --server (the API records or "
          "rejects); run the dry run against the database with --db");
    }
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    pb::ImportTradesResponse response;
    std::unique_ptr<grpc::ClientWriter<pb::ImportTradesRequest>> writer =
        ledger_->ImportTrades(context.get(), &response);
    pb::ImportTradesRequest request;
    bool open = true;
    absl::Status read_status = read([&](Trade&& trade) -> absl::Status {
      if (!open) return absl::OkStatus();
      *request.mutable_trade() = TradeToProto(trade);
      // false: the server ended the call (an invalid trade, a lost
      // connection); Finish() says why.
      open = writer->Write(request);
      return absl::OkStatus();
    });
    if (!read_status.ok()) {
      // A bad row: cancel, so the server writes nothing.
      context->TryCancel();
      (void)writer->Finish();
      return read_status;
    }
    writer->WritesDone();
    FIFO_RETURN_IF_ERROR(Check(writer->Finish()));
    ImportResult result;
    result.inserted = response.created();
    result.unchanged = response.unchanged();
    return result;
  }

  absl::StatusOr<ComputationRun> ComputeAllSymbols(RunTrigger trigger,
                                                   bool rewrite) override {
    pb::ComputeAllSymbolsRequest request;
    request.set_triggered_by(TriggerToProto(trigger));
    request.set_rewrite(rewrite);
    pb::ComputeAllSymbolsResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(engine_->ComputeAllSymbols(context.get(), request, &response)));
    return ComputationFromProto(response.computation());
  }

  absl::StatusOr<ComputationRun> ComputeSymbol(const std::string& symbol,
                                               RunTrigger trigger,
                                               bool rewrite) override {
    pb::ComputeSymbolRequest request;
    request.set_symbol(symbol);
    request.set_triggered_by(TriggerToProto(trigger));
    request.set_rewrite(rewrite);
    pb::ComputeSymbolResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(engine_->ComputeSymbol(context.get(), request, &response)));
    return ComputationFromProto(response.computation());
  }

  absl::StatusOr<ComputationRun> ComputeIncremental(
      std::optional<absl::Time> since, RunTrigger trigger) override {
    pb::ComputeIncrementalRequest request;
    if (since.has_value()) *request.mutable_since() = TimeToProto(*since);
    request.set_triggered_by(TriggerToProto(trigger));
    pb::ComputeIncrementalResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(engine_->ComputeIncremental(context.get(), request, &response)));
    return ComputationFromProto(response.computation());
  }

  absl::StatusOr<VersionValidation> Validate(
      std::optional<int64_t> version,
      const std::optional<std::string>& symbol) override {
    pb::ValidateAllocationsRequest request;
    if (version.has_value()) request.set_allocation_version(*version);
    request.set_symbol(symbol.value_or(""));
    // Every violation, as locally: the summary line counts the list.
    request.set_max_violations(kUnlimited);
    pb::ValidateAllocationsResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(Check(
        validator_->ValidateAllocations(context.get(), request, &response)));
    return ValidationFromProto(response);
  }

  absl::StatusOr<VersionComparison> CompareVersions(int64_t a,
                                                    int64_t b) override {
    pb::FindDiscrepanciesRequest request;
    request.set_version_a(a);
    request.set_version_b(b);
    request.set_max_sells(kUnlimited);
    pb::FindDiscrepanciesResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(Check(
        validator_->FindDiscrepancies(context.get(), request, &response)));
    return ComparisonFromProto(response);
  }

  absl::StatusOr<PnlReport> GetPnlReport(const PnlReportQuery& query) override {
    pb::GetPnlReportRequest request;
    if (query.version.has_value()) {
      request.set_allocation_version(*query.version);
    }
    request.set_symbol(query.symbol.value_or(""));
    request.set_period(query.period);
    request.set_group_by(GroupingToProto(query.grouping));
    pb::PnlReport response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(reports_->GetPnlReport(context.get(), request, &response)));
    return PnlReportFromProto(response);
  }

  absl::StatusOr<int64_t> ResolveVersion(
      std::optional<int64_t> version) override {
    pb::ListUnmatchedSellsRequest request;
    if (version.has_value()) request.set_allocation_version(*version);
    request.set_page_size(1);
    pb::ListUnmatchedSellsResponse response;
    std::unique_ptr<grpc::ClientContext> context =
        NewContext(kShortCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(reports_->ListUnmatchedSells(context.get(), request, &response)));
    return response.allocation_version();
  }

  absl::Status ScanAllocations(int64_t version,
                               const std::optional<std::string>& symbol,
                               const AllocationSink& sink) override {
    pb::ListAllocationsRequest request;
    request.set_allocation_version(version);
    request.set_symbol(symbol.value_or(""));
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    std::unique_ptr<grpc::ClientReader<pb::Allocation>> reader =
        reports_->ListAllocations(context.get(), request);
    std::vector<StoredAllocation> page;
    page.reserve(kAllocationPage);
    absl::Status failed;  // a conversion or sink error: stop reading
    pb::Allocation row;
    while (failed.ok() && reader->Read(&row)) {
      absl::StatusOr<StoredAllocation> stored = AllocationFromProto(row);
      if (!stored.ok()) {
        failed = absl::Status(
            stored.status().code(),
            absl::StrCat("allocation from the server: ",
                         stored.status().message()));
        break;
      }
      page.push_back(*std::move(stored));
      if (page.size() == kAllocationPage) {
        failed = sink(page);
        page.clear();
      }
    }
    if (!failed.ok()) {
      context->TryCancel();
      (void)reader->Finish();
      return failed;
    }
    FIFO_RETURN_IF_ERROR(Check(reader->Finish()));
    if (!page.empty()) return sink(page);
    return absl::OkStatus();
  }

  absl::StatusOr<PruneResult> PruneVersions(
      const PruneOptions& options) override {
    pb::PruneVersionsRequest request;
    if (options.keep_last.has_value()) request.set_keep_last(*options.keep_last);
    if (options.older_than.has_value()) {
      const int64_t ns = absl::ToInt64Nanoseconds(*options.older_than);
      request.mutable_older_than()->set_seconds(ns / 1000000000);
      request.mutable_older_than()->set_nanos(
          static_cast<int32_t>(ns % 1000000000));
    }
    for (int64_t v : options.keep) request.add_keep(v);
    request.set_dry_run(options.dry_run);
    pb::PruneVersionsResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(kLongCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(engine_->PruneVersions(context.get(), request, &response)));
    PruneResult result;
    result.versions_removed.assign(response.versions_removed().begin(),
                                   response.versions_removed().end());
    result.versions_kept.assign(response.versions_kept().begin(),
                                response.versions_kept().end());
    result.segments_removed = response.segments_removed();
    result.allocations_removed = response.allocations_removed();
    result.lots_removed = response.lots_removed();
    return result;
  }

  absl::StatusOr<RunPage> ListRuns(int limit,
                                   const std::string& page_token) override {
    // The store's rule, so that both modes reject the same limits.
    if (limit < 1 || limit > kMaxPageSize) {
      return absl::InvalidArgumentError(
          absl::StrCat("limit must be in 1..1000, got ", limit));
    }
    pb::ListComputationsRequest request;
    request.set_page_size(limit);
    request.set_page_token(page_token);
    pb::ListComputationsResponse response;
    std::unique_ptr<grpc::ClientContext> context =
        NewContext(kShortCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(engine_->ListComputations(context.get(), request, &response)));
    RunPage page;
    for (const pb::Computation& c : response.computations()) {
      FIFO_ASSIGN_OR_RETURN(ComputationRun run, ComputationFromProto(c));
      page.runs.push_back(std::move(run));
    }
    page.next_page_token = response.next_page_token();
    return page;
  }

  absl::StatusOr<std::vector<ReviewItem>> ListReviewItems(
      ReviewFilter filter) override {
    pb::ListReviewItemsRequest request;
    switch (filter) {
      case ReviewFilter::kOpen:
        request.set_status(pb::REVIEW_STATUS_OPEN);
        break;
      case ReviewFilter::kResolved:
        request.set_status(pb::REVIEW_STATUS_RESOLVED);
        break;
      case ReviewFilter::kAll:
        request.set_status(pb::REVIEW_STATUS_UNSPECIFIED);
        break;
    }
    request.set_page_size(kMaxPageSize);
    std::vector<ReviewItem> items;
    do {
      pb::ListReviewItemsResponse response;
      std::unique_ptr<grpc::ClientContext> context =
          NewContext(kShortCallTimeout);
      FIFO_RETURN_IF_ERROR(
          Check(review_->ListReviewItems(context.get(), request, &response)));
      for (const pb::ReviewItem& p : response.items()) {
        FIFO_ASSIGN_OR_RETURN(ReviewItem item, ReviewItemFromProto(p));
        items.push_back(std::move(item));
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return items;
  }

  absl::StatusOr<ReviewItem> ResolveReviewItem(
      int64_t id, const std::string& note) override {
    pb::ResolveReviewItemRequest request;
    request.set_id(id);
    request.set_resolution_note(note);
    pb::ReviewItem response;
    std::unique_ptr<grpc::ClientContext> context =
        NewContext(kShortCallTimeout);
    FIFO_RETURN_IF_ERROR(
        Check(review_->ResolveReviewItem(context.get(), request, &response)));
    return ReviewItemFromProto(response);
  }

 private:
  // A context with the call's deadline (--timeout wins) and the token.
  std::unique_ptr<grpc::ClientContext> NewContext(
      absl::Duration default_timeout) const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(
        absl::ToChronoTime(absl::Now() + timeout_.value_or(default_timeout)));
    if (!token_.empty()) {
      context->AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    }
    return context;
  }

  // The server's status as it sent it; transport failures name the server
  // (and, over TLS, what a failed handshake probably means: TlsHint).
  absl::Status Check(const grpc::Status& status) const {
    absl::Status s = FromGrpcStatus(status);
    if (s.ok()) return s;
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return absl::UnavailableError(
          absl::StrCat("fifo_server at ", server_, " is unavailable: ",
                       s.message(), TlsHint(transport_, s.message())));
    }
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::DeadlineExceededError(
          absl::StrCat(s.message(), " (fifo_server at ", server_,
                       "; see --timeout)"));
    }
    return s;
  }

  const std::string server_;
  const Transport transport_;
  const std::string token_;  // never printed
  const std::optional<absl::Duration> timeout_;
  const std::unique_ptr<pb::TradeLedger::Stub> ledger_;
  const std::unique_ptr<pb::AllocationEngine::Stub> engine_;
  const std::unique_ptr<pb::AllocationValidator::Stub> validator_;
  const std::unique_ptr<pb::PnlReports::Stub> reports_;
  const std::unique_ptr<pb::ReviewQueue::Stub> review_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> OpenRemoteBackend(
    const GlobalOptions& global) {
  if (!global.db.empty()) {
    return absl::InvalidArgumentError(
        "give either --db (a local store) or --server (a fifo_server), not "
        "both");
  }
  FIFO_RETURN_IF_ERROR(CheckToken(global.token));
  // fifoctl_main.cc refuses these as usage errors; this catches empty
  // values ("--tls-key ''") and other callers.
  if (global.tls_cert.empty() != global.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "give both --tls-cert and --tls-key (a client certificate and its "
        "key), or neither");
  }
  if (!global.tls_cert.empty() && global.tls_ca.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key need --tls-ca (a client certificate is "
        "only sent over TLS)");
  }
  std::optional<absl::Duration> timeout;
  if (!global.timeout.empty()) {
    FIFO_ASSIGN_OR_RETURN(timeout, ParseTimeout(global.timeout));
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  Transport transport;
  if (global.tls_ca.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    transport.tls = true;
    grpc::SslCredentialsOptions ssl;
    FIFO_ASSIGN_OR_RETURN(ssl.pem_root_certs,
                          ReadFile("--tls-ca", global.tls_ca));
    FIFO_RETURN_IF_ERROR(CheckCaPem(ssl.pem_root_certs, global.tls_ca));
    if (!global.tls_cert.empty()) {
      transport.client_cert = true;
      FIFO_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                            ReadFile("--tls-cert", global.tls_cert));
      FIFO_ASSIGN_OR_RETURN(ssl.pem_private_key,
                            ReadFile("--tls-key", global.tls_key));
      FIFO_RETURN_IF_ERROR(
          CheckClientPem(ssl.pem_cert_chain, ssl.pem_private_key, global));
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  // Reports and validations of a large ledger exceed gRPC's 4 MB default.
  args.SetMaxReceiveMessageSize(-1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(global.server, credentials, args);
  return std::unique_ptr<Backend>(
      new RemoteBackend(global.server, transport, std::move(channel),
                        global.token, timeout));
}

}  // namespace fifo::cli
