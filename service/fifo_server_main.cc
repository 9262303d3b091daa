// fifo_server: the fifo.v1 gRPC API (AllocationEngine, AllocationValidator,
// TradeLedger, PnlReports, ReviewQueue) plus gRPC health checking and
// server reflection (v1alpha, which grpcurl falls back to).
//
//   fifo_server [--listen=127.0.0.1:50051] [--db=sqlite:fifo.db]
//               [--symbol-config=FILE] [--token-file=FILE]
//               [--tls-cert=FILE --tls-key=FILE [--tls-client-ca=FILE]]
//               [--shutdown-grace=10s] [--reflection=true] [--log-level=info]
//
// Flags may be written with '-' or '_' ("--token-file" = "--token_file").
// --db defaults to $FIFO_DB, else sqlite:fifo.db. Tokens come from
// --token-file or $FIFO_TOKENS (format in service/auth.h); without either
// the server runs unauthenticated and then only on a loopback address.
//
// Once listening it prints one line on stdout:
//   fifo_server listening on 127.0.0.1:43121
// (with the kernel's port when --listen has port 0), so scripts and tests can
// find it. Logs go to stderr, one JSON object per line (common/log.h). SIGTERM
// or SIGINT: the health status turns NOT_SERVING, new calls are refused, calls
// in flight get --shutdown-grace to finish, then the rest are cancelled and the
// process exits 0. A second signal exits at once.
//
// Exit codes: 0 after a signal-initiated shutdown; 1 when the server cannot
// start (port taken, store unavailable); 2 for a configuration error.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/version.h"
#include "service/metrics/http_listener.h"
#include "service/metrics/metrics.h"
#include "service/metrics/rpc_observer.h"
#include "engine/fifo_engine.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "service/auth.h"
#include "service/handlers.h"
#include "service/server_options.h"
#include "service/tls.h"
#include "storage/ledger_store.h"

ABSL_FLAG(std::string, listen, std::string(fifo::kDefaultListenAddress),
          "Address to listen on: HOST:PORT (port 0 picks a free port), "
          "[IPV6]:PORT or unix:PATH.");
ABSL_FLAG(std::string, db, fifo::DefaultStoreUrl(),
          "Store URL: sqlite:PATH or postgresql://... (default: $FIFO_DB, "
          "else sqlite:fifo.db).");
ABSL_FLAG(std::string, symbol_config, "",
          "Per-symbol configuration JSON (formats/symbol_config_json.h); "
          "empty: exact arithmetic, no dust, for every symbol.");
ABSL_FLAG(std::string, token_file, "",
          "Bearer tokens, one '<token> <role> [<name>]' per line (see "
          "service/auth.h). Alternatively set FIFO_TOKENS.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the server; turns on TLS with "
          "--tls-key.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when given, clients must present a certificate "
          "signed by it (mutual TLS).");
ABSL_FLAG(std::string, alert_webhook, "",
          "URL that receives a Slack-compatible JSON alert for every "
          "unmatched sell (default: $FIFO_ALERT_WEBHOOK; empty: none).");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "How long calls in flight may run after SIGTERM/SIGINT.");
ABSL_FLAG(bool, reflection, true,
          "Serve gRPC server reflection (v1alpha) for grpcurl and similar.");
ABSL_FLAG(std::string, http_listen, "",
          "HOST:PORT of the HTTP listener serving Prometheus metrics at "
          "/metrics (port 0 picks a free one; the address is logged as "
          "event http_serving). Empty: no HTTP listener.");
ABSL_FLAG(std::string, log_level, "",
          "debug, info, warning or error (default: $FIFO_LOG_LEVEL, else "
          "info).");

namespace fifo {
namespace {

constexpr int kExitStartFailure = 1;
constexpr int kExitConfig = 2;

// Drops the reflection plugin. Linking libgrpc++_reflection registers it for
// every ServerBuilder (a static initializer), so --reflection=false has to
// take it out again.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->erase(
        std::remove_if(plugins->begin(), plugins->end(),
                       [](const std::unique_ptr<grpc::ServerBuilderPlugin>& p) {
                         return p->name() == "proto_server_reflection";
                       }),
        plugins->end());
  }
};

int ConfigError(const absl::Status& status) {
  LogEvent(LogLevel::kError, "config_error",
           {{"error", std::string(status.message())}});
  return kExitConfig;
}

int Run(int argc, char** argv) {
  // Flags.
  std::vector<std::string> args =
      NormalizeFlagNames(std::vector<std::string>(argv, argv + argc));
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) arg_pointers.push_back(arg.data());
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = [] {
    return absl::StrCat("fifo_server ", kFifoVersion, " (allocation algorithm ",
                        kAlgorithmVersion, ")\n");
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(
      "Serves the fifo.v1 gRPC API (AllocationEngine, AllocationValidator,\n"
      "TradeLedger, PnlReports, ReviewQueue) plus grpc.health.v1 and server\n"
      "reflection over one store.\n\n"
      "  fifo_server --listen 127.0.0.1:50051 --db sqlite:fifo.db \\\n"
      "      [--symbol-config FILE] [--token-file FILE]\n"
      "      [--tls-cert F --tls-key F [--tls-client-ca F]]\n\n"
      "Prints \"fifo_server listening on ADDRESS\" on stdout once serving;\n"
      "JSON log lines go to stderr. A PostgreSQL store must be migrated\n"
      "first (fifoctl --db URL migrate); an empty SQLite file is migrated.\n"
      "Without --token-file the server refuses non-loopback addresses.\n"
      "Exit codes: 0 after SIGTERM/SIGINT, 2 for a configuration error.");
  std::vector<char*> positional = absl::ParseCommandLine(
      static_cast<int>(arg_pointers.size()), arg_pointers.data());

  // $FIFO_LOG_LEVEL must name a level even when --log-level overrides it:
  // a typo in a deployment's environment is refused, not ignored.
  absl::StatusOr<std::optional<LogLevel>> env_level = LogLevelFromEnvironment();
  if (!env_level.ok()) return ConfigError(env_level.status());
  const std::string log_level = absl::GetFlag(FLAGS_log_level);
  if (!log_level.empty()) {
    absl::StatusOr<LogLevel> level = ParseLogLevel(log_level);
    if (!level.ok()) {
      return ConfigError(absl::InvalidArgumentError(
          absl::StrCat("--log-level: ", level.status().message())));
    }
    SetLogLevel(*level);
  }
  if (positional.size() > 1) {
    return ConfigError(absl::InvalidArgumentError(
        absl::StrCat("unexpected argument \"", positional[1], "\"")));
  }

  // Handle SIGINT/SIGTERM synchronously in this thread: block them before
  // any other thread (gRPC's) exists, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Where to listen, and with what protection.
  absl::StatusOr<ListenAddress> listen =
      ParseListenAddress(absl::GetFlag(FLAGS_listen));
  if (!listen.ok()) return ConfigError(listen.status());

  const std::string token_file = absl::GetFlag(FLAGS_token_file);
  absl::StatusOr<std::optional<TokenSet>> tokens =
      LoadTokens(token_file, std::getenv("FIFO_TOKENS"));
  if (!tokens.ok()) return ConfigError(tokens.status());
  const bool authenticated = tokens->has_value();
  if (absl::Status policy = CheckListenPolicy(*listen, authenticated);
      !policy.ok()) {
    return ConfigError(policy);
  }
  if (!token_file.empty()) {
    if (std::optional<std::string> warning =
            TokenFilePermissionWarning(token_file)) {
      LogEvent(LogLevel::kWarning, "token_file_permissions",
               {{"path", token_file}, {"detail", *warning}});
    }
  }

  const TlsFiles tls_files{absl::GetFlag(FLAGS_tls_cert),
                           absl::GetFlag(FLAGS_tls_key),
                           absl::GetFlag(FLAGS_tls_client_ca)};
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(tls_files);
  if (!credentials.ok()) return ConfigError(credentials.status());

  absl::StatusOr<MethodRoles> roles = MethodRoles::ForFifoApi();
  if (!roles.ok()) return ConfigError(roles.status());
  const size_t method_count = roles->table().size();
  const size_t token_count = authenticated ? (*tokens)->size() : 0;
  Authorizer authorizer(*std::move(roles), *std::move(tokens));

  if (authenticated) {
    LogEvent(LogLevel::kInfo, "authentication",
             {{"tokens", token_count},
              {"methods", method_count}});
    if (!TlsRequested(tls_files) && !IsLoopback(*listen)) {
      LogEvent(LogLevel::kWarning, "plaintext_tokens",
               {{"listen", listen->text},
                {"detail",
                 "bearer tokens travel in plaintext: add --tls-cert and "
                 "--tls-key unless a proxy or mesh provides TLS"}});
    }
  } else {
    LogEvent(LogLevel::kWarning, "unauthenticated_mode",
             {{"listen", listen->text},
              {"detail",
               "no --token-file or FIFO_TOKENS: every caller is a writer; "
               "allowed on loopback only"}});
  }

  // Handlers.
  ServerConfig config{absl::GetFlag(FLAGS_db),
                      absl::GetFlag(FLAGS_symbol_config)};
  config.alert_webhook_url = absl::GetFlag(FLAGS_alert_webhook);
  if (config.alert_webhook_url.empty()) {
    const char* env = std::getenv("FIFO_ALERT_WEBHOOK");
    if (env != nullptr) config.alert_webhook_url = env;
  }
  if (config.db_url.empty()) {
    return ConfigError(absl::InvalidArgumentError("--db must not be empty"));
  }
  absl::StatusOr<ServiceHandlers> handlers =
      CreateServiceHandlers(config, &authorizer);
  if (!handlers.ok()) {
    LogEvent(LogLevel::kError, "startup_failed",
             {{"error", std::string(handlers.status().message())}});
    return handlers.status().code() == absl::StatusCode::kInvalidArgument
               ? kExitConfig
               : kExitStartFailure;
  }

  // Metrics. The store gauges are read at scrape time through a store of
  // their own (a LedgerStore serialises its calls; scrapes are rare).
  std::shared_ptr<LedgerStore> gauge_store;
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    absl::StatusOr<std::unique_ptr<LedgerStore>> opened =
        OpenLedgerStore(config.db_url);
    if (!opened.ok()) {
      LogEvent(LogLevel::kError, "startup_failed",
               {{"error", std::string(opened.status().message())}});
      return kExitStartFailure;
    }
    gauge_store = *std::move(opened);
  }
  ServerMetrics metrics([gauge_store]() {
    StoreGauges gauges;
    if (gauge_store == nullptr) return gauges;
    absl::StatusOr<std::optional<int64_t>> latest =
        gauge_store->LatestCompletedVersion();
    if (latest.ok()) gauges.latest_version = latest->value_or(0);
    absl::StatusOr<int64_t> open =
        gauge_store->CountReviewItems(ReviewFilter::kOpen);
    if (open.ok()) gauges.unmatched_sells_open = *open;
    return gauges;
  });

  // The server.
  grpc::EnableDefaultHealthCheckService(true);
  if (absl::GetFlag(FLAGS_reflection)) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  }
  grpc::ServerBuilder builder;
  if (!absl::GetFlag(FLAGS_reflection)) {
    builder.SetOption(std::make_unique<WithoutReflection>());
  }
  // gRPC sets SO_REUSEPORT by default, which would let a second server bind
  // the same port silently; a taken port must be an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int selected_port = 0;
  builder.AddListeningPort(listen->text, *credentials, &selected_port);
  // Every call: metrics and one access-log line (service/metrics).
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      std::make_unique<RpcObserverFactory>(&metrics, &authorizer));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  for (const std::unique_ptr<grpc::Service>& service : handlers->services) {
    builder.RegisterService(service.get());
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || (!listen->unix_socket && selected_port == 0)) {
    LogEvent(LogLevel::kError, "listen_failed",
             {{"listen", listen->text},
              {"detail", "cannot listen (address in use or invalid?)"}});
    return kExitStartFailure;
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  std::vector<std::string> service_names;
  for (const google::protobuf::ServiceDescriptor* service : FifoServices()) {
    service_names.push_back(service->full_name());
    if (health != nullptr) health->SetServingStatus(service->full_name(), true);
  }

  const std::string bound = BoundAddress(*listen, selected_port);
  const char* transport = !TlsRequested(tls_files)      ? "plaintext"
                          : tls_files.client_ca.empty() ? "tls"
                                                        : "mutual_tls";
  LogEvent(LogLevel::kInfo, "serving",
           {{"address", bound},
            {"services", absl::StrJoin(service_names, ",")},
            {"transport", transport},
            {"reflection", absl::GetFlag(FLAGS_reflection) ? "on" : "off"},
            {"store", RedactStoreUrl(config.db_url)}});
  HttpListener http(&metrics);
  if (!absl::GetFlag(FLAGS_http_listen).empty()) {
    absl::StatusOr<std::string> http_bound =
        http.Start(absl::GetFlag(FLAGS_http_listen));
    if (!http_bound.ok()) {
      LogEvent(LogLevel::kError, "listen_failed",
               {{"listen", absl::GetFlag(FLAGS_http_listen)},
                {"detail", std::string(http_bound.status().message())}});
      server->Shutdown();
      return absl::IsInvalidArgument(http_bound.status()) ? kExitConfig
                                                          : kExitStartFailure;
    }
    LogEvent(LogLevel::kInfo, "http_serving",
             {{"address", *http_bound}, {"paths", "/metrics"}});
  }
  std::cout << "fifo_server listening on " << bound << std::endl;

  // Wait for SIGINT/SIGTERM, then drain.
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  const absl::Duration grace = absl::GetFlag(FLAGS_shutdown_grace);
  LogEvent(LogLevel::kInfo, "shutdown_started",
           {{"signal", strsignal(signal_number)},
            {"grace", absl::FormatDuration(grace)}});
  std::thread([stop_signals]() mutable {
    int again = 0;
    sigwait(&stop_signals, &again);
    LogEvent(LogLevel::kWarning, "shutdown_forced",
             {{"signal", strsignal(again)}});
    _exit(kExitStartFailure);
  }).detach();
  if (health != nullptr) health->Shutdown();  // everything NOT_SERVING
  server->Shutdown(std::chrono::system_clock::now() +
                   absl::ToChronoNanoseconds(grace));
  server->Wait();
  http.Stop();
  LogEvent(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace fifo

int main(int argc, char** argv) { return fifo::Run(argc, argv); }
