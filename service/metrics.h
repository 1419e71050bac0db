#ifndef DXLEDGER_SERVICE_METRICS_H_
#define DXLEDGER_SERVICE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "storage/event_store.h"

// What dxledgerd counts, in the Prometheus text format: per-RPC calls and
// latency, appends and group commits, subscribers, log size. Recording is a
// few relaxed atomic adds (no lock, no allocation); rendering happens on a
// scrape. Thread-safe.
namespace dxledger::service {

// A histogram with fixed upper bounds (Prometheus "le" buckets).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  // `labels` is empty or `key="value",...` without braces.
  void Render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
  std::atomic<double> sum_{0};
};

// Read when scraped.
struct Gauges {
  uint64_t log_events = 0;  // the head position
  uint64_t store_bytes = 0;
  uint64_t subscribers = 0;
  uint64_t subscribers_cut_off = 0;
  uint64_t refusals_unrecorded = 0;
  uint64_t disk_free_bytes = 0;
  uint64_t disk_reserve_bytes = 0;
  bool writes_stopped = false;      // the store refuses writes after a failure on the disk
  uint64_t clock_held_batches = 0;  // commits planned while the clock was behind the log
  uint64_t proof_cache_bytes = 0;   // subtree hashes kept for proofs
};

class Metrics {
 public:
  // `methods`: full method names ("/pkg.Service/Method") known at start;
  // calls to any other name are counted as "other".
  explicit Metrics(const std::vector<std::string>& methods);
  ~Metrics();

  void ObserveCall(std::string_view method, int code, absl::Duration latency);
  void ObserveCommit(const storage::CommitStats& stats);
  void SetGauges(std::function<Gauges()> gauges) { gauges_ = std::move(gauges); }

  std::string Render() const;

 private:
  struct MethodStats;
  MethodStats& For(std::string_view method);

  absl::flat_hash_map<std::string, std::unique_ptr<MethodStats>> methods_;  // fixed after start
  std::unique_ptr<MethodStats> other_;
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> failed_commits_{0};
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> bytes_{0};
  Histogram commit_appends_;
  Histogram commit_seconds_;
  std::function<Gauges()> gauges_;
};

// "OK", "NOT_FOUND", … for a grpc::StatusCode value.
std::string_view StatusCodeName(int code);

// Every method of the services the server registers.
std::vector<std::string> ServedMethods();

}  // namespace dxledger::service

#endif  // DXLEDGER_SERVICE_METRICS_H_
