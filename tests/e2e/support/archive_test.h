#pragma once
// The fixture of the archive export tests (archive_export_test.cpp, attachment_export_test.cpp):
// a host that archives into its drop folder, an avvik driven to lukket, waiting for messages,
// and the checks every complete message must pass (official XSD, checksums, sizes, PDF/A).

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <pugixml.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/declared_files.h"
#include "support/host_test.h"
#include "support/norway_date.h"
#include "support/official_schemas.h"
#include "support/procedure_drafts.h"

namespace boligflyt::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string official(const std::string& relative) {
  return (fs::path(test_support::official_schemas_dir()) / relative).string();
}

inline std::string v1_arkivmelding_xsd() {
  return official("fiks-arkiv-v1/no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd");
}
inline std::string v2_arkivmelding_xsd() {
  return official("fiks-arkiv-v2/no.ks.fiks.arkiv.v2.arkivering.arkivmelding.opprett.xsd");
}

inline std::string today() { return norway_date(0); }

class ArchiveExportTest : public HostTest {
 protected:
  // Every test here validates what it drops (and the receipts) against the official schemas.
  void SetUp() override { BOLIGFLYT_REQUIRE_OFFICIAL_SCHEMAS(); }

  fs::path drop_dir() const { return data_dir() / "arkiv" / "utgaaende"; }
  fs::path inbox_dir() const { return data_dir() / "arkiv" / "kvitteringer"; }

  void start_archiving_host(const std::string& protocol = "v1",
                            const std::string& package = "folder") {
    const std::string plugin = R"({"maintenance_interval_ms":200,)"
                               R"("notifications":{"first_retry_seconds":1,"max_retry_seconds":2},)"
                               R"("archive":{"protocol":")" +
                               protocol + R"(","package":")" + package + R"(","schemas_dir":)" +
                               json_quote(test_support::official_schemas_dir()) + "}}";
    start_host(write_config(json_set(default_config_json(), {"plugin"}, plugin)));
  }

  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::string& content_type = "application/json") {
    Headers headers = bearer(token(user));
    if (!body.empty()) headers.emplace_back("Content-Type", content_type);
    return http_request(host_->port(), method, target, headers, body);
  }

  /// Registers an avvik on `step` (in saksmappe `case_reference`, when given) and drives it to
  /// lukket as its responsible leader.
  /// `before_closing(id)` runs once it is registered (to attach files, for example).
  std::string closed_avvik(bool personal_data, const std::string& case_reference = {},
                           const std::function<void(const std::string&)>& before_closing = {}) {
    const std::string body =
        R"({"procedure_id":"boligflytprosedyre","step_id":"tildelingsmote",)"
        R"("incident_date":"2025-03-10","category":"prosedyre_ikke_fulgt","severity":"middels",)"
        R"("title":"Tildelingsmøtet ble avlyst – søknadene lå i tre uker",)"
        R"("description":"Møtet ble avlyst uten ny dato; søkere fikk ikke svar i tide.",)" +
        (case_reference.empty() ? std::string()
                                : R"("case_reference":)" + json_quote(case_reference) + ",") +
        R"("personal_data":)" + std::string(personal_data ? "true" : "false") + "}";
    const auto created = call("leder-boligkontor", "POST", "/api/v1/deviations", body);
    EXPECT_EQ(created.status, 201u) << created.body;
    const std::string id = json_at(created.body, "/id").value_or("");
    const std::string unit = json_at(created.body, "/responsible_unit").value_or("");
    const std::string leader = "leder-" + unit;
    const std::string path = "/api/v1/deviations/" + id;
    if (before_closing && !id.empty()) before_closing(id);
    for (const char* t : {"motta", "behandle"}) {
      const auto r = call(leader, "POST", path + "/transitions",
                          std::string(R"({"transition":")") + t + "\"}");
      EXPECT_EQ(r.status, 200u) << t << ": " << r.body;
    }
    EXPECT_EQ(call(leader, "POST", path + "/actions",
                   R"({"owner_unit":")" + unit +
                       R"(","description":"Fast møtedato i årshjulet, med vara for møteleder.",)"
                       R"("due_date":"2099-01-01"})")
                  .status,
              201u);
    EXPECT_EQ(call(leader, "POST", path + "/transitions", R"({"transition":"tiltak"})").status,
              200u);
    const auto done =
        call(leader, "POST", path + "/actions/1/completion", R"({"done_date":")" + today() + "\"}");
    EXPECT_EQ(done.status, 200u) << done.body;
    const auto closed = call(leader, "POST", path + "/transitions",
                             R"({"transition":"lukk","cause":"Ingen vara for møteleder.",)"
                             R"("evaluation":"De tre neste møtene ble holdt som planlagt.",)"
                             R"("cause_codes":["rutine_mangler"]})");
    EXPECT_EQ(closed.status, 200u) << closed.body;
    return id;
  }

  /// Message folders in the drop folder (not temporary ones).
  std::vector<fs::path> messages() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(drop_dir(), ec)) {
      if (e.is_directory() && !e.path().filename().string().starts_with(".")) {
        out.push_back(e.path());
      }
    }
    return out;
  }

  std::optional<fs::path> wait_for_message(const std::string& name_part,
                                           std::chrono::milliseconds timeout = 60s) {
    const auto deadline = deadline_in(timeout);
    while (Clock::now() < deadline) {
      for (const auto& m : messages()) {
        if (m.filename().string().find(name_part) != std::string::npos) return m;
      }
      std::this_thread::sleep_for(100ms);
    }
    return std::nullopt;
  }

  template <typename Predicate>
  bool wait_until(Predicate done, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = deadline_in(timeout);
    while (Clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return done();
  }

  /// Runs a program, found on PATH like a shell would (posix_spawn does not search).
  CommandResult run(std::vector<std::string> argv) {
    if (argv[0].find('/') == std::string::npos) {
      const char* path = std::getenv("PATH");
      std::string dirs = path ? path : "/usr/bin:/bin";
      std::size_t start = 0;
      while (start <= dirs.size()) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const fs::path candidate = fs::path(dirs.substr(start, end - start)) / argv[0];
        if (::access(candidate.c_str(), X_OK) == 0) {
          argv[0] = candidate.string();
          break;
        }
        start = end + 1;
      }
    }
    return run_command(argv, temp_.path());
  }

  /// A receipt as a Fiks Arkiv client would leave it: written aside, then renamed in.
  void drop_receipt(const std::string& name, const std::string& content) {
    const fs::path temp = inbox_dir() / (".skriver-" + name);
    write_file(temp, content);
    fs::rename(temp, inbox_dir() / name);
  }

  /// Everything a complete message must be: arkivmelding.xml valid against `xsd`, every
  /// referenced file present with the declared SHA-256 and size, the PDF/A checks. Returns
  /// the parsed arkivmelding.
  void expect_complete_message(const fs::path& folder, const std::string& xsd,
                               pugi::xml_document& doc) {
    const fs::path xml = folder / "arkivmelding.xml";
    ASSERT_TRUE(fs::exists(xml)) << folder;
    const auto valid = run({"xmllint", "--nonet", "--noout", "--schema", xsd, xml.string()});
    EXPECT_EQ(valid.exit_code, 0) << valid.err;
    ASSERT_TRUE(doc.load_file(xml.c_str()));
    std::set<std::string> referenced;
    for (const auto& [file, checksum, size] : declared_files(doc)) {
      ASSERT_FALSE(file.empty());
      referenced.insert(file);
      const fs::path path = folder / file;
      ASSERT_TRUE(fs::exists(path)) << file;
      EXPECT_EQ(std::to_string(fs::file_size(path)), size) << file;
      const auto sum = run({"sha256sum", path.string()});
      EXPECT_EQ(sum.out.substr(0, 64), checksum) << file;
      if (path.extension() == ".pdf") {
        const auto check = run({"qpdf", "--check", path.string()});
        EXPECT_EQ(check.exit_code, 0) << file << ":\n" << check.out << check.err;
        const auto fonts = run({"pdffonts", path.string()});
        EXPECT_EQ(fonts.exit_code, 0);
        std::size_t rows = 0;
        std::size_t line_start = 0;
        for (int line = 0; line_start < fonts.out.size(); ++line) {
          const auto end = fonts.out.find('\n', line_start);
          const std::string row = fonts.out.substr(line_start, end - line_start);
          line_start = end == std::string::npos ? fonts.out.size() : end + 1;
          if (line < 2 || row.empty()) continue;  // header and rule
          ++rows;
          EXPECT_NE(row.find(" yes "), std::string::npos) << "font not embedded: " << row;
        }
        EXPECT_GT(rows, 0u) << fonts.out;
        // The XMP packet (uncompressed, as PDF/A wants it readable) declares PDF/A-2b.
        const std::string pdf = read_file(path);
        EXPECT_TRUE(std::regex_search(pdf, std::regex(R"(pdfaid:part(>|=['"])2)")))
            << "no PDF/A-2 declaration in the XMP metadata";
        EXPECT_TRUE(std::regex_search(pdf, std::regex(R"(pdfaid:conformance(>|=['"])B)")))
            << "no conformance B in the XMP metadata";
      }
    }
    // Nothing in the folder that the message does not declare.
    for (const auto& e : fs::directory_iterator(folder)) {
      const std::string name = e.path().filename().string();
      if (name != "arkivmelding.xml") {
        EXPECT_TRUE(referenced.count(name)) << name;
      }
    }
    EXPECT_EQ(doc.select_nodes("//*[local-name()='antallFiler']").first().node().text().as_int(),
              static_cast<int>(referenced.size()));
  }

  std::string export_state(const std::string& subject) {
    const auto list = call("kvalitetsleder", "GET", "/api/v1/archive/exports?subject=" + subject);
    return json_at(list.body, "/items/0/state").value_or("");
  }
};

}  // namespace boligflyt::e2e
