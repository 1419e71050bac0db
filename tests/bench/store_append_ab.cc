// A/B of the store alone: single-event appends into RocksDB from 16 threads,
// with no gRPC in the way. Built against each revision by store_append_ab.sh.
//   store_append_ab durable|unsynced APPENDS_PER_THREAD
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "storage/stores.h"
using namespace dxledger::storage;
int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_append_ab durable|unsynced APPENDS_PER_THREAD\n");
    return 2;
  }
  const bool sync = std::string(argv[1]) == "durable";
  const int per_thread = std::stoi(argv[2]);
  const std::string dir = "/tmp/append-ab-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  auto store = *OpenRocksDbEventStore(dir, sync);
  const std::string body(300, 'x');
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        AppendRequest request;
        request.streams.push_back({"o/g" + std::to_string(t * per_thread + i), 0, {body}, "view"});
        if (!store->AppendAndWait(std::move(request)).ok()) std::abort();
      }
    });
  for (auto& t : threads) t.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s %.0f appends/s\n", argv[1], 16.0 * per_thread / s);
  store.reset();
  std::filesystem::remove_all(dir);
}
