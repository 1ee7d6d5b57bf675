// The linter's rules for the elements of procedure format 1.2 (issue 13): parallel split and
// join, handovers, external parties, meetings, escalations, whom a deadline binds and on what
// basis, outcome codes, and whether a cited provision is in force on the effective date.
// Each rule has its own stable code; the messages name the step and the id at fault.

#include <deque>
#include <set>

#include "procedure/iso_duration.h"
#include "procedure/lint_detail.h"
#include "procedure/loader.h"

namespace boligflyt::procedure::lint_detail {
namespace {

class Rules {
 public:
  Rules(const Procedure& p, const StepIndex& by_id, const UnitRegistry* units, Reporter& report)
      : p_(p), by_id_(by_id), units_(units), report_(report) {}

  void run() {
    for (const auto& party : p_.external_parties) check_party(party);
    for (const auto& meeting : p_.meetings) check_meeting(meeting);
    for (const auto& step : p_.steps) {
      check_parallel(step);
      check_join(step);
      check_parties_of(step);
      for (const auto& h : step.handovers) check_handover(step, h);
      for (const auto& e : step.escalations) check_escalation(step, e);
      for (const auto& d : step.deadlines) check_deadline(step, d);
      for (std::size_t i = 0; i < step.legal_refs.size(); ++i) {
        const auto& [source, provision] = step.legal_refs[i];
        check_in_force(step, source, provision,
                       i < step.legal_ref_pos.size() ? step.legal_ref_pos[i] : step.pos);
      }
      check_outcomes(step);
    }
  }

 private:
  bool is_unit(const std::string& id) const { return units_ && units_->find(id); }
  bool is_party(const std::string& id) const { return p_.find_party(id) != nullptr; }
  /// Without a unit registry, unit references cannot be checked; only parties are known then.
  bool is_known(const std::string& id) const { return !units_ || is_unit(id) || is_party(id); }
  bool is_known_unit(const std::string& id) const {
    return !is_party(id) && (!units_ || is_unit(id));
  }

  const LegalSource* find_source(const std::string& id) const {
    for (const auto& s : p_.legal_basis) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  void check_party(const ExternalParty& party) {
    if (is_unit(party.id)) {
      report_(party.pos, "party-id-is-unit",
              "Den eksterne parten «" + party.id +
                  "» har samme id som en enhet i enhetsregisteret. Gi parten en annen id, så "
                  "det er entydig hvem som er ekstern.");
    }
  }

  void check_meeting(const Meeting& m) {
    if (is_party(m.chair)) {
      report_(m.chair_pos, "meeting-chair-external",
              "Møtet «" + m.id + "» ledes av «" + m.chair +
                  "», som er en ekstern part. Møteleder må være en enhet i kommunen.");
    } else if (!is_known_unit(m.chair)) {
      report_(
          m.chair_pos, "meeting-chair-unknown",
          "Møtet «" + m.id + "» ledes av «" + m.chair + "», som ikke finnes i enhetsregisteret.");
    }
    for (std::size_t i = 0; i < m.members.size(); ++i) {
      const std::string& member = m.members[i].first;
      if (!is_known(member)) {
        report_(i < m.member_pos.size() ? m.member_pos[i] : m.pos, "meeting-member-unknown",
                "Møtet «" + m.id + "» har medlemmet «" + member +
                    "», som verken er en enhet eller en ekstern part.");
      }
    }
  }

  void check_parallel(const Step& step) {
    if (!step.parallel || step.parallel_join.empty()) return;
    const auto join = by_id_.find(step.parallel_join);
    if (join == by_id_.end()) {
      report_(step.parallel_pos, "parallel-join-unknown",
              "De parallelle grenene fra trinn «" + step.id + "» skal samles i «" +
                  step.parallel_join + "», som ikke finnes i prosedyren.",
              step.id);
      return;
    }
    if (join->second->join != step.id) {
      report_(step.parallel_pos, "parallel-join-mismatch",
              "De parallelle grenene fra trinn «" + step.id + "» skal samles i «" +
                  step.parallel_join + "», men det trinnet har ikke join=\"" + step.id +
                  "\", så det venter ikke på grenene.",
              step.id);
    }
    for (const auto& branch : step.next) {
      if (by_id_.count(branch.step) && !leads_to(branch.step, step.parallel_join)) {
        report_(branch.pos, "parallel-branch-misses-join",
                "Grenen «" + branch.step + "» fra trinn «" + step.id + "» når aldri fram til «" +
                    step.parallel_join + "», der grenene skal samles.",
                step.id);
      }
    }
  }

  bool leads_to(const std::string& from, const std::string& target) const {
    std::set<std::string, std::less<>> seen{from};
    std::deque<std::string> queue{from};
    while (!queue.empty()) {
      const std::string id = queue.front();
      queue.pop_front();
      if (id == target) return true;
      const auto it = by_id_.find(id);
      if (it == by_id_.end()) continue;
      for (const auto& next : it->second->next) {
        if (seen.insert(next.step).second) queue.push_back(next.step);
      }
    }
    return false;
  }

  void check_join(const Step& step) {
    if (step.join.empty()) return;
    const auto split = by_id_.find(step.join);
    if (split == by_id_.end() || !split->second->parallel ||
        split->second->parallel_join != step.id) {
      report_(step.pos, "join-without-split",
              "Trinn «" + step.id + "» venter på de parallelle grenene fra «" + step.join +
                  "», men " +
                  (split == by_id_.end() ? "det trinnet finnes ikke."
                                         : "det trinnet har ingen parallell deling som samles "
                                           "her (parallel join=\"" +
                                               step.id + "\")."),
              step.id);
    }
  }

  void check_parties_of(const Step& step) {
    if (is_party(step.responsible.unit)) {
      report_(step.responsible.pos, "responsible-external",
              "Trinn «" + step.id + "» har den eksterne parten «" + step.responsible.unit +
                  "» som ansvarlig. Ansvarlig må være en enhet i kommunen; eksterne parter kan "
                  "delta (participatingParty).",
              step.id);
    }
    for (const auto& participant : step.participants) {
      if (is_party(participant.unit)) {
        report_(participant.pos, "participant-external",
                "Trinn «" + step.id + "» fører den eksterne parten «" + participant.unit +
                    "» som deltakende enhet. Bruk participatingParty for eksterne parter.",
                step.id);
      }
    }
    for (const auto& party : step.participating_parties) {
      if (!is_party(party.party)) {
        report_(party.pos, "unknown-party",
                "Trinn «" + step.id + "» viser til den eksterne parten «" + party.party +
                    "», som ikke er beskrevet under externalParties.",
                step.id);
      }
    }
    if (!step.meeting.empty() && !p_.find_meeting(step.meeting)) {
      report_(step.pos, "unknown-meeting",
              "Trinn «" + step.id + "» holdes i møtet «" + step.meeting +
                  "», som ikke er beskrevet under meetings.",
              step.id);
    }
  }

  void check_handover(const Step& step, const Handover& h) {
    if (!is_known(h.to)) {
      report_(h.pos, "handover-unknown-to",
              "Overleveringen «" + h.id + "» i trinn «" + step.id + "» går til «" + h.to +
                  "», som verken er en enhet eller en ekstern part.",
              step.id);
    }
    if (!h.from.empty() && is_party(h.from)) {
      report_(h.pos, "handover-from-external",
              "Overleveringen «" + h.id + "» i trinn «" + step.id +
                  "» kommer fra den eksterne "
                  "parten «" +
                  h.from +
                  "». En overlevering i prosedyren går alltid fra en "
                  "enhet i kommunen.",
              step.id);
    } else if (!h.from.empty() && !is_known_unit(h.from)) {
      report_(h.pos, "handover-unknown-from",
              "Overleveringen «" + h.id + "» i trinn «" + step.id + "» kommer fra «" + h.from +
                  "», som ikke finnes i enhetsregisteret.",
              step.id);
    }
    if (!h.within.empty() && !parse_iso_duration(h.within)) {
      report_(h.pos, "invalid-duration",
              "Fristen «" + h.within + "» for overleveringen «" + h.id +
                  "» er ikke en gyldig ISO 8601-varighet (for eksempel P2D).",
              step.id);
    }
  }

  void check_escalation(const Step& step, const Escalation& e) {
    if (is_party(e.to) || !is_known_unit(e.to)) {
      report_(e.pos, "escalation-to-not-unit",
              "Trinn «" + step.id + "» eskalerer til «" + e.to +
                  "», som ikke er en enhet i enhetsregisteret. En sak løftes alltid til en "
                  "enhet i kommunen.",
              step.id);
    }
    if (!parse_iso_duration(e.after)) {
      report_(e.pos, "invalid-duration",
              "Eskaleringsfristen «" + e.after + "» i trinn «" + step.id +
                  "» er ikke en gyldig ISO 8601-varighet (for eksempel P4W).",
              step.id);
    }
  }

  void check_deadline(const Step& step, const Deadline& d) {
    if (!d.binds.empty() && !is_known(d.binds)) {
      report_(d.pos, "deadline-binds-unknown",
              "Fristen i trinn «" + step.id + "» binder «" + d.binds +
                  "», som verken er en enhet eller en ekstern part.",
              step.id);
    }
    if (d.basis == "statutory" && d.source.empty()) {
      report_(d.pos, "statutory-deadline-without-source",
              "Fristen i trinn «" + step.id +
                  "» er lovfestet (basis=\"statutory\"), men sier ikke hvilken lov den følger "
                  "av (source).",
              step.id);
    }
    if (d.source.empty()) return;
    const LegalSource* source = find_source(d.source);
    if (!source) {
      report_(d.pos, "unknown-legal-source",
              "Fristen i trinn «" + step.id + "» viser til rettskilden «" + d.source +
                  "», som ikke finnes i legalBasis.",
              step.id);
      return;
    }
    if (d.provision.empty()) {
      if (d.basis == "statutory" && !source->provisions.empty()) {
        report_(d.pos, "statutory-deadline-without-provision",
                "Fristen i trinn «" + step.id +
                    "» er lovfestet, men sier ikke hvilken "
                    "bestemmelse i «" +
                    source->short_title + "» den følger av (provision).",
                step.id);
      }
      return;
    }
    bool listed = false;
    for (const auto& [ref, text] : source->provisions) listed = listed || ref == d.provision;
    if (!listed) {
      report_(d.pos, "unknown-provision",
              "Fristen i trinn «" + step.id + "» viser til «" + d.provision + "» i «" +
                  source->short_title + "», men bestemmelsen er ikke ført opp i legalBasis.",
              step.id);
      return;
    }
    check_in_force(step, d.source, d.provision, d.pos);
  }

  /// An ERROR when the provision itself carries validity dates that exclude the effective
  /// date: the version would tell people to follow a rule that is not law on the day it
  /// applies. A source's own dates only give validate's warning (citation_warnings).
  void check_in_force(const Step& step, const std::string& source_id, const std::string& provision,
                      const SourcePos& pos) {
    const LegalSource* source = find_source(source_id);
    if (!source || provision.empty() || p_.effective_from.empty()) return;
    const auto validity = source->provision_validity.find(provision);
    if (validity == source->provision_validity.end() ||
        validity->second.in_force_on(p_.effective_from)) {
      return;
    }
    const Validity& v = validity->second;
    const bool expired = !v.to.empty() && p_.effective_from > v.to;
    report_(pos, "provision-not-in-force",
            "Trinn «" + step.id + "» viser til " + source->short_title + " " + provision +
                ", som " + (expired ? "ble opphevet " + v.to : "først trer i kraft " + v.from) +
                ", men versjonen gjelder fra " + p_.effective_from + ".",
            step.id);
  }

  void check_outcomes(const Step& step) {
    std::set<std::string, std::less<>> seen;
    for (const auto& next : step.next) {
      if (next.outcome.empty()) continue;
      if (!seen.insert(next.outcome).second) {
        report_(next.pos, "duplicate-outcome",
                "Utfallskoden «" + next.outcome + "» er brukt mer enn én gang i trinn «" + step.id +
                    "». Hver vei videre må ha sin egen kode.",
                step.id);
      }
    }
  }

  const Procedure& p_;
  const StepIndex& by_id_;
  const UnitRegistry* units_;
  Reporter& report_;
};

}  // namespace

void lint_model_1_2(const Procedure& p, const StepIndex& by_id, const UnitRegistry* units,
                    Reporter& report) {
  Rules(p, by_id, units, report).run();
}

}  // namespace boligflyt::procedure::lint_detail
