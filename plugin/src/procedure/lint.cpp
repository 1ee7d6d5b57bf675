// Semantic checks the XSD cannot express (or that we want to report in Norwegian with a
// position even when the XSD also catches them).

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "procedure/iso_duration.h"
#include "procedure/lint_detail.h"
#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

using lint_detail::Reporter;

void check_unit(const UnitRef& ref, const std::string& step_id, const UnitRegistry* units,
                Reporter& report) {
  if (!units || ref.unit.empty()) return;
  if (!units->find(ref.unit)) {
    report(ref.pos, "unknown-unit",
           "Trinn «" + step_id + "» viser til enheten «" + ref.unit +
               "», som ikke finnes i enhetsregisteret.");
  }
}

}  // namespace

void lint_procedure(const Procedure& p, const std::string& file, const UnitRegistry* units,
                    Diagnostics& out) {
  Reporter report(file, out);
  const std::size_t first_lint = out.size();

  // Unique step ids, and an index for the graph checks.
  lint_detail::StepIndex by_id;
  for (const auto& step : p.steps) {
    if (!by_id.emplace(step.id, &step).second) {
      report(step.pos, "duplicate-step-id",
             "Trinn-id-en «" + step.id +
                 "» er brukt mer enn én gang. Hvert trinn må ha en "
                 "unik id.");
    }
  }

  // Suggestions cost a pass over all ids each; a handful is all a person reads.
  int suggestions_left = 20;
  for (const auto& step : p.steps) {
    if (step.responsible.unit.empty()) {
      report(step.pos, "missing-responsible-unit",
             "Trinn «" + step.id + "» mangler ansvarlig enhet. Hvert trinn skal ha nøyaktig én.");
    }
    check_unit(step.responsible, step.id, units, report);
    for (const auto& participant : step.participants) {
      check_unit(participant, step.id, units, report);
      if (participant.unit == step.responsible.unit) {
        report(participant.pos, "responsible-also-participant",
               "Enheten «" + participant.unit + "» er både ansvarlig og deltakende i trinn «" +
                   step.id + "».");
      }
    }
    for (const auto& next : step.next) {
      if (!by_id.count(next.step)) {
        report(next.pos, "unknown-next-step",
               "Trinn «" + step.id + "» peker videre til «" + next.step +
                   "», som ikke finnes i prosedyren." +
                   (suggestions_left-- > 0 ? lint_detail::did_you_mean(by_id, next.step)
                                           : std::string()));
      }
    }
    // The branches of a parallel split all start at once; only a choice needs conditions.
    if (step.next.size() > 1 && !step.parallel) {
      for (const auto& next : step.next) {
        if (next.condition.empty()) {
          report(next.pos, "missing-condition",
                 "Trinn «" + step.id + "» har flere veier videre; veien til «" + next.step +
                     "» mangler betingelse.");
        }
      }
    }
    if (step.next.empty() && !step.is_end) {
      report(step.pos, "dead-end",
             "Trinn «" + step.id + "» har ingen vei videre og er ikke merket som sluttrinn.");
    }
    for (const auto& deadline : step.deadlines) {
      if (!parse_iso_duration(deadline.duration)) {
        report(deadline.pos, "invalid-duration",
               "Fristen «" + deadline.duration + "» i trinn «" + step.id +
                   "» er ikke en gyldig ISO 8601-varighet (for eksempel P3W eller P14D).");
      }
      if ((deadline.relative_to == "stepStart" || deadline.relative_to == "stepCompleted") &&
          !deadline.step.empty() && !by_id.count(deadline.step)) {
        report(deadline.pos, "unknown-deadline-step",
               "Fristen i trinn «" + step.id + "» regnes fra trinnet «" + deadline.step +
                   "», som ikke finnes.");
      }
    }
    if (!step.recurrence.empty() && !parse_iso_recurrence(step.recurrence)) {
      report(step.pos, "invalid-recurrence",
             "Gjentakelsen «" + step.recurrence + "» i trinn «" + step.id +
                 "» er ikke gyldig (for eksempel R/P14D for hver 14. dag).");
    }
  }

  if (!p.review_interval.empty() && !parse_iso_duration(p.review_interval)) {
    report(p.pos, "invalid-duration",
           "Revisjonsintervallet «" + p.review_interval + "» er ikke en gyldig ISO 8601-varighet.");
  }

  lint_detail::lint_graph(p, by_id, report);
  lint_detail::lint_model_1_2(p, by_id, units, report);

  // Four eyes: whoever wrote a version cannot approve it.
  if (!p.approver.empty() && p.approver == p.author) {
    report(p.pos, "four-eyes",
           "Forfatter og godkjenner er samme person («" + p.author +
               "»). En annen enn "
               "forfatteren må godkjenne.");
  }
  if ((p.status == "approved" || p.status == "published" || p.status == "superseded") &&
      p.approver.empty()) {
    report(p.pos, "missing-approval",
           "Versjonen har status «" + p.status + "», men mangler godkjenning.");
  }
  if ((p.status == "published" || p.status == "superseded") && p.effective_from.empty()) {
    report(p.pos, "missing-effective-date",
           "En publisert versjon må ha en dato den gjelder fra (effectiveFrom).");
  }
  if (p.supersedes && !(*p.supersedes < p.version)) {
    report(p.pos, "version-not-increasing",
           "Versjon " + p.version.str() + " erstatter " + p.supersedes->str() +
               "; versjonsnummeret må øke.");
  }
  bool has_entry = false;
  for (const auto& entry : p.changelog) has_entry = has_entry || entry.version == p.version.str();
  if (!has_entry) {
    report(p.pos, "changelog-missing-version",
           "Endringsloggen har ingen oppføring for versjon " + p.version.str() + ".");
  }
  lint_detail::mark_schema_duplicates(out, first_lint);
}

void check_version_sequence(const std::vector<std::pair<std::string, const Procedure*>>& versions,
                            Diagnostics& out) {
  std::vector<std::pair<std::string, const Procedure*>> sorted = versions;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second->version < b.second->version; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const auto& [file, p] = sorted[i];
    const auto* before = sorted[i - 1].second;
    Reporter report(file, out);
    if (p->id != before->id) {
      report(
          p->pos, "mixed-procedures",
          "Filen gjelder prosedyren «" + p->id + "», men de andre gjelder «" + before->id + "».");
      continue;
    }
    if (p->version == before->version) {
      report(p->pos, "duplicate-version",
             "Versjon " + p->version.str() + " finnes i mer enn én fil.");
      continue;
    }
    if (p->supersedes && *p->supersedes != before->version) {
      report(p->pos, "wrong-supersedes",
             "Versjon " + p->version.str() + " sier at den erstatter " + p->supersedes->str() +
                 ", men forrige versjon er " + before->version.str() + ".");
    }
    if (!p->effective_from.empty() && !before->effective_from.empty() &&
        p->effective_from <= before->effective_from) {
      report(p->pos, "effective-date-not-increasing",
             "Versjon " + p->version.str() + " gjelder fra " + p->effective_from +
                 ", som ikke er etter forrige versjons dato " + before->effective_from + ".");
    }
  }
}

}  // namespace boligflyt::procedure
