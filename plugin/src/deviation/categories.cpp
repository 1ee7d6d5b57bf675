#include "deviation/categories.h"

#include <algorithm>

#include "deviation/service.h"

namespace boligflyt::deviation {

const std::vector<CauseCode>& default_cause_codes() {
  static const std::vector<CauseCode> codes = {
      {"rutine_mangler", "Rutinen mangler eller er uklar"},
      {"rutine_ikke_fulgt", "Rutinen ble ikke fulgt"},
      {"opplaering", "Manglende opplæring"},
      {"kapasitet", "Kapasitet eller bemanning"},
      {"kommunikasjon", "Kommunikasjon mellom enheter"},
      {"it_system", "IT-system"},
      {"ekstern_part", "Ekstern part"},
  };
  return codes;
}

bool is_cause_code_syntax(std::string_view code) {
  if (code.empty() || code.size() > 64 || code.front() < 'a' || code.front() > 'z') return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<CategoryOption> categories_for(const procedure::Procedure& version,
                                           std::string_view step_id) {
  std::vector<CategoryOption> out;
  for (const auto& c : categories()) {
    out.push_back({std::string(c.code), std::string(c.label), {}, true, {}});
  }
  for (const auto& c : version.deviation_categories) {
    if (!step_id.empty() && !c.applies_to(step_id)) continue;
    out.push_back({c.id, c.label, c.description, false, c.steps});
  }
  return out;
}

std::string category_label(const procedure::Procedure* version, std::string_view code) {
  for (const auto& c : categories()) {
    if (c.code == code) return std::string(c.label);
  }
  if (version != nullptr) {
    if (const auto* c = version->find_deviation_category(code)) return c->label;
  }
  return std::string(code);
}

Result<void> check_category(const procedure::Procedure& version, const procedure::Step& step,
                            std::string_view code) {
  if (code.empty()) return invalid("category", "Feltet «kategori» mangler.");
  const auto allowed = categories_for(version, step.id);
  if (std::any_of(allowed.begin(), allowed.end(),
                  [&](const CategoryOption& c) { return c.code == code; })) {
    return {};
  }
  std::string list;
  for (const auto& c : allowed) list += (list.empty() ? "" : ", ") + c.code;
  const std::string allows = "Trinnet «" + step.title + "» i versjon " + version.version.str() +
                             " tillater disse kategoriene: " + list + ".";
  // The code is not echoed unless the procedure declares it: a stray text stays out of logs
  // and answers.
  if (const auto* declared = version.find_deviation_category(code)) {
    return invalid("category",
                   "Kategorien «" + declared->label + "» gjelder ikke dette trinnet. " + allows);
  }
  return invalid("category", "Ukjent kategori. " + allows);
}

Result<std::vector<std::string>> check_cause_codes(const std::vector<CauseCode>& catalogue,
                                                   const std::vector<std::string>& codes) {
  if (codes.empty()) {
    return domain_error(ErrorKind::kMissingField, "missing-field",
                        "Velg minst én årsakskode før avviket lukkes.", "cause_codes");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto& code = codes[i];
    const bool known = std::any_of(catalogue.begin(), catalogue.end(),
                                   [&](const CauseCode& c) { return c.code == code; });
    if (!known) {
      std::string list;
      for (const auto& c : catalogue) list += (list.empty() ? "" : ", ") + c.code;
      return invalid("cause_codes/" + std::to_string(i),
                     "Ukjent årsakskode. Gyldige årsakskoder: " + list + ".");
    }
    if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(code);
  }
  return out;
}

std::string cause_code_label(const std::vector<CauseCode>& catalogue, std::string_view code) {
  for (const auto& c : catalogue) {
    if (c.code == code) return c.label;
  }
  return std::string(code);
}

}  // namespace boligflyt::deviation
