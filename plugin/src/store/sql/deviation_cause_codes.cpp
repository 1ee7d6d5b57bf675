// The cause codes of an avvik (chosen at closing): written with the avvik, counted by the
// statistics.

#include <algorithm>

#include "store/sql/deviation_rows.h"

namespace boligflyt::store::sql {

void write_cause_codes(Connection& c, const std::string& id, const std::vector<std::string>& codes,
                       bool fresh) {
  if (!fresh) Query(c, "DELETE FROM deviation_cause_codes WHERE deviation_id = ?1").with(id).run();
  std::int64_t position = 0;
  for (const auto& code : codes) {
    Query q(c,
            "INSERT INTO deviation_cause_codes (deviation_id, code, position) "
            "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
    q.with(id, code, position++).run();
  }
}

std::vector<KeyCount> cause_code_counts(Connection& c, const std::string& where,
                                        const Params& params) {
  std::vector<KeyCount> out;
  Query q(c,
          "SELECT cc.code, count(*) FROM deviation_cause_codes cc CROSS JOIN deviations d "
          "WHERE d.id = cc.deviation_id" +
              where + " GROUP BY cc.code");
  params.bind(q);
  while (q.next()) out.push_back({q.text(0), q.int64(1)});
  std::sort(out.begin(), out.end(), [](const KeyCount& a, const KeyCount& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  return out;
}

}  // namespace boligflyt::store::sql
