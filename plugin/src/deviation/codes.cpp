// The avvik's code lists (categories, severities) and the check of its hash-chained history.

#include <algorithm>

#include "deviation/service.h"

namespace boligflyt::deviation {

const std::vector<Code>& categories() {
  static const std::vector<Code> codes = {
      {"prosedyre_ikke_fulgt", "Prosedyren ble ikke fulgt"},
      {"uklart_ansvar", "Uklart ansvar"},
      {"frist_overskredet", "Frist overskredet"},
      {"manglende_informasjon", "Manglende informasjon eller samhandling"},
      {"prosedyren_bor_endres", "Prosedyren bør endres"},
      {"annet", "Annet"},
      {"personvernavvik", "Personvernavvik (brudd på personopplysningssikkerheten)"},
  };
  return codes;
}

std::string label_of(const std::vector<Code>& codes, std::string_view code) {
  for (const auto& c : codes) {
    if (c.code == code) return std::string(c.label);
  }
  return std::string(code);
}

const std::vector<Code>& severities() {
  static const std::vector<Code> codes = {
      {"lav", "Lav"}, {"middels", "Middels"}, {"hoy", "Høy"}, {"kritisk", "Kritisk"}};
  return codes;
}

std::int64_t verify_history(const std::string& deviation_id,
                            const std::vector<store::DeviationEvent>& events) {
  std::string prev(store::kGenesisHash);
  std::int64_t expected_seq = 1;
  for (const auto& e : events) {
    if (e.seq != expected_seq || e.prev_hash != prev ||
        store::event_chain_hash(deviation_id, e) != e.hash) {
      return e.seq > 0 ? e.seq : expected_seq;
    }
    prev = e.hash;
    ++expected_seq;
  }
  return 0;
}

}  // namespace boligflyt::deviation
