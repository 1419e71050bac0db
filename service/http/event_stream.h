#ifndef DXLEDGER_SERVICE_HTTP_EVENT_STREAM_H_
#define DXLEDGER_SERVICE_HTTP_EVENT_STREAM_H_

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "google/protobuf/message.h"

// A server-streaming method (Subscribe) as server-sent events: the gRPC
// stream is read by a reactor on gRPC's threads, and the HTTP thread takes
// its messages from a queue, so it can also write a keep-alive while the
// stream is quiet and notice a browser that went away. Each message is one
// SSE event: `id:` its checkpoint_position (what EventSource sends back as
// Last-Event-ID on reconnect), `data:` the message as JSON; a stream that
// ends with an error sends `event: error` with the error as JSON.
namespace dxledger::service::http {

class StreamCall : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // A call whose messages are of `reply_type`.
  explicit StreamCall(const google::protobuf::Descriptor& reply_type) : reply_type_(reply_type) {}
  // Metadata goes on the context before Start.
  grpc::ClientContext& context() { return context_; }
  // Starts `rpc` ("/package.Service/Method") with `request`.
  void Start(grpc::GenericStub& stub, const std::string& rpc, grpc::ByteBuffer request);

  struct Item {
    std::string sse;  // a whole SSE event, ready to write
    bool error = false;
  };
  // The next event, or nullopt after `wait` without one; `ended` when the
  // stream is over and everything was taken (`status()` then says how).
  std::optional<Item> Next(std::chrono::milliseconds wait, bool& ended);
  // The final status, once ended.
  grpc::Status status();
  // Cancels the call (if still running) and waits for gRPC to be done with it.
  void Close();

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  const google::protobuf::Descriptor& reply_type_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer incoming_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Item> items_;
  bool paused_ = false;  // reading stopped: too much queued
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace dxledger::service::http

#endif  // DXLEDGER_SERVICE_HTTP_EVENT_STREAM_H_
