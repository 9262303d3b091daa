// libFuzzer target: allocations_csv (the property is fifo::fuzz::CheckAllocationsCsvInput).
#include "fuzz/format_properties.h"
#include "fuzz/fuzz_target.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckAllocationsCsvInput)
