#pragma once
// A small, valid procedure document for tests, with hooks to break it one way at a time.

#include <string>

namespace boligflyt::procedure::testing {

inline const char* kUnitsXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<unitRegistry xmlns="urn:no:boligflyt:prosedyre:1">
  <unit id="kommunedirektor" leaderRole="unit_leader"><name>Kommunedirektøren</name></unit>
  <unit id="boligkontor" parent="kommunedirektor" leaderRole="unit_leader"><name>Boligkontoret</name></unit>
  <unit id="nav" parent="kommunedirektor" leaderRole="unit_leader"><name>NAV-kontoret</name></unit>
  <unit id="eiendom" parent="kommunedirektor" leaderRole="unit_leader"><name>Eiendom – kommunale boliger</name></unit>
</unitRegistry>
)";

struct FixtureOptions {
  std::string version = "1.0";
  std::string author = "prosedyreeier";
  std::string approver = "godkjenner";
  std::string vedtak_responsible = "boligkontor";
  std::string klage_deadline = "P3W";
  std::string extra_steps;  // appended to the last phase
  std::string vedtak_next = R"(<next step="kontrakt"><condition>Positivt vedtak</condition></next>
        <next step="klage"><condition>Negativt vedtak, klage</condition></next>)";
  std::string mottak_participants = R"(<participatingUnit unit="nav"/>)";
};

inline std::string procedure_xml(const FixtureOptions& o = {}) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<procedure xmlns="urn:no:boligflyt:prosedyre:1" id="boligflytprosedyre" version=")" +
         o.version + R"(" status="published">
  <title>Boligflytprosedyre</title>
  <author person=")" +
         o.author + R"("/>
  <approver person=")" +
         o.approver + R"(" date="2024-12-01" body="Styringsgruppen"/>
  <effectiveFrom>2025-01-01</effectiveFrom>
  <reviewInterval>P1Y</reviewInterval>
  <legalBasis>
    <source id="fvl" kind="act"><shortTitle>Forvaltningsloven</shortTitle><title>Lov om behandlingsmåten i forvaltningssaker</title></source>
  </legalBasis>
  <phases start="mottak">
    <phase id="soknad">
      <title>Søknad</title>
      <step id="mottak">
        <title>Motta søknad</title>
        <description>Boligkontoret registrerer søknaden.</description>
        <responsibleUnit unit="boligkontor"/>
        )" +
         o.mottak_participants + R"(
        <next step="vedtak"/>
      </step>
    </phase>
    <phase id="vedtak-fase">
      <title>Vedtak</title>
      <step id="vedtak" type="decision">
        <title>Fatte vedtak</title>
        <description>Vedtak etter forskriften.</description>
        <responsibleUnit unit=")" +
         o.vedtak_responsible + R"("/>
        )" +
         o.vedtak_next + R"(
      </step>
      <step id="klage">
        <title>Klage</title>
        <description>Vedtaksinstansen vurderer klagen først.</description>
        <responsibleUnit unit="boligkontor"/>
        <deadline duration=")" +
         o.klage_deadline + R"(" relativeTo="decisionReceived">Klagefrist</deadline>
        <next step="kontrakt"><condition>Medhold</condition></next>
        <next step="avslutt"><condition>Ikke medhold</condition></next>
      </step>
      <step id="kontrakt">
        <title>Kontrakt</title>
        <description>Husleiekontrakt inngås.</description>
        <responsibleUnit unit="eiendom"/>
        <recurrence interval="R/P14D">Hver 14. dag</recurrence>
        <next step="avslutt"/>
      </step>
      <step id="avslutt">
        <title>Avslutt</title>
        <description>Saken avsluttes.</description>
        <responsibleUnit unit="boligkontor"/>
        <end/>
      </step>)" +
         o.extra_steps + R"(
    </phase>
  </phases>
  <changelog>
    <entry version=")" +
         o.version + R"(" date="2024-12-01"><summary>Første versjon.</summary></entry>
  </changelog>
</procedure>
)";
}

}  // namespace boligflyt::procedure::testing
