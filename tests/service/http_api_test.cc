// The HTTP/JSON API through real HTTP against the real dxledgerd: the same
// rules as gRPC (authentication, roles, department scope, expected
// versions, the security log), bad input refused in plain words with
// nothing written, and lists and exports as Excel's Power Query and HQ's
// scripts load them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "dxledger/v1/access.pb.h"
#include "nlohmann/json.hpp"
#include "service/authorize.h"
#include "service/http/routes.h"
#include "tests/service/test_server.h"

namespace dxledger {
namespace {

using ::testing::HasSubstr;
using testsupport::TestServer;

constexpr const char* kGoals = "/v1/organizations/050008/goals";
constexpr const char* kNo9 = "/v1/organizations/050008/goals/fy2021-09";

// Reads a stream of server-sent events on a thread until stopped, or until
// the server ends it; what came, and when.
struct Listener {
  std::mutex mutex;
  std::string text;
  std::string content_type;
  std::chrono::steady_clock::time_point changed;
  std::atomic<bool> ended{false};
  httplib::Client client;
  std::thread thread;
  Listener(int port, const std::string& path, httplib::Headers headers)
      : client("127.0.0.1", port) {
    client.set_read_timeout(60, 0);
    thread = std::thread([this, path, headers] {
      client.Get(
          path, headers,
          [this](const httplib::Response& response) {
            std::lock_guard lock(mutex);
            content_type = response.get_header_value("Content-Type");
            return true;
          },
          [this](const char* data, size_t size) {
            std::lock_guard lock(mutex);
            text.append(data, size);
            changed = std::chrono::steady_clock::now();
            return true;
          });
      ended = true;
    });
  }
  // Waits up to 10 s for `what`; the time it arrived.
  std::optional<std::chrono::steady_clock::time_point> WaitFor(const std::string& what) {
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard lock(mutex);
        if (text.find(what) != std::string::npos) return changed;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }
  ~Listener() {
    client.stop();
    thread.join();
  }
};

class HttpApiTest : public testing::Test {
 protected:
  void SetUp() override {
    tokens_ = testsupport::AddOnePrincipalPerRole(server_);
    server_.Start();
    tokens_["admin"] = server_.admin_token();
    const std::string url = server_.metrics_url();
    const size_t colon = url.rfind(':');
    port_ = std::stoi(url.substr(colon + 1, url.rfind('/') - colon - 1));
    // No.9 (企画振興部), as the seed has it: rated C.
    Reply created =
        Post(kGoals,
             R"({"goalId": "fy2021-09", "fiscalYear": 2021, "departments": ["企画振興部"],
                             "title": "高齢者のデジタルデバイド対策の推進", "reportNumber": 9})",
             "hq");
    ASSERT_EQ(created.status, 200) << created.body;
    ASSERT_EQ(Post(std::string(kNo9) + ":setRating",
                   R"({"rating": "RATING_C", "rationale": "目標をやや下回る"})", "editor-in")
                  .status,
              200);
  }

  struct Reply {
    int status = -1;
    std::string body;
    httplib::Headers headers;
    nlohmann::json json() const { return nlohmann::json::parse(body); }
  };

  Reply Send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& who, httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    if (!who.empty()) headers.emplace("Authorization", "Bearer " + tokens_.at(who));
    httplib::Result result =
        method == "GET"      ? client.Get(path, headers)
        : method == "POST"   ? client.Post(path, headers, body, "application/json")
        : method == "PATCH"  ? client.Patch(path, headers, body, "application/json")
        : method == "DELETE" ? client.Delete(path, headers)
                             : client.Put(path, headers, body, "application/json");
    if (!result) return {};
    return {result->status, result->body, result->headers};
  }
  Reply Get(const std::string& path, const std::string& who) { return Send("GET", path, "", who); }
  Reply Post(const std::string& path, const std::string& body, const std::string& who) {
    return Send("POST", path, body, who);
  }
  // The log's head position, read over HTTP.
  uint64_t Head() {
    Reply log = Get("/v1/log/events?pageSize=1", "auditor");
    EXPECT_EQ(log.status, 200) << log.body;
    return std::stoull(log.json().value("headPosition", "0"));
  }

  TestServer server_;
  std::map<std::string, std::string> tokens_;
  int port_ = 0;
};

TEST_F(HttpApiTest, AnEditorRatesTheirGoalAndTheHistoryNamesThem) {
  const Reply goal = Get(kNo9, "auditor");
  ASSERT_EQ(goal.status, 200) << goal.body;
  EXPECT_EQ(goal.headers.find("Content-Type")->second, "application/json");
  EXPECT_EQ(goal.json()["goal"]["rating"], "RATING_C");
  EXPECT_EQ(goal.json()["goal"]["version"], "2");

  const Reply rated = Post(std::string(kNo9) + ":setRating",
                           R"({"rating": "RATING_B", "rationale": "サポーター育成が進んだ",
                               "expectedVersion": "2", "requestId": "http-rate-1"})",
                           "editor-in");
  ASSERT_EQ(rated.status, 200) << rated.body;
  EXPECT_EQ(rated.json()["goal"]["rating"], "RATING_B");
  // The same request id again is the same answer, and nothing more is written.
  const uint64_t head = Head();
  const Reply again = Post(std::string(kNo9) + ":setRating",
                           R"({"rating": "RATING_B", "rationale": "サポーター育成が進んだ",
                               "expectedVersion": "2", "requestId": "http-rate-1"})",
                           "editor-in");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Head(), head);

  const Reply history = Get(std::string(kNo9) + ":history", "auditor");
  ASSERT_EQ(history.status, 200) << history.body;
  const nlohmann::json events = history.json()["events"];
  ASSERT_EQ(events.size(), 3u) << history.body;
  EXPECT_EQ(events[2]["actor"], "kikaku");
  EXPECT_EQ(events[2]["ratingSet"]["previousRating"], "RATING_C");
  EXPECT_EQ(events[2]["ratingSet"]["rating"], "RATING_B");
}

TEST_F(HttpApiTest, AStaleFormIsAConflictAndWritesNothing) {
  const uint64_t head = Head();
  const Reply stale = Post(std::string(kNo9) + ":setRating",
                           R"({"rating": "RATING_A", "expectedVersion": "1"})", "editor-in");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json()["error"]["status"], "ABORTED");
  EXPECT_THAT(stale.json()["error"]["message"].get<std::string>(), HasSubstr("version"));
  EXPECT_EQ(Head(), head);
}

// The permission matrix's rules, over HTTP: who is refused, with which
// code, and the refusal is in the security log with the HTTP client's
// address (x-real-ip, believed from the in-process channel only).
TEST_F(HttpApiTest, RolesAndDepartmentsAreThoseOfGrpc) {
  const uint64_t head = Head();
  const std::string rate = std::string(kNo9) + ":setRating";
  const std::string body = R"({"rating": "RATING_A", "rationale": "x"})";
  const Reply anonymous = Send("POST", rate, body, "");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(anonymous.json()["error"]["status"], "UNAUTHENTICATED");
  const Reply other_department = Post(rate, body, "editor-out");
  EXPECT_EQ(other_department.status, 403) << other_department.body;
  EXPECT_EQ(other_department.json()["error"]["status"], "PERMISSION_DENIED");
  EXPECT_THAT(other_department.json()["error"]["message"].get<std::string>(),
              HasSubstr("企画振興部"));
  EXPECT_EQ(Post(rate, body, "hq").status, 403);       // HQ does not rate
  EXPECT_EQ(Post(rate, body, "auditor").status, 403);  // auditors only read
  EXPECT_EQ(Get("/v1/securityEvents", "editor-in").status, 403);
  EXPECT_EQ(
      Post(kGoals, R"({"fiscalYear": 2021, "departments": ["土木部"], "title": "t"})", "auditor")
          .status,
      403);
  EXPECT_EQ(Head(), head);

  const Reply security = Get("/v1/securityEvents?principal=doboku", "auditor");
  ASSERT_EQ(security.status, 200) << security.body;
  const nlohmann::json refused = security.json()["securityEvents"];
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused.back()["method"], "/dxledger.v1.LedgerService/SetRating");
  EXPECT_EQ(refused.back()["code"], "PERMISSION_DENIED");
  EXPECT_EQ(refused.back()["peer"], "ipv4:127.0.0.1");
}

TEST_F(HttpApiTest, BadRequestsAreRefusedInPlainWordsAndWriteNothing) {
  const uint64_t head = Head();
  const std::string rate = std::string(kNo9) + ":setRating";
  const Reply broken = Post(rate, R"({"rating": "RATING_B",)", "editor-in");
  EXPECT_EQ(broken.status, 400) << broken.body;
  EXPECT_EQ(broken.json()["error"]["status"], "INVALID_ARGUMENT");
  EXPECT_THAT(broken.json()["error"]["message"].get<std::string>(),
              HasSubstr("the body is not a dxledger.v1.SetRatingRequest in JSON"));
  // The actor is the authenticated principal: a body cannot name one.
  const Reply actor = Post(rate, R"({"rating": "RATING_B", "actor": "someone-else"})", "editor-in");
  EXPECT_EQ(actor.status, 400) << actor.body;
  EXPECT_THAT(actor.json()["error"]["message"].get<std::string>(), HasSubstr("actor"));
  // The service's own checks come back with their code.
  const Reply empty = Post(std::string(kNo9) + ":addIssue", R"({"text": ""})", "editor-in");
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(empty.json()["error"]["status"], "INVALID_ARGUMENT");
  const Reply wrong_method = Send("DELETE", kNo9, "", "hq");
  EXPECT_EQ(wrong_method.status, 405) << wrong_method.body;
  EXPECT_EQ(wrong_method.headers.find("Allow")->second, "GET");
  const Reply no_route = Get("/v1/organizations/050008/gaols", "hq");
  EXPECT_EQ(no_route.status, 404);
  EXPECT_EQ(no_route.json()["error"]["status"], "NOT_FOUND");
  const Reply missing = Get("/v1/organizations/050008/goals/fy2099-01", "hq");
  EXPECT_EQ(missing.status, 404) << missing.body;
  const Reply unknown = Get(std::string(kGoals) + "?colour=red", "hq");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.json()["error"]["message"].get<std::string>(),
              HasSubstr("unknown parameter colour"));
  // curl -d labels a JSON body as a form: it is read as JSON all the same,
  // and a query string still sets fields (percent-decoded).
  httplib::Client curl_like("127.0.0.1", port_);
  httplib::Result labelled =
      curl_like.Post(std::string(kNo9) + ":addIssue?reason=%E5%86%8D%E6%A4%9C%E8%A8%8E",
                     {{"Authorization", "Bearer " + tokens_.at("editor-in")}},
                     R"({"text": "課題"})", "application/x-www-form-urlencoded");
  ASSERT_TRUE(labelled);
  EXPECT_EQ(labelled->status, 200) << labelled->body;
  const nlohmann::json issue_events = Get(std::string(kNo9) + ":history", "auditor").json();
  EXPECT_EQ(issue_events["events"].back()["issueAdded"]["text"], "課題");
  EXPECT_EQ(issue_events["events"].back()["reason"], "再検討");
  const uint64_t after_issue = Head();
  // A token that is not printable ASCII cannot be gRPC metadata: refused
  // by the gateway, and the server goes on.
  httplib::Client raw("127.0.0.1", port_);
  httplib::Result garbled = raw.Get(kNo9, {{"Authorization", "Bearer \x80\xff\x01"}});
  ASSERT_TRUE(garbled);
  EXPECT_EQ(garbled->status, 401) << garbled->body;
  EXPECT_EQ(Post("/v1/sessions", "{\"token\": \"トークン\"}", "").status, 401);
  EXPECT_EQ(Get(kNo9, "auditor").status, 200);
  // A body larger than any request may be is refused before it is read.
  const Reply huge = Post(rate, std::string(8 << 20, ' '), "editor-in");
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(Head(), after_issue);
  EXPECT_EQ(after_issue, head + 1);  // the issue only
}

// Lists page with tokens, as Power Query follows them; an export comes as
// the file itself with ?alt=media.
TEST_F(HttpApiTest, ListsPageAndExportsDownloadAsFiles) {
  for (int n = 1; n <= 3; ++n) {
    ASSERT_EQ(Post(kGoals,
                   R"({"goalId": "fy2021-1)" + std::to_string(n) +
                       R"(", "fiscalYear": 2021, "departments": ["企画振興部"], "title": "目標)" +
                       std::to_string(n) + R"(", "reportNumber": )" + std::to_string(10 + n) + "}",
                   "hq")
                  .status,
              200);
  }
  std::vector<std::string> names;
  std::string token;
  do {
    const Reply page = Get(std::string(kGoals) + "?fiscalYear=2021&pageSize=2" +
                               (token.empty() ? "" : "&pageToken=" + token),
                           "auditor");
    ASSERT_EQ(page.status, 200) << page.body;
    const nlohmann::json json = page.json();
    ASSERT_TRUE(json["goals"].is_array());
    EXPECT_LE(json["goals"].size(), 2u);
    for (const nlohmann::json& goal : json["goals"]) names.push_back(goal["name"]);
    token = json["nextPageToken"];
  } while (!token.empty());
  EXPECT_EQ(names.size(), 4u);

  const Reply csv =
      Get("/v1/organizations/050008/fiscalYears/2021/report?format=REPORT_FORMAT_CSV&alt=media",
          "auditor");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers.find("Content-Type")->second, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.headers.find("Content-Disposition")->second,
            "attachment; filename=\"dx-progress-report-fy2021.csv\"");
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBFNo.,部局名,目標,評価")) << csv.body.substr(0, 40);
  EXPECT_THAT(csv.body, HasSubstr("高齢者のデジタルデバイド対策の推進,C"));
}

// The permission matrix over HTTP: for every route, each role the method's
// (access) option names gets past authorization, and every other role is
// refused with 403 and writes nothing (permission_test pins the option to
// the role table over gRPC). The requests concern No.9, of 企画振興部, the
// editor's own department, and are ones the service refuses after
// authorization.
TEST_F(HttpApiTest, EveryRouteAllowsTheRolesOfItsMethodAndRefusesTheRest) {
  const std::map<std::string, v1::Role> roles = {{"admin", v1::ROLE_ADMIN},
                                                 {"hq", v1::ROLE_HQ},
                                                 {"editor-in", v1::ROLE_EDITOR},
                                                 {"auditor", v1::ROLE_AUDITOR},
                                                 {"integration", v1::ROLE_INTEGRATION}};
  absl::StatusOr<std::vector<service::http::Route>> routes =
      service::http::RoutesOf(service::LedgerServiceDescriptor());
  ASSERT_TRUE(routes.ok());
  ASSERT_EQ(routes->size(), 37u);  // every method of LedgerService
  const uint64_t head = Head();
  for (const service::http::Route& route : *routes) {
    if (route.method->server_streaming()) continue;  // an open stream: its own test
    // The route's path with real values in its variables.
    std::string path;
    size_t segment = 0;
    for (const service::http::Variable& variable : route.variables) {
      for (; segment < variable.first; ++segment) path += "/" + route.segments[segment].literal;
      const std::string& field = variable.field;
      path += field == "name"        ? "/organizations/050008/goals/fy2021-09"
              : field == "parent"    ? "/organizations/050008"
              : field == "principal" ? "/nobody"
                                     : "/2030";  // fiscal_year, from_year
      segment = variable.last;
    }
    for (; segment < route.segments.size(); ++segment) {
      path += "/" + route.segments[segment].literal;
    }
    if (!route.custom_verb.empty()) path += ":" + route.custom_verb;
    const v1::Access& access = route.method->options().GetExtension(v1::access);
    for (const auto& [who, role] : roles) {
      SCOPED_TRACE(route.method->name() + " " + route.http_method + " " + path + " as " + who);
      // A goal command with a version it cannot have is refused after
      // authorization, and so is any other write with an empty body.
      const bool versioned =
          route.method->input_type()->FindFieldByName("expected_version") != nullptr;
      const Reply reply = Send(route.http_method, path,
                               route.body.empty() ? ""
                               : versioned        ? R"({"expectedVersion": "999"})"
                                                  : "{}",
                               who);
      const bool allowed =
          std::find(access.roles().begin(), access.roles().end(), role) != access.roles().end();
      if (allowed) {
        EXPECT_NE(reply.status, 403) << reply.body;
        EXPECT_NE(reply.status, 401) << reply.body;
        EXPECT_THAT(reply.body, testing::Not(HasSubstr("no route")));
      } else {
        EXPECT_EQ(reply.status, 403) << reply.body;
      }
    }
  }
  EXPECT_EQ(Head(), head);
}

// Subscribe as server-sent events: a refusal is an HTTP error; a change
// made by someone else arrives as an event within a second; a browser that
// reconnects with Last-Event-ID gets what came after it.
TEST_F(HttpApiTest, EventsArriveLiveAsServerSentEventsAndResume) {
  const std::string stream = "/v1/organizations/050008/events:subscribe";
  const Reply refused = Send("GET", stream + "?fromNow=true", "", "");
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(refused.json()["error"]["status"], "UNAUTHENTICATED");

  const httplib::Headers auditor = {{"Authorization", "Bearer " + tokens_.at("auditor")}};
  auto live =
      std::make_unique<Listener>(port_, stream + "?fromNow=true&eventTypes=rating_set", auditor);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // subscribed
  ASSERT_EQ(Post(std::string(kNo9) + ":setRating", R"({"rating": "RATING_A", "rationale": "x"})",
                 "editor-in")
                .status,
            200);
  const auto written = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> arrived = live->WaitFor("\"RATING_A\"");
  ASSERT_TRUE(arrived.has_value()) << live->text;
  EXPECT_LT(*arrived - written, std::chrono::seconds(1));
  std::string text;
  {
    std::lock_guard lock(live->mutex);
    text = live->text;
    EXPECT_EQ(live->content_type, "text/event-stream");
  }
  EXPECT_THAT(text, HasSubstr("\"actor\":\"kikaku\""));
  EXPECT_THAT(text, testing::Not(HasSubstr("goalCreated")));  // filtered to rating_set
  // The id of the event's message is the position to resume after.
  const size_t id = text.rfind("id: ", text.find("\"RATING_A\""));
  ASSERT_NE(id, std::string::npos) << text;
  const uint64_t position = std::stoull(text.substr(id + 4));
  live.reset();

  // Reconnecting with the id before it: the catch-up sends it again.
  httplib::Headers resume = auditor;
  resume.emplace("Last-Event-ID", std::to_string(position - 1));
  Listener again(port_, stream + "?eventTypes=rating_set", resume);
  ASSERT_TRUE(again.WaitFor("\"RATING_A\"").has_value()) << again.text;
  std::lock_guard lock(again.mutex);
  EXPECT_THAT(again.text, testing::Not(HasSubstr("\"rating\":\"RATING_C\"")));  // before it
}

// Calls on a kept-alive connection are not held back by Nagle's algorithm
// against the client's delayed ACK (40 ms a call on Linux before
// TCP_NODELAY; about 0.5 ms a call after, tests/bench/http_gateway.py).
TEST_F(HttpApiTest, KeptAliveCallsAreNotDelayed) {
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  const httplib::Headers auth = {{"Authorization", "Bearer " + tokens_.at("auditor")}};
  ASSERT_EQ(client.Get("/v1/caller", auth)->status, 200);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(client.Get("/v1/caller", auth)->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

// The console's sign-in: the token is exchanged once for an HttpOnly
// session cookie; a change made with the cookie needs the session's CSRF
// token; signing out ends the session.
TEST_F(HttpApiTest, ASessionCookieStandsForTheTokenAndWritesNeedTheCsrfToken) {
  const Reply wrong = Post("/v1/sessions", R"({"token": "not-a-token"})", "");
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(wrong.headers.count("Set-Cookie"), 0u);

  const Reply signed_in =
      Post("/v1/sessions", nlohmann::json{{"token", tokens_.at("editor-in")}}.dump(), "");
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string set_cookie = signed_in.headers.find("Set-Cookie")->second;
  EXPECT_THAT(set_cookie, HasSubstr("; HttpOnly; SameSite=Strict"));
  EXPECT_THAT(signed_in.body, testing::Not(HasSubstr(tokens_.at("editor-in"))));
  EXPECT_EQ(signed_in.json()["principal"]["principal"], "kikaku");
  EXPECT_EQ(signed_in.json()["principal"]["departments"][0], "企画振興部");
  const std::string csrf = signed_in.json()["csrfToken"];
  ASSERT_GE(csrf.size(), 40u);
  const httplib::Headers cookie = {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};

  EXPECT_EQ(Send("GET", kNo9, "", "", cookie).status, 200);
  const Reply current = Send("GET", "/v1/sessions/current", "", "", cookie);
  EXPECT_EQ(current.json()["csrfToken"], csrf);

  const uint64_t head = Head();
  const std::string rate = std::string(kNo9) + ":setRating";
  const std::string body = R"({"rating": "RATING_B", "rationale": "画面から"})";
  const Reply forged = Send("POST", rate, body, "", cookie);
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_THAT(forged.json()["error"]["message"].get<std::string>(), HasSubstr("X-CSRF-Token"));
  httplib::Headers with_csrf = cookie;
  with_csrf.emplace("X-CSRF-Token", "a" + csrf.substr(1));
  EXPECT_EQ(Send("POST", rate, body, "", with_csrf).status, 403);
  EXPECT_EQ(Head(), head);
  with_csrf = cookie;
  with_csrf.emplace("X-CSRF-Token", csrf);
  const Reply rated = Send("POST", rate, body, "", with_csrf);
  ASSERT_EQ(rated.status, 200) << rated.body;
  const nlohmann::json history = Get(std::string(kNo9) + ":history", "auditor").json();
  EXPECT_EQ(history["events"].back()["actor"], "kikaku");

  EXPECT_EQ(Send("DELETE", "/v1/sessions/current", "", "", cookie).status, 403);
  const Reply signed_out = Send("DELETE", "/v1/sessions/current", "", "", with_csrf);
  EXPECT_EQ(signed_out.status, 200) << signed_out.body;
  EXPECT_THAT(signed_out.headers.find("Set-Cookie")->second, HasSubstr("Max-Age=0"));
  const Reply after = Send("GET", kNo9, "", "", cookie);
  EXPECT_EQ(after.status, 401);
  EXPECT_THAT(after.json()["error"]["message"].get<std::string>(), HasSubstr("sign in again"));
}

// An event stream opened with a session cookie ends when the session does:
// after sign-out, the next event is not sent, and the stream closes.
TEST_F(HttpApiTest, SigningOutEndsTheSessionsEventStreams) {
  const Reply signed_in =
      Post("/v1/sessions", nlohmann::json{{"token", tokens_.at("auditor")}}.dump(), "");
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string set_cookie = signed_in.headers.find("Set-Cookie")->second;
  const httplib::Headers cookie = {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
  Listener live(port_, "/v1/organizations/050008/events:subscribe?fromNow=true", cookie);
  ASSERT_TRUE(live.WaitFor("id: ").has_value());  // subscribed: its first checkpoint

  // While signed in, an event arrives.
  ASSERT_EQ(Post(std::string(kNo9) + ":setRating", R"({"rating": "RATING_B", "rationale": "x"})",
                 "editor-in")
                .status,
            200);
  ASSERT_TRUE(live.WaitFor("\"RATING_B\"").has_value());
  httplib::Headers sign_out = cookie;
  sign_out.emplace("X-CSRF-Token", signed_in.json()["csrfToken"].get<std::string>());
  ASSERT_EQ(Send("DELETE", "/v1/sessions/current", "", "", sign_out).status, 200);
  ASSERT_EQ(Post(std::string(kNo9) + ":setRating", R"({"rating": "RATING_D", "rationale": "y"})",
                 "editor-in")
                .status,
            200);
  for (int i = 0; i < 300 && !live.ended; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(live.ended) << "the stream outlived its session";
  std::lock_guard lock(live.mutex);
  EXPECT_THAT(live.text, testing::Not(HasSubstr("\"RATING_D\"")));
}

TEST_F(HttpApiTest, GoalsAreSearchedByTitleAndPrincipalFlag) {
  for (const char* body : {
           R"({"goalId": "portal", "fiscalYear": 2021, "departments": ["企画振興部"],
               "title": "ＤＸ推進ポータル の構築", "principal": true, "principalNumber": 1})",
           R"({"goalId": "people", "fiscalYear": 2021, "departments": ["総務部"],
               "title": "dx人材の育成"})",
           R"({"goalId": "later", "fiscalYear": 2022, "departments": ["総務部"],
               "title": "DX推進ポータルの運用", "principal": true})"}) {
    ASSERT_EQ(Post(kGoals, body, "hq").status, 200);
  }
  const auto ids = [&](const std::string& query) {
    const Reply listed = Get(std::string(kGoals) + "?" + query, "auditor");
    EXPECT_EQ(listed.status, 200) << query << ": " << listed.body;
    std::vector<std::string> out;
    for (const auto& goal : listed.json().value("goals", nlohmann::json::array())) {
      const std::string name = goal["name"];
      out.push_back(name.substr(name.rfind('/') + 1));
    }
    return out;
  };
  // Full-width and half-width letters, upper and lower case, and spaces
  // match each other (NFKC, case folded, white space ignored).
  EXPECT_THAT(ids("titleContains=DX"), testing::UnorderedElementsAre("later", "people", "portal"));
  EXPECT_THAT(ids("titleContains=%E3%83%9D%E3%83%BC%E3%82%BF%E3%83%AB%E3%81%AE"),  // ポータルの
              testing::UnorderedElementsAre("later", "portal"));
  EXPECT_THAT(ids("titleContains=dx&fiscalYear=2021"),
              testing::UnorderedElementsAre("people", "portal"));
  EXPECT_THAT(ids("principal=true"), testing::UnorderedElementsAre("later", "portal"));
  EXPECT_THAT(ids("principal=false&fiscalYear=2021"),
              testing::UnorderedElementsAre("fy2021-09", "people"));
  EXPECT_THAT(ids("titleContains=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84"),  // 存在しない
              testing::IsEmpty());

  // A page at a time: the token carries the search, and another search
  // cannot use it.
  const Reply first = Get(std::string(kGoals) + "?titleContains=dx&pageSize=1", "auditor");
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string token = first.json()["nextPageToken"];
  ASSERT_FALSE(token.empty());
  const Reply second =
      Get(std::string(kGoals) + "?titleContains=dx&pageSize=2&pageToken=" + token, "auditor");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json()["goals"].size(), 2u);
  EXPECT_EQ(Get(std::string(kGoals) + "?titleContains=xd&pageSize=1&pageToken=" + token, "auditor")
                .status,
            400);
  // A control character is refused, not searched for.
  const Reply bad = Get(std::string(kGoals) + "?titleContains=a%07b", "auditor");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("title_contains"));
}

TEST_F(HttpApiTest, TheConsoleIsServedFromTheBinaryWithItsPolicy) {
  const Reply page = Get("/", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.find("Content-Type")->second, "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("<html lang=\"ja\">"));
  const std::string policy = page.headers.find("Content-Security-Policy")->second;
  EXPECT_THAT(policy, HasSubstr("script-src 'self'"));
  EXPECT_THAT(policy, HasSubstr("connect-src 'self'"));
  EXPECT_THAT(policy, HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(page.headers.find("X-Content-Type-Options")->second, "nosniff");

  // A reload with the ETag costs a 304 and no body.
  const std::string etag = page.headers.find("ETag")->second;
  const Reply again = Send("GET", "/", "", "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  const Reply config = Get("/console/config.json", "");
  ASSERT_EQ(config.status, 200);
  EXPECT_EQ(config.json()["organization"], "050008");
  EXPECT_EQ(Get("/console/js/none.js", "").status, 404);

  // Every file the page names, and every module those import, is served
  // with its type: nothing comes from anywhere else.
  std::vector<std::string> pending;
  const auto collect = [&pending](const std::string& text, const std::string& base) {
    for (const std::string opener : {"src=\"", "href=\"", "from '"}) {
      for (size_t at = text.find(opener); at != std::string::npos; at = text.find(opener, at + 1)) {
        const size_t start = at + opener.size();
        const std::string target = text.substr(start, text.find_first_of("\"'", start) - start);
        if (target.starts_with("/console/")) pending.push_back(target);
        if (target.starts_with("./")) pending.push_back(base + target.substr(2));
      }
    }
  };
  collect(page.body, "/console/");
  std::set<std::string> seen;
  while (!pending.empty()) {
    const std::string path = pending.back();
    pending.pop_back();
    if (!seen.insert(path).second) continue;
    const Reply file = Get(path, "");
    ASSERT_EQ(file.status, 200) << path;
    const std::string type = file.headers.find("Content-Type")->second;
    if (path.ends_with(".js")) {
      EXPECT_EQ(type, "text/javascript; charset=utf-8") << path;
      collect(file.body, path.substr(0, path.rfind('/') + 1));
    }
    if (path.ends_with(".css")) {
      EXPECT_EQ(type, "text/css; charset=utf-8") << path;
    }
  }
  EXPECT_TRUE(seen.contains("/console/js/goal.js"));
  EXPECT_TRUE(seen.contains("/console/js/forms.js"));
  EXPECT_TRUE(seen.contains("/console/console.css"));
}

}  // namespace
}  // namespace dxledger
