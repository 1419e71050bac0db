#include "tests/bench/catch_up.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <stdexcept>

#include "dxledger/v1/ledger.grpc.pb.h"

namespace dxledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Reads a subscription until `events` events have arrived.
StreamRun Read(const std::string& address, const std::string& token, uint64_t events,
               std::vector<v1::SubscribeResponse>* kept) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
  auto stub = v1::LedgerService::NewStub(channel);
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  v1::SubscribeRequest request;
  request.set_start_position(1);
  StreamRun run;
  const Clock::time_point began = Clock::now();
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  v1::SubscribeResponse response;
  while (run.events < events && reader->Read(&response)) {
    run.events += static_cast<uint64_t>(response.events_size());
    ++run.messages;
    if (kept != nullptr) kept->push_back(response);
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  context.TryCancel();
  reader->Finish();
  if (run.events < events) throw std::runtime_error("the subscription ended early");
  return run;
}

// Subscribe that sends prepared messages, one in flight, as the hub does.
class Replay final : public v1::LedgerService::CallbackService {
 public:
  explicit Replay(const std::vector<v1::SubscribeResponse>& messages) : messages_(messages) {}

  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(grpc::CallbackServerContext*,
                                                             const v1::SubscribeRequest*) override {
    class Writer : public grpc::ServerWriteReactor<v1::SubscribeResponse> {
     public:
      explicit Writer(const std::vector<v1::SubscribeResponse>& messages) : messages_(messages) {
        Next();
      }
      void OnWriteDone(bool ok) override {
        if (!ok) return Finish(grpc::Status::CANCELLED);
        Next();
      }
      void OnDone() override { delete this; }

     private:
      void Next() {
        if (next_ == messages_.size()) return Finish(grpc::Status::OK);
        StartWrite(&messages_[next_++]);
      }
      const std::vector<v1::SubscribeResponse>& messages_;
      size_t next_ = 0;
    };
    return new Writer(messages_);
  }

 private:
  const std::vector<v1::SubscribeResponse>& messages_;
};

}  // namespace

StreamRun CatchUp(const std::string& address, const std::string& token, uint64_t events,
                  std::vector<v1::SubscribeResponse>* kept) {
  return Read(address, token, events, kept);
}

StreamRun RawStream(const std::vector<v1::SubscribeResponse>& messages) {
  uint64_t events = 0;
  for (const v1::SubscribeResponse& message : messages) events += message.events_size();
  Replay service(messages);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) throw std::runtime_error("the raw stream server did not start");
  StreamRun run = Read("127.0.0.1:" + std::to_string(port), "", events, nullptr);
  server->Shutdown();
  return run;
}

}  // namespace dxledger::bench
