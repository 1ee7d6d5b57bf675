// What the archive gets about an avvik and a procedure version: every field of the record in
// the report, the history in Norwegian words, the XML variant well-formed in its namespace,
// and the shipped procedure rendered to PDF/A with every step title in the text.
#include "archive/reports.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <pugixml.hpp>
#include <regex>

#include "procedure/loader.h"

namespace boligflyt::archive {
namespace {

namespace fs = std::filesystem;

std::string source_dir() {
#ifdef BOLIGFLYT_SOURCE_DIR
  return BOLIGFLYT_SOURCE_DIR;
#else
  // tests/archive/reports_test.cpp → the repository root.
  return fs::path(__FILE__).parent_path().parent_path().parent_path().string();
#endif
}

store::DeviationRecord sample_record() {
  store::DeviationRecord r;
  r.id = "AVVIK-2026-0001";
  r.year = 2026;
  r.number = 1;
  r.procedure_id = "boligflytprosedyre";
  r.procedure_version = "3.0";
  r.step_id = "soknad-mottak";
  r.incident_date = "2026-02-27";
  r.category = "frist_overskredet";
  r.severity = "hoy";
  r.title = "Søknaden ble ikke behandlet innen fristen";
  r.description = "Søknaden lå ubehandlet i tre uker før den ble sendt til Økonomi.";
  r.reporting_unit = "nav";
  r.reporter = "u-kari";
  r.responsible_unit = "boligkontor";
  r.case_reference = "2026/4185";
  r.personal_data = true;
  r.status = "lukket";
  r.created_at = "2026-03-02T10:15:00Z";
  r.received_at = "2026-03-03T08:00:00Z";
  r.closed_at = "2026-07-01T12:30:00Z";
  r.cause = "Ferieavvikling uten stedfortreder i mottaket.";
  r.cause_codes = {"kapasitet", "kommunikasjon_enheter"};
  r.evaluation = "Tiltakene har virket; ingen nye fristbrudd i juni.";
  r.reopen_reason = "Samme feil skjedde igjen i mai.";
  r.resolved_in_version = "3.0";
  r.participants = {"okonomi"};
  store::DeviationAction a;
  a.action_no = 1;
  a.owner_unit = "okonomi";
  a.description = "Innføre stedfortreder for mottaket i ferier.";
  a.due_date = "2026-04-01";
  a.done_date = "2026-03-28";
  a.created_by = "u-per";
  a.created_at = "2026-03-05T09:00:00Z";
  r.actions.push_back(a);
  store::DeviationComment c;
  c.comment_no = 1;
  c.author = "u-per";
  c.text = "Vi følger opp med Økonomi på mandag.";
  c.created_at = "2026-03-04T12:00:00Z";
  r.comments.push_back(c);
  return r;
}

std::vector<store::DeviationEvent> sample_history() {
  auto e = [](std::int64_t seq, std::string at, std::string actor, std::string kind,
              std::string data) {
    store::DeviationEvent ev;
    ev.seq = seq;
    ev.at = std::move(at);
    ev.actor = std::move(actor);
    ev.kind = std::move(kind);
    ev.data_json = std::move(data);
    ev.hash = std::string(64, 'a');
    return ev;
  };
  return {
      e(1, "2026-03-02T10:15:00Z", "u-kari", "registered", R"({"after":{"status":"registrert"}})"),
      e(2, "2026-03-03T08:00:00Z", "u-per", "transition",
        R"({"transition":"motta","before":{"status":"registrert"},"after":{"status":"mottatt"}})"),
      e(3, "2026-03-04T12:00:00Z", "u-per", "comment_added",
        R"({"after":{"comment_no":1,"text":"Vi følger opp"}})"),
      e(4, "2026-03-04T12:05:00Z", "u-per", "participant_added",
        R"({"before":{"participants":[]},"after":{"participants":["okonomi"]}})"),
      e(5, "2026-03-05T09:00:00Z", "u-per", "action_added",
        R"({"after":{"action_no":1,"owner_unit":"okonomi","description":"Innføre stedfortreder","due_date":"2026-04-01"}})"),
      e(6, "2026-03-28T09:00:00Z", "u-per", "action_completed",
        R"({"action_no":1,"before":{"done_date":""},"after":{"done_date":"2026-03-28"}})"),
      e(7, "2026-07-01T12:30:00Z", "u-per", "transition",
        R"({"transition":"lukk","before":{"status":"tiltak","cause":""},"after":{"status":"lukket","cause":"Ferie","resolved_in_version":"3.0"}})"),
  };
}

DeviationReportInput sample_input(const store::DeviationRecord& record) {
  DeviationReportInput in;
  in.record = &record;
  in.history = sample_history();
  in.procedure_title = "Boligflytprosedyre";
  in.step_title = "Mottak av søknad";
  static const std::map<std::string, std::string> kUnits = {
      {"nav", "NAV-kontoret"}, {"boligkontor", "Boligkontoret"}, {"okonomi", "Økonomi"}};
  static const std::map<std::string, std::string> kUsers = {{"u-kari", "Kari Nordmann"},
                                                            {"u-per", "Per Hansen"}};
  in.unit_name = [](const std::string& id) {
    auto it = kUnits.find(id);
    return it == kUnits.end() ? id : it->second;
  };
  in.user_name = [](const std::string& id) {
    auto it = kUsers.find(id);
    return it == kUsers.end() ? id : it->second;
  };
  in.generated_at = "2026-07-02T06:00:00Z";
  in.cause_label = [](const std::string& code) {
    return code == "kapasitet" ? std::string("Kapasitet") : code;  // one label unknown
  };
  return in;
}

/// Every text of the document, one block per line, cells separated by " | ".
std::string all_text(const PdfDocument& doc) {
  std::string out = doc.title + "\n" + doc.subtitle + "\n";
  for (const auto& b : doc.blocks) {
    out += b.text + "\n";
    for (const auto& h : b.header) out += h + " | ";
    for (const auto& row : b.rows) {
      for (const auto& cell : row) out += cell + " | ";
      out += "\n";
    }
  }
  return out;
}

TEST(Reports, DeviationReportCoversEveryField) {
  const auto record = sample_record();
  const auto doc = deviation_report(sample_input(record));
  EXPECT_EQ(doc.title, "Avviksrapport AVVIK-2026-0001");
  EXPECT_EQ(doc.subtitle, "Boligflytprosedyre – Boligflytprosedyre");
  EXPECT_EQ(doc.created_at, "2026-07-02T06:00:00Z");
  const std::string text = all_text(doc);
  for (const char* expected :
       {"AVVIK-2026-0001", "Søknaden ble ikke behandlet innen fristen", "Prosedyreversjon | 3.0",
        "Mottak av søknad (soknad-mottak)", "Ansvarlig enhet | Boligkontoret",
        "Meldende enhet | NAV-kontoret", "Meldt av | Kari Nordmann", "Deltakende enheter | Økonomi",
        "Kategori | Frist overskredet", "Alvorlighetsgrad | Høy", "Status | Lukket",
        "Hendelsesdato | 27. februar 2026",
        // 10:15 UTC is 11:15 in Norway in winter; 12:30 UTC is 14:30 in summer.
        "Registrert | 2. mars 2026 kl. 11.15", "Lukket | 1. juli 2026 kl. 14.30",
        "Saksnummer | 2026/4185", "Personopplysninger | Ja", "Løst i prosedyreversjon | 3.0",
        "lå ubehandlet i tre uker", "Ferieavvikling uten stedfortreder", "Tiltakene har virket",
        "Begrunnelse for gjenåpning", "Samme feil skjedde igjen i mai.",
        "Innføre stedfortreder for mottaket i ferier. | 1. april 2026 | 28. mars 2026",
        "Vi følger opp med Økonomi på mandag.", "Årsakskoder",
        "Kapasitet; kommunikasjon_enheter"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n" << text;
  }
  // The history: when, who, what, in words.
  for (const char* expected :
       {"Avviket ble registrert med status registrert.", "Status endret: registrert → mottatt.",
        "Kommentar nr. 1 lagt til.", "Deltakende enhet lagt til: Økonomi.",
        "Tiltak nr. 1 lagt til (ansvarlig: Økonomi, frist 1. april 2026)",
        "Tiltak nr. 1 gjennomført 28. mars 2026.",
        "Status endret: tiltak → lukket. Årsak lagt inn. Løst i prosedyreversjon 3.0.",
        "Per Hansen"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected << "\n" << text;
  }
  EXPECT_EQ(text.find("registered"), std::string::npos) << "event kinds must be in Norwegian";
}

TEST(Reports, DeviationReportWithoutActionsOrHistorySaysSo) {
  auto record = sample_record();
  record.actions.clear();
  record.comments.clear();
  record.case_reference.clear();
  record.personal_data = false;
  auto in = sample_input(record);
  in.history.clear();
  const std::string text = all_text(deviation_report(in));
  EXPECT_NE(text.find("Ingen tiltak er registrert."), std::string::npos);
  EXPECT_NE(text.find("Ingen historikk er registrert."), std::string::npos);
  EXPECT_NE(text.find("Saksnummer | Ikke oppgitt"), std::string::npos);
  EXPECT_NE(text.find("Personopplysninger | Nei"), std::string::npos);
}

TEST(Reports, DeviationXmlIsWellFormedInItsNamespace) {
  const auto record = sample_record();
  const std::string xml = deviation_xml(sample_input(record));
  pugi::xml_document doc;
  const auto parsed = doc.load_string(xml.c_str());
  ASSERT_TRUE(parsed) << parsed.description() << "\n" << xml;
  const auto root = doc.child("avvik");
  ASSERT_TRUE(root);
  EXPECT_STREQ(root.attribute("xmlns").value(), "urn:no:boligflyt:avvik:1");
  EXPECT_STREQ(root.attribute("id").value(), "AVVIK-2026-0001");
  EXPECT_STREQ(root.child("prosedyre").attribute("versjon").value(), "3.0");
  EXPECT_STREQ(root.child("trinn").attribute("id").value(), "soknad-mottak");
  EXPECT_STREQ(root.child("ansvarligEnhet").attribute("kode").value(), "boligkontor");
  EXPECT_STREQ(root.child_value("ansvarligEnhet"), "Boligkontoret");
  EXPECT_STREQ(root.child("kategori").attribute("kode").value(), "frist_overskredet");
  EXPECT_STREQ(root.child_value("alvorlighetsgrad"), "Høy");
  EXPECT_STREQ(root.child("status").attribute("kode").value(), "lukket");
  EXPECT_STREQ(root.child_value("saksnummer"), "2026/4185");
  EXPECT_STREQ(root.child_value("personopplysninger"), "true");
  EXPECT_STREQ(root.child_value("aarsak"), "Ferieavvikling uten stedfortreder i mottaket.");
  EXPECT_STREQ(root.child("deltakendeEnheter").child_value("enhet"), "Økonomi");
  const auto first_cause = root.child("aarsakskoder").child("aarsakskode");
  EXPECT_STREQ(first_cause.attribute("kode").value(), "kapasitet");
  EXPECT_STREQ(first_cause.child_value(), "Kapasitet");
  EXPECT_STREQ(first_cause.next_sibling("aarsakskode").attribute("kode").value(),
               "kommunikasjon_enheter");
  const auto action = root.child("tiltak").child("tiltak");
  EXPECT_STREQ(action.attribute("nr").value(), "1");
  EXPECT_STREQ(action.child_value("frist"), "2026-04-01");
  EXPECT_STREQ(action.child_value("gjennomfoert"), "2026-03-28");
  std::size_t events = 0;
  for (const auto& e : root.child("historikk").children("hendelse")) {
    ++events;
    EXPECT_FALSE(std::string(e.child_value("hva")).empty());
  }
  EXPECT_EQ(events, 7u);
  EXPECT_STREQ(root.child("historikk").first_child().attribute("type").value(), "registered");
  EXPECT_STREQ(root.child("kommentarer").child("kommentar").child_value("tekst"),
               "Vi følger opp med Økonomi på mandag.");
}

std::string pdftotext(const std::string& pdf) {
  std::string dir = (fs::temp_directory_path() / "report-test-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return {};
  const std::string file = dir + "/doc.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  std::string out;
  if (FILE* pipe = ::popen(("pdftotext -enc UTF-8 -raw " + file + " - 2>&1").c_str(), "r")) {
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
      out.append(buffer.data(), n);
    ::pclose(pipe);
  }
  fs::remove_all(dir);
  return out;
}

std::string collapse_spaces(const std::string& text) {
  return std::regex_replace(text, std::regex(R"(\s+)"), " ");
}

TEST(Reports, DeviationReportRendersToPdfA) {
  const auto record = sample_record();
  const auto started = std::chrono::steady_clock::now();
  auto pdf = render_pdfa(deviation_report(sample_input(record)));
  RecordProperty("render_ms",
                 static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started)
                                      .count()));
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  const std::string text = collapse_spaces(pdftotext(*pdf));
  for (const char* expected : {"Avviksrapport AVVIK-2026-0001", "Boligflytprosedyre", "Økonomi",
                               "registrert → mottatt", "Side 1 av"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing: " << expected;
  }
}

TEST(Reports, ProcedureReportOfTheShippedProcedureHasEveryStep) {
  const std::string root = source_dir();
  procedure::ProcedureLoader loader(root + "/schemas/procedure.xsd");
  auto units = loader.load_units_file(root + "/procedures/units.xml");
  ASSERT_TRUE(units.ok());
  auto loaded = loader.load_procedure_file(
      root + "/procedures/boligflytprosedyre/boligflytprosedyre-3.0.xml", &*units.registry);
  ASSERT_TRUE(loaded.ok());
  const auto& procedure = *loaded.procedure;

  const auto doc = procedure_report(procedure, *units.registry, "2026-07-02T06:00:00Z");
  EXPECT_EQ(doc.title, "Boligflytprosedyre");
  const std::string blocks = all_text(doc);
  for (const char* expected :
       {"Versjon | 3.0", "Status | Publisert", "Gjelder fra | 1. januar 2025",
        "Godkjent dato | 21. november 2024", "Formål", "Husleieloven", "Endringslogg"}) {
    EXPECT_NE(blocks.find(expected), std::string::npos) << "missing: " << expected;
  }

  auto pdf = render_pdfa(doc);
  ASSERT_TRUE(pdf.ok()) << pdf.error().log_message;
  const std::string text = collapse_spaces(pdftotext(*pdf));
  ASSERT_FALSE(procedure.steps.empty());
  for (const auto& step : procedure.steps) {
    EXPECT_NE(text.find(collapse_spaces(step.title)), std::string::npos)
        << "step title missing: " << step.title;
  }
  for (const auto& phase : procedure.phases) {
    EXPECT_NE(text.find(collapse_spaces(phase.title)), std::string::npos)
        << "phase title missing: " << phase.title;
  }
}

}  // namespace
}  // namespace boligflyt::archive
