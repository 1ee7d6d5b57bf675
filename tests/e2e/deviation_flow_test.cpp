// Avvik over real HTTP against the real host and plugin, as the demo users of the embedded
// default configuration work with them: a leader registers an avvik against a step, the
// procedure version and the responsible unit follow from the incident date, the responsible
// leader is notified through the outbox and drives the avvik to closure; the rules on who may
// do what, on stale writes, idempotent retries, personal data and input are checked at the
// HTTP boundary; listing, statistics, a restart and concurrent registrations keep every avvik.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/host_test.h"
#include "support/norway_date.h"

namespace boligflyt::e2e {
namespace {

constexpr const char* kProcedure = "boligflytprosedyre";
// Dates inside the periods of the shipped versions: 2.0 is in force from 2021-04-01, 3.0
// from 2025-01-01.
constexpr const char* kDateIn20 = "2023-06-15";
constexpr const char* kDateIn30 = "2025-03-10";
// In 2.0 eiendom is responsible for the rent-arrears reminder; 3.0 moved it to okonomi.
constexpr const char* kReassignedStep = "husleierestanse-purring";
// A step that 3.0 added: it does not exist in 2.0.
constexpr const char* kStepOnlyIn30 = "institusjon-varsel";
constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// Dates and avvik numbers follow Norway's calendar (an avvik registered at 00:30 on 1 January
// in Oslo is the new year's).
std::string current_year() { return norway_date(0).substr(0, 4); }

std::string avvik_id(int number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "AVVIK-%s-%04d", current_year().c_str(), number);
  return buf;
}

// A registration as a client sends it; json() leaves out members that are std::nullopt.
struct Registration {
  std::optional<std::string> procedure_id = kProcedure;
  std::optional<std::string> step_id = "tildelingsmote";
  std::optional<std::string> incident_date = kDateIn30;
  std::optional<std::string> category = "prosedyre_ikke_fulgt";
  std::optional<std::string> severity = "middels";
  std::optional<std::string> title = "Tildelingsmøtet ble avlyst uten ny dato";
  std::optional<std::string> description =
      "Møtet ble avlyst, og søknadene ble liggende i tre uker uten behandling.";

  std::string json() const {
    std::string out = "{";
    auto member = [&](const char* key, const std::optional<std::string>& value) {
      if (!value) return;
      if (out.size() > 1) out += ",";
      out += json_quote(key) + ":" + json_quote(*value);
    };
    member("procedure_id", procedure_id);
    member("step_id", step_id);
    member("incident_date", incident_date);
    member("category", category);
    member("severity", severity);
    member("title", title);
    member("description", description);
    return out + "}";
  }
};

Registration on(const std::string& step, const std::string& date) {
  Registration r;
  r.step_id = step;
  r.incident_date = date;
  return r;
}

// The mod-11 check digits as Skatteetaten describes them; nullopt when no number can exist.
std::optional<std::string> with_check_digits(const std::string& nine) {
  auto check = [](const std::string& digits, const std::vector<int>& weights) -> int {
    int sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) sum += (digits[i] - '0') * weights[i];
    const int k = 11 - sum % 11;
    return k == 11 ? 0 : k;
  };
  const int k1 = check(nine, {3, 7, 6, 1, 8, 9, 4, 5, 2});
  if (k1 == 10) return std::nullopt;
  const std::string ten = nine + static_cast<char>('0' + k1);
  const int k2 = check(ten, {5, 4, 3, 2, 7, 6, 5, 4, 3, 2});
  if (k2 == 10) return std::nullopt;
  return ten + static_cast<char>('0' + k2);
}

// A synthetic fødselsnummer (Skatteetaten's test numbers add 80 to the month): born
// 15 August 1990, no real person.
std::string synthetic_national_id() {
  for (int individual = 100; individual < 1000; ++individual) {
    if (auto n = with_check_digits("158890" + std::to_string(individual))) return *n;
  }
  ADD_FAILURE() << "no synthetic number found";
  return {};
}

std::size_t code_points(const std::string& utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

std::vector<std::string> lines_of(const std::string& text, const std::string& separator = "\n") {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + separator.size();
  }
  return out;
}

class DeviationFlowTest : public HostTest {
 protected:
  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {}, const Headers& extra = {}) {
    Headers headers = bearer(token(user));
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    headers.insert(headers.end(), extra.begin(), extra.end());
    return http_request(host_->port(), method, target, headers, body);
  }

  HttpResult register_as(const std::string& user, const Registration& r,
                         const Headers& extra = {}) {
    return call(user, "POST", "/api/v1/deviations", r.json(), extra);
  }

  /// Registers and returns the id; fails the test when the answer is not 201.
  std::string registered(const std::string& user, const Registration& r) {
    const auto created = register_as(user, r);
    EXPECT_EQ(created.status, 201u) << user << ": " << created.body;
    return json_at(created.body, "/id").value_or("");
  }

  HttpResult transition(const std::string& user, const std::string& id, const std::string& body,
                        const std::string& if_match = {}) {
    Headers extra;
    if (!if_match.empty()) extra.emplace_back("If-Match", if_match);
    return call(user, "POST", "/api/v1/deviations/" + id + "/transitions", body, extra);
  }

  /// Every id the user's list shows, following next_cursor; `query` without leading '?'.
  std::vector<std::string> all_ids(const std::string& user, const std::string& query = {}) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      std::string target = "/api/v1/deviations?limit=500" + (query.empty() ? "" : "&" + query);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      const auto list = call(user, "GET", target);
      EXPECT_EQ(list.status, 200u) << target << ": " << list.body;
      const auto n = json_array_size(list.body, "/items");
      if (list.status != 200u || !n) return ids;
      for (std::size_t i = 0; i < *n; ++i) {
        ids.push_back(json_at(list.body, "/items/" + std::to_string(i) + "/id").value_or(""));
      }
      const auto next = json_at(list.body, "/next_cursor");
      if (!next || *next == "null") return ids;
      cursor = *next;
    }
    ADD_FAILURE() << "the list did not end";
    return ids;
  }

  /// Waits (bounded) for the reference host's outbox file to hold a notification to the
  /// leaders of `unit` that links to the avvik `id`.
  bool wait_for_unit_notification(const std::string& unit, const std::string& id,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto file = data_dir() / "outbox" / "notifications.jsonl";
    const auto deadline = deadline_in(timeout);
    for (;;) {
      std::error_code ec;
      if (std::filesystem::exists(file, ec)) {
        for (const auto& line : lines_of(read_file(file))) {
          if (json_at(line, "/recipient/unit_id") == unit &&
              json_at(line, "/recipient/role") == "unit_leader" &&
              json_at(line, "/link") == "/api/v1/deviations/" + id &&
              json_at(line, "/subject").value_or("").find(id) != std::string::npos) {
            return true;
          }
        }
      }
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::size_t history_length(const std::string& user, const std::string& id) {
    const auto history = call(user, "GET", "/api/v1/deviations/" + id + "/history");
    EXPECT_EQ(history.status, 200u) << history.body;
    return json_array_size(history.body, "/items").value_or(0);
  }
};

void expect_problem(const HttpResult& r, unsigned status, const std::string& slug,
                    const std::optional<std::string>& field, const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << what;
  EXPECT_EQ(json_at(r.body, "/type"), "urn:boligflyt:problem:" + slug) << what << ": " << r.body;
  EXPECT_FALSE(json_at(r.body, "/title").value_or("").empty()) << what;
  if (field) {
    EXPECT_EQ(json_at(r.body, "/field"), *field) << what << ": " << r.body;
  }
}

TEST_F(DeviationFlowTest, RegisteredAvvikIsRoutedByDateAndClosedByTheResponsibleLeader) {
  ASSERT_NO_FATAL_FAILURE(start_host());

  // The version in force on the incident date decides the step's responsible unit.
  const auto first = register_as("leder-nav", on(kReassignedStep, kDateIn20));
  ASSERT_EQ(first.status, 201u) << first.body;
  const std::string id = avvik_id(1);
  EXPECT_EQ(json_at(first.body, "/id"), id);
  EXPECT_EQ(first.header("Location"), "/api/v1/deviations/" + id);
  EXPECT_EQ(first.header("ETag"), "\"1\"");
  EXPECT_EQ(json_at(first.body, "/procedure_id"), kProcedure);
  EXPECT_EQ(json_at(first.body, "/procedure_version"), "2.0");
  EXPECT_EQ(json_at(first.body, "/step/id"), kReassignedStep);
  EXPECT_EQ(json_at(first.body, "/responsible_unit"), "eiendom");
  EXPECT_EQ(json_at(first.body, "/status"), "registrert");
  EXPECT_EQ(json_at(first.body, "/reporter"), "leder-nav");
  EXPECT_EQ(json_at(first.body, "/reporting_unit"), "nav");
  EXPECT_EQ(json_at(first.body, "/revision"), "1");

  const auto second = register_as("leder-nav", on(kReassignedStep, kDateIn30));
  ASSERT_EQ(second.status, 201u) << second.body;
  const std::string second_id = avvik_id(2);
  EXPECT_EQ(json_at(second.body, "/id"), second_id);
  EXPECT_EQ(json_at(second.body, "/procedure_version"), "3.0");
  EXPECT_EQ(json_at(second.body, "/responsible_unit"), "okonomi");

  // Each responsible unit's leaders are told, through the outbox, by the host's notify().
  EXPECT_TRUE(wait_for_unit_notification("eiendom", id)) << "no notification to eiendom";
  EXPECT_TRUE(wait_for_unit_notification("okonomi", second_id)) << "no notification to okonomi";

  const std::string path = "/api/v1/deviations/" + id;
  // A leader with no part in it can neither read nor move it, and is not told it exists.
  expect_problem(call("leder-klageutvalget", "GET", path), 404, "not-found", std::string("id"),
                 "unrelated leader reads");
  expect_problem(transition("leder-klageutvalget", id, R"({"transition":"motta"})"), 404,
                 "not-found", std::string("id"), "unrelated leader receives");
  // The leader of the unit that 3.0 made responsible has no part in the 2.0 avvik either.
  expect_problem(call("leder-okonomi", "GET", path), 404, "not-found", std::string("id"),
                 "okonomi reads the 2.0 avvik");
  // The reporter reads it, but receiving is for the responsible leader.
  const auto as_reporter = call("leder-nav", "GET", path);
  ASSERT_EQ(as_reporter.status, 200u) << as_reporter.body;
  EXPECT_EQ(json_at(as_reporter.body, "/id"), id);
  expect_problem(transition("leder-nav", id, R"({"transition":"motta"})"), 403, "not-allowed",
                 std::nullopt, "reporter receives");

  const auto read = call("leder-eiendom", "GET", path);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(read.header("ETag"), "\"1\"");
  EXPECT_EQ(json_at(read.body, "/status"), "registrert");

  const auto received = transition("leder-eiendom", id, R"({"transition":"motta"})", "\"1\"");
  ASSERT_EQ(received.status, 200u) << received.body;
  EXPECT_EQ(json_at(received.body, "/status"), "mottatt");
  EXPECT_EQ(received.header("ETag"), "\"2\"");
  EXPECT_NE(json_at(received.body, "/received_at").value_or("null"), "null");

  // A write based on a stale read changes nothing.
  const auto events_before = history_length("leder-eiendom", id);
  EXPECT_EQ(events_before, 2u);
  expect_problem(transition("leder-eiendom", id, R"({"transition":"behandle"})", "\"1\""), 412,
                 "precondition-failed", std::string("If-Match"), "stale If-Match");
  EXPECT_EQ(history_length("leder-eiendom", id), events_before);
  const auto unchanged = call("leder-eiendom", "GET", path);
  EXPECT_EQ(json_at(unchanged.body, "/status"), "mottatt");
  EXPECT_EQ(unchanged.header("ETag"), "\"2\"");

  const auto treated = transition("leder-eiendom", id, R"({"transition":"behandle"})", "\"2\"");
  ASSERT_EQ(treated.status, 200u) << treated.body;
  EXPECT_EQ(json_at(treated.body, "/status"), "under_behandling");

  // tiltak needs a corrective action first.
  expect_problem(transition("leder-eiendom", id, R"({"transition":"tiltak"})"), 422,
                 "missing-field", std::string("actions"), "tiltak without an action");
  const auto action = call("leder-eiendom", "POST", path + "/actions",
                           R"({"owner_unit":"eiendom","description":"Purrerutinen legges inn )"
                           R"(i årshjulet.","due_date":")" +
                               norway_date(14) + "\"}");
  ASSERT_EQ(action.status, 201u) << action.body;
  EXPECT_EQ(json_at(action.body, "/actions/0/action_no"), "1");
  EXPECT_EQ(json_at(action.body, "/actions/0/done_date"), "null");

  const auto in_action = transition("leder-eiendom", id, R"({"transition":"tiltak"})");
  ASSERT_EQ(in_action.status, 200u) << in_action.body;
  EXPECT_EQ(json_at(in_action.body, "/status"), "tiltak");

  const auto done = call("leder-eiendom", "POST", path + "/actions/1/completion",
                         R"({"done_date":")" + norway_date(0) + "\"}");
  ASSERT_EQ(done.status, 200u) << done.body;
  EXPECT_EQ(json_at(done.body, "/actions/0/done_date"), norway_date(0));

  // Closing needs the evaluation of the effect, not only the cause.
  const auto tag_before_close = call("leder-eiendom", "GET", path).header("ETag");
  expect_problem(transition("leder-eiendom", id,
                            R"({"transition":"lukk","cause":"Purringen var ikke planlagt."})"),
                 422, "missing-field", std::string("evaluation"), "closing without evaluation");
  EXPECT_EQ(call("leder-eiendom", "GET", path).header("ETag"), tag_before_close);

  // And one or more cause codes from the catalogue, for the yearly count.
  expect_problem(transition("leder-eiendom", id,
                            R"({"transition":"lukk","cause":"Purringen var ikke planlagt.",)"
                            R"("evaluation":"Purringene i de to neste månedene gikk ut i tide."})"),
                 422, "missing-field", std::string("cause_codes"), "closing without cause codes");
  EXPECT_EQ(call("leder-eiendom", "GET", path).header("ETag"), tag_before_close);
  const auto closed =
      transition("leder-eiendom", id,
                 R"({"transition":"lukk","cause":"Purringen var ikke planlagt.",)"
                 R"("evaluation":"Purringene i de to neste månedene gikk ut i tide.",)"
                 R"("cause_codes":["rutine_mangler","kommunikasjon"]})");
  ASSERT_EQ(closed.status, 200u) << closed.body;
  EXPECT_EQ(json_at(closed.body, "/status"), "lukket");
  EXPECT_EQ(json_at(closed.body, "/cause"), "Purringen var ikke planlagt.");
  EXPECT_EQ(json_at(closed.body, "/cause_codes/1/code"), "kommunikasjon");
  EXPECT_EQ(json_at(closed.body, "/cause_codes/1/label"), "Kommunikasjon mellom enheter");
  EXPECT_EQ(json_at(closed.body, "/evaluation"),
            "Purringene i de to neste månedene gikk ut i tide.");
  EXPECT_NE(json_at(closed.body, "/closed_at").value_or("null"), "null");
  // The reporter can follow the outcome.
  EXPECT_EQ(json_at(call("leder-nav", "GET", path).body, "/status"), "lukket");

  // The history: registered, motta, behandle, action, tiltak, completion, lukk — chained.
  const auto history = call("leder-nav", "GET", path + "/history");
  ASSERT_EQ(history.status, 200u) << history.body;
  const auto n = json_array_size(history.body, "/items").value_or(0);
  EXPECT_EQ(n, 7u) << history.body;
  EXPECT_EQ(json_at(history.body, "/chain/valid"), "true");
  EXPECT_EQ(json_at(history.body, "/chain/first_broken_seq"), "null");
  EXPECT_EQ(json_at(history.body, "/items/0/kind"), "registered");
  EXPECT_EQ(json_at(history.body, "/items/0/actor"), "leder-nav");
  std::string previous = kGenesis;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string item = "/items/" + std::to_string(i);
    EXPECT_EQ(json_at(history.body, item + "/seq"), std::to_string(i + 1));
    EXPECT_EQ(json_at(history.body, item + "/prev_hash"), previous) << "seq " << i + 1;
    previous = json_at(history.body, item + "/hash").value_or("");
    EXPECT_EQ(previous.size(), 64u);
  }
  EXPECT_EQ(json_at(history.body, "/chain/head"), previous);
  EXPECT_EQ(json_at(history.body, "/items/" + std::to_string(n - 1) + "/actor"), "leder-eiendom");

  // A restart on the same data folder keeps everything.
  const auto before_restart = call("leder-eiendom", "GET", path);
  ASSERT_EQ(host_->stop(), 0) << host_->stderr_text();
  ASSERT_NO_FATAL_FAILURE(start_host());
  const auto after_restart = call("leder-eiendom", "GET", path);
  ASSERT_EQ(after_restart.status, 200u) << after_restart.body;
  EXPECT_EQ(after_restart.header("ETag"), before_restart.header("ETag"));
  EXPECT_EQ(after_restart.body, before_restart.body);
  const auto history_again = call("leder-nav", "GET", path + "/history");
  EXPECT_EQ(json_at(history_again.body, "/chain/valid"), "true");
  EXPECT_EQ(json_at(history_again.body, "/chain/head"), previous);
  EXPECT_EQ(call("leder-okonomi", "GET", "/api/v1/deviations/" + second_id).status, 200u);
  EXPECT_EQ(all_ids("kvalitetsleder").size(), 2u);
  // The numbering goes on after the restart.
  EXPECT_EQ(registered("leder-nav", on("tildelingsmote", kDateIn30)), avvik_id(3));
}

TEST_F(DeviationFlowTest, IdempotencyKeyReplaysTheRegistrationAndRefusesAnotherBody) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const Headers key = {{"Idempotency-Key", "7d1f0b52-0c47-4f55-9a0e-4c1bde2d0a11"}};
  const auto created = register_as("leder-boligkontor", Registration{}, key);
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json_at(created.body, "/id").value_or("");
  EXPECT_EQ(id, avvik_id(1));

  const auto replay = register_as("leder-boligkontor", Registration{}, key);
  ASSERT_EQ(replay.status, 201u) << replay.body;
  EXPECT_EQ(json_at(replay.body, "/id"), id);
  EXPECT_EQ(replay.header("Location"), "/api/v1/deviations/" + id);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(all_ids("kvalitetsleder"), std::vector<std::string>{id}) << "a second avvik";

  Registration other;
  other.title = "Et annet avvik";
  expect_problem(register_as("leder-boligkontor", other, key), 422, "idempotency-key-reused",
                 std::string("Idempotency-Key"), "same key, other body");
  EXPECT_EQ(all_ids("kvalitetsleder"), std::vector<std::string>{id});

  // Without the key, the same body is a new registration.
  EXPECT_EQ(registered("leder-boligkontor", Registration{}), avvik_id(2));
}

TEST_F(DeviationFlowTest, NationalIdentityNumberInFreeTextIsRefusedWithoutEchoingIt) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const std::string number = synthetic_national_id();
  ASSERT_EQ(number.size(), 11u);

  const std::string before = "Søknaden fra leietaker ";
  Registration with_number;
  with_number.description = before + number + " ble liggende i tre uker.";
  const auto refused = register_as("leder-boligkontor", with_number);
  expect_problem(refused, 422, "personal-data", std::string("description"), "fødselsnummer");
  EXPECT_EQ(json_at(refused.body, "/position"), std::to_string(code_points(before) + 1));
  EXPECT_EQ(refused.body.find(number), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find(number.substr(6)), std::string::npos) << refused.body;

  // The written form with a space, in the title.
  Registration in_title;
  in_title.title = "Gjelder " + number.substr(0, 6) + " " + number.substr(6);
  const auto refused_title = register_as("leder-boligkontor", in_title);
  expect_problem(refused_title, 422, "personal-data", std::string("title"), "number in title");
  EXPECT_EQ(json_at(refused_title.body, "/position"), "9");
  EXPECT_EQ(refused_title.body.find(number.substr(6)), std::string::npos) << refused_title.body;

  EXPECT_TRUE(all_ids("kvalitetsleder").empty()) << "a refused avvik was stored";

  // Eleven digits whose check digit fails are not a fødselsnummer (an order number, say).
  std::string not_a_number = number;
  not_a_number[10] = static_cast<char>('0' + (not_a_number[10] - '0' + 1) % 10);
  Registration with_order_number;
  with_order_number.description = "Bestillingen " + not_a_number + " ble ikke fulgt opp.";
  const auto accepted = register_as("leder-boligkontor", with_order_number);
  ASSERT_EQ(accepted.status, 201u) << accepted.body;
  EXPECT_EQ(json_at(accepted.body, "/description"), *with_order_number.description);
}

TEST_F(DeviationFlowTest, InvalidRegistrationsNameTheOffendingField) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  const std::string user = "leder-boligkontor";

  expect_problem(register_as(user, on("finnes-ikke", kDateIn30)), 422, "validation-failed",
                 std::string("step_id"), "unknown step");
  // The step exists in 3.0 but not in 2.0, which was in force on the date.
  expect_problem(register_as(user, on(kStepOnlyIn30, kDateIn20)), 422, "validation-failed",
                 std::string("step_id"), "step not in the version in force");
  expect_problem(register_as(user, on("tildelingsmote", norway_date(3))), 422, "validation-failed",
                 std::string("incident_date"), "future date");
  expect_problem(register_as(user, on("tildelingsmote", "2025-02-30")), 422, "validation-failed",
                 std::string("incident_date"), "no such date");

  Registration missing_title;
  missing_title.title.reset();
  expect_problem(register_as(user, missing_title), 422, "validation-failed", std::string("title"),
                 "missing title");
  Registration missing_category;
  missing_category.category.reset();
  expect_problem(register_as(user, missing_category), 422, "validation-failed",
                 std::string("category"), "missing category");
  Registration missing_step;
  missing_step.step_id.reset();
  expect_problem(register_as(user, missing_step), 422, "validation-failed", std::string("step_id"),
                 "missing step");

  // A control character cannot be printed, nor carried to the archive in XML 1.0.
  Registration control;
  control.description = std::string("Linje én\x01 og mer");
  const auto refused = register_as(user, control);
  expect_problem(refused, 422, "validation-failed", std::string("description"),
                 "control character");
  EXPECT_EQ(json_at(refused.body, "/position"), "9") << refused.body;

  Registration long_title;
  long_title.title = std::string(201, 'x');
  expect_problem(register_as(user, long_title), 422, "validation-failed", std::string("title"),
                 "title of 201 characters");

  expect_problem(call(user, "POST", "/api/v1/deviations",
                      json_set(Registration{}.json(), {"tenant_name"}, json_quote("Ola"))),
                 422, "validation-failed", std::string("tenant_name"), "unknown member");

  const auto not_utf8 = call(user, "POST", "/api/v1/deviations",
                             R"({"procedure_id":"boligflytprosedyre","title":"Feil )"
                             "\xC3\x28"
                             R"("})");
  expect_problem(not_utf8, 400, "invalid-utf8", std::nullopt, "invalid UTF-8");

  // Anyone may report, but only from a unit of their own (issue 12).
  for (const char* other : {"prosedyreeier", "godkjenner", "ansatt-nav"}) {
    expect_problem(call(other, "POST", "/api/v1/deviations",
                        json_set(Registration{}.json(), {"reporting_unit"}, json_quote("okonomi"))),
                   422, "validation-failed", std::string("reporting_unit"), other);
  }
  EXPECT_TRUE(all_ids("kvalitetsleder").empty()) << "a refused avvik was stored";

  // The limits are in characters: 200 of them are fine even when each takes two bytes. And
  // the step refused above for 2.0 is accepted on a date in 3.0's period.
  Registration long_but_allowed = on(kStepOnlyIn30, kDateIn30);
  std::string title;
  for (int i = 0; i < 200; ++i) title += "ø";
  long_but_allowed.title = title;
  const auto accepted = register_as(user, long_but_allowed);
  ASSERT_EQ(accepted.status, 201u) << accepted.body;
  EXPECT_EQ(json_at(accepted.body, "/procedure_version"), "3.0");
  EXPECT_EQ(json_at(accepted.body, "/responsible_unit"), "boligsosial-koordinator");
  EXPECT_EQ(json_at(accepted.body, "/id"), avvik_id(1)) << "refused requests used up numbers";
}

TEST_F(DeviationFlowTest, ListsShowWhatTheCallerMaySeeAndStatisticsCountEveryAvvik) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  // Nothing here involves okonomi.
  const auto a = registered("leder-boligkontor", on("tildelingsmote", "2025-03-10"));
  const auto b = registered("leder-nav", on("tildelingsmote", "2025-04-01"));
  const auto c = registered("leder-eiendom", on("klage-mottak", "2025-05-01"));
  const auto d = registered("leder-nav", on(kReassignedStep, kDateIn20));  // eiendom, 2.0
  const auto e = registered("kvalitetsleder", on(kStepOnlyIn30, "2025-06-01"));
  const std::set<std::string> everything = {a, b, c, d, e};
  ASSERT_EQ(everything.size(), 5u);
  ASSERT_EQ(transition("leder-boligkontor", a, R"({"transition":"motta"})").status, 200u);

  const auto all = all_ids("kvalitetsleder");
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), everything);
  EXPECT_EQ(all.size(), 5u);

  const auto for_okonomi = call("leder-okonomi", "GET", "/api/v1/deviations");
  ASSERT_EQ(for_okonomi.status, 200u) << for_okonomi.body;
  EXPECT_EQ(json_array_size(for_okonomi.body, "/items"), 0u) << for_okonomi.body;
  EXPECT_EQ(json_at(for_okonomi.body, "/next_cursor"), "null");
  expect_problem(call("leder-okonomi", "GET", "/api/v1/deviations/" + a), 404, "not-found",
                 std::string("id"), "okonomi reads another unit's avvik");

  // leder-nav: the two it reported; nav is responsible for none.
  const auto for_nav = all_ids("leder-nav");
  EXPECT_EQ(std::set<std::string>(for_nav.begin(), for_nav.end()), (std::set<std::string>{b, d}));
  // leder-boligkontor: its unit is responsible for a, b and c.
  const auto for_boligkontor = all_ids("leder-boligkontor");
  EXPECT_EQ(std::set<std::string>(for_boligkontor.begin(), for_boligkontor.end()),
            (std::set<std::string>{a, b, c}));

  EXPECT_EQ(all_ids("kvalitetsleder", "status=mottatt"), std::vector<std::string>{a});
  EXPECT_EQ(all_ids("kvalitetsleder", "status=registrert,mottatt").size(), 5u);
  EXPECT_TRUE(all_ids("kvalitetsleder", "status=lukket").empty());
  const auto at_meeting = all_ids("kvalitetsleder", "step_id=tildelingsmote");
  EXPECT_EQ(std::set<std::string>(at_meeting.begin(), at_meeting.end()),
            (std::set<std::string>{a, b}));
  const auto in_20 = all_ids("kvalitetsleder", "version=2.0");
  EXPECT_EQ(in_20, std::vector<std::string>{d});
  // Just registered: no deadline has passed.
  EXPECT_TRUE(all_ids("kvalitetsleder", "overdue=true").empty());
  EXPECT_EQ(all_ids("kvalitetsleder", "overdue=false").size(), 5u);
  expect_problem(call("kvalitetsleder", "GET", "/api/v1/deviations?status=apen"), 400,
                 "invalid-parameter", std::string("status"), "unknown status");
  expect_problem(call("kvalitetsleder", "GET", "/api/v1/deviations?limit=0"), 400,
                 "invalid-parameter", std::string("limit"), "limit 0");

  // Pages of two, in id order, visit every avvik once.
  std::vector<std::string> paged;
  std::string target = "/api/v1/deviations?limit=2&sort=id";
  std::vector<std::size_t> page_sizes;
  for (int page = 0; page < 10 && !target.empty(); ++page) {
    const auto list = call("kvalitetsleder", "GET", target);
    ASSERT_EQ(list.status, 200u) << list.body;
    const auto n = json_array_size(list.body, "/items").value_or(0);
    page_sizes.push_back(n);
    for (std::size_t i = 0; i < n; ++i) {
      paged.push_back(json_at(list.body, "/items/" + std::to_string(i) + "/id").value_or(""));
    }
    const auto next = json_at(list.body, "/next_cursor").value_or("null");
    target = next == "null" ? "" : "/api/v1/deviations?limit=2&sort=id&cursor=" + next;
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{2, 2, 1}));
  std::vector<std::string> sorted(everything.begin(), everything.end());
  EXPECT_EQ(paged, sorted);

  // Statistics are anonymous counts for anyone signed in.
  const auto stats = call("leder-okonomi", "GET", "/api/v1/statistics/deviations");
  ASSERT_EQ(stats.status, 200u) << stats.body;
  EXPECT_EQ(json_at(stats.body, "/total"), "5");
  EXPECT_EQ(json_at(stats.body, "/open"), "5");
  EXPECT_EQ(json_at(stats.body, "/closed"), "0");
  std::map<std::string, std::pair<std::string, std::string>> per_step;  // step: total, open
  const auto steps = json_array_size(stats.body, "/per_step").value_or(0);
  for (std::size_t i = 0; i < steps; ++i) {
    const std::string row = "/per_step/" + std::to_string(i);
    EXPECT_EQ(json_at(stats.body, row + "/procedure_id"), kProcedure);
    per_step[json_at(stats.body, row + "/step_id").value_or("")] = {
        json_at(stats.body, row + "/total").value_or(""),
        json_at(stats.body, row + "/open").value_or("")};
  }
  const std::map<std::string, std::pair<std::string, std::string>> expected_steps = {
      {"tildelingsmote", {"2", "2"}},
      {"klage-mottak", {"1", "1"}},
      {kReassignedStep, {"1", "1"}},
      {kStepOnlyIn30, {"1", "1"}}};
  EXPECT_EQ(per_step, expected_steps) << stats.body;
  const auto filtered = call("leder-okonomi", "GET",
                             "/api/v1/statistics/deviations?step_id=tildelingsmote&status=mottatt");
  ASSERT_EQ(filtered.status, 200u) << filtered.body;
  EXPECT_EQ(json_at(filtered.body, "/total"), "1");

  for (const auto& [target_csv, headers] :
       {std::pair<std::string, Headers>{"/api/v1/statistics/deviations", {{"Accept", "text/csv"}}},
        {"/api/v1/statistics/deviations?format=csv", {}}}) {
    const auto csv = call("kvalitetsleder", "GET", target_csv, {}, headers);
    ASSERT_EQ(csv.status, 200u) << target_csv << ": " << csv.body;
    EXPECT_EQ(csv.header("Content-Type").substr(0, 8), "text/csv") << target_csv;
    const std::string bom = "\xEF\xBB\xBF";
    ASSERT_EQ(csv.body.substr(0, 3), bom) << target_csv;
    const auto rows = lines_of(csv.body.substr(3), "\r\n");
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.front(), "dimensjon;nøkkel;navn;antall;åpne");
    const auto meeting_row = std::find_if(rows.begin(), rows.end(), [](const std::string& r) {
      return r.rfind("trinn;tildelingsmote;", 0) == 0;
    });
    ASSERT_NE(meeting_row, rows.end()) << csv.body;
    EXPECT_EQ(*meeting_row, "trinn;tildelingsmote;Tildelingsmøte;2;2");
    EXPECT_NE(std::find(rows.begin(), rows.end(), "sum;total;;5;"), rows.end()) << csv.body;
  }
}

TEST_F(DeviationFlowTest, ConcurrentRegistrationsGetDistinctGaplessNumbers) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 10;
  const std::vector<std::string> leaders = {"leder-boligkontor", "leder-eiendom", "leder-nav",
                                            "leder-flyktningtjenesten"};
  std::vector<std::string> tokens;
  for (const auto& leader : leaders) tokens.push_back(token(leader));
  const uint16_t port = host_->port();

  std::mutex mutex;
  std::vector<std::string> ids;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Registration r;
        r.title = "Samtidig registrering " + std::to_string(t) + "." + std::to_string(i);
        Headers headers = bearer(tokens[static_cast<std::size_t>(t) % tokens.size()]);
        headers.emplace_back("Content-Type", "application/json");
        const auto created = http_request(port, "POST", "/api/v1/deviations", headers, r.json());
        std::lock_guard lock(mutex);
        if (created.status == 201u) {
          ids.push_back(json_at(created.body, "/id").value_or(""));
        } else {
          failures.push_back(std::to_string(created.status) + " " + created.error + " " +
                             created.body);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  const std::set<std::string> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), ids.size()) << "an id was given twice";
  std::vector<int> numbers;
  const std::string prefix = "AVVIK-" + current_year() + "-";
  for (const auto& id : ids) {
    ASSERT_EQ(id.rfind(prefix, 0), 0u) << id;
    numbers.push_back(std::stoi(id.substr(prefix.size())));
  }
  std::sort(numbers.begin(), numbers.end());
  for (int n = 1; n <= kThreads * kPerThread; ++n) {
    ASSERT_EQ(numbers[static_cast<std::size_t>(n - 1)], n) << "numbers are not 1..160";
  }
  EXPECT_EQ(all_ids("kvalitetsleder").size(), static_cast<std::size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace boligflyt::e2e
