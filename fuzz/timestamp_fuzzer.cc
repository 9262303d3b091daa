// libFuzzer target: timestamp (the property is fifo::fuzz::CheckTimestampInput).
#include "fuzz/format_properties.h"
#include "fuzz/fuzz_target.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckTimestampInput)
