// File: common/version.h
//
// The release of this source tree, printed by `fifoctl --version` and
// `fifo_server --version`. Bump it with every release; the allocation rules
// have their own version (engine/fifo_engine.h, kAlgorithmVersion), stored
// with every run.
#ifndef FIFO_COMMON_VERSION_H_
#define FIFO_COMMON_VERSION_H_

#include "absl/strings/string_view.h"

namespace fifo {

inline constexpr absl::string_view kFifoVersion = "0.4.0";

}  // namespace fifo

#endif  // FIFO_COMMON_VERSION_H_
