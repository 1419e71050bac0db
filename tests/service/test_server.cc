#include "tests/service/test_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dxledger::testsupport {

namespace {

// What each thread of `pid` is doing: name, state, the system call it is in
// and its kernel stack, from /proc; and its user stacks when gdb is there.
std::string ThreadsOf(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::string out;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task", error)) {
    const std::string dir = task.path().string();
    std::string stat = ReadFile(dir + "/stat");
    const size_t paren = stat.rfind(')');
    const char state =
        paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
    std::string name = ReadFile(dir + "/comm");
    if (!name.empty() && name.back() == '\n') name.pop_back();
    out += "thread " + task.path().filename().string() + " " + name + " state " + state +
           " syscall " + ReadFile(dir + "/syscall") + ReadFile(dir + "/stack");
  }
  if (std::filesystem::exists("/usr/bin/gdb")) {
    std::string stacks;
    RunCommand("timeout 30 /usr/bin/gdb -p " + std::to_string(pid) +
                   " -batch -nx -ex 'thread apply all bt 30' 2>&1",
               &stacks);
    out += stacks;
  }
  return out;
}

// This process's environment with `overrides` set; with LD_PRELOAD, a
// sanitized server is told not to insist on coming first.
std::vector<std::string> Environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::map<std::string, std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const size_t equals = variable.find('=');
    if (equals == std::string_view::npos) continue;
    variables[std::string(variable.substr(0, equals))] = variable.substr(equals + 1);
  }
  for (const auto& [name, value] : overrides) {
    variables[name] = value;
    if (name == "LD_PRELOAD") variables["ASAN_OPTIONS"] += ":verify_asan_link_order=0";
  }
  std::vector<std::string> environment;
  for (const auto& [name, value] : variables) environment.push_back(name + "=" + value);
  return environment;
}

}  // namespace

TestServer::TestServer(std::vector<std::string> extra_args, ServerSetup setup)
    : extra_args_(std::move(extra_args)), setup_(std::move(setup)) {
  std::string pattern = setup_.parent + "/dxledger-e2e-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot make a data directory under " + setup_.parent);
  }
  data_dir_ = pattern;
}

TestServer::~TestServer() {
  Stop();
  std::filesystem::remove_all(data_dir_);
}

void TestServer::Start() {
  if (!std::filesystem::exists(data_dir_ + "/tester.token")) {
    std::ofstream(data_dir_ + "/tester.token")
        << AddPrincipal("tester", {"hq", "editor"}, {"総務部", "企画振興部", "土木部"});
  }
  const std::string port_file = data_dir_ + "/port";
  std::filesystem::remove(port_file);
  std::filesystem::remove(data_dir_ + "/metrics.port");
  std::vector<std::string> args = {DXLEDGERD_PATH,
                                   "--data-dir",
                                   data_dir_,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--port-file",
                                   port_file,
                                   "--metrics-listen",
                                   "127.0.0.1:0",
                                   "--metrics-port-file",
                                   data_dir_ + "/metrics.port"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = Spawn(args, data_dir_ + "/server.log", setup_.environment);
  // A start takes well under a second (0.6 s under ASan). Past 10 s, what
  // every thread of the process is doing is taken down; it then gets until
  // 60 s, so that a slow start shows how slow (and where it waited) while a
  // hung one fails with that picture.
  const auto began = std::chrono::steady_clock::now();
  std::string snapshot;
  for (;;) {
    const std::string port = ReadFile(port_file);
    const auto waited = std::chrono::steady_clock::now() - began;
    if (!port.empty() && port.back() == '\n') {
      port_ = std::stoi(port);
      if (!snapshot.empty()) {
        std::fprintf(stderr, "dxledgerd (pid %d) took %.1f s to start; at 10 s:\n%s\n",
                     static_cast<int>(pid_), std::chrono::duration<double>(waited).count(),
                     snapshot.c_str());
      }
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("dxledgerd exited at start: " + ReadFile(data_dir_ + "/server.log"));
    }
    if (snapshot.empty() && waited > std::chrono::seconds(10)) snapshot = ThreadsOf(pid_);
    if (waited > std::chrono::seconds(60)) {
      Kill();
      const std::string rocksdb = ReadFile(data_dir_ + "/db/LOG");
      throw std::runtime_error(
          "dxledgerd did not start within 60 s; at 10 s:\n" + snapshot + "\nits log:\n" +
          ReadFile(data_dir_ + "/server.log") + "\nthe end of RocksDB's LOG:\n" +
          rocksdb.substr(rocksdb.size() - std::min<size_t>(rocksdb.size(), 6000)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void TestServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void TestServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string TestServer::AddPrincipal(const std::string& name, const std::vector<std::string>& roles,
                                     const std::vector<std::string>& departments,
                                     const std::string& certificate_cn) {
  std::string command =
      std::string(DXLEDGERD_PATH) + " add-principal --data-dir " + data_dir_ + " --name " + name;
  for (const std::string& role : roles) command += " --role " + role;
  for (const std::string& department : departments) command += " --department " + department;
  if (!certificate_cn.empty()) command += " --certificate-cn " + certificate_cn;
  std::string out, err;
  if (RunCommand(command, &out, &err) != 0) {
    throw std::runtime_error("add-principal " + name + " failed: " + err);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string TestServer::metrics_url() const {
  std::string port = ReadFile(data_dir_ + "/metrics.port");
  while (!port.empty() && port.back() == '\n') port.pop_back();
  return "http://127.0.0.1:" + port + "/metrics";
}

std::string TestServer::log() const { return ReadFile(data_dir_ + "/server.log"); }

std::string TestServer::verifier_key() const {
  const std::string printed = log();
  const size_t at = printed.find("verifier key:");
  if (at == std::string::npos) return "";
  std::string rest = printed.substr(at + 13);
  rest.erase(0, rest.find_first_not_of(' '));
  return rest.substr(0, rest.find('\n'));
}

std::string TestServer::tester_token() const {
  std::string token = ReadFile(data_dir_ + "/tester.token");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  return token;
}

std::string TestServer::admin_token() const {
  std::string token = ReadFile(data_dir_ + "/admin.token");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  return token;
}

int RunCli(const TestServer& server, const std::string& args, std::string* out, std::string* err) {
#ifdef DXLEDGER_PATH
  return RunCommand(std::string(DXLEDGER_PATH) + " --server " + server.address() +
                        " --token-file " + server.data_dir() + "/tester.token " + args,
                    out, err);
#else
  (void)server, (void)args, (void)out, (void)err;
  return -1;  // only the CLI tests build with the CLI's path
#endif
}

pid_t Spawn(std::vector<std::string> args, const std::string& output,
            const std::vector<std::pair<std::string, std::string>>& environment) {
  // Spawned, not forked: a child of a many-threaded test may only call
  // async-signal-safe functions before exec. One that allocated hung for
  // good when another thread held an allocator lock at the fork (ASan's
  // StackDepot spin lock, caught by TestServer's thread dump).
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> variables = Environment(environment);
  std::vector<char*> envp;
  for (std::string& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(spawned));
  }
  return pid;
}

int RunCommand(const std::string& command, std::string* out, std::string* err) {
  char pattern[] = "/tmp/dxledger-stderr-XXXXXX";
  const int fd = ::mkstemp(pattern);
  ::close(fd);
  const std::string full = command + " 2>" + pattern;
  FILE* pipe = ::popen(full.c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (out != nullptr) *out = std::move(output);
  if (err != nullptr) *err = ReadFile(pattern);
  std::filesystem::remove(pattern);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::map<std::string, std::string> AddOnePrincipalPerRole(TestServer& server) {
  return {{"hq", server.AddPrincipal("hq1", {"hq"})},
          {"editor-in", server.AddPrincipal("kikaku", {"editor"}, {"企画振興部"})},
          {"editor-out", server.AddPrincipal("doboku", {"editor"}, {"土木部"})},
          {"auditor", server.AddPrincipal("auditor1", {"auditor"})},
          {"integration", server.AddPrincipal("tooling", {"integration"})}};
}

std::string Scrape(const std::string& url, int* status) {
  std::string out;
  const int code = RunCommand("curl -s -o - -w '\\n%{http_code}' " + url, &out);
  const size_t last = out.rfind('\n');
  if (code != 0 || last == std::string::npos) {
    if (status != nullptr) *status = -1;  // curl failed: no reply
    return "";
  }
  if (status != nullptr) *status = std::stoi(out.substr(last + 1));
  return out.substr(0, last);
}

double Sample(const std::string& metrics, const std::string& name) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

}  // namespace dxledger::testsupport
