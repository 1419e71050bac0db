#ifndef DXLEDGER_TESTS_SERVICE_TEST_SERVER_H_
#define DXLEDGER_TESTS_SERVICE_TEST_SERVER_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/fixture.h"

// Runs the real dxledgerd binary as a child process on 127.0.0.1:0 over a
// fresh temporary data directory, removed on destruction.
namespace dxledger::testsupport {

// Where and how the server runs, for the fault harness.
struct ServerSetup {
  // The data directory is made under it (a small filesystem, say).
  std::string parent = "/tmp";
  // Set in the server's environment (LD_PRELOAD, faketime's variables).
  // With LD_PRELOAD, a sanitized server is told not to insist on coming
  // first (ASAN_OPTIONS=verify_asan_link_order=0).
  std::vector<std::pair<std::string, std::string>> environment;
};

class TestServer {
 public:
  explicit TestServer(std::vector<std::string> extra_args = {}, ServerSetup setup = {});
  ~TestServer();

  // Blocks until the server has written its port. The first start adds the
  // principal `tester` (roles hq and editor, for 総務部, 企画振興部 and 土木部)
  // and writes its token to tester.token in the data directory.
  void Start();
  void Stop();  // SIGTERM and wait; the data directory stays
  void Kill();  // SIGKILL and wait: a crash
  // Adds a principal with `dxledgerd add-principal` (server stopped); returns
  // its token.
  std::string AddPrincipal(const std::string& name, const std::vector<std::string>& roles,
                           const std::vector<std::string>& departments = {},
                           const std::string& certificate_cn = "");
  std::string tester_token() const;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The Prometheus endpoint, http://127.0.0.1:<port>/metrics.
  std::string metrics_url() const;
  // Everything the server wrote on stdout and stderr so far.
  std::string log() const;
  // The log's verifier key, as dxledgerd printed it at start.
  std::string verifier_key() const;
  const std::string& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }
  std::string admin_token() const;

 private:
  std::vector<std::string> extra_args_;
  ServerSetup setup_;
  std::string data_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Adds (server stopped) one principal per role, with the same names in
// every test of the permission rules: hq1 (hq), kikaku (editor, 企画振興部),
// doboku (editor, 土木部), auditor1 (auditor) and tooling (integration).
// Returns their tokens by role: hq, editor-in, editor-out, auditor,
// integration.
std::map<std::string, std::string> AddOnePrincipalPerRole(TestServer& server);

// Runs `dxledger --server … --token-file tester.token ARGS` against
// `server`; returns the exit code, with stdout and stderr in `out` and `err`.
int RunCli(const TestServer& server, const std::string& args, std::string* out, std::string* err);

// GETs `url` with curl; returns the body (and the HTTP status in `status`,
// -1 when there was no reply).
std::string Scrape(const std::string& url, int* status = nullptr);
// The value of the sample line `name value` in a Prometheus text page (-1
// when absent).
double Sample(const std::string& metrics, const std::string& name);

// Runs a command line through /bin/sh; returns its exit code and stdout
// (stderr goes to `err` when given).
// Starts `args` (args[0] a path) with stdout and stderr appended to
// `output`, in this process's environment with `environment` set; returns
// its pid. Throws when it cannot be started.
pid_t Spawn(std::vector<std::string> args, const std::string& output,
            const std::vector<std::pair<std::string, std::string>>& environment = {});

int RunCommand(const std::string& command, std::string* out, std::string* err = nullptr);

}  // namespace dxledger::testsupport

#endif  // DXLEDGER_TESTS_SERVICE_TEST_SERVER_H_
