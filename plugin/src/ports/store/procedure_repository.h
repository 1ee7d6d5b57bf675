#pragma once
// Store port: procedure versions, their consultation (høring) and read confirmations.
// Changing a version together with its consultation rows and outbox messages is a unit of
// work (unit_of_work.h).

#include <string>
#include <vector>

#include "core/result.h"
#include "ports/store/records.h"

namespace boligflyt::store {

class ProcedureRepository {
 public:
  virtual ~ProcedureRepository() = default;

  virtual Result<std::vector<ProcedureVersionRecord>> list_procedure_versions() = 0;

  /// kConflict when (procedure_id, version) exists.
  virtual Result<ProcedureVersionRecord> insert_procedure_version(
      const ProcedureVersionRecord& record) = 0;

  virtual Result<std::vector<ConsultationAnswer>> list_consultation(const std::string& procedure_id,
                                                                    const std::string& version) = 0;
  /// kNotFound when the unit was not asked; answering again replaces the answer.
  virtual Result<ConsultationAnswer> answer_consultation(const std::string& procedure_id,
                                                         const std::string& version,
                                                         const ConsultationAnswer& answer) = 0;

  virtual Result<std::vector<ReadConfirmation>> list_read_confirmations(
      const std::string& procedure_id, const std::string& version) = 0;
  /// Idempotent: confirming twice keeps the first time.
  virtual Result<ReadConfirmation> confirm_read(const std::string& procedure_id,
                                                const std::string& version,
                                                const ReadConfirmation& confirmation) = 0;
};

}  // namespace boligflyt::store
