// gen_ledger: writes a deterministic synthetic ledger as a trades CSV.
//
//   bazel run -c opt //bench:gen_ledger -- --trades 10000000 --seed 42
//       --shape mixed --out /tmp/ledger.csv
//
// Streams: memory does not grow with --trades. Exit code 0 on success, 1 on
// a write error, 2 on bad flags.
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "bench/ledger_generator.h"
#include "formats/trades_csv.h"

namespace {

absl::Status Generate(const fifo::bench::LedgerOptions& options,
                      std::ostream& out) {
  fifo::TradesCsvWriter writer(out);
  absl::Status status = writer.WriteHeader();
  if (!status.ok()) return status;
  fifo::bench::LedgerGenerator generator(options);
  fifo::Trade trade;
  while (generator.Next(&trade)) {
    status = writer.Write(trade);
    if (!status.ok()) return status;
  }
  out.flush();
  if (!out.good()) return absl::DataLossError("flush failed");
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes a deterministic synthetic trades CSV."};
  fifo::bench::LedgerOptions options;
  std::string shape = "mixed";
  std::string out_path;
  app.add_option("--trades,-n", options.trades, "number of trades")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--symbols,-s", options.symbols,
                 "number of symbols (0: the shape's default)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--seed,-k", options.seed, "PRNG seed");
  app.add_option("--shape", shape,
                 "small-fills | deep-inventory | many-symbols | "
                 "long-history | mixed | balanced | adversarial");
  app.add_option("--out,-o", out_path, "output file ('-' for stdout)")
      ->required();
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<fifo::bench::LedgerShape> parsed =
      fifo::bench::ParseLedgerShape(shape);
  if (!parsed.ok()) {
    std::cerr << "gen_ledger: " << parsed.status().message() << "\n";
    return 2;
  }
  options.shape = *parsed;
  if (absl::Status valid = fifo::bench::ValidateLedgerOptions(options);
      !valid.ok()) {
    std::cerr << "gen_ledger: " << valid.message() << "\n";
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  absl::Status status;
  if (out_path == "-") {
    status = Generate(options, std::cout);
  } else {
    std::ofstream file;
    // A large buffer: rows are short and many.
    auto buffer = std::make_unique<char[]>(1 << 20);
    file.rdbuf()->pubsetbuf(buffer.get(), 1 << 20);
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file.is_open()) {
      std::cerr << "gen_ledger: cannot open " << out_path << "\n";
      return 1;
    }
    status = Generate(options, file);
    file.close();
    if (status.ok() && file.fail())
      status = absl::DataLossError("close failed");
  }
  if (!status.ok()) {
    std::cerr << "gen_ledger: " << out_path << ": " << status.message() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::cerr << "gen_ledger: " << options.trades << " trades ("
            << fifo::bench::LedgerShapeName(options.shape) << ", "
            << fifo::bench::EffectiveSymbolCount(options) << " symbols, seed "
            << options.seed << ") in " << seconds << " s\n";
  return 0;
}
