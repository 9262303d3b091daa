#include "engine/fifo_engine.h"

#include "gtest/gtest.h"

namespace fifo {
namespace {

TEST(FifoEngineTest, Placeholder) { SUCCEED(); }

}  // namespace
}  // namespace fifo
