// Categories and cause codes over real HTTP, through the reference host and the real plugin:
// the category list a step allows (generic and the procedure version's own, with labels),
// registering with a procedure category, closing with cause codes from the configured
// catalogue, and the statistics counting them.

#include <algorithm>
#include <string>
#include <vector>

#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

constexpr const char* kVersions = "/api/v1/procedures/boligflytprosedyre/versions/";
// In 3.1's period (in force from 2026-10-01) and before today.
constexpr const char* kDateIn31 = "2026-11-02";

class CategoriesTest : public HostTest {
 protected:
  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {}) {
    Headers headers = bearer(token(user));
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return http_request(host_->port(), method, target, headers, body);
  }

  HttpResult register_on(const std::string& step, const std::string& category,
                         const std::string& extra = {}) {
    return call("leder-nav", "POST", "/api/v1/deviations",
                R"({"procedure_id":"boligflytprosedyre","step_id":")" + step +
                    R"(","incident_date":")" + kDateIn31 + R"(","category":")" + category +
                    R"(","severity":"middels","title":"Saken gikk rett til vedtak",)"
                    R"("description":"Søknaden ble ikke lagt fram for møtet.")" +
                    extra + "}");
  }

  /// The codes of the items of a category or cause-code list.
  static std::vector<std::string> codes_of(const std::string& body) {
    std::vector<std::string> out;
    const auto n = json_array_size(body, "/items").value_or(0);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(json_at(body, "/items/" + std::to_string(i) + "/code").value_or(""));
    }
    return out;
  }

  static bool contains(const std::vector<std::string>& list, const std::string& code) {
    return std::find(list.begin(), list.end(), code) != list.end();
  }
};

TEST_F(CategoriesTest, TheCategoryListOfAStepHasTheGenericOnesAndTheVersionsOwnWithLabels) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto meeting = call(
      "leder-nav", "GET", std::string(kVersions) + "3.1/deviation-categories?step=tildelingsmote");
  ASSERT_EQ(meeting.status, 200u) << meeting.body;
  const auto codes = codes_of(meeting.body);
  EXPECT_EQ(codes.front(), "prosedyre_ikke_fulgt") << "generic ones first";
  for (const char* code :
       {"annet", "frist_overskredet", "tildelingsmote-forbigatt", "tolk-ikke-bestilt"}) {
    EXPECT_TRUE(contains(codes, code)) << code << " in " << meeting.body;
  }
  EXPECT_FALSE(contains(codes, "inkasso-uten-samarbeidsmote")) << "bound to other steps";
  const auto at = std::find(codes.begin(), codes.end(), "tildelingsmote-forbigatt") - codes.begin();
  const std::string item = "/items/" + std::to_string(at);
  EXPECT_EQ(json_at(meeting.body, item + "/label"), "Saken gikk utenom tildelingsmøtet");
  EXPECT_EQ(json_at(meeting.body, item + "/source"), "procedure");
  EXPECT_EQ(json_at(meeting.body, "/items/0/source"), "generic");
  EXPECT_EQ(json_at(meeting.body, "/step/handles_personal_data"), "false");

  const auto institution =
      call("leder-nav", "GET",
           std::string(kVersions) + "3.1/deviation-categories?step=institusjon-varsel");
  ASSERT_EQ(institution.status, 200u);
  EXPECT_EQ(json_at(institution.body, "/step/handles_personal_data"), "true");
  EXPECT_TRUE(contains(codes_of(institution.body), "institusjonsopphold-ikke-meldt"));

  // 3.0 declares none of its own; an unknown step is refused naming the parameter.
  const auto old = call("leder-nav", "GET",
                        std::string(kVersions) + "3.0/deviation-categories?step=tildelingsmote");
  ASSERT_EQ(old.status, 200u);
  EXPECT_EQ(codes_of(old.body).size(), 7u) << old.body;  // the generic categories
  EXPECT_TRUE(contains(codes_of(old.body), "personvernavvik")) << "generic: on every version";
  const auto unknown = call("leder-nav", "GET",
                            std::string(kVersions) + "3.1/deviation-categories?step=finnes-ikke");
  EXPECT_EQ(unknown.status, 400u);
  EXPECT_EQ(json_at(unknown.body, "/field"), "step");

  // The version as JSON says the same: its categories and the marked steps.
  const auto version = call("leder-nav", "GET", std::string(kVersions) + "3.1");
  ASSERT_EQ(version.status, 200u);
  EXPECT_EQ(json_array_size(version.body, "/deviation_categories"), 10u);
  EXPECT_NE(version.body.find(R"("handles_personal_data":true)"), std::string::npos);
}

TEST_F(CategoriesTest, RegisteringWithAProcedureCategoryAndClosingWithCauseCodes) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto causes = call("leder-boligkontor", "GET", "/api/v1/deviation-cause-codes");
  ASSERT_EQ(causes.status, 200u) << causes.body;
  EXPECT_EQ(codes_of(causes.body),
            (std::vector<std::string>{"rutine_mangler", "rutine_ikke_fulgt", "opplaering",
                                      "kapasitet", "kommunikasjon", "it_system", "ekstern_part"}));
  EXPECT_EQ(json_at(causes.body, "/items/4/label"), "Kommunikasjon mellom enheter");

  const auto refused = register_on("utflytting", "tildelingsmote-forbigatt");
  EXPECT_EQ(refused.status, 422u) << refused.body;
  EXPECT_EQ(json_at(refused.body, "/field"), "category");
  EXPECT_NE(json_at(refused.body, "/detail").value_or("").find("tillater"), std::string::npos);
  const auto sensitive_off = register_on("institusjon-varsel", "institusjonsopphold-ikke-meldt",
                                         R"(,"personal_data":false)");
  EXPECT_EQ(sensitive_off.status, 422u);
  EXPECT_EQ(json_at(sensitive_off.body, "/field"), "personal_data");

  const auto created = register_on("tildelingsmote", "tildelingsmote-forbigatt");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(json_at(created.body, "/procedure_version"), "3.1");
  EXPECT_EQ(json_at(created.body, "/category_label"), "Saken gikk utenom tildelingsmøtet");
  const auto id = json_at(created.body, "/id").value_or("");
  const std::string path = "/api/v1/deviations/" + id;

  const std::string leader = "leder-boligkontor";  // tildelingsmøtet: boligkontoret
  ASSERT_EQ(call(leader, "POST", path + "/transitions", R"({"transition":"motta"})").status, 200u);
  ASSERT_EQ(call(leader, "POST", path + "/transitions", R"({"transition":"behandle"})").status,
            200u);
  const std::string close =
      R"({"transition":"lukk","cause":"Fristen for møtet var ikke kjent.",)"
      R"("evaluation":"Alle saker går nå via møtet.","resolved_in_version":"3.1")";
  const auto missing = call(leader, "POST", path + "/transitions", close + "}");
  EXPECT_EQ(missing.status, 422u) << missing.body;
  EXPECT_EQ(json_at(missing.body, "/field"), "cause_codes");
  const auto unknown =
      call(leader, "POST", path + "/transitions", close + R"(,"cause_codes":["tilfeldig"]})");
  EXPECT_EQ(unknown.status, 422u);
  EXPECT_EQ(json_at(unknown.body, "/field"), "cause_codes/0");
  const auto closed = call(leader, "POST", path + "/transitions",
                           close + R"(,"cause_codes":["rutine_mangler","kommunikasjon"]})");
  ASSERT_EQ(closed.status, 200u) << closed.body;
  EXPECT_EQ(json_at(closed.body, "/status"), "lukket");
  EXPECT_EQ(json_at(closed.body, "/cause_codes/0/code"), "rutine_mangler");
  EXPECT_EQ(json_at(closed.body, "/cause_codes/1/label"), "Kommunikasjon mellom enheter");
  EXPECT_EQ(json_at(call(leader, "GET", path).body, "/cause_codes/1/code"), "kommunikasjon");

  const auto history = call(leader, "GET", path + "/history");
  ASSERT_EQ(history.status, 200u);
  EXPECT_NE(history.body.find(R"("cause_codes":["rutine_mangler","kommunikasjon"])"),
            std::string::npos)
      << history.body;

  const auto stats = call("kvalitetsleder", "GET", "/api/v1/statistics/deviations");
  ASSERT_EQ(stats.status, 200u) << stats.body;
  EXPECT_EQ(json_array_size(stats.body, "/per_cause_code"), 2u);
  EXPECT_EQ(json_at(stats.body, "/per_cause_code/0/count"), "1");
  EXPECT_EQ(json_at(stats.body, "/per_category/0/label"), "Saken gikk utenom tildelingsmøtet");
  const auto csv = call("kvalitetsleder", "GET", "/api/v1/statistics/deviations?format=csv");
  EXPECT_NE(csv.body.find("årsakskode;kommunikasjon;Kommunikasjon mellom enheter;1"),
            std::string::npos)
      << csv.body;
}

TEST_F(CategoriesTest, TheCatalogueOfCauseCodesIsConfigurable) {
  const std::string plugin = R"({"cause_codes":[{"code":"husleie","label":"Husleie og økonomi"},)"
                             R"({"code":"annet","label":"Annet"}]})";
  ASSERT_NO_FATAL_FAILURE(
      start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin))));
  const auto causes = call("leder-nav", "GET", "/api/v1/deviation-cause-codes");
  ASSERT_EQ(causes.status, 200u) << causes.body;
  EXPECT_EQ(codes_of(causes.body), (std::vector<std::string>{"husleie", "annet"}));
  EXPECT_EQ(json_at(causes.body, "/items/0/label"), "Husleie og økonomi");
}

}  // namespace
}  // namespace boligflyt::e2e
