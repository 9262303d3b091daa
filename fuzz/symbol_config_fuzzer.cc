// libFuzzer target: symbol_config (the property is fifo::fuzz::CheckSymbolConfigInput).
#include "fuzz/format_properties.h"
#include "fuzz/fuzz_target.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckSymbolConfigInput)
