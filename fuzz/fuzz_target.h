// File: fuzz/fuzz_target.h
//
// FIFO_FUZZ_TARGET(check) defines the libFuzzer entry point
// LLVMFuzzerTestOneInput for a property check of fuzz/format_properties.h
// (or any `absl::Status check(absl::string_view input)`): it passes the
// input bytes as text and aborts with the violation on stderr when the check
// returns non-OK, so libFuzzer records the input as a crash.
//
// A fuzz target is then one line in fuzz/<name>_fuzzer.cc plus one
// fifo_fuzz_target() in fuzz/BUILD.bazel (see fuzz/fuzz.bzl): built with
// --config=fuzz it links libFuzzer; in the default build it links
// fuzz/standalone_main.cc, which replays the files named on its command line.
//
// Thread safety: libFuzzer calls the entry point from one thread.
#ifndef FIFO_FUZZ_FUZZ_TARGET_H_
#define FIFO_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fifo::fuzz {

// Aborts (after printing `status`) when `status` is not OK.
inline void AbortOnViolation(const absl::Status& status) {
  if (status.ok()) return;
  const std::string text = status.ToString();
  std::fprintf(stderr, "PROPERTY VIOLATED: %s\n", text.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace fifo::fuzz

#define FIFO_FUZZ_TARGET(check)                                            \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    ::fifo::fuzz::AbortOnViolation(check(::absl::string_view(             \
        reinterpret_cast<const char*>(data), size)));                       \
    return 0;                                                               \
  }

#endif  // FIFO_FUZZ_FUZZ_TARGET_H_
