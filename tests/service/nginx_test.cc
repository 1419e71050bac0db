// deploy/nginx/organizations.conf, for real: two dxledgerd instances (one per
// organization) behind nginx on loopback; each organization's calls reach its
// own instance and no other.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "client/ledger_client.h"
#include "fmt/format.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;
using testsupport::TestServer;

// A port nothing listens on now (nginx cannot report a port 0 it bound).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

// nginx in the foreground with a configuration that includes the shipped
// routing map and points its upstreams at the test instances.
class Nginx {
 public:
  // A port picked free can be taken by another test before nginx binds it:
  // nginx then exits (address in use), and another port is tried.
  Nginx(int port_050008, int port_130001) {
    char pattern[] = "/tmp/dxledger-nginx-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    for (int attempt = 0; attempt < 5 && !Start(port_050008, port_130001); ++attempt) {
    }
  }
  // nginx on a port picked free now; false when it exited (the port was taken).
  bool Start(int port_050008, int port_130001) {
    port_ = FreePort();
    std::ofstream(dir_ + "/nginx.conf") << fmt::format(
        R"(daemon off;
master_process off;
worker_processes 1;
pid {0}/nginx.pid;
error_log {0}/error.log info;
events {{ worker_connections 64; }}
http {{
  access_log {0}/access.log;
  client_body_temp_path {0}/body;
  proxy_temp_path {0}/proxy;
  fastcgi_temp_path {0}/fastcgi;
  uwsgi_temp_path {0}/uwsgi;
  scgi_temp_path {0}/scgi;
  include {1}/deploy/nginx/organizations.conf;
  upstream ledger_050008 {{ server 127.0.0.1:{2}; }}
  upstream ledger_130001 {{ server 127.0.0.1:{3}; }}
  server {{
    listen 127.0.0.1:{4} http2;
    location / {{
      include {1}/deploy/nginx/forward-client.conf;
      grpc_pass grpc://$dxledger_backend;
    }}
  }}
}}
)",
        dir_, SOURCE_DIR, port_050008, port_130001, port_);
    pid_ = testsupport::Spawn({NGINX_PATH, "-p", dir_, "-c", dir_ + "/nginx.conf"},
                              dir_ + "/nginx.out");
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (Accepts(port_)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    // Something answering is not yet nginx: another listener on the port
    // answers too, and nginx exits on its failed bind right after.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  ~Nginx() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  std::string address() const { return fmt::format("127.0.0.1:{}", port_); }
  std::string log() const {
    return testsupport::ReadFile(dir_ + "/error.log") + testsupport::ReadFile(dir_ + "/nginx.out");
  }

 private:
  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
};

v1::CreateGoalRequest NewGoal(std::string id) {
  v1::CreateGoalRequest request;
  request.set_goal_id(std::move(id));
  request.set_fiscal_year(2021);
  request.add_departments("総務部");
  request.set_title("行政手続のオンライン化");
  return request;
}

absl::StatusCode Lookup(const TestServer& server, const std::string& goal) {
  LedgerClient direct(ClientOptions{server.address(), server.tester_token()});
  v1::GetGoalRequest request;
  request.set_name(goal);
  return direct.GetGoal(request).status().code();
}

// The last security record's peer, as the instance's admin reads it.
std::string LastRefusalPeer(const TestServer& server) {
  LedgerClient admin(ClientOptions{server.address(), server.admin_token()});
  v1::ListSecurityEventsRequest request;
  request.set_page_size(1000);
  absl::StatusOr<v1::ListSecurityEventsResponse> log = admin.ListSecurityEvents(request);
  if (!log.ok() || log->security_events().empty()) return "(none)";
  return log->security_events().rbegin()->peer();
}

// A refused call straight to `server`, claiming to come from 203.0.113.9.
void RefusedClaimingAnAddress(const TestServer& server) {
  auto stub = v1::LedgerService::NewStub(
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("x-real-ip", "203.0.113.9");
  v1::GetGoalRequest request;
  request.set_name("g");
  v1::GetGoalResponse response;
  EXPECT_EQ(stub->GetGoal(&context, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(NginxRoutingTest, EachOrganizationsCallsReachItsOwnInstance) {
  // Aomori believes the proxy on 127.0.0.1 about who its callers are.
  TestServer aomori({"--organization", "050008", "--trusted-proxy", "127.0.0.1"});
  TestServer tokyo({"--organization", "130001"});
  aomori.Start();
  tokyo.Start();
  auto port = [](const TestServer& server) {
    return std::stoi(server.address().substr(server.address().rfind(':') + 1));
  };
  Nginx nginx(port(aomori), port(tokyo));
  ASSERT_TRUE(Accepts(std::stoi(nginx.address().substr(10)))) << nginx.log();

  ClientOptions to_tokyo{nginx.address(), tokyo.tester_token()};
  to_tokyo.organization = "130001";
  auto created = LedgerClient(to_tokyo).CreateGoal(NewGoal("t1"));
  ASSERT_TRUE(created.ok()) << created.status() << "\n" << nginx.log();
  EXPECT_EQ(created->goal().name(), "organizations/130001/goals/t1");

  ClientOptions to_aomori{nginx.address(), aomori.tester_token()};
  to_aomori.organization = "050008";
  created = LedgerClient(to_aomori).CreateGoal(NewGoal("a1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->goal().name(), "organizations/050008/goals/a1");

  // No header: the default organization's instance.
  created =
      LedgerClient(ClientOptions{nginx.address(), aomori.tester_token()}).CreateGoal(NewGoal("a2"));
  ASSERT_TRUE(created.ok()) << created.status();

  // Each goal is on its own instance and only there.
  EXPECT_EQ(Lookup(tokyo, "organizations/130001/goals/t1"), absl::StatusCode::kOk);
  EXPECT_EQ(Lookup(aomori, "organizations/130001/goals/t1"), absl::StatusCode::kNotFound);
  EXPECT_EQ(Lookup(aomori, "a1"), absl::StatusCode::kOk);
  EXPECT_EQ(Lookup(aomori, "a2"), absl::StatusCode::kOk);
  EXPECT_EQ(Lookup(tokyo, "organizations/050008/goals/a1"), absl::StatusCode::kNotFound);

  // The instances keep their own principals: Tokyo's token is no good when
  // the header sends the call to Aomori.
  ClientOptions misrouted{nginx.address(), tokyo.tester_token()};
  misrouted.organization = "050008";
  EXPECT_EQ(LedgerClient(misrouted).CreateGoal(NewGoal("x")).status().code(),
            absl::StatusCode::kUnauthenticated);
  // Aomori's security log names the client nginx forwarded, and nginx.
  EXPECT_THAT(LastRefusalPeer(aomori),
              MatchesRegex("ipv4:127\\.0\\.0\\.1 \\(via ipv4:127\\.0\\.0\\.1:[0-9]+\\)"));

  // The header is believed only from a trusted proxy: Tokyo trusts none.
  RefusedClaimingAnAddress(tokyo);
  EXPECT_THAT(LastRefusalPeer(tokyo), Not(HasSubstr("203.0.113.9")));
  RefusedClaimingAnAddress(aomori);  // from 127.0.0.1, which Aomori trusts
  EXPECT_THAT(LastRefusalPeer(aomori), StartsWith("ipv4:203.0.113.9 (via ipv4:127.0.0.1:"));
}

}  // namespace
}  // namespace dxledger
