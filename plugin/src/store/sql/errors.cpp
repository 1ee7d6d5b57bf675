#include "store/sql/errors.h"

#include <utility>

namespace boligflyt::store::sql {

Error unavailable(std::string log_message) {
  return domain_error(ErrorKind::kUnavailable, "store-unavailable",
                      "Data kunne ikke lagres eller leses akkurat nå. Ingenting er endret. Prøv "
                      "igjen om litt.",
                      {}, std::move(log_message));
}

Error preferences_changed() {
  return domain_error(
      ErrorKind::kPreconditionFailed, "precondition-failed",
      "Innstillingene er endret siden du hentet dem. Hent dem på nytt og prøv igjen.", "If-Match");
}

Error version_exists(const std::string& procedure_id, const std::string& version) {
  return domain_error(ErrorKind::kConflict, "version-exists",
                      "Prosedyren «" + procedure_id + "» har allerede en versjon " + version +
                          ". Bruk et høyere versjonsnummer.",
                      "version");
}

Error version_changed() {
  return domain_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                      "Versjonen er endret siden du hentet den. Hent den på nytt og prøv igjen.",
                      "If-Match");
}

Error not_consulted(const std::string& unit_id) {
  return domain_error(ErrorKind::kNotFound, "not-consulted",
                      "Enheten «" + unit_id + "» er ikke bedt om å svare på høringen.", "unit");
}

Error deviation_changed() {
  return domain_error(ErrorKind::kPreconditionFailed, "precondition-failed",
                      "Avviket er endret siden du hentet det. Hent det på nytt og prøv igjen.",
                      "If-Match");
}

Error deviation_not_found(const std::string& id) {
  return domain_error(ErrorKind::kNotFound, "deviation-not-found",
                      "Fant ikke avviket «" + id + "».", "id");
}

Error idempotency_key_reused() {
  return domain_error(ErrorKind::kConflict, "idempotency-key-reused",
                      "Denne Idempotency-Key er allerede brukt til å registrere et annet avvik. "
                      "Bruk en ny nøkkel for en ny registrering.",
                      "Idempotency-Key");
}

Error invalid_query(std::string detail, std::string field) {
  return domain_error(ErrorKind::kInvalid, "invalid-query", std::move(detail), std::move(field));
}

Error outbox_not_found(std::int64_t id) {
  return domain_error(ErrorKind::kNotFound, "outbox-message-not-found",
                      "Fant ingen utgående melding med nummer " + std::to_string(id) + ".");
}

std::optional<Error> check_outbox_status(const std::string& status) {
  if (status == "pending" || status == "delivered" || status == "dead") return std::nullopt;
  return internal_error("outbox status must be pending, delivered or dead, not '" + status + "'");
}

std::optional<Error> check_receipt_outcome(const std::string& outcome) {
  if (outcome == "kvittering" || outcome == "feilmelding") return std::nullopt;
  return internal_error("archive receipt outcome must be kvittering or feilmelding, not '" +
                        outcome + "'");
}

}  // namespace boligflyt::store::sql
