// File: fuzz/format_properties.h
//
// The properties that the fuzz targets of fuzz/ check on arbitrary input,
// one function per target. Each function feeds `input` to one parser of
// engine/ or formats/ and then checks what must hold whatever the input:
//
//   * rejection is a clean Status of the documented code and message shape
//     (docs/errors.md), never a crash, a leak or undefined behaviour;
//   * an accepted value survives its own round trip: formatting it and
//     parsing the text gives an equal value back, and formatting that value
//     gives the same text (the writers' output is canonical);
//   * decimals also obey arithmetic identities and agree with an independent
//     reference reading of the input text (fuzz/format_properties.cc).
//
// Success: OK. A violated property: kInternal "<target>: <what>, input
// \"<escaped input>\"" (the input is cut to a few hundred bytes). The
// libFuzzer entry points (fuzz/*_fuzzer.cc, see fuzz/fuzz_target.h) abort on
// a non-OK status; tests/bad_inputs/fuzz_regression_test.cc replays the seed
// corpus and every crash found (tests/fuzz_corpus/<target>/) through the same
// functions under the default build and expects OK.
//
// Thread safety: free functions without shared state.
#ifndef FIFO_FUZZ_FORMAT_PROPERTIES_H_
#define FIFO_FUZZ_FORMAT_PROPERTIES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fifo::fuzz {

// Decimal::Parse of the whole input, and, when the input has a '\n', of the
// text before the first '\n' (x) and between it and the next '\n' (y), with
// the binary identities (x + y == y + x, (x + y) - y == x, x * y / y == x,
// Divide's rounding bound, Compare against the sign of x - y, ...).
absl::Status CheckDecimalInput(absl::string_view input);

// ParseTimestamp of each '\n'-separated line (at most 8): accepted times are
// whole microseconds, FormatTimestamp's text parses back to the same
// instant, is canonical, and sorts bytewise in time order.
absl::Status CheckTimestampInput(absl::string_view input);

// ReadTradesCsv of the input as a document: rejections name the source and
// a line inside the input; accepted trades pass ValidateTrade, have unique
// order ids, and survive WriteTradesCsv -> ReadTradesCsv unchanged.
absl::Status CheckTradesCsvInput(absl::string_view input);

// ReadCoinbaseFillsCsv of the input as a document: as for trades, and the
// trades survive being written back as a fills document and as a trades CSV.
absl::Status CheckCoinbaseFillsInput(absl::string_view input);

// ReadAllocationsCsv of the input as a document: accepted rows survive
// AllocationsCsvWriter -> ReadAllocationsCsv unchanged, and the second
// writing is byte-identical to the first.
absl::Status CheckAllocationsCsvInput(absl::string_view input);

// ParseSymbolConfigJson of the input: the canonical text of an accepted
// configuration parses back to an equal configuration with the same
// canonical text and hash.
absl::Status CheckSymbolConfigInput(absl::string_view input);

}  // namespace fifo::fuzz

#endif  // FIFO_FUZZ_FORMAT_PROPERTIES_H_
