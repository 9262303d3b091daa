// libFuzzer target: coinbase_fills (the property is fifo::fuzz::CheckCoinbaseFillsInput).
#include "fuzz/format_properties.h"
#include "fuzz/fuzz_target.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckCoinbaseFillsInput)
