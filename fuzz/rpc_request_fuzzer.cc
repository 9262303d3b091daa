// libFuzzer target: rpc_request (the property is fifo::fuzz::CheckRpcRequestInput).
#include "fuzz/fuzz_target.h"
#include "fuzz/rpc_properties.h"

FIFO_FUZZ_TARGET(::fifo::fuzz::CheckRpcRequestInput)
