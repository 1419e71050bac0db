// TLS and mutual TLS end to end, with certificates the test makes (OpenSSL).
#include <gtest/gtest.h>

#include <filesystem>

#include "client/ledger_client.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using client::ClientOptions;
using client::LedgerClient;
using testsupport::RunCommand;
using testsupport::TestServer;

// A CA, a server certificate for 127.0.0.1, a client certificate the CA
// signed (CN=hq-dashboard) and one signed by a CA the server does not trust.
class Certificates {
 public:
  Certificates() {
    char pattern[] = "/tmp/dxledger-tls-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    Run("printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext");
    MakeCa("ca");
    MakeCa("rogue-ca");
    MakeCert("server", "localhost", "ca", "-extfile san.ext");
    MakeCert("client", "hq-dashboard", "ca", "");
    MakeCert("rogue", "hq-dashboard", "rogue-ca", "");
  }
  ~Certificates() { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  void Run(const std::string& command) {
    std::string out, err;
    ASSERT_EQ(RunCommand("cd " + dir_ + " && " + command, &out, &err), 0) << command << err;
  }
  void MakeCa(const std::string& name) {
    Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=" +
        name + " -keyout " + name + ".key -out " + name + ".crt");
  }
  void MakeCert(const std::string& name, const std::string& cn, const std::string& ca,
                const std::string& extra) {
    Run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + cn +
        " -keyout " + name + ".key -out " + name + ".csr");
    Run("openssl x509 -req -days 1 -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
        ".key -CAcreateserial -out " + name + ".crt " + extra);
  }
  std::string dir_;
};

class TlsTest : public ::testing::Test {
 protected:
  TlsTest()
      : server_({"--tls-cert", certs_.Path("server.crt"), "--tls-key", certs_.Path("server.key"),
                 "--tls-client-ca", certs_.Path("ca.crt")}) {}
  void SetUp() override {
    server_.AddPrincipal("dashboard", {"integration"}, {}, "hq-dashboard");
    server_.Start();
  }
  LedgerClient Client(const std::string& cert, const std::string& token = "") {
    ClientOptions options{server_.address(), token};
    options.tls_ca_file = certs_.Path("ca.crt");
    if (!cert.empty()) {
      options.tls_cert_file = certs_.Path(cert + ".crt");
      options.tls_key_file = certs_.Path(cert + ".key");
    }
    options.timeout = absl::Seconds(10);
    return LedgerClient(options);
  }

  Certificates certs_;
  TestServer server_;
};

TEST_F(TlsTest, ATrustedCertificateIsItsPrincipal) {
  LedgerClient dashboard = Client("client");
  EXPECT_TRUE(dashboard.ListGoals({}).ok());
  // It reads, but as an integration principal it may not write; the refusal
  // names the principal its certificate maps to.
  v1::CreateGoalRequest create;
  create.set_goal_id("g");
  create.set_fiscal_year(2025);
  create.add_departments("総務部");
  create.set_title("t");
  absl::Status denied = dashboard.CreateGoal(create).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(std::string(denied.message()).find("dashboard"), std::string::npos) << denied;
  // A bearer token cannot override the certificate's identity.
  LedgerClient both = Client("client", server_.tester_token());
  EXPECT_EQ(both.CreateGoal(create).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(TlsTest, UntrustedOrMissingCertificatesAreRefused) {
  EXPECT_EQ(Client("rogue").ListGoals({}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Client("").ListGoals({}).status().code(), absl::StatusCode::kUnauthenticated);
  // Without a certificate, a token still works over TLS.
  EXPECT_TRUE(Client("", server_.tester_token()).ListGoals({}).ok());
  // Plaintext to a TLS port does not get through.
  LedgerClient plaintext(
      ClientOptions{server_.address(), server_.tester_token(), absl::Seconds(5)});
  EXPECT_EQ(plaintext.ListGoals({}).status().code(), absl::StatusCode::kUnavailable);
}

// The HTTP port serves HTTPS only when the server has TLS, with the same
// certificate; the console's session cookie is then Secure.
TEST_F(TlsTest, TheHttpPortServesHttpsWithTheSameCertificate) {
  const std::string port = server_.metrics_url().substr(
      server_.metrics_url().rfind(':') + 1,
      server_.metrics_url().rfind('/') - server_.metrics_url().rfind(':') - 1);
  const std::string curl = "curl -sS --cacert " + certs_.Path("ca.crt") + " ";
  std::string out, err;
  ASSERT_EQ(RunCommand(curl + "-H 'Authorization: Bearer " + server_.tester_token() +
                           "' https://127.0.0.1:" + port + "/v1/caller",
                       &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("\"principal\":\"tester\""), std::string::npos) << out;
  EXPECT_NE(RunCommand("curl -sS http://127.0.0.1:" + port + "/livez", &out, &err), 0) << out;
  ASSERT_EQ(RunCommand(curl + "-i -X POST -d '{\"token\": \"" + server_.tester_token() +
                           "\"}' https://127.0.0.1:" + port + "/v1/sessions",
                       &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("HttpOnly; SameSite=Strict; Max-Age=28800; Secure"), std::string::npos) << out;
}

// The client never falls back to plaintext, or to the system's roots,
// behind the user's back: each of these fails before anything is sent.
TEST_F(TlsTest, AClientThatWouldNotGetTheTlsItAskedForRefusesToCall) {
  struct Case {
    ClientOptions options;
    std::string message;
  };
  auto with = [&](std::string ca, std::string cert, std::string key, std::string server = "") {
    ClientOptions options{server.empty() ? server_.address() : server, server_.tester_token()};
    options.tls_ca_file = std::move(ca);
    options.tls_cert_file = std::move(cert);
    options.tls_key_file = std::move(key);
    return options;
  };
  const std::vector<Case> cases = {
      {with("", certs_.Path("client.crt"), certs_.Path("client.key")),
       "without it the connection would be plaintext"},
      {with(certs_.Path("ca.crt"), certs_.Path("client.crt"), ""),
       "--tls-cert and --tls-key go together"},
      {with(certs_.Path("missing-ca.crt"), "", ""),
       "cannot read the TLS file " + certs_.Path("missing-ca.crt")},
      {with("", "", "", "ledger.example.org:7400"),
       "ledger.example.org:7400 is not on this machine: give --tls-ca"},
  };
  for (const Case& c : cases) {
    absl::Status status = LedgerClient(c.options).ListGoals({}).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_NE(std::string(status.message()).find(c.message), std::string::npos) << status;
  }
  // Loopback plaintext, and plaintext said out loud, are allowed.
  ClientOptions loopback{"localhost:1", ""};
  EXPECT_TRUE(client::ValidateTransport(loopback).ok());
  ClientOptions remote{"ledger.example.org:7400", ""};
  remote.plaintext = true;
  EXPECT_TRUE(client::ValidateTransport(remote).ok());
  // The CLI says the same.
  std::string out, err;
  EXPECT_NE(
      testsupport::RunCommand(
          std::string(DXLEDGER_PATH) + " --server ledger.example.org:7400 goal list", &out, &err),
      0);
  EXPECT_NE(err.find("is not on this machine"), std::string::npos) << err;
}

}  // namespace
}  // namespace dxledger
