// The citation check of `boligflyt procedure validate` (issue 13, part 5). A source (an act,
// a regulation) can be repealed or not yet in force on the day a version applies from; the
// version may still have reason to cite it (transitional rules, a case that began earlier),
// so this is a warning for the procedure owner to look at, not an error. Provisions with
// their own dates are the linter's business (provision-not-in-force, an error).

#include "procedure/loader.h"

namespace boligflyt::procedure {
namespace {

struct Citation {
  const Step* step;
  std::string source;
  std::string provision;
  SourcePos pos;
};

}  // namespace

Diagnostics citation_warnings(const Procedure& p, const std::string& file) {
  Diagnostics out;
  if (p.effective_from.empty()) return out;
  std::vector<Citation> citations;
  for (const auto& step : p.steps) {
    for (std::size_t i = 0; i < step.legal_refs.size(); ++i) {
      citations.push_back({&step, step.legal_refs[i].first, step.legal_refs[i].second,
                           i < step.legal_ref_pos.size() ? step.legal_ref_pos[i] : step.pos});
    }
    for (const auto& d : step.deadlines) {
      if (!d.source.empty()) citations.push_back({&step, d.source, d.provision, d.pos});
    }
  }
  for (const auto& c : citations) {
    const LegalSource* source = nullptr;
    for (const auto& s : p.legal_basis) {
      if (s.id == c.source) source = &s;
    }
    if (!source || source->validity.in_force_on(p.effective_from)) continue;
    // The provision's own dates decide when it has them (the linter checks those).
    if (!c.provision.empty() && source->provision_validity.count(c.provision)) continue;
    const Validity& v = source->validity;
    const bool expired = !v.to.empty() && p.effective_from > v.to;
    Diagnostic d{
        .file = file,
        .line = c.pos.line,
        .column = c.pos.column,
        .code = "source-not-in-force",
        .message = "Advarsel: trinn «" + c.step->id + "» viser til " + source->short_title +
                   (c.provision.empty() ? "" : " " + c.provision) + ", men " + source->short_title +
                   (expired ? " gjaldt bare til " + v.to : " trer først i kraft " + v.from) +
                   ", og versjonen gjelder fra " + p.effective_from +
                   ". Kontroller at henvisningen fortsatt er riktig."};
    d.subject = c.step->id;
    d.severity = "warning";
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace boligflyt::procedure
