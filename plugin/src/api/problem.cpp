#include "api/problem.h"

#include <array>
#include <boost/json.hpp>

#include "util/utf8.h"

namespace boligflyt::api {
namespace {

struct KindShape {
  ErrorKind kind;
  ProblemShape shape;
};

// What each kind looks like when nothing more specific is known.
constexpr std::array<KindShape, 14> kKinds = {{
    {ErrorKind::kBadRequest, {400, "bad-request", "Ugyldig forespørsel"}},
    {ErrorKind::kInvalid, {422, "validation-failed", "Ugyldige opplysninger"}},
    {ErrorKind::kMissingField, {422, "missing-field", "Mangler opplysninger"}},
    {ErrorKind::kPersonalData, {422, "personal-data", "Personopplysninger i fritekst"}},
    {ErrorKind::kUnauthenticated, {401, "unauthenticated", "Ikke innlogget"}},
    {ErrorKind::kForbidden, {403, "not-allowed", "Ikke tillatt"}},
    {ErrorKind::kNotFound, {404, "not-found", "Finnes ikke"}},
    {ErrorKind::kMethodNotAllowed, {405, "method-not-allowed", "Metoden er ikke tillatt"}},
    {ErrorKind::kConflict, {409, "conflict", "Konflikt"}},
    {ErrorKind::kPreconditionFailed, {412, "precondition-failed", "Utdatert versjon"}},
    {ErrorKind::kTooLarge, {413, "body-too-large", "For stor forespørsel"}},
    {ErrorKind::kUnsupportedMedia, {415, "unsupported-media-type", "Feil innholdstype"}},
    {ErrorKind::kUnavailable, {503, "unavailable", "Ikke tilgjengelig nå"}},
    {ErrorKind::kInternal, {500, "internal", "Intern feil"}},
}};

// Codes a client tells apart within a kind: their own problem type (the code) and title.
// A status here overrides the kind's (the store reports a reused Idempotency-Key and a bad
// cursor under older kinds).
struct CodeShape {
  std::string_view code;
  int status;  // 0: the kind's
  std::string_view title;
};

constexpr std::array<CodeShape, 36> kCodes = {{
    {"invalid-json", 400, "Ugyldig JSON"},
    {"invalid-utf8", 400, "Ugyldig tegnkoding"},
    {"invalid-path", 400, "Ugyldig adresse"},
    {"invalid-query", 400, "Ugyldig søkeparameter"},
    {"invalid-parameter", 400, "Ugyldig parameter"},
    {"invalid-date", 400, "Ugyldig dato"},
    {"invalid-version", 400, "Ugyldig versjonsnummer"},
    {"invalid-config", 400, "Ugyldig konfigurasjon"},
    {"backup-unsupported", 400, "Sikkerhetskopi støttes ikke"},
    {"archive-export-invalid", 400, "Eksporten kan ikke bygges"},
    {"idempotency-key-reused", 422, "Idempotency-Key er brukt før"},
    {"four-eyes", 0, "Ikke tillatt"},
    {"forbidden", 0, "Ikke tillatt"},
    {"not-consulted", 0, "Enheten er ikke på høring"},
    {"invalid-transition", 0, "Ugyldig statusendring"},
    {"closed", 0, "Avviket er avsluttet"},
    {"busy", 0, "Avviket endres av andre nå"},
    {"already-participant", 0, "Enheten er allerede med"},
    {"wrong-status", 0, "Feil status for denne handlingen"},
    {"consultation-not-agreed", 0, "Høringen er ikke enig"},
    {"version-exists", 0, "Versjonen finnes allerede"},
    {"version-not-increasing", 0, "Versjonsnummeret må øke"},
    {"effective-date-not-increasing", 0, "Ugyldig dato"},
    {"archive-export-not-failed", 0, "Eksporten kan ikke sendes på nytt nå"},
    {"store-unavailable", 0, "Lageret er ikke tilgjengelig"},
    {"archive-no-leader", 0, "Enheten mangler leder"},
    {"archive-drop-unavailable", 0, "Arkivmappen kan ikke ta imot nå"},
    {"pdfa-unavailable", 0, "Arkivformat utilgjengelig"},
    {"notify-unavailable", 0, "Varsling ikke mulig nå"},
    {"notify-failed", 0, "Varsling ikke mulig nå"},
    {"directory-unavailable", 0, "Katalogen er ikke tilgjengelig"},
    {"document-library-unavailable", 0, "Dokumentbiblioteket er ikke tilgjengelig"},
    {"document-library-failed", 0, "Dokumentet ble ikke lagt i dokumentbiblioteket"},
    {"file-too-large", 413, "Filen er for stor"},
    {"file-type-not-allowed", 415, "Filtypen er ikke tillatt"},
    {"file-content-mismatch", 422, "Filinnholdet stemmer ikke med filtypen"},
}};

const ProblemShape& kind_shape(ErrorKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.shape;
  }
  return kKinds.back().shape;  // internal
}

}  // namespace

ProblemShape problem_shape(const Error& error) {
  ProblemShape shape = kind_shape(error.kind);
  // One condition, one type: "not found" is not-found whatever the store calls the thing
  // (deviation-not-found, outbox-message-not-found, …), and an internal error says no more.
  if (error.slug.empty() || error.kind == ErrorKind::kInternal) return shape;
  for (const auto& c : kCodes) {
    if (c.code == error.slug) {
      if (c.status != 0) shape.status = c.status;
      shape.type = c.code;
      shape.title = c.title;
      return shape;
    }
  }
  if (error.kind != ErrorKind::kNotFound) shape.type = error.slug;
  return shape;
}

int status_for(const Error& error) { return problem_shape(error).status; }

Response problem_response(const Error& error, std::string_view instance_path) {
  const auto shape = problem_shape(error);
  boost::json::object body;
  body["type"] = std::string(kProblemTypePrefix) + std::string(shape.type);
  body["title"] = shape.title;
  body["status"] = shape.status;
  // Details and fields may quote what a client sent; a problem must stay valid JSON whatever
  // it was (found by tests/fuzz/targets/abi_request_fuzzer.cpp).
  if (!error.detail.empty()) body["detail"] = util::to_valid_utf8(error.detail);
  if (!error.field.empty()) body["field"] = util::to_valid_utf8(error.field);
  if (error.position) body["position"] = *error.position;
  if (!instance_path.empty()) body["instance"] = util::to_valid_utf8(instance_path);
  if (!error.extra_members_json.empty()) {
    boost::system::error_code ec;
    auto extra = boost::json::parse(error.extra_members_json, ec);
    if (!ec && extra.is_object()) {
      for (const auto& [k, v] : extra.as_object()) {
        if (!body.contains(k)) body[k] = v;
      }
    }
  }
  Response response;
  response.status = shape.status;
  response.content_type = "application/problem+json";
  response.body = boost::json::serialize(body);
  if (error.kind == ErrorKind::kUnauthenticated) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return response;
}

}  // namespace boligflyt::api
