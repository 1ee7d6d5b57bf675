#include "api/router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/json_body.h"

namespace boligflyt::api {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : logger_([this](LogLevel, std::string_view line) { log_.emplace_back(line); }),
        router_(logger_, metrics_, 1024) {
    router_.add("GET", "/api/v1/procedures/{id}/versions/{version}",
                [](const Request& r) -> Result<Response> {
                  return json_response(
                      200, boost::json::object{{"id", r.path_params.at("id")},
                                               {"version", r.path_params.at("version")}});
                });
    router_.add("POST", "/api/v1/echo", [](const Request& r) -> Result<Response> {
      auto body = parse_json_body(r);
      if (!body) return body.error();
      return json_response(201, *body);
    });
    router_.add("GET", "/api/v1/throws",
                [](const Request&) -> Result<Response> { throw std::runtime_error("boom"); });
    router_.add(
        "GET", "/open", [](const Request&) -> Result<Response> { return Response{}; },
        RouteOptions{.requires_principal = false});
  }

  Request request(std::string_view method, std::string_view path, std::string_view body = {}) {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers.emplace_back("Content-Type", "application/json");
    r.principal = Principal{"u1", "Ola", {"boligkontor"}, {"unit_leader"}};
    return r;
  }

  static boost::json::object body_of(const Response& r) {
    return boost::json::parse(r.body).as_object();
  }

  std::vector<std::string> log_;
  Logger logger_;
  Metrics metrics_;
  Router router_;
};

TEST_F(RouterTest, MatchesTemplatesAndDecodesParameters) {
  auto r = router_.handle(request("GET", "/api/v1/procedures/boligflyt%C3%A5/versions/3.0"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r).at("id").as_string(), "boligflytå");
  EXPECT_EQ(body_of(r).at("version").as_string(), "3.0");
}

TEST_F(RouterTest, UnknownRouteIsProblem404) {
  auto r = router_.handle(request("GET", "/api/v1/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto body = body_of(r);
  EXPECT_EQ(body.at("type").as_string(), "urn:boligflyt:problem:not-found");
  EXPECT_EQ(body.at("status").as_int64(), 404);
  EXPECT_EQ(body.at("instance").as_string(), "/api/v1/nope");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  auto r = router_.handle(request("DELETE", "/api/v1/echo"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(body_of(r).at("status").as_int64(), 405);
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers.back().first, "Allow");
  EXPECT_EQ(r.headers.back().second, "POST");
}

TEST_F(RouterTest, MissingPrincipalIs401UnlessRouteIsOpen) {
  auto req = request("POST", "/api/v1/echo", "{}");
  req.principal.reset();
  auto r = router_.handle(req);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.front().first, "WWW-Authenticate");
  auto open = request("GET", "/open");
  open.principal.reset();
  EXPECT_EQ(router_.handle(open).status, 200);
}

TEST_F(RouterTest, InvalidJsonNamesLineAndColumnWithoutEchoingTheBody) {
  auto r = router_.handle(request("POST", "/api/v1/echo", "{\n  \"a\": hemmelig}"));
  EXPECT_EQ(r.status, 400);
  auto body = body_of(r);
  EXPECT_EQ(body.at("type").as_string(), "urn:boligflyt:problem:invalid-json");
  EXPECT_NE(std::string(body.at("detail").as_string()).find("linje 2, kolonne 8"),
            std::string::npos)
      << body.at("detail").as_string();
  EXPECT_EQ(r.body.find("hemmelig"), std::string::npos);
}

TEST_F(RouterTest, TrailingGarbageAfterJsonIsRefused) {
  EXPECT_EQ(router_.handle(request("POST", "/api/v1/echo", "{} {}")).status, 400);
}

TEST_F(RouterTest, InvalidUtf8InBodyAndPathIsRefused) {
  auto r = router_.handle(request("POST", "/api/v1/echo", "{\"a\":\"\xff\"}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r).at("type").as_string(), "urn:boligflyt:problem:invalid-utf8");
  EXPECT_EQ(router_.handle(request("GET", "/api/v1/procedures/%ff/versions/1")).status, 400);
  EXPECT_EQ(router_.handle(request("GET", "/api/v1/procedures/%zz/versions/1")).status, 400);
  EXPECT_EQ(router_.handle(request("GET", "/api/v1/procedures/%4/versions/1")).status, 400);
  EXPECT_EQ(router_.handle(request("GET", "relative")).status, 400);
}

TEST_F(RouterTest, WrongContentTypeIs415) {
  auto req = request("POST", "/api/v1/echo", "{}");
  req.headers = {{"Content-Type", "text/plain"}};
  EXPECT_EQ(router_.handle(req).status, 415);
  req.headers = {{"content-type", "application/json; charset=utf-8"}};
  EXPECT_EQ(router_.handle(req).status, 201);
}

TEST_F(RouterTest, BodyOverLimitIs413) {
  std::string big(2000, ' ');
  big.front() = '{';
  big.back() = '}';
  EXPECT_EQ(router_.handle(request("POST", "/api/v1/echo", big)).status, 413);
}

TEST_F(RouterTest, HandlerExceptionBecomes500AndIsLogged) {
  auto r = router_.handle(request("GET", "/api/v1/throws"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("boom"), std::string::npos) << "internal details must not reach clients";
  bool logged = false;
  for (const auto& line : log_) logged = logged || line.find("boom") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(RouterTest, MetricsCountByRouteTemplateAndStatus) {
  router_.handle(request("GET", "/api/v1/procedures/a/versions/1"));
  router_.handle(request("GET", "/api/v1/procedures/b/versions/2"));
  router_.handle(request("GET", "/api/v1/nope"));
  const auto text = metrics_.render();
  EXPECT_NE(text.find("boligflyt_http_requests_total{method=\"GET\",route=\"/api/v1/procedures/"
                      "{id}/versions/{version}\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("boligflyt_http_request_duration_seconds_count{route=\"/api/v1/procedures/"
                      "{id}/versions/{version}\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("le=\"+Inf\"} 2"), std::string::npos);
}

TEST_F(RouterTest, LogLinesAreJsonWithoutBodies) {
  router_.handle(request("POST", "/api/v1/echo", "{\"fritekst\":\"personlig\"}"));
  ASSERT_FALSE(log_.empty());
  for (const auto& line : log_) {
    auto parsed = boost::json::parse(line);
    ASSERT_TRUE(parsed.is_object()) << line;
    EXPECT_EQ(line.find("personlig"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace boligflyt::api
