// gen_ledger: writes a deterministic synthetic ledger as a trades CSV.
//
//   bazel run -c opt //bench:gen_ledger -- --trades 10000000 --seed 42
//       --shape mixed --out /tmp/ledger.csv [--hot-symbol-trades N]
//
// Trades go to the symbols uniformly at random (about trades/symbols each).
// --hot-symbol-trades N gives the first symbol (SYM0000-USD by default
// names) about N of the --trades instead, for benchmarks that need a symbol
// of a given size in a larger ledger: the extra trades are the generator's
// own Append() of that symbol, interleaved at random with Next() over all
// symbols, so the ledger keeps its shape, stays in ledger order and has
// exactly --trades trades. N must be between trades/symbols (nothing extra)
// and --trades; without the flag the output is unchanged.
//
// Streams: memory does not grow with --trades. Exit code 0 on success, 1 on
// a write error, 2 on bad flags.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "bench/ledger_generator.h"
#include "formats/trades_csv.h"

namespace {

// `extra`: trades of symbol 0 made by Append() on top of options.trades
// made by Next(), spread evenly (each output trade is one with probability
// extra left / trades left).
absl::Status Generate(const fifo::bench::LedgerOptions& options,
                      int64_t extra, std::ostream& out) {
  fifo::TradesCsvWriter writer(out);
  absl::Status status = writer.WriteHeader();
  if (!status.ok()) return status;
  fifo::bench::LedgerGenerator generator(options);
  fifo::Trade trade;
  int64_t next_left = options.trades;
  int64_t extra_left = extra;
  while (next_left + extra_left > 0) {
    if (extra_left > 0 &&
        generator.random().Below(static_cast<uint64_t>(next_left + extra_left)) <
            static_cast<uint64_t>(extra_left)) {
      --extra_left;
      std::vector<fifo::Trade> appended = generator.Append(1, 0);
      status = writer.Write(appended[0]);
    } else {
      --next_left;
      if (!generator.Next(&trade)) break;
      status = writer.Write(trade);
    }
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
  int64_t hot_trades = 0;
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
  app.add_option("--hot-symbol-trades", hot_trades,
                 "about this many of the trades go to the first symbol "
                 "(at least trades/symbols; 0: uniform)")
      ->check(CLI::NonNegativeNumber);
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

  // Symbol 0 gets extra + (trades - extra) / symbols trades on average.
  const int64_t total = options.trades;
  int64_t extra = 0;
  if (hot_trades > 0) {
    const int64_t symbols = fifo::bench::EffectiveSymbolCount(options);
    if (options.shape == fifo::bench::LedgerShape::kAdversarial ||
        symbols < 2 || hot_trades > total || hot_trades * symbols < total) {
      std::cerr << "gen_ledger: --hot-symbol-trades needs a non-adversarial "
                   "shape, two symbols or more, and a value between "
                   "trades/symbols ("
                << total / std::max<int64_t>(symbols, 1) << ") and --trades ("
                << total << ")\n";
      return 2;
    }
    extra = (hot_trades * symbols - total + (symbols - 1) / 2) / (symbols - 1);
    options.trades = total - extra;
  }

  const auto start = std::chrono::steady_clock::now();
  absl::Status status;
  if (out_path == "-") {
    status = Generate(options, extra, std::cout);
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
    status = Generate(options, extra, file);
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
  std::cerr << "gen_ledger: " << total << " trades ("
            << fifo::bench::LedgerShapeName(options.shape) << ", "
            << fifo::bench::EffectiveSymbolCount(options) << " symbols, seed "
            << options.seed;
  if (extra > 0) std::cerr << ", " << extra << " more of the first symbol";
  std::cerr << ") in " << seconds << " s\n";
  return 0;
}
