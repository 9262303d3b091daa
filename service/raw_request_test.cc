#include "service/raw_request.h"

#include <string>

#include "fifo/v1/trade_ledger.pb.h"
#include "gtest/gtest.h"

namespace fifo {
namespace {

namespace pb = ::fifo::v1;

// A valid ImportTradesRequest whose trade.<field> is then overwritten, on
// the wire, with `bytes` (a string field given raw bytes, as a client with a
// hand-made encoder could send).
std::string RequestWithRawField(int field_number, const std::string& bytes) {
  pb::ImportTradesRequest request;
  request.mutable_trade()->set_order_id("A-1");
  request.mutable_trade()->set_symbol("BTC-USD");
  std::string trade;
  request.trade().SerializeToString(&trade);
  // Append a length-delimited field: tag, length, bytes (last one wins).
  trade.push_back(static_cast<char>((field_number << 3) | 2));
  trade.push_back(static_cast<char>(bytes.size()));
  trade += bytes;
  std::string out;
  out.push_back(static_cast<char>((1 << 3) | 2));  // ImportTradesRequest.trade
  out.push_back(static_cast<char>(trade.size()));
  out += trade;
  return out;
}

TEST(ParseRequestBytes, ValidMessageParses) {
  pb::ImportTradesRequest request;
  request.mutable_trade()->set_order_id("A-1");
  request.mutable_trade()->set_source("manual");
  std::string bytes;
  request.SerializeToString(&bytes);
  pb::ImportTradesRequest parsed;
  ASSERT_TRUE(ParseRequestBytes(bytes, &parsed).ok());
  EXPECT_EQ(parsed.trade().order_id(), "A-1");
  EXPECT_EQ(parsed.trade().source(), "manual");
}

TEST(ParseRequestBytes, InvalidUtf8NamesTheField) {
  struct Case {
    int field_number;
    const char* path;
  };
  for (const Case& c : {Case{1, "trade.order_id"}, Case{2, "trade.symbol"},
                        Case{8, "trade.source"}, Case{11, "trade.ingest_via"}}) {
    pb::ImportTradesRequest parsed;
    absl::Status s = ParseRequestBytes(
        RequestWithRawField(c.field_number, "BAD\xff\xfeX"), &parsed);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.path;
    EXPECT_EQ(s.message(),
              std::string(c.path) +
                  ": not valid UTF-8 (every string field must be UTF-8 text)")
        << c.path;
  }
}

TEST(ParseRequestBytes, GarbageIsInvalidArgument) {
  pb::ImportTradesRequest parsed;
  absl::Status s = ParseRequestBytes("\x0a\x7f", &parsed);  // length past end
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "not a valid fifo.v1.ImportTradesRequest message (malformed "
            "protobuf wire data)");
}

TEST(ParseRequestBuffer, OverTheLimitIsResourceExhausted) {
  std::string big(kMaxRequestMessageBytes + 1, 'x');
  grpc::Slice slice(big);
  grpc::ByteBuffer buffer(&slice, 1);
  pb::ImportTradesRequest parsed;
  absl::Status s = ParseRequestBuffer(buffer, &parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace fifo
