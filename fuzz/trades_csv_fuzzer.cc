// libFuzzer target: trades_csv (the property is fifo::fuzz::CheckTradesCsvInput).
#include "fuzz/format_properties.h"
#include "fuzz/fuzz_target.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckTradesCsvInput)
