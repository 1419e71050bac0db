// dxledger_crash: kills dxledgerd with SIGKILL at random moments while
// writers append, again and again, and checks after every restart that
//   - every acknowledged durable append is there,
//   - each writer's events are a prefix of what it attempted, in order
//     (no hole, no reordering), and the log positions run 1..head,
//   - the views and index equal a rebuild from the log and the hash chain
//     verifies (VerifyLog).
// Then it flips a byte in a data file of the log and checks that verify and
// reads answer DATA_LOSS instead of serving the corrupted event.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "CLI/CLI.hpp"
#include "client/ledger_client.h"
#include "fmt/format.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "tests/service/test_server.h"

namespace dxledger::crash {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::TestServer;

struct Writer {
  int index = 0;
  // Per cycle: appends acknowledged, and attempted (acknowledged, or sent
  // when the server died).
  std::vector<uint64_t> acked, attempted;
};

std::string GoalId(int writer, size_t cycle) { return fmt::format("w{}-c{}", writer, cycle); }
std::string RequestId(int writer, size_t cycle, uint64_t k) {
  return fmt::format("w{}-c{}-a{}", writer, cycle, k);
}

void Fail(const std::string& what) { throw std::runtime_error(what); }

// Appends to its own goal until the server goes away.
void Write(const TestServer& server, Writer& writer, size_t cycle, std::atomic<bool>& stop) {
  LedgerClient client(ClientOptions{server.address(), server.tester_token(), absl::Seconds(10)});
  v1::CreateGoalRequest create;
  create.set_goal_id(GoalId(writer.index, cycle));
  create.set_fiscal_year(2021);
  create.add_departments("総務部");
  create.set_title("クラッシュ試験の目標");
  create.set_request_id(RequestId(writer.index, cycle, 0));
  writer.attempted.push_back(1);
  writer.acked.push_back(0);
  if (!client.CreateGoal(create).ok()) return;
  writer.acked.back() = 1;
  for (uint64_t k = 1; !stop.load(); ++k) {
    v1::RecordActivityRequest activity;
    activity.set_name(GoalId(writer.index, cycle));
    activity.set_text(fmt::format("取組 {}", k));
    activity.set_request_id(RequestId(writer.index, cycle, k));
    writer.attempted.back() = k + 1;
    if (!client.RecordActivity(activity).ok()) return;
    writer.acked.back() = k + 1;
  }
}

// Everything the checks need from a restarted server.
void Check(const TestServer& server, const std::vector<Writer>& writers, size_t cycles) {
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  auto verified = client.VerifyLog(v1::VerifyLogRequest());
  if (!verified.ok()) Fail(fmt::format("verify after restart: {}", verified.status().ToString()));
  // Positions 1..head, each once, in order.
  uint64_t expected = 1;
  for (;;) {
    v1::ReadLogRequest read;
    read.set_start_position(expected);
    read.set_page_size(1000);
    auto page = client.ReadLog(read);
    if (!page.ok()) Fail(page.status().ToString());
    for (const v1::Event& event : page->events()) {
      if (event.position() != expected) {
        Fail(fmt::format("log hole: expected position {}, found {}", expected, event.position()));
      }
      ++expected;
    }
    if (page->events().empty()) break;
  }
  if (expected - 1 != verified->head_position()) Fail("the log ends before its head");
  for (const Writer& writer : writers) {
    for (size_t cycle = 0; cycle < cycles; ++cycle) {
      v1::ListGoalEventsRequest list;
      list.set_name(GoalId(writer.index, cycle));
      list.set_page_size(1000);
      uint64_t present = 0;
      for (;;) {
        auto events = client.ListGoalEvents(list);
        if (absl::IsNotFound(events.status()) && writer.acked[cycle] == 0) break;
        if (!events.ok()) Fail(events.status().ToString());
        for (const v1::Event& event : events->events()) {
          if (event.request_id() != RequestId(writer.index, cycle, present)) {
            Fail(fmt::format("{}: event {} is {}, expected {} (a hole or reordering)",
                             GoalId(writer.index, cycle), present, event.request_id(),
                             RequestId(writer.index, cycle, present)));
          }
          ++present;
        }
        if (events->next_page_token().empty()) break;
        list.set_page_token(events->next_page_token());
      }
      if (present < writer.acked[cycle]) {
        Fail(
            fmt::format("{}: {} appends acknowledged, only {} present: an acknowledged append "
                        "was lost",
                        GoalId(writer.index, cycle), writer.acked[cycle], present));
      }
      if (present > writer.attempted[cycle]) {
        Fail(fmt::format("{}: {} present but only {} attempted", GoalId(writer.index, cycle),
                         present, writer.attempted[cycle]));
      }
    }
  }
}

// Flushes every column family to SST files (server stopped) and returns the
// log family's largest file.
std::string LogDataFile(const std::string& db_path) {
  std::vector<std::string> names;
  rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &names);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), db_path, families, &handles, &raw).ok()) {
    Fail("cannot open " + db_path);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    if (!db->Flush(rocksdb::FlushOptions(), handle).ok()) Fail("flush failed");
  }
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  std::string largest;
  uint64_t size = 0;
  for (const rocksdb::LiveFileMetaData& file : files) {
    if (file.column_family_name == "log" && file.size > size) {
      size = file.size;
      largest = file.db_path + file.name;
    }
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  if (!db->Close().ok()) Fail("close failed");
  if (largest.empty()) Fail("the log has no data file");
  return largest;
}

void FlipAByteOfTheLog(TestServer& server) {
  server.Stop();
  const std::string file = LogDataFile(server.data_dir() + "/db");
  std::fstream data(file, std::ios::in | std::ios::out | std::ios::binary);
  // Data blocks come first in a block-based table: a third of the way in is
  // inside one.
  const auto offset = static_cast<std::streamoff>(std::filesystem::file_size(file) / 3);
  data.seekg(offset);
  char byte = 0;
  data.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x5a);
  data.seekp(offset);
  data.write(&byte, 1);
  data.close();
  fmt::print("flipped the byte at {} of {}\n", offset, file);

  server.Start();
  LedgerClient client(ClientOptions{server.address(), server.tester_token()});
  auto verified = client.VerifyLog(v1::VerifyLogRequest());
  if (verified.ok() || !absl::IsDataLoss(verified.status())) {
    Fail("verify did not report DATA_LOSS: " + verified.status().ToString());
  }
  fmt::print("verify: {}\n", verified.status().ToString());
  // Reading the whole log must stop at the damage with DATA_LOSS, never
  // return a corrupted event as good.
  uint64_t next = 1;
  absl::Status read_status;
  for (;;) {
    v1::ReadLogRequest read;
    read.set_start_position(next);
    read.set_page_size(next % 100 == 1 ? 100 : 1);
    auto page = client.ReadLog(read);
    if (!page.ok() && read.page_size() > 1) {
      read.set_page_size(1);  // narrow down to the first unreadable event
      page = client.ReadLog(read);
      if (page.ok() && !page->events().empty()) {
        next = page->events(0).position() + 1;
        continue;
      }
    }
    if (!page.ok()) {
      read_status = page.status();
      break;
    }
    if (page->events().empty()) break;
    next = page->events().rbegin()->position() + 1;
  }
  if (!absl::IsDataLoss(read_status)) {
    Fail("reading the log served the damaged block: " + read_status.ToString());
  }
  // Verify names the first position reads cannot get past.
  const std::string named = fmt::format("event at position {} cannot be read", next);
  if (verified.status().message().find(named) == std::string_view::npos) {
    Fail(fmt::format("verify does not name position {}: {}", next, verified.status().ToString()));
  }
  fmt::print("reads: {} (the log reads well up to position {})\n", read_status.ToString(),
             next - 1);
}

}  // namespace
}  // namespace dxledger::crash

int main(int argc, char** argv) {
  using namespace dxledger::crash;
  CLI::App app{"dxledger_crash: SIGKILL dxledgerd under load and check what survives"};
  size_t cycles = 24;
  int writers_count = 4;
  int max_ms = 300;
  uint64_t seed = std::random_device{}();
  app.add_option("--cycles", cycles, "kill-and-restart cycles")->capture_default_str();
  app.add_option("--writers", writers_count, "concurrent writers")->capture_default_str();
  app.add_option("--max-ms", max_ms, "longest run before a kill")->capture_default_str();
  app.add_option("--seed", seed, "random seed (printed, to repeat a run)");
  CLI11_PARSE(app, argc, argv);
  fmt::print("seed {}\n", seed);
  std::mt19937_64 random(seed);
  try {
    TestServer server;
    std::vector<Writer> writers(writers_count);
    for (int i = 0; i < writers_count; ++i) writers[i].index = i;
    uint64_t acked_total = 0;
    for (size_t cycle = 0; cycle < cycles; ++cycle) {
      server.Start();
      std::atomic<bool> stop{false};
      std::vector<std::thread> threads;
      for (Writer& writer : writers) {
        threads.emplace_back([&, cycle] { Write(server, writer, cycle, stop); });
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % max_ms));
      server.Kill();
      stop = true;
      for (std::thread& thread : threads) thread.join();
      server.Start();
      Check(server, writers, cycle + 1);
      server.Stop();
      uint64_t acked = 0;
      for (const Writer& writer : writers) acked += writer.acked[cycle];
      acked_total += acked;
      fmt::print(
          "cycle {}: {} appends acknowledged before the kill; all present, log and views "
          "verified\n",
          cycle + 1, acked);
    }
    fmt::print("{} cycles, {} acknowledged appends, none lost\n", cycles, acked_total);
    FlipAByteOfTheLog(server);
  } catch (const std::exception& error) {
    fmt::print(stderr, "FAILED: {}\n", error.what());
    return 1;
  }
  fmt::print("ok\n");
  return 0;
}
