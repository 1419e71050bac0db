#include "service/http/event_stream.h"

#include "fmt/format.h"
#include "service/http/grpc_calls.h"
#include "service/http/routes.h"

namespace dxledger::service::http {
namespace {

// Messages read ahead of a slow browser: past this, reading stops, and the
// server's own limit on a subscriber that does not read takes over.
constexpr size_t kMaxQueued = 256;

std::string EventOf(const google::protobuf::Message& reply) {
  std::string sse;
  const auto* position = reply.GetDescriptor()->FindFieldByName("checkpoint_position");
  if (position != nullptr &&
      position->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT64) {
    sse += fmt::format("id: {}\n", reply.GetReflection()->GetUInt64(reply, position));
  }
  return sse + "data: " + ReplyJson(reply) + "\n\n";
}

}  // namespace

void StreamCall::Start(grpc::GenericStub& stub, const std::string& rpc, grpc::ByteBuffer request) {
  request_ = std::move(request);
  stub.PrepareBidiStreamingCall(&context_, rpc, grpc::StubOptions(), this);
  StartWriteLast(&request_, grpc::WriteOptions());
  StartRead(&incoming_);
  StartCall();
}

void StreamCall::OnReadDone(bool ok) {
  if (!ok) return;  // the stream ended: OnDone follows
  std::unique_ptr<google::protobuf::Message> reply(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&reply_type_)->New());
  if (!ParseBuffer(incoming_, *reply)) {
    context_.TryCancel();
    return;
  }
  bool read_on = true;
  {
    std::lock_guard lock(mutex_);
    items_.push_back({EventOf(*reply), false});
    changed_.notify_all();
    // Past the limit, Next reads on once the browser has taken some.
    read_on = items_.size() < kMaxQueued;
    paused_ = !read_on;
  }
  if (read_on) StartRead(&incoming_);  // outside the lock: it may complete at once
}

void StreamCall::OnDone(const grpc::Status& status) {
  std::lock_guard lock(mutex_);
  status_ = status;
  if (!status.ok() && status.error_code() != grpc::CANCELLED) {
    items_.push_back(
        {"event: error\ndata: " + ErrorJson(status.error_code(), status.error_message()) + "\n\n",
         true});
  }
  done_ = true;
  changed_.notify_all();
}

std::optional<StreamCall::Item> StreamCall::Next(std::chrono::milliseconds wait, bool& ended) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return !items_.empty() || done_; });
  ended = items_.empty() && done_;
  if (items_.empty()) return std::nullopt;
  Item item = std::move(items_.front());
  items_.pop_front();
  const bool read_on = paused_ && !done_ && items_.size() < kMaxQueued / 2;
  if (read_on) paused_ = false;
  lock.unlock();
  if (read_on) StartRead(&incoming_);
  return item;
}

grpc::Status StreamCall::status() {
  std::lock_guard lock(mutex_);
  return status_;
}

void StreamCall::Close() {
  context_.TryCancel();
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return done_; });
}

}  // namespace dxledger::service::http
