#pragma once
// A revision as a procedure owner would write it, for tests of the revision flow (in-process
// and over HTTP): version 4.1 derived from the newest shipped version, 4.0 (published, in
// force from 2027-01-01), NAV taking over early contact on rent arrears, no approval yet.
// It changes one step, so the høring goes to that step's units only. Needs
// BOLIGFLYT_SOURCE_DIR.

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace boligflyt::testing {

inline constexpr const char* kDraftVersion = "4.1";
/// The earliest date the revision can be published from: after 4.0's 2027-01-01.
inline constexpr const char* kDraftEffectiveFrom = "2027-07-01";

inline std::string draft_revision(const std::string& author = "prosedyreeier") {
  std::ifstream in(BOLIGFLYT_SOURCE_DIR
                   "/procedures/boligflytprosedyre/boligflytprosedyre-4.0.xml");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string xml = buffer.str();
  xml = std::regex_replace(xml, std::regex(R"(version="4\.0" status="published")"),
                           R"(version="4.1" status="draft")");
  xml = std::regex_replace(xml, std::regex(R"(\s*<approver [^>]*>[^<]*</approver>)"), "");
  xml = std::regex_replace(xml, std::regex(R"(\s*<effectiveFrom>[^<]*</effectiveFrom>)"), "");
  xml = std::regex_replace(xml, std::regex(R"(<supersedes>3\.1</supersedes>)"),
                           "<supersedes>4.0</supersedes>");
  xml = std::regex_replace(xml, std::regex(R"(<author person="prosedyreeier">)"),
                           "<author person=\"" + author + "\">");
  const auto step = xml.find(R"(<step id="husleierestanse-kontakt">)");
  const std::string responsible = R"(<responsibleUnit unit="boligkontor"/>)";
  xml.replace(xml.find(responsible, step), responsible.size(), R"(<responsibleUnit unit="nav"/>)");
  const std::string participant = R"(<participatingUnit unit="nav">)";
  xml.replace(xml.find(participant, step), participant.size(),
              R"(<participatingUnit unit="boligkontor">)");
  xml.replace(xml.find("  </changelog>"), 0,
              "    <entry version=\"4.1\" date=\"2026-12-02\"><summary>NAV tar ansvaret for tidlig "
              "kontakt ved restanse.</summary></entry>\n");
  return xml;
}

}  // namespace boligflyt::testing
