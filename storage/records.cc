#include "storage/records.h"

#include <initializer_list>

#include "absl/strings/str_cat.h"

namespace fifo {

absl::string_view RunModeName(RunMode mode) {
  switch (mode) {
    case RunMode::kFull:
      return "full";
    case RunMode::kIncremental:
      return "incremental";
    case RunMode::kSymbol:
      return "symbol";
  }
  return "full";
}

absl::string_view RunTriggerName(RunTrigger trigger) {
  switch (trigger) {
    case RunTrigger::kManual:
      return "manual";
    case RunTrigger::kScheduled:
      return "scheduled";
    case RunTrigger::kApi:
      return "api";
  }
  return "manual";
}

absl::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kPartial:
      return "partial";
  }
  return "running";
}

namespace {

template <typename E>
absl::StatusOr<E> ParseName(absl::string_view text, absl::string_view what,
                            std::initializer_list<E> values,
                            absl::string_view (*name)(E)) {
  for (E v : values) {
    if (name(v) == text) return v;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " \"", text, "\""));
}

}  // namespace

absl::StatusOr<RunMode> ParseRunMode(absl::string_view text) {
  return ParseName<RunMode>(
      text, "run mode", {RunMode::kFull, RunMode::kIncremental, RunMode::kSymbol},
      &RunModeName);
}

absl::StatusOr<RunTrigger> ParseRunTrigger(absl::string_view text) {
  return ParseName<RunTrigger>(
      text, "run trigger",
      {RunTrigger::kManual, RunTrigger::kScheduled, RunTrigger::kApi},
      &RunTriggerName);
}

absl::StatusOr<RunStatus> ParseRunStatus(absl::string_view text) {
  return ParseName<RunStatus>(text, "run status",
                              {RunStatus::kRunning, RunStatus::kCompleted,
                               RunStatus::kFailed, RunStatus::kPartial},
                              &RunStatusName);
}

const std::vector<std::string>& LegacyColumnNames() {
  static const std::vector<std::string>* const kNames =
      new std::vector<std::string>{"parent_id",
                                   "parent_ids",
                                   "pnl_usd",
                                   "cost_basis_usd",
                                   "sale_proceeds_usd",
                                   "net_sale_proceeds_usd",
                                   "realized_profit"};
  return *kNames;
}

}  // namespace fifo
