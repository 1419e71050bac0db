// dxledgerd: the ledger server, and its offline maintenance commands.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "fmt/format.h"
#include "service/auth.h"
#include "service/ledger/ledger.h"
#include "service/log.h"
#include "service/server.h"
#include "storage/stores.h"

namespace {

using dxledger::service::ServerOptions;
namespace log = dxledger::service::log;

bool IsLoopback(const std::string& listen) {
  return listen.starts_with("127.") || listen.starts_with("localhost:") ||
         listen.starts_with("[::1]:");
}

int Serve(const ServerOptions& options, const std::string& port_file,
          const std::string& metrics_port_file) {
  // Block the stop signals before any thread starts, so sigwait gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = dxledger::service::Server::Start(options);
  if (!server.ok()) {
    log::Error("cannot start", {{"error", server.status().ToString()}});
    log::Flush();
    fmt::print(stderr, "dxledgerd: {}\n", server.status().ToString());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  const std::string address = fmt::format("{}:{}", host, (*server)->port());
  fmt::print("dxledgerd serving organization {} on {}\n", options.organization, address);
  fmt::print("  data directory: {}\n", options.data_dir);
  fmt::print("  writes:         {}\n",
             options.unsafe_async_writes
                 ? "UNSAFE: acknowledged before the WAL is synced; a crash may lose recent writes"
                 : "durable (WAL synced before every reply, group commit)");
  fmt::print("  admin token:    {}/admin.token\n", options.data_dir);
  fmt::print("  verifier key:   {}\n", (*server)->verifier_key());
  fmt::print(
      "  transport:      {}\n",
      options.tls_cert_file.empty()
          ? "plaintext"
          : (options.tls_client_ca_file.empty() ? "TLS" : "TLS, client certificates verified"));
  if (options.tls_cert_file.empty() && !IsLoopback(options.listen)) {
    fmt::print(stderr,
               "WARNING: listening in PLAINTEXT beyond loopback on {}: tokens cross the network "
               "in the clear; use --tls-cert and --tls-key\n",
               address);
  }
  const std::string metrics =
      options.metrics_listen.empty()
          ? "off"
          : fmt::format("http://{}:{}/metrics",
                        options.metrics_listen.substr(0, options.metrics_listen.rfind(':')),
                        (*server)->metrics_port());
  fmt::print("  metrics:        {}\n", metrics);
  fmt::print("  try:            dxledger --server {} --data-dir {} goal list\n", address,
             options.data_dir);
  std::fflush(stdout);
  log::Info("serving", {{"organization", options.organization},
                        {"address", address},
                        {"data_dir", options.data_dir},
                        {"durable", !options.unsafe_async_writes},
                        {"tls", !options.tls_cert_file.empty()},
                        {"metrics", metrics}});
  // The port file comes last: once it exists, everything is up.
  if (!metrics_port_file.empty()) {
    std::ofstream(metrics_port_file) << (*server)->metrics_port() << "\n";
  }
  if (!port_file.empty()) std::ofstream(port_file) << (*server)->port() << "\n";

  int signal = 0;
  sigwait(&signals, &signal);
  log::Info("draining", {{"signal", signal}});
  const absl::Time draining = absl::Now();
  (*server)->Shutdown();
  log::Info("stopped", {{"drain_ms", absl::ToDoubleMilliseconds(absl::Now() - draining)}});
  log::Flush();
  return 0;
}

int AddPrincipal(const ServerOptions& options, const std::string& name,
                 const std::vector<std::string>& role_names,
                 const std::vector<std::string>& departments, const std::string& common_name) {
  std::vector<dxledger::v1::Role> roles;
  for (const std::string& role : role_names) {
    auto parsed = dxledger::service::ParseRole(role);
    if (!parsed.ok()) {
      fmt::print(stderr, "dxledgerd: {}\n", parsed.status().ToString());
      return 2;
    }
    roles.push_back(*parsed);
  }
  std::filesystem::create_directories(options.data_dir);
  auto store = dxledger::storage::OpenRocksDbEventStore(options.data_dir + "/db", true);
  if (!store.ok()) {
    fmt::print(stderr, "dxledgerd: {} (is the server running? stop it first)\n",
               store.status().ToString());
    return 1;
  }
  dxledger::ledger::Ledger ledger(**store, options.organization);
  // The first principal of a data directory is always admin.
  dxledger::service::Principals principals;
  if (absl::Status s = dxledger::service::LoadPrincipals(ledger, options.data_dir, principals);
      !s.ok()) {
    fmt::print(stderr, "dxledgerd: {}\n", s.ToString());
    return 1;
  }
  auto token =
      dxledger::service::AddPrincipal(ledger, "dxledgerd", name, roles, departments, common_name);
  if (!token.ok()) {
    fmt::print(stderr, "dxledgerd: {}\n", token.status().ToString());
    return 1;
  }
  // The only time the token is shown; the ledger keeps its hash.
  fmt::print("{}\n", *token);
  return 0;
}

int RebuildViews(const std::string& data_dir, const std::string& organization) {
  auto store = dxledger::storage::OpenRocksDbEventStore(data_dir + "/db", true);
  if (!store.ok()) {
    fmt::print(stderr, "dxledgerd: {}\n", store.status().ToString());
    return 1;
  }
  dxledger::ledger::Ledger ledger(**store, organization);
  auto rebuilt = ledger.maintenance().RebuildViews();
  if (!rebuilt.ok()) {
    fmt::print(stderr, "dxledgerd: {}\n", rebuilt.status().ToString());
    return 1;
  }
  fmt::print("rebuilt {} goal views from the log\n", *rebuilt);
  return 0;
}

int Restore(const std::string& backup, const ServerOptions& options) {
  const std::string db = options.data_dir + "/db";
  if (std::filesystem::exists(db)) {
    fmt::print(stderr, "dxledgerd: {} exists: restore into a new data directory\n", db);
    return 1;
  }
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  std::filesystem::copy(backup, db, std::filesystem::copy_options::recursive, error);
  if (error) {
    fmt::print(stderr, "dxledgerd: cannot copy {}: {}\n", backup, error.message());
    return 1;
  }
  auto store = dxledger::storage::OpenRocksDbEventStore(db, true);
  if (!store.ok()) {
    fmt::print(stderr, "dxledgerd: {}\n", store.status().ToString());
    return 1;
  }
  dxledger::ledger::Ledger ledger(**store, options.organization);
  auto report = ledger.maintenance().Verify();
  if (!report.ok()) {
    fmt::print(stderr, "dxledgerd: the restored copy does not verify: {}\n",
               report.status().ToString());
    return 1;
  }
  fmt::print("restored {} into {}: {} events and {} views verified, head position {}\n", backup,
             options.data_dir, report->events_checked, report->views_checked,
             report->head.position);
  fmt::print("principals and their tokens are as they were at the backup\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil records every Mutex acquisition to find lock-order
  // cycles: about 8% of the server's CPU under load (perf during
  // tests/bench/run.sh --phase unsynced). The test binaries keep the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Everything dxledgerd creates (the data directory, RocksDB's files, keys,
  // backups) is its owner's alone: the log holds who rated what and why.
  ::umask(077);
  CLI::App app{"dxledgerd: the audit ledger of DX promotion goals"};
  app.set_version_flag("--version", "dxledgerd 0.1.0");
  app.fallthrough();  // --data-dir and friends may follow a subcommand
  app.set_config("--config", "", "read options from this file (TOML or INI: key = value)");
  ServerOptions options;
  std::string port_file;
  app.add_option("--data-dir", options.data_dir, "data directory")->capture_default_str();
  app.add_option("--listen", options.listen, "host:port to serve on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--organization", options.organization,
                 "default organization (local-government code)")
      ->capture_default_str();
  app.add_flag("--unsafe-async-writes", options.unsafe_async_writes,
               "acknowledge writes before the WAL is synced (a crash may lose them)");
  app.add_option("--port-file", port_file, "write the bound port to this file once serving");
  std::string metrics_port_file;
  app.add_option("--metrics-listen", options.metrics_listen,
                 "host:port for Prometheus metrics at /metrics (empty: off; port 0: any free port)")
      ->capture_default_str();
  app.add_option("--metrics-port-file", metrics_port_file,
                 "write the bound metrics port to this file once serving");
  app.add_option("--access-log", options.access_log,
                 "log one JSON line on stderr per finished call (true or false)")
      ->capture_default_str();
  int64_t stall_seconds = 10, checkpoint_seconds = 5;
  app.add_option("--subscriber-max-lag", options.subscriptions.max_lag,
                 "events a stalled subscriber may fall behind before it is cut off")
      ->capture_default_str();
  uint64_t reserve_mb = options.disk_reserve_bytes >> 20;
  app.add_option("--disk-reserve-mb", reserve_mb,
                 "MiB the data directory's filesystem keeps free: below it, writes are refused "
                 "(RESOURCE_EXHAUSTED) and /readyz answers 503; 0 turns the check off")
      ->capture_default_str();
  app.add_option("--trusted-proxy", options.trusted_proxies,
                 "IP address of a proxy whose x-real-ip (or x-forwarded-for) header names the "
                 "caller in the security and access logs; repeat for several");
  app.add_option("--refusals-per-second", options.refusal_limits.per_second,
                 "refused calls a second the security log records from one peer address; more "
                 "are counted (dxledger_security_refusals_unrecorded_total)")
      ->capture_default_str();
  app.add_option("--refusal-burst", options.refusal_limits.burst,
                 "refused calls from one peer address recorded in a burst")
      ->capture_default_str();
  app.add_option("--subscriptions-per-principal", options.subscriptions.max_per_principal,
                 "subscriptions one principal may hold open at once")
      ->capture_default_str();
  app.add_option("--subscriber-stall-seconds", stall_seconds,
                 "seconds a subscriber's write may stall before a lagging one is cut off")
      ->capture_default_str();
  app.add_option("--checkpoint-seconds", checkpoint_seconds,
                 "seconds between checkpoint messages to idle subscribers")
      ->capture_default_str();
  app.add_option("--checkpoint-origin", options.checkpoint_origin,
                 "first line of signed checkpoints (default: dxledger/<organization>)");
  app.add_option("--checkpoint-key", options.checkpoint_key_file,
                 "the log's signing key, Go note signer form (default: <data-dir>/checkpoint.key, "
                 "made on the first start)");
  double sign_seconds = 1;
  app.add_option("--checkpoint-sign-seconds", sign_seconds,
                 "sign a checkpoint of a grown log at most this often")
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert_file, "server certificate chain (PEM)");
  app.add_option("--tls-key", options.tls_key_file, "server private key (PEM)");
  app.add_option("--tls-client-ca", options.tls_client_ca_file,
                 "CA for client certificates (mutual TLS)");

  CLI::App* principal = app.add_subcommand("add-principal", "add a principal and print its token");
  std::string name;
  std::vector<std::string> roles, departments;
  principal->add_option("--name", name, "principal name")->required();
  principal->add_option("--role", roles, "admin, hq, editor, auditor or integration")->required();
  principal->add_option("--department", departments, "department the principal belongs to");
  std::string common_name;
  principal->add_option("--certificate-cn", common_name,
                        "bind a client certificate by its subject common name");

  CLI::App* rebuild =
      app.add_subcommand("rebuild-views", "rewrite every goal view from the log (server stopped)");
  std::string backup;
  CLI::App* restore = app.add_subcommand(
      "restore", "restore a backup into a new data directory and verify it (server stopped)");
  restore->add_option("--from", backup, "the backup directory")->required();
  CLI11_PARSE(app, argc, argv);
  options.subscriptions.stall_timeout = absl::Seconds(stall_seconds);
  options.disk_reserve_bytes = reserve_mb << 20;
  options.subscriptions.checkpoint_interval = absl::Seconds(checkpoint_seconds);
  options.checkpoint_interval = absl::Seconds(sign_seconds);

  if (principal->parsed()) return AddPrincipal(options, name, roles, departments, common_name);
  if (rebuild->parsed()) return RebuildViews(options.data_dir, options.organization);
  if (restore->parsed()) return Restore(backup, options);
  return Serve(options, port_file, metrics_port_file);
}
