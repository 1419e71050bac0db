// dxledger_bench: dxledgerd under load against baselines measured in the same
// run on the same machine (raw RocksDB, a trivial RPC on the same server),
// printed as one table of ratios. tests/bench/run.sh builds and runs it;
// BENCHMARKS.md keeps a run.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "dxledger/v1/ledger.grpc.pb.h"
#include "fmt/format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "service/ledger/ledger.h"
#include "storage/stores.h"
#include "tests/bench/catch_up.h"
#include "tests/bench/load.h"
#include "tests/bench/raw_rocksdb.h"
#include "tests/service/test_server.h"

namespace dxledger::bench {
namespace {

using testsupport::TestServer;
using Clock = std::chrono::steady_clock;

struct Settings {
  double seconds = 5;              // per measured phase
  uint64_t small_events = 10'000;  // size independence: the small log
  uint64_t large_events = 1'000'000;
  int ratings_per_goal = 9;              // the goals' history length, after CreateGoal
  std::vector<std::string> server_args;  // for every dxledgerd started
  std::vector<std::string> phases = {"durable", "reads", "unsynced", "durability", "size", "log"};
  std::string keep_store;  // the log phase copies its filled data directory here
  std::string store;       // the log phase uses (a copy of) this data directory
};

std::vector<std::string> Args(const Settings& settings, std::vector<std::string> args) {
  args.insert(args.end(), settings.server_args.begin(), settings.server_args.end());
  return args;
}

// One row of the table.
struct Row {
  std::string what;
  std::string measured;
  std::string baseline;
  double ratio = 0;
  std::string target;  // e.g. ">= 0.60"
  bool met = true;
};

std::vector<Row> rows;

void Add(std::string what, double measured, std::string unit, std::string baseline_name,
         double baseline, double target, bool higher_is_better = true) {
  Row row;
  row.what = std::move(what);
  row.measured = fmt::format("{:.0f} {}", measured, unit);
  row.baseline = fmt::format("{:.0f} {} ({})", baseline, unit, baseline_name);
  row.ratio = baseline > 0 ? measured / baseline : 0;
  if (target > 0) {
    row.target = fmt::format("{} {:.2f}", higher_is_better ? ">=" : "<=", target);
    row.met = higher_is_better ? row.ratio >= target : row.ratio <= target;
  }
  fmt::print(stderr, "  {:<58} {:>14} vs {:>30}  ratio {:.2f} {}\n", row.what, row.measured,
             row.baseline, row.ratio, row.target);
  rows.push_back(std::move(row));
}

// A sample `name value` from a Prometheus scrape.
double Metric(const TestServer& server, const std::string& name) {
  std::string out;
  testsupport::RunCommand("curl -s " + server.metrics_url(), &out);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  }
  return 0;
}

// CPU seconds (user and system) the process has used so far.
double CpuSeconds(pid_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A load's result and the CPU microseconds per call it cost the server and
// this process (the load generator), which share the machine's cores.
struct Costed {
  LoadResult result;
  double server_us = 0;
  double client_us = 0;
};

template <typename Load>
Costed WithCpu(const TestServer& server, Load load) {
  const double server_before = CpuSeconds(server.pid());
  const double client_before = CpuSeconds(getpid());
  Costed costed{.result = load()};
  const double calls = static_cast<double>(std::max<uint64_t>(costed.result.calls, 1));
  costed.server_us = (CpuSeconds(server.pid()) - server_before) * 1e6 / calls;
  costed.client_us = (CpuSeconds(getpid()) - client_before) * 1e6 / calls;
  return costed;
}

uint64_t PeakRssKib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6));
  }
  return 0;
}

class Client {
 public:
  explicit Client(const TestServer& server)
      : channel_(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials())),
        ledger_(v1::LedgerService::NewStub(channel_)),
        health_(grpc::health::v1::Health::NewStub(channel_)),
        token_("Bearer " + server.tester_token()) {}

  // One asynchronous call of `method` with `request`.
  template <typename Request, typename Response>
  using Method = void (v1::LedgerService::StubInterface::async_interface::*)(
      grpc::ClientContext*, const Request*, Response*, std::function<void(grpc::Status)>);

  template <typename Request, typename Response>
  void Call(Method<Request, Response> method, Request request,
            std::function<void(const grpc::Status&)> done) {
    struct InFlight {
      grpc::ClientContext context;
      Request request;
      Response response;
    };
    auto* call = new InFlight;
    call->request = std::move(request);
    call->context.AddMetadata("authorization", token_);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    (ledger_->async()->*method)(&call->context, &call->request, &call->response,
                                [call, done = std::move(done)](grpc::Status status) {
                                  done(status);
                                  delete call;
                                });
  }

  // The trivial RPC of the same server: health Check.
  void Echo(std::function<void(const grpc::Status&)> done) {
    struct InFlight {
      grpc::ClientContext context;
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
    };
    auto* call = new InFlight;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    health_->async()->Check(&call->context, &call->request, &call->response,
                            [call, done = std::move(done)](grpc::Status status) {
                              done(status);
                              delete call;
                            });
  }

  v1::LedgerService::Stub& stub() { return *ledger_; }
  const std::string& token() const { return token_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  std::string token_;
};

v1::CreateGoalRequest NewGoal(const std::string& id) {
  v1::CreateGoalRequest request;
  request.set_goal_id(id);
  request.set_fiscal_year(2021);
  request.add_departments("総務部");
  request.set_title("ベンチマーク目標 " + id);
  return request;
}

LoadResult Creates(Client& client, const std::string& prefix, int in_flight, absl::Duration time,
                   uint64_t max = UINT64_MAX) {
  return RunLoad(in_flight, time, max, [&](int, uint64_t n, auto done) {
    client.Call<v1::CreateGoalRequest, v1::CreateGoalResponse>(
        &v1::LedgerService::StubInterface::async_interface::CreateGoal,
        NewGoal(fmt::format("{}{}", prefix, n)), std::move(done));
  });
}

LoadResult Echoes(Client& client, int in_flight, absl::Duration time) {
  return RunLoad(in_flight, time, UINT64_MAX,
                 [&](int, uint64_t, auto done) { client.Echo(std::move(done)); });
}

void Expect(const LoadResult& result, const std::string& what) {
  if (result.errors > 0) {
    throw std::runtime_error(fmt::format("{}: {} of {} calls failed: {}", what, result.errors,
                                         result.calls, result.first_error));
  }
}

// A progress report of `rows` new goals (the TEXT format the importer reads).
std::string Report(uint64_t call, int goals) {
  std::string text =
      "主なDX推進目標（プロジェクト）の進捗状況について\n\n"
      "No.\t部局名\t目標\t評価\t令和3年度 成果指標\t取組内容\t今後の課題等\n";
  for (int i = 1; i <= goals; ++i) {
    text += fmt::format(
        "{}\t総務部\t一括取込の目標 {}-{}\tB\t電子申請の件数（1,500件）\t・申請様式を見直した。 "
        "【DX】\t（特になし）\n",
        i, call, i);
  }
  return text;
}

void DurableAppends(const Settings& settings) {
  fmt::print(stderr, "durable appends (WAL synced before each reply)\n");
  TestServer server(Args(settings, {}));
  server.Start();
  Client client(server);
  const absl::Duration time = absl::Seconds(settings.seconds);
  std::map<int, LoadResult> appends;
  for (int in_flight : {1, 16, 64}) {
    appends[in_flight] = Creates(client, fmt::format("d{}-", in_flight), in_flight, time);
    Expect(appends[in_flight], "durable CreateGoal");
  }
  const double bytes_per_append =
      Metric(server, "dxledger_commit_bytes_total") / Metric(server, "dxledger_appends_total");
  const std::string dir = server.data_dir() + "/raw";
  for (int in_flight : {1, 16, 64}) {
    const double ceiling =
        RawSyncBatches(dir, in_flight, static_cast<size_t>(bytes_per_append), time);
    Add(fmt::format("durable appends, {} in flight (1 event/call)", in_flight),
        appends[in_flight].rate(), "/s", fmt::format("raw sync WriteBatch of {}", in_flight),
        ceiling, in_flight == 16 ? 0.60 : 0);
  }
  fmt::print(stderr,
             "  ({:.0f} bytes per append; group commits carried {:.1f} appends on average)\n",
             bytes_per_append,
             Metric(server, "dxledger_appends_total") / Metric(server, "dxledger_commits_total"));

  // Batched: one import of 128 new goals per call.
  const double head_before = Metric(server, "dxledger_log_events");
  const double bytes_before = Metric(server, "dxledger_commit_bytes_total");
  const Costed costed_imports = WithCpu(server, [&] {
    return RunLoad(2, time, UINT64_MAX, [&](int, uint64_t n, auto done) {
      v1::ImportReportRequest request;
      // An import diffs the file against the year's goals, so each call goes
      // to a fresh organization: the batch, not the diff, is measured here.
      request.set_parent(fmt::format("organizations/{}", 200000 + n));
      request.set_fiscal_year(2021);
      request.set_format(v1::REPORT_FORMAT_TEXT);
      request.set_content(Report(n, 128));
      request.set_file_name(fmt::format("bench-{}.txt", n));
      client.Call<v1::ImportReportRequest, v1::ImportReportResponse>(
          &v1::LedgerService::StubInterface::async_interface::ImportReport, std::move(request),
          std::move(done));
    });
  });
  const LoadResult& imports = costed_imports.result;
  Expect(imports, "ImportReport");
  const double events = Metric(server, "dxledger_log_events") - head_before;
  const double per_call = events / static_cast<double>(std::max<uint64_t>(imports.calls, 1));
  fmt::print(stderr,
             "  (imports: {:.1f} us of server CPU and {:.1f} us of load generator CPU an event)\n",
             costed_imports.server_us / per_call, costed_imports.client_us / per_call);
  const double bytes_per_event =
      (Metric(server, "dxledger_commit_bytes_total") - bytes_before) / events;
  const double raw128 = RawSyncBatches(dir, 128, static_cast<size_t>(bytes_per_event), time);
  Add(fmt::format("batched durable appends ({:.0f} events/call)", events / imports.calls),
      events / imports.seconds, "events/s", "raw sync WriteBatch of 128", raw128, 0.50);
}

// Reads against the echo on one server, 16 in flight, in alternating rounds
// over goals made beforehand.
void Reads(const Settings& settings) {
  fmt::print(stderr, "reads against the echo, alternating rounds\n");
  TestServer server(Args(settings, {"--unsafe-async-writes"}));
  server.Start();
  Client client(server);
  constexpr uint64_t kGoals = 5000;
  Expect(Creates(client, "d16-", 64, absl::Hours(1), kGoals), "making goals");
  std::mt19937_64 random(7);
  LoadResult echoes, gets, lists;
  // Server CPU seconds each kind of call used, over all rounds: steadier
  // than latency on a machine whose speed moves.
  double echo_cpu = 0, get_cpu = 0, list_cpu = 0;
  auto cpu = [&](double& into, auto load) {
    const double before = CpuSeconds(server.pid());
    LoadResult result = load();
    into += CpuSeconds(server.pid()) - before;
    return result;
  };
  constexpr int kRounds = 4;
  const absl::Duration round = absl::Seconds(settings.seconds) / kRounds;
  auto pool = [](const LoadResult& result, LoadResult& into) {
    into.calls += result.calls;
    into.seconds += result.seconds;
    into.latency_us.insert(into.latency_us.end(), result.latency_us.begin(),
                           result.latency_us.end());
  };
  for (int i = 0; i < kRounds; ++i) {
    pool(cpu(echo_cpu, [&] { return Echoes(client, 16, round); }), echoes);
    const LoadResult got = cpu(get_cpu, [&] {
      return RunLoad(16, round, UINT64_MAX, [&](int, uint64_t, auto done) {
        v1::GetGoalRequest request;
        request.set_name(fmt::format("d16-{}", random() % kGoals));
        client.Call<v1::GetGoalRequest, v1::GetGoalResponse>(
            &v1::LedgerService::StubInterface::async_interface::GetGoal, std::move(request),
            std::move(done));
      });
    });
    Expect(got, "GetGoal");
    pool(got, gets);
    const LoadResult listed = cpu(list_cpu, [&] {
      return RunLoad(16, round, UINT64_MAX, [&](int, uint64_t, auto done) {
        v1::ListGoalsRequest request;
        request.set_page_size(20);
        client.Call<v1::ListGoalsRequest, v1::ListGoalsResponse>(
            &v1::LedgerService::StubInterface::async_interface::ListGoals, std::move(request),
            std::move(done));
      });
    });
    Expect(listed, "ListGoals");
    pool(listed, lists);
  }
  for (LoadResult* result : {&echoes, &gets, &lists}) {
    std::sort(result->latency_us.begin(), result->latency_us.end());
  }
  Add("get goal, 16 in flight: p50", gets.percentile_us(0.5), "us", "echo p50",
      echoes.percentile_us(0.5), 0, false);
  Add("get goal, 16 in flight: p99", gets.percentile_us(0.99), "us", "echo p99",
      echoes.percentile_us(0.99), 0, false);
  Add("list goals (20 a page), 16 in flight: p50", lists.percentile_us(0.5), "us", "echo p50",
      echoes.percentile_us(0.5), 2.0, false);
  Add("list goals (20 a page), 16 in flight: p99", lists.percentile_us(0.99), "us", "echo p99",
      echoes.percentile_us(0.99), 0, false);
  Add("get goal, 16 in flight: calls/s", gets.rate(), "/s", "echo", echoes.rate(), 0);
  const double echo_us = echo_cpu * 1e6 / static_cast<double>(std::max<uint64_t>(echoes.calls, 1));
  Add("server CPU per get goal", get_cpu * 1e6 / static_cast<double>(gets.calls), "us", "per echo",
      echo_us, 0, false);
  Add("server CPU per list of 20 goals", list_cpu * 1e6 / static_cast<double>(lists.calls), "us",
      "per echo", echo_us, 0, false);
}

// Group commit's price: durable appends against unsynced ones on two
// servers at once, 16 in flight, in alternating rounds.
void Durability(const Settings& settings) {
  fmt::print(stderr, "durable vs unsynced appends, alternating rounds\n");
  TestServer durable(Args(settings, {}));
  TestServer unsynced(Args(settings, {"--unsafe-async-writes"}));
  durable.Start();
  unsynced.Start();
  Client durable_client(durable), unsynced_client(unsynced);
  constexpr int kRounds = 4;
  const absl::Duration round = absl::Seconds(settings.seconds) / kRounds;
  uint64_t durable_calls = 0, unsynced_calls = 0;
  double durable_seconds = 0, unsynced_seconds = 0;
  for (int i = 0; i < kRounds; ++i) {
    const LoadResult d = Creates(durable_client, fmt::format("r{}-", i), 16, round);
    const LoadResult u = Creates(unsynced_client, fmt::format("r{}-", i), 16, round);
    Expect(d, "durable CreateGoal");
    Expect(u, "unsynced CreateGoal");
    durable_calls += d.calls;
    durable_seconds += d.seconds;
    unsynced_calls += u.calls;
    unsynced_seconds += u.seconds;
  }
  Add("durable appends, 16 in flight", durable_calls / durable_seconds, "/s",
      "unsynced appends, 16 in flight", unsynced_calls / unsynced_seconds, 0.90);
}

void UnsyncedAppends(const Settings& settings) {
  fmt::print(stderr, "unsynced appends (--unsafe-async-writes)\n");
  TestServer server(Args(settings, {"--unsafe-async-writes"}));
  server.Start();
  Client client(server);
  const absl::Duration time = absl::Seconds(settings.seconds);
  const Costed echo = WithCpu(server, [&] { return Echoes(client, 16, time); });
  const Costed appends = WithCpu(server, [&] { return Creates(client, "u", 16, time); });
  Expect(appends.result, "unsynced CreateGoal");
  Add("unsynced appends, 16 in flight", appends.result.rate(), "/s", "echo RPC, same server",
      echo.result.rate(), 0.70);
  // CPU per call is steadier than calls/s on a shared machine: it does not
  // move with what else runs, and names where the time goes. Client and
  // server share the cores, so both sides count toward calls/s.
  Add("server CPU per unsynced append", appends.server_us, "us", "per echo", echo.server_us, 2.0,
      false);
  Add("load generator CPU per unsynced append", appends.client_us, "us", "per echo", echo.client_us,
      0, false);
}

// Fills a fresh server with `events` events: goals, then rating changes on
// them; returns the server stopped, its peak memory in `rss_kib`.
std::unique_ptr<TestServer> Populated(const Settings& settings, uint64_t events,
                                      uint64_t* rss_kib) {
  auto server = std::make_unique<TestServer>(Args(settings, {"--unsafe-async-writes"}));
  server->Start();
  Client client(*server);
  const uint64_t goals = events / (1 + settings.ratings_per_goal);
  Expect(Creates(client, "g", 64, absl::Hours(1), goals), "populating goals");
  const LoadResult ratings = RunLoad(
      64, absl::Hours(1), goals * settings.ratings_per_goal, [&](int, uint64_t n, auto done) {
        v1::SetRatingRequest request;
        request.set_name(fmt::format("g{}", n % goals));
        request.set_rating(static_cast<v1::Rating>(1 + n % 4));
        request.set_rationale("四半期の見直し");
        client.Call<v1::SetRatingRequest, v1::SetRatingResponse>(
            &v1::LedgerService::StubInterface::async_interface::SetRating, std::move(request),
            std::move(done));
      });
  Expect(ratings, "populating ratings");
  *rss_kib = PeakRssKib(server->pid());
  server->Stop();
  Settle(server->data_dir() + "/db");
  return server;
}

double OpenMicros(const std::string& db) {
  const Clock::time_point began = Clock::now();
  auto store = storage::OpenRocksDbEventStore(db, true);
  if (!store.ok()) throw std::runtime_error(store.status().ToString());
  ledger::Ledger ledger(**store, "050008");
  return std::chrono::duration<double, std::micro>(Clock::now() - began).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// The reads of the size phase on one running server, pooled over rounds.
class SizeReads {
 public:
  SizeReads(const Settings& settings, TestServer& server, uint64_t events)
      : server_(server),
        events_(events),
        goals_(events / (1 + settings.ratings_per_goal)),
        client_(server),
        head_(static_cast<uint64_t>(Metric(server, "dxledger_log_events"))) {}

  // A goal's history, then a goal as of 3/4 of the log, each for `time`.
  void Round(absl::Duration time) {
    LoadResult history = RunLoad(1, time, UINT64_MAX, [&](int, uint64_t, auto done) {
      v1::ListGoalEventsRequest request;
      request.set_name(fmt::format("g{}", random_() % goals_));
      client_.Call<v1::ListGoalEventsRequest, v1::ListGoalEventsResponse>(
          &v1::LedgerService::StubInterface::async_interface::ListGoalEvents, std::move(request),
          std::move(done));
    });
    Expect(history, "ListGoalEvents");
    // Goals all exist by then: the ratings come after every goal.
    LoadResult as_of = RunLoad(1, time, UINT64_MAX, [&](int, uint64_t, auto done) {
      v1::GetGoalRequest request;
      request.set_name(fmt::format("g{}", random_() % goals_));
      request.mutable_as_of()->set_position(head_ - head_ / 4);
      client_.Call<v1::GetGoalRequest, v1::GetGoalResponse>(
          &v1::LedgerService::StubInterface::async_interface::GetGoal, std::move(request),
          std::move(done));
    });
    Expect(as_of, "GetGoal as of");
    Pool(history, history_);
    Pool(as_of, as_of_);
  }

  double history_p50() { return Percentile(history_, 0.5); }
  double as_of_p50() { return Percentile(as_of_, 0.5); }
  uint64_t rss_kib() const { return PeakRssKib(server_.pid()); }
  uint64_t events() const { return events_; }

 private:
  static void Pool(const LoadResult& result, LoadResult& into) {
    into.latency_us.insert(into.latency_us.end(), result.latency_us.begin(),
                           result.latency_us.end());
  }
  static double Percentile(LoadResult& pooled, double q) {
    std::sort(pooled.latency_us.begin(), pooled.latency_us.end());
    return pooled.percentile_us(q);
  }

  TestServer& server_;
  const uint64_t events_, goals_;
  Client client_;
  const uint64_t head_;
  std::mt19937_64 random_{11};
  LoadResult history_, as_of_;
};

void SizeIndependence(const Settings& settings) {
  fmt::print(stderr, "size independence: {} vs {} events\n", settings.small_events,
             settings.large_events);
  uint64_t small_fill_rss = 0, large_fill_rss = 0;
  auto small = Populated(settings, settings.small_events, &small_fill_rss);
  const Clock::time_point filling = Clock::now();
  auto large = Populated(settings, settings.large_events, &large_fill_rss);
  const double fill_seconds = std::chrono::duration<double>(Clock::now() - filling).count();
  fmt::print(stderr, "  filled {} events in {:.1f} s ({:.0f} events/s unsynced, 64 in flight)\n",
             settings.large_events, fill_seconds, settings.large_events / fill_seconds);

  // The machine's speed drifts by tens of percent within minutes, so the two
  // stores are measured in alternating rounds, not one after the other.
  constexpr int kRounds = 4;
  std::vector<double> small_open, large_open;
  for (int i = 0; i < 5; ++i) {
    small_open.push_back(OpenMicros(small->data_dir() + "/db"));
    large_open.push_back(OpenMicros(large->data_dir() + "/db"));
  }
  small->Start();
  large->Start();
  SizeReads s(settings, *small, settings.small_events);
  SizeReads l(settings, *large, settings.large_events);
  const absl::Duration round = absl::Seconds(settings.seconds) / kRounds;
  for (int i = 0; i < kRounds; ++i) {
    s.Round(round);
    l.Round(round);
  }
  const uint64_t large_read_rss = l.rss_kib();
  small->Stop();
  large->Stop();
  Add(fmt::format("goal history (10 events), p50, {} events in log", l.events()), l.history_p50(),
      "us", fmt::format("{} events", s.events()), s.history_p50(), 1.5, false);
  Add(fmt::format("as-of read, p50, {} events in log", l.events()), l.as_of_p50(), "us",
      fmt::format("{} events", s.events()), s.as_of_p50(), 1.5, false);
  Add(fmt::format("open the store, {} events", l.events()), Median(large_open), "us",
      fmt::format("{} events", s.events()), Median(small_open), 2.0, false);
  const double peak_mib = std::max(large_fill_rss, large_read_rss) / 1024.0;
  Add(fmt::format("server peak RSS, {} events (fill and reads)", l.events()), peak_mib, "MiB",
      "the 256 MiB budget", 256, 1.0, false);
}

// Work over the whole log: rebuilding views, verifying, a subscriber
// catching up from the start, each against a raw baseline on the same store.
// With --store DIR, a data directory kept by --keep-store is used instead of
// a fresh fill (copied first: rebuild writes).
void LogWide(const Settings& settings) {
  fmt::print(stderr, "the whole log: rebuild, verify, catch-up\n");
  std::unique_ptr<TestServer> server;
  if (settings.store.empty()) {
    uint64_t rss = 0;
    server = Populated(settings, settings.large_events, &rss);
    if (!settings.keep_store.empty()) {
      std::filesystem::copy(server->data_dir(), settings.keep_store,
                            std::filesystem::copy_options::recursive);
      fmt::print(stderr, "  kept the store in {}\n", settings.keep_store);
    }
  } else {
    server = std::make_unique<TestServer>(Args(settings, {"--unsafe-async-writes"}));
    std::filesystem::remove_all(server->data_dir());
    std::filesystem::copy(settings.store, server->data_dir(),
                          std::filesystem::copy_options::recursive);
  }
  const std::string db = server->data_dir() + "/db";
  uint64_t entries = 0;
  // A subscriber catching up from the start, against a raw gRPC stream of
  // the same messages.
  // First, on the settled store: the rebuild below leaves a large write to
  // recover and flush.
  // Three alternating rounds, pooled: one catch-up takes a second or two.
  server->Start();
  const uint64_t wanted =
      std::min<uint64_t>(static_cast<uint64_t>(Metric(*server, "dxledger_log_events")), 500'000);
  StreamRun subscribed, raw;
  for (int round = 0; round < 3; ++round) {
    std::vector<v1::SubscribeResponse> messages;
    const StreamRun ours = CatchUp(server->address(), server->tester_token(), wanted, &messages);
    const StreamRun theirs = RawStream(messages);
    subscribed.events += ours.events;
    subscribed.seconds += ours.seconds;
    raw.events += theirs.events;
    raw.seconds += theirs.seconds;
  }
  Add(fmt::format("subscription catch-up ({} events, 3 rounds)", subscribed.events / 3),
      subscribed.rate(), "events/s", "raw gRPC stream of the same messages", raw.rate(), 0.50);
  server->Stop();
  {
    // Verify the whole log, against a raw scan that hashes every event;
    // then rebuild every view, against a raw scan of the same log. The raw
    // scans read the closed store first.
    const double hashing_scan = RawLogScan(db, &entries, /*hash=*/true);
    const double scan = RawLogScan(db, &entries);
    auto store = storage::OpenRocksDbEventStore(db, true);
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    ledger::Ledger ledger(**store, "050008");
    const Clock::time_point verifying = Clock::now();
    auto verified = ledger.maintenance().Verify();
    if (!verified.ok()) throw std::runtime_error(verified.status().ToString());
    const double verify_seconds = std::chrono::duration<double>(Clock::now() - verifying).count();
    Add(fmt::format("verify the whole log ({} events)", entries), entries / verify_seconds,
        "events/s", "raw scan hashing every event", hashing_scan, 0.50);

    const Clock::time_point began = Clock::now();
    auto rebuilt = ledger.maintenance().RebuildViews();
    if (!rebuilt.ok()) throw std::runtime_error(rebuilt.status().ToString());
    const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
    Add(fmt::format("rebuild views ({} events)", entries), entries / seconds, "events/s",
        "raw RocksDB scan of the log", scan, 0.30);
  }
}

void PrintTable() {
  fmt::print("| measurement | dxledgerd | baseline (same run) | ratio | target | met |\n");
  fmt::print("| --- | ---: | ---: | ---: | --- | --- |\n");
  for (const Row& row : rows) {
    fmt::print("| {} | {} | {} | {:.2f} | {} | {} |\n", row.what, row.measured, row.baseline,
               row.ratio, row.target.empty() ? "-" : row.target,
               row.target.empty() ? "-" : (row.met ? "yes" : "**no**"));
  }
}

}  // namespace
}  // namespace dxledger::bench

int main(int argc, char** argv) {
  using namespace dxledger::bench;
  // The load generator shares the cores with the server it measures, so it
  // does not pay for Abseil's lock-cycle check either (dxledgerd turns it
  // off too; service/main.cc). The test binaries keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"dxledger_bench: dxledgerd against same-run baselines"};
  Settings settings;
  bool quick = false;
  app.add_flag("--quick", quick, "seconds, not minutes: small sizes (CI keeps it from rotting)");
  app.add_option("--seconds", settings.seconds, "per measured phase")->capture_default_str();
  app.add_option("--small-events", settings.small_events, "the small log")->capture_default_str();
  app.add_option("--large-events", settings.large_events, "the large log")->capture_default_str();
  app.add_option(
      "--server-arg", settings.server_args,
      "pass this flag to every dxledgerd (repeat), e.g. --server-arg=--access-log=false");
  app.add_option("--phase", settings.phases,
                 "durable, reads, unsynced, durability, size and/or log (default: all)");
  app.add_option("--keep-store", settings.keep_store,
                 "log phase: keep its filled data directory here (for profiling)");
  app.add_option("--store", settings.store,
                 "log phase: a data directory kept by --keep-store, instead of a fresh fill");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    settings.seconds = 0.3;
    settings.small_events = 1'000;
    settings.large_events = 10'000;
  }
  const auto wanted = [&](const std::string& phase) {
    return std::find(settings.phases.begin(), settings.phases.end(), phase) !=
           settings.phases.end();
  };
  try {
    if (wanted("durable")) DurableAppends(settings);
    if (wanted("reads")) Reads(settings);
    if (wanted("unsynced")) UnsyncedAppends(settings);
    if (wanted("durability")) Durability(settings);
    if (wanted("size")) SizeIndependence(settings);
    if (wanted("log")) LogWide(settings);
  } catch (const std::exception& error) {
    fmt::print(stderr, "dxledger_bench: {}\n", error.what());
    return 1;
  }
  PrintTable();
  return 0;
}
