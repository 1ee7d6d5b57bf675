#pragma once
// What an avvik is about (its category) and, at closing, why it happened (its cause codes).
// Categories are the generic ones of the quality system (codes.cpp) plus those the avvik's
// procedure version declares, possibly limited to some steps. Cause codes come from a
// catalogue the municipality configures; the default below is the usual Norwegian one.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "procedure/model.h"

namespace boligflyt::deviation {

struct CauseCode {
  std::string code;   // stable, stored on the avvik and counted: [a-z][a-z0-9_]*
  std::string label;  // Norwegian, for people
};

/// rutine mangler/uklar, rutine ikke fulgt, opplæring, kapasitet, kommunikasjon mellom
/// enheter, IT-system, ekstern part.
const std::vector<CauseCode>& default_cause_codes();

/// True when `code` may be a cause code (or a configured one): 1–64 of [a-z0-9_], first a-z.
bool is_cause_code_syntax(std::string_view code);

struct CategoryOption {
  std::string code;
  std::string label;
  std::string description;         // "" for the generic ones
  bool generic = true;             // false: declared by the procedure version
  std::vector<std::string> steps;  // the steps a procedure category is limited to; empty: all
};

/// The categories an avvik on `step_id` of `version` may have: the generic ones first, then
/// the version's own that apply to the step. An empty `step_id` lists all of them.
std::vector<CategoryOption> categories_for(const procedure::Procedure& version,
                                           std::string_view step_id);

/// The Norwegian label of a category: generic, else declared by `version` (may be null),
/// else the code itself.
std::string category_label(const procedure::Procedure* version, std::string_view code);

/// kInvalid naming "category" when `code` is missing, unknown, or declared for other steps;
/// the detail lists the categories the step allows.
Result<void> check_category(const procedure::Procedure& version, const procedure::Step& step,
                            std::string_view code);

/// The codes without repeats, in the order given; kMissingField "cause_codes" when none,
/// kInvalid "cause_codes/<i>" for one the catalogue does not have.
Result<std::vector<std::string>> check_cause_codes(const std::vector<CauseCode>& catalogue,
                                                   const std::vector<std::string>& codes);

/// The label of a cause code in `catalogue`, or the code itself (a code since removed from
/// the configuration still reads as what was stored).
std::string cause_code_label(const std::vector<CauseCode>& catalogue, std::string_view code);

}  // namespace boligflyt::deviation
