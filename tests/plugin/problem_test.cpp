// The one mapping from the error catalogue (core/errors.h) to problem+json (api/problem.cpp):
// the domain names a kind and a code; status, type and Norwegian title come from here.

#include "api/problem.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "deviation/lifecycle.h"
#include "deviation/personal_data.h"

namespace boligflyt::api {
namespace {

namespace json = boost::json;

json::object body_of(const Response& r) { return json::parse(r.body).as_object(); }

void expect_problem(const Error& e, int status, const std::string& type,
                    const std::string& title = {}) {
  const auto r = problem_response(e);
  EXPECT_EQ(r.status, status) << e.slug;
  EXPECT_EQ(r.content_type, "application/problem+json");
  const auto body = body_of(r);
  EXPECT_EQ(body.at("type").as_string(), std::string(kProblemTypePrefix) + type) << e.slug;
  EXPECT_EQ(body.at("status").as_int64(), status);
  EXPECT_FALSE(body.at("title").as_string().empty());
  if (!title.empty()) {
    EXPECT_EQ(body.at("title").as_string(), title);
  }
}

TEST(ProblemCatalogue, LifecycleErrorsKeepTheirStatusesAndTypes) {
  using namespace deviation;
  const Relation leader{.responsible_leader = true};
  expect_problem(check_transition(Status::kClosed, Transition::kReceive, leader, {}).error(), 409,
                 "invalid-transition");
  expect_problem(check_transition(Status::kRegistered, Transition::kReceive, {}, {}).error(), 403,
                 "not-allowed", "Ikke tillatt");
  expect_problem(
      check_transition(Status::kInTreatment, Transition::kStartAction, leader, {}).error(), 422,
      "missing-field");
  expect_problem(check_operation(Operation::kAddAction, leader, Status::kClosed).error(), 409,
                 "closed");
}

TEST(ProblemCatalogue, PersonalDataIs422WithPositionAndNorwegianTitle) {
  const auto e = deviation::check_free_text("description", "beskrivelse",
                                            std::string(53, 'x') + "fnr 17058510068 her");
  ASSERT_FALSE(e.ok());
  expect_problem(e.error(), 422, "personal-data", "Personopplysninger i fritekst");
  const auto body = body_of(problem_response(e.error()));
  EXPECT_EQ(body.at("position").as_int64(), 58);
  EXPECT_EQ(body.at("field").as_string(), "description");
}

TEST(ProblemCatalogue, AProblemQuotingBytesThatAreNotUtf8IsStillValidJson) {
  const auto error = make_error(ErrorKind::kBadRequest, "invalid-query", "Ugyldig",
                                "Søkeparameteren «c\xff\xf7» har ugyldig koding.", "c\xff");
  const auto r = api::problem_response(error, "/api/v1/\xc3");
  boost::system::error_code ec;
  const auto body = boost::json::parse(r.body, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(body.at("field").as_string(), "c\xEF\xBF\xBD");
}

TEST(ProblemCatalogue, OneConditionOneType) {
  // What the store calls "deviation-not-found" is the API's one not-found.
  expect_problem(make_error(ErrorKind::kNotFound, "deviation-not-found", "Avviket finnes ikke",
                            "Avviket finnes ikke."),
                 404, "not-found", "Finnes ikke");
  expect_problem(not_found("Avviket «X» finnes ikke.", "id"), 404, "not-found");
  expect_problem(invalid("title", "Feltet «tittel» mangler."), 422, "validation-failed");
  // A domain title set by older code is not what the API shows; the code decides.
  auto legacy = make_error(ErrorKind::kInvalid, "invalid-query", "Noe annet", "Ugyldig markør.");
  expect_problem(legacy, 400, "invalid-query", "Ugyldig søkeparameter");
  expect_problem(make_error(ErrorKind::kConflict, "idempotency-key-reused", "", "Brukt før."), 422,
                 "idempotency-key-reused");
  expect_problem(internal_error("boom at line 3"), 500, "internal", "Intern feil");
  EXPECT_EQ(body_of(problem_response(internal_error("boom at line 3"))).count("position"), 0U);
}

}  // namespace
}  // namespace boligflyt::api
