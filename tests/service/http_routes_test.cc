// The HTTP/JSON routes, read from the (http) option of each method: every
// unary method has one, each route's own path leads back to it, and a
// request is built from the path, the query and the body by the protobuf
// JSON mapping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "dxledger/v1/ledger.pb.h"
#include "service/authorize.h"
#include "service/http/routes.h"
#include "service/http/sessions.h"

namespace dxledger::service::http {
namespace {

using ::testing::HasSubstr;

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = [] {
    absl::StatusOr<std::vector<Route>> parsed = RoutesOf(LedgerServiceDescriptor());
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return parsed.ok() ? *parsed : std::vector<Route>{};
  }();
  return routes;
}

// A concrete path for a route: each * as x1, x2, ...
std::string Example(const Route& route) {
  std::string path;
  int n = 0;
  for (const Segment& segment : route.segments) {
    path += "/" + (segment.literal.empty() ? "x" + std::to_string(++n) : segment.literal);
  }
  if (!route.custom_verb.empty()) path += ":" + route.custom_verb;
  return path;
}

TEST(HttpRoutesTest, EveryMethodHasExactlyOneRouteThatLeadsBackToIt) {
  const google::protobuf::ServiceDescriptor& service = LedgerServiceDescriptor();
  std::set<std::string> routed;
  for (const Route& route : Routes()) {
    EXPECT_TRUE(routed.insert(route.method->name()).second) << route.method->name();
    absl::StatusOr<Match> match = FindRoute(Routes(), route.http_method, Example(route));
    ASSERT_TRUE(match.ok()) << route.pattern << ": " << match.status();
    EXPECT_EQ(match->route, &route) << route.pattern << " is shadowed by " << match->route->pattern;
    // Writes are POST/PATCH with a JSON body; reads are GET without one.
    EXPECT_EQ(route.http_method == "GET", route.body.empty()) << route.pattern;
  }
  for (int i = 0; i < service.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service.method(i);
    EXPECT_TRUE(routed.contains(method.name())) << method.name() << " has no (http) route";
  }
}

TEST(HttpRoutesTest, PathVariablesBindFieldsAndAnotherMethodIsNamed) {
  absl::StatusOr<Match> history =
      FindRoute(Routes(), "GET", "/v1/organizations/050008/goals/fy2021-09:history");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->route->method->name(), "ListGoalEvents");
  EXPECT_THAT(history->bindings,
              testing::ElementsAre(testing::Pair("name", "organizations/050008/goals/fy2021-09")));
  absl::StatusOr<Match> goal =
      FindRoute(Routes(), "GET", "/v1/organizations/050008/goals/fy2021-09");
  ASSERT_TRUE(goal.ok());
  EXPECT_EQ(goal->route->method->name(), "GetGoal");

  absl::StatusOr<Match> wrong = FindRoute(Routes(), "DELETE", "/v1/organizations/050008/goals");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wrong.status().message(), "POST, GET");
  EXPECT_EQ(FindRoute(Routes(), "GET", "/v1/organizations/050008/gaols").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FindRoute(Routes(), "GET", "/v1/organizations/050008/goals/a:nothing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(HttpRoutesTest, RequestsComeFromPathQueryAndBody) {
  absl::StatusOr<Match> list = FindRoute(Routes(), "GET", "/v1/organizations/050008/goals");
  ASSERT_TRUE(list.ok());
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> built =
      BuildRequest(*list, "",
                   {{"fiscalYear", "2021"},
                    {"rating", "RATING_C"},
                    {"include_retired", "true"},
                    {"as_of.position", "12"},
                    {"pageSize", "5"}});
  ASSERT_TRUE(built.ok()) << built.status();
  const auto& request = static_cast<const v1::ListGoalsRequest&>(**built);
  EXPECT_EQ(request.parent(), "organizations/050008");
  EXPECT_EQ(request.fiscal_year(), 2021);
  EXPECT_EQ(request.rating(), v1::RATING_C);
  EXPECT_TRUE(request.include_retired());
  EXPECT_EQ(request.as_of().position(), 12u);
  EXPECT_EQ(request.page_size(), 5);

  absl::StatusOr<Match> rate =
      FindRoute(Routes(), "POST", "/v1/organizations/050008/goals/fy2021-09:setRating");
  ASSERT_TRUE(rate.ok());
  built = BuildRequest(*rate,
                       R"({"rating": "RATING_B", "rationale": "目標どおり", "expectedVersion": "3",
                           "name": "organizations/050008/goals/other"})",
                       {});
  ASSERT_TRUE(built.ok()) << built.status();
  const auto& set = static_cast<const v1::SetRatingRequest&>(**built);
  EXPECT_EQ(set.name(), "organizations/050008/goals/fy2021-09");  // the path wins
  EXPECT_EQ(set.rating(), v1::RATING_B);
  EXPECT_EQ(set.rationale(), "目標どおり");
  EXPECT_EQ(set.expected_version(), 3u);
}

TEST(HttpRoutesTest, BadInputIsNamedInPlainWords) {
  absl::StatusOr<Match> rate =
      FindRoute(Routes(), "POST", "/v1/organizations/050008/goals/fy2021-09:setRating");
  absl::StatusOr<Match> list = FindRoute(Routes(), "GET", "/v1/organizations/050008/goals");
  ASSERT_TRUE(rate.ok() && list.ok());
  const auto refused = [](const Match& match, std::string_view body,
                          std::multimap<std::string, std::string> query) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> built =
        BuildRequest(match, body, query);
    EXPECT_EQ(built.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(built.status().message());
  };
  EXPECT_THAT(refused(*rate, "{\"rating\": ", {}),
              HasSubstr("the body is not a dxledger.v1.SetRatingRequest in JSON"));
  // The actor is the authenticated principal: no field can name one.
  EXPECT_THAT(refused(*rate, R"({"rating": "RATING_B", "actor": "someone-else"})", {}),
              HasSubstr("actor"));
  EXPECT_THAT(refused(*rate, R"({"rating": "RATING_E"})", {}), HasSubstr("RATING_E"));
  EXPECT_THAT(
      refused(*list, "", {{"colour", "red"}}),
      HasSubstr("unknown parameter colour: dxledger.v1.ListGoalsRequest has no such field"));
  EXPECT_THAT(refused(*list, "", {{"include_retired", "yes"}}),
              HasSubstr("expected true or false"));
  EXPECT_THAT(refused(*list, "", {{"pageSize", "many"}}), HasSubstr("the path and query"));
  EXPECT_THAT(refused(*list, "", {{"as_of", "5"}}), HasSubstr("as_of.FIELD"));
  EXPECT_THAT(refused(*list, "{}", {}), HasSubstr("takes no body"));
}

// A session ends after its idle time without use, or its lifetime after
// sign-in however busy, or on sign-out; each has its own random id and
// CSRF token.
TEST(SessionsTest, EndIdleOldOrClosed) {
  Sessions sessions(absl::Minutes(30), absl::Hours(8));
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  auto [id, session] = sessions.Open("token-1", t0);
  auto [other, second] = sessions.Open("token-1", t0);
  EXPECT_NE(id, other);
  EXPECT_NE(session.csrf, second.csrf);
  EXPECT_GE(id.size(), 43u);  // 32 random bytes
  EXPECT_EQ(sessions.Use(id, t0 + absl::Minutes(29))->token, "token-1");
  EXPECT_TRUE(sessions.Use(id, t0 + absl::Minutes(58)).has_value());  // used at 29
  EXPECT_FALSE(sessions.Use(id, t0 + absl::Minutes(89)).has_value());
  EXPECT_FALSE(sessions.Use(id, t0 + absl::Minutes(90)).has_value());  // gone for good
  // Busy all day, it still ends at 8 hours.
  for (int minute = 20; minute < 8 * 60; minute += 20) {
    ASSERT_TRUE(sessions.Use(other, t0 + absl::Minutes(minute)).has_value()) << minute;
  }
  EXPECT_FALSE(sessions.Use(other, t0 + absl::Hours(8) + absl::Minutes(1)).has_value());
  auto [third, unused] = sessions.Open("token-2", t0);
  sessions.Close(third);
  EXPECT_FALSE(sessions.Use(third, t0).has_value());
  EXPECT_FALSE(sessions.Use("", t0).has_value());
}

// An open event stream asks whether its session is still open; asking is
// not activity, so a tab left open still ends at the idle limit.
TEST(SessionsTest, AskingWhetherActiveDoesNotKeepASessionAlive) {
  Sessions sessions(absl::Minutes(30), absl::Hours(8));
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  auto [id, session] = sessions.Open("token-1", t0);
  for (int minute = 5; minute < 30; minute += 5) {
    EXPECT_TRUE(sessions.Active(id, t0 + absl::Minutes(minute))) << minute;
  }
  EXPECT_FALSE(sessions.Active(id, t0 + absl::Minutes(31)));
  EXPECT_FALSE(sessions.Use(id, t0 + absl::Minutes(31)).has_value());
  auto [closed, unused] = sessions.Open("token-2", t0);
  sessions.Close(closed);
  EXPECT_FALSE(sessions.Active(closed, t0));
}

}  // namespace
}  // namespace dxledger::service::http
