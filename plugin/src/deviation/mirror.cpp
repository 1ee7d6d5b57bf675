#include "deviation/mirror.h"

#include <boost/json.hpp>
#include <string>

#include "util/time.h"

namespace boligflyt::deviation {

store::OutboxMessage DeviationMirrorMessages::mirror_of(const store::DeviationRecord& record,
                                                        std::int64_t revision) const {
  store::OutboxMessage m;
  m.topic = std::string(kMirrorTopic);
  m.dedupe_key = "mirror:" + record.id + ":" + std::to_string(revision);
  m.payload_json = boost::json::serialize(
      boost::json::object{{"id", record.id},
                          {"revision", revision},
                          {"status", record.status},
                          {"procedure_id", record.procedure_id},
                          {"procedure_version", record.procedure_version},
                          {"step_id", record.step_id},
                          {"responsible_unit", record.responsible_unit},
                          {"reporting_unit", record.reporting_unit},
                          {"category", record.category},
                          {"severity", record.severity},
                          {"incident_date", record.incident_date},
                          {"receive_due", util::iso_utc(record.receive_due_epoch)},
                          {"close_due", util::iso_utc(record.close_due_epoch)},
                          {"link", "/api/v1/deviations/" + record.id},
                          {"key", m.dedupe_key}});
  return m;
}

}  // namespace boligflyt::deviation
