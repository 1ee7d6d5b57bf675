#pragma once
// Store port: reading avvik. Rules (who may do what, which fields a status needs) live in
// deviation/; registering and changing an avvik are units of work (unit_of_work.h).

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

class DeviationRepository {
 public:
  virtual ~DeviationRepository() = default;

  virtual Result<std::optional<DeviationRecord>> get_deviation(const std::string& id) = 0;

  /// The history in seq order, as stored (verification is the caller's).
  virtual Result<std::vector<DeviationEvent>> deviation_history(const std::string& id) = 0;

  virtual Result<DeviationPage> list_deviations(const DeviationQuery& query) = 0;

  /// Aggregates over the avvik matching the query's filters (visibility, order and paging
  /// are ignored: statistics are anonymous).
  virtual Result<DeviationStatistics> deviation_statistics(const DeviationQuery& filter) = 0;
};

}  // namespace boligflyt::store
