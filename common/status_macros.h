// File: common/status_macros.h
//
// The two propagation macros that Debian's Abseil (20220623) does not ship.
// Every module returns absl::Status / absl::StatusOr<T> across its
// boundary; these keep the early-return plumbing to one line.
//
//   FIFO_RETURN_IF_ERROR(store.Begin());
//   FIFO_ASSIGN_OR_RETURN(Decimal size, Decimal::Parse(text));
#ifndef FIFO_COMMON_STATUS_MACROS_H_
#define FIFO_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FIFO_RETURN_IF_ERROR(expr)                  \
  do {                                              \
    ::absl::Status fifo_status_ = (expr);           \
    if (!fifo_status_.ok()) return fifo_status_;    \
  } while (0)

#define FIFO_STATUS_MACROS_CONCAT_INNER(x, y) x##y
#define FIFO_STATUS_MACROS_CONCAT(x, y) FIFO_STATUS_MACROS_CONCAT_INNER(x, y)

#define FIFO_ASSIGN_OR_RETURN(lhs, expr)                                     \
  FIFO_ASSIGN_OR_RETURN_IMPL(                                                \
      FIFO_STATUS_MACROS_CONCAT(fifo_statusor_, __LINE__), lhs, expr)

#define FIFO_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#endif  // FIFO_COMMON_STATUS_MACROS_H_
