#include "service/metrics.h"

#include <array>

#include "fmt/format.h"
#include "google/protobuf/descriptor.h"

namespace dxledger::service {
namespace {

constexpr int kCodes = 17;  // grpc::StatusCode OK .. UNAUTHENTICATED

constexpr std::array<std::string_view, kCodes> kCodeNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

std::vector<double> LatencyBounds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::string Number(double value) { return fmt::format("{}", value); }

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Sample(std::string& out, std::string_view name, uint64_t value) {
  fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::Render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string prefix = labels.empty() ? "" : fmt::format("{},", labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix,
                   i < bounds_.size() ? Number(bounds_[i]) : "+Inf", cumulative);
  }
  const std::string braces = labels.empty() ? "" : fmt::format("{{{}}}", labels);
  fmt::format_to(std::back_inserter(out), "{}_sum{} {}\n{}_count{} {}\n", name, braces,
                 Number(sum_.load(std::memory_order_relaxed)), name, braces, cumulative);
}

struct Metrics::MethodStats {
  std::array<std::atomic<uint64_t>, kCodes> calls{};
  Histogram seconds{LatencyBounds()};
};

Metrics::Metrics(const std::vector<std::string>& methods)
    : other_(std::make_unique<MethodStats>()),
      commit_appends_({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}),
      commit_seconds_(LatencyBounds()) {
  for (const std::string& method : methods) methods_[method] = std::make_unique<MethodStats>();
}

Metrics::~Metrics() = default;

Metrics::MethodStats& Metrics::For(std::string_view method) {
  auto it = methods_.find(absl::string_view(method.data(), method.size()));
  return it == methods_.end() ? *other_ : *it->second;
}

void Metrics::ObserveCall(std::string_view method, int code, absl::Duration latency) {
  MethodStats& stats = For(method);
  stats.calls[code >= 0 && code < kCodes ? code : 2].fetch_add(1, std::memory_order_relaxed);
  stats.seconds.Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::ObserveCommit(const storage::CommitStats& stats) {
  if (!stats.ok) {
    failed_commits_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  appends_.fetch_add(stats.appends, std::memory_order_relaxed);
  events_.fetch_add(stats.events, std::memory_order_relaxed);
  bytes_.fetch_add(stats.bytes, std::memory_order_relaxed);
  commit_appends_.Observe(static_cast<double>(stats.appends));
  commit_seconds_.Observe(static_cast<double>(stats.write_micros) / 1e6);
}

std::string Metrics::Render() const {
  std::string out;
  out.reserve(64 * 1024);
  // Sorted, so a scrape reads the same from one run to the next.
  std::vector<std::pair<std::string_view, const MethodStats*>> methods;
  for (const auto& [name, stats] : methods_) methods.emplace_back(name, stats.get());
  std::sort(methods.begin(), methods.end());
  methods.emplace_back("other", other_.get());

  Header(out, "dxledger_rpc_total", "counter", "RPCs finished, by method and status code.");
  for (const auto& [method, stats] : methods) {
    for (int code = 0; code < kCodes; ++code) {
      const uint64_t calls = stats->calls[code].load(std::memory_order_relaxed);
      if (calls == 0) continue;
      fmt::format_to(std::back_inserter(out),
                     "dxledger_rpc_total{{method=\"{}\",code=\"{}\"}} {}\n", method,
                     kCodeNames[code], calls);
    }
  }
  Header(out, "dxledger_rpc_duration_seconds", "histogram",
         "Time from a call's arrival to its status, by method (streams: their whole life).");
  for (const auto& [method, stats] : methods) {
    stats->seconds.Render(out, "dxledger_rpc_duration_seconds",
                          fmt::format("method=\"{}\"", method));
  }
  Header(out, "dxledger_commits_total", "counter", "Group commits written (one WriteBatch each).");
  Sample(out, "dxledger_commits_total", commits_.load(std::memory_order_relaxed));
  Header(out, "dxledger_commit_failures_total", "counter", "Group commits the store refused.");
  Sample(out, "dxledger_commit_failures_total", failed_commits_.load(std::memory_order_relaxed));
  Header(out, "dxledger_appends_total", "counter", "Appends committed (one per command).");
  Sample(out, "dxledger_appends_total", appends_.load(std::memory_order_relaxed));
  Header(out, "dxledger_events_appended_total", "counter", "Events written to the log.");
  Sample(out, "dxledger_events_appended_total", events_.load(std::memory_order_relaxed));
  Header(out, "dxledger_commit_bytes_total", "counter", "Key and value bytes committed.");
  Sample(out, "dxledger_commit_bytes_total", bytes_.load(std::memory_order_relaxed));
  Header(out, "dxledger_commit_appends", "histogram", "Appends per group commit.");
  commit_appends_.Render(out, "dxledger_commit_appends", "");
  Header(out, "dxledger_commit_write_seconds", "histogram",
         "One group commit's WriteBatch, including the WAL sync when writes are durable.");
  commit_seconds_.Render(out, "dxledger_commit_write_seconds", "");

  const Gauges gauges = gauges_ ? gauges_() : Gauges{};
  Header(out, "dxledger_log_events", "gauge", "Events in the log (the head position).");
  Sample(out, "dxledger_log_events", gauges.log_events);
  Header(out, "dxledger_store_bytes", "gauge",
         "Approximate bytes in RocksDB (SST files and memtables).");
  Sample(out, "dxledger_store_bytes", gauges.store_bytes);
  Header(out, "dxledger_subscribers", "gauge", "Live subscriptions.");
  Sample(out, "dxledger_subscribers", gauges.subscribers);
  Header(out, "dxledger_subscribers_cut_off_total", "counter",
         "Subscribers cut off for falling too far behind.");
  Sample(out, "dxledger_subscribers_cut_off_total", gauges.subscribers_cut_off);
  Header(out, "dxledger_security_refusals_unrecorded_total", "counter",
         "Refused calls left out of the security log by its per-peer rate limit.");
  Sample(out, "dxledger_security_refusals_unrecorded_total", gauges.refusals_unrecorded);
  Header(out, "dxledger_disk_free_bytes", "gauge",
         "Free bytes on the data directory's filesystem (for an unprivileged user).");
  Sample(out, "dxledger_disk_free_bytes", gauges.disk_free_bytes);
  Header(out, "dxledger_disk_reserve_bytes", "gauge",
         "Below this many free bytes, writes are refused (--disk-reserve-mb).");
  Sample(out, "dxledger_disk_reserve_bytes", gauges.disk_reserve_bytes);
  Header(out, "dxledger_writes_stopped", "gauge",
         "1 while the store refuses every write after a write or sync failed on the disk.");
  Sample(out, "dxledger_writes_stopped", gauges.writes_stopped ? 1 : 0);
  Header(out, "dxledger_clock_behind_commits_total", "counter",
         "Commits made while the system clock read behind the log's last record time.");
  Sample(out, "dxledger_clock_behind_commits_total", gauges.clock_held_batches);
  Header(out, "dxledger_proof_cache_bytes", "gauge",
         "Memory holding the Merkle tree's subtree hashes for proofs: read at start, then as "
         "proofs need them (at most 64 MiB).");
  Sample(out, "dxledger_proof_cache_bytes", gauges.proof_cache_bytes);
  return out;
}

std::string_view StatusCodeName(int code) {
  return code >= 0 && code < kCodes ? kCodeNames[code] : "UNKNOWN";
}

std::vector<std::string> ServedMethods() {
  std::vector<std::string> methods;
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : {"dxledger.v1.LedgerService", "grpc.health.v1.Health"}) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      methods.push_back(fmt::format("/{}/{}", name, service->method(i)->name()));
    }
  }
  methods.push_back("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
  return methods;
}

}  // namespace dxledger::service
