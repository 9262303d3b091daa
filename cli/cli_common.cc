#include "cli/cli_common.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "formats/symbol_config_json.h"

namespace fifo::cli {

namespace {
constexpr absl::string_view kUsagePayload = "fifo.cli/usage";
}  // namespace

absl::Status UsageError(absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

int ReportError(const absl::Status& status) {
  std::cerr << "fifoctl: " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
  return status.GetPayload(kUsagePayload).has_value() ? kExitUsage
                                                      : kExitFailure;
}

absl::StatusOr<SymbolConfigs> LoadSymbolConfigs(const GlobalOptions& global) {
  std::string path = global.symbol_config;
  if (path.empty()) {
    const char* env = std::getenv("FIFO_SYMBOL_CONFIG");
    if (env != nullptr) path = env;
  }
  if (path.empty()) return SymbolConfigs{};
  return ReadSymbolConfigFile(path);
}

absl::StatusOr<std::unique_ptr<Output>> Output::Open(const std::string& path) {
  auto out = std::make_unique<Output>();
  out->path_ = path;
  if (!path.empty() && path != "-") {
    out->file_ = std::make_unique<std::ofstream>(
        path, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!*out->file_) {
      return absl::UnavailableError(
          absl::StrCat("cannot create output file ", path));
    }
  }
  return out;
}

absl::Status Output::Close() {
  std::ostream& s = stream();
  s.flush();
  if (!s) {
    return absl::DataLossError(absl::StrCat(
        "could not write ", path_.empty() || path_ == "-" ? "stdout" : path_));
  }
  if (file_) file_->close();
  return absl::OkStatus();
}

absl::Status RequireExistingSqliteFile(const std::string& url) {
  if (!absl::StartsWith(url, "sqlite:")) return absl::OkStatus();
  std::string path = url.substr(7);
  if (path.empty() || path == ":memory:") return absl::OkStatus();
  if (access(path.c_str(), F_OK) == 0) return absl::OkStatus();
  if (errno != ENOENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open the SQLite database ", path, ": ", std::strerror(errno)));
  }
  return absl::NotFoundError(absl::StrCat(
      "no SQLite database at ", path,
      " (from --db, $FIFO_DB or the default sqlite:fifo.db): this command "
      "only reads, so it does not create one; check the path, or create the "
      "store with `fifoctl import-trades FILE` (or `fifoctl migrate`)"));
}

std::string ProgressFigures(int64_t done, int64_t total,
                            absl::Duration elapsed) {
  std::string out = absl::StrCat(done);
  if (total > 0) {
    absl::StrAppend(&out, "/", total, " (", done * 100 / total, "%)");
  }
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (done <= 0 || seconds < 0.1) return out;
  const double rate = static_cast<double>(done) / seconds;
  absl::StrAppend(&out, ", ",
                  rate >= 100 ? absl::StrCat(static_cast<int64_t>(rate))
                              : absl::StrFormat("%.1f", rate),
                  "/s");
  if (total > 0 && done < total) {
    const int64_t eta =
        static_cast<int64_t>(static_cast<double>(total - done) / rate + 0.5);
    absl::StrAppend(&out, ", ETA ",
                    eta >= 3600 ? absl::StrFormat("%dh%02dm", eta / 3600,
                                                  eta % 3600 / 60)
                    : eta >= 60 ? absl::StrFormat("%dm%02ds", eta / 60, eta % 60)
                                : absl::StrCat(eta, "s"));
  }
  return out;
}

}  // namespace fifo::cli
