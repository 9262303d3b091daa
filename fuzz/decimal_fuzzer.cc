// libFuzzer target: decimal (the property is fifo::fuzz::CheckDecimalInput).
#include "fuzz/format_properties.h"
#include "fuzz/fuzz_target.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckDecimalInput)
