#include "deviation/reporters.h"

#include "outbox/messages.h"

namespace boligflyt::deviation {
namespace {

std::string unit_name(const procedure::UnitRegistry& units, const std::string& id) {
  const auto* u = units.find(id);
  return u ? u->name : id;
}

}  // namespace

Result<std::string> reporting_unit_of(const RegisterInput& in, const Actor& actor,
                                      const procedure::UnitRegistry& units) {
  std::string unit = in.reporting_unit;
  if (unit.empty()) {
    if (actor.units.empty()) {
      return invalid("reporting_unit",
                     "Du hører ikke til noen enhet og kan derfor ikke melde avvik. Kontakt "
                     "kvalitetsleder.");
    }
    if (actor.units.size() != 1) {
      return invalid("reporting_unit", "Oppgi hvilken av enhetene dine som melder avviket.");
    }
    unit = actor.units.front();
  }
  if (units.find(unit) == nullptr) {
    return invalid("reporting_unit", "Enheten «" + unit + "» finnes ikke.");
  }
  // A report speaks for a unit the reporter belongs to; its leaders are the ones told.
  if (!actor.in_unit(unit)) {
    return invalid("reporting_unit",
                   "Du kan bare melde avvik fra en enhet du selv hører til. Velg en av enhetene "
                   "dine.");
  }
  return unit;
}

std::optional<store::OutboxMessage> reporting_leaders_told(const store::DeviationRecord& avvik,
                                                           const Actor& reporter,
                                                           const std::string& step_title,
                                                           const procedure::UnitRegistry& units) {
  const bool leads_it =
      reporter.has_role(kRoleUnitLeader) && reporter.in_unit(avvik.reporting_unit);
  if (leads_it || reporter.has_role(kRoleQualityLeader)) return std::nullopt;
  if (avvik.reporting_unit == avvik.responsible_unit) return std::nullopt;
  // Neither the title, the description nor the reporter's name: the leader opens the avvik
  // (which they may see) to read them.
  return outbox::notification_to_unit_leaders(
      avvik.reporting_unit, "Avvik " + avvik.id + " meldt fra din enhet",
      "Noen i " + unit_name(units, avvik.reporting_unit) + " har meldt et avvik på trinnet «" +
          step_title + "», der " + unit_name(units, avvik.responsible_unit) +
          " har ansvaret. Kategori: " + label_of(categories(), avvik.category) + ".",
      "/api/v1/deviations/" + avvik.id,
      "deviation:" + avvik.id + ":reported-from:" + avvik.reporting_unit);
}

}  // namespace boligflyt::deviation
