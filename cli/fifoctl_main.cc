// fifoctl: the command-line face of the FIFO allocation service.
// Each subcommand lives in its own cli/*_command.cc.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/allocate_command.h"
#include "cli/cli_common.h"
#include "cli/legacy_command.h"
#include "absl/strings/str_cat.h"
#include "cli/report_command.h"
#include "cli/store_commands.h"
#include "common/log.h"
#include "common/version.h"
#include "engine/fifo_engine.h"

namespace {

// Edit distance (insertions, deletions, substitutions) of two short words.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The first word of the command line that is not an option or an option's
// value, when it names no subcommand: "unknown subcommand" naming it and the
// nearest subcommand, instead of CLI11's "A subcommand is required".
std::optional<std::string> UnknownSubcommand(CLI::App& app, int argc,
                                             char** argv) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names.push_back(sub->get_name());
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (!arg.empty() && arg[0] == '-') {
      // A global option given as "--opt VALUE": skip the value too.
      CLI::Option* option = app.get_option_no_throw(arg);
      if (option != nullptr && option->get_items_expected_min() > 0 &&
          arg.find('=') == std::string::npos) {
        ++i;
      }
      continue;
    }
    if (std::find(names.begin(), names.end(), arg) != names.end()) {
      return std::nullopt;
    }
    std::string nearest;
    size_t best = std::string::npos;
    for (const std::string& name : names) {
      const size_t d = EditDistance(arg, name);
      if (d < best) {
        best = d;
        nearest = name;
      }
    }
    std::string message = absl::StrCat("fifoctl: unknown subcommand \"", arg, "\"");
    if (best <= std::max<size_t>(2, arg.size() / 3)) {
      absl::StrAppend(&message, "; did you mean \"", nearest, "\"?");
    } else {
      absl::StrAppend(&message, "; run fifoctl --help for the list");
    }
    return message;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "fifoctl: FIFO lot allocations and realized PnL from an immutable "
      "trade ledger"};
  app.require_subcommand(1);
  // Global options are accepted after the subcommand too
  // ("fifoctl allocate --symbol-config F ..."): a subcommand hands the
  // options it does not know to fifoctl itself.
  app.fallthrough();
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  fifo::cli::GlobalOptions global;
  app.add_option("--db", global.db,
                 "Store URL: sqlite:PATH or postgresql://... "
                 "(default: $FIFO_DB or sqlite:fifo.db)");
  app.add_option("--symbol-config", global.symbol_config,
                 "Symbol configuration JSON (default: $FIFO_SYMBOL_CONFIG)");
  app.add_flag("-q,--quiet", global.quiet, "Print no summary or progress");
  app.add_option("--server", global.server,
                 "Remote mode: run the command through the fifo_server at "
                 "HOST:PORT instead of a local store (not with --db)");
  app.add_option("--token", global.token,
                 "With --server: bearer token for the server "
                 "(default: $FIFO_TOKEN)")
      ->envname("FIFO_TOKEN");
  CLI::Option* tls_ca =
      app.add_option("--tls-ca", global.tls_ca,
                     "With --server: use TLS, trusting this PEM CA bundle");
  // Mutual TLS: a client certificate only makes sense over TLS, and a
  // certificate without its key (or the reverse) is a usage error (exit 2).
  CLI::Option* tls_cert = app.add_option(
      "--tls-cert", global.tls_cert,
      "With --server and --tls-ca: present this PEM client certificate chain "
      "to a server that requires one (its --tls-client-ca)");
  CLI::Option* tls_key =
      app.add_option("--tls-key", global.tls_key,
                     "PEM private key (unencrypted) of --tls-cert");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  tls_cert->needs(tls_ca);
  tls_key->needs(tls_ca);
  app.add_option("--timeout", global.timeout,
                 "With --server: deadline of each call, e.g. 90s or 10m "
                 "(default: 10m for imports, computations and reports, 60s "
                 "otherwise)");
  app.add_option("--alert-webhook", global.alert_webhook,
                 "POST an alert ({\"text\": ...}, Slack compatible) per "
                 "unmatched sell of a computation to this http(s) URL "
                 "(default: $FIFO_ALERT_WEBHOOK)")
      ->envname("FIFO_ALERT_WEBHOOK");
  app.set_version_flag(
      "--version",
      absl::StrCat("fifoctl ", fifo::kFifoVersion, " (allocation algorithm ",
                   fifo::kAlgorithmVersion, ")"),
      "Print fifoctl's version and exit");
  // fifoctl prints its own results; its logs default to warnings and errors
  // (unmatched sells, failed runs). FIFO_LOG_LEVEL overrides; a value that
  // names no level is a usage error, not silently ignored.
  absl::StatusOr<std::optional<fifo::LogLevel>> env_level =
      fifo::LogLevelFromEnvironment();
  if (!env_level.ok()) {
    std::cerr << "fifoctl: " << env_level.status().message() << "\n";
    return fifo::cli::kExitUsage;
  }
  if (!env_level->has_value()) fifo::SetLogLevel(fifo::LogLevel::kWarning);
  int exit_code = fifo::cli::kExitOk;
  fifo::cli::RegisterAllocateCommand(app, global, exit_code);
  fifo::cli::RegisterStoreCommands(app, global, exit_code);
  fifo::cli::RegisterReportCommand(app, global, exit_code);
  fifo::cli::RegisterLegacyCommand(app, global, exit_code);
  if (std::optional<std::string> unknown = UnknownSubcommand(app, argc, argv)) {
    std::cerr << *unknown << "\n";
    return fifo::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; any other parse error
    // is a usage error: CLI11 prints it, fifoctl exits 2.
    return app.exit(e) == 0 ? fifo::cli::kExitOk : fifo::cli::kExitUsage;
  }
  return exit_code;
}
