#pragma once
// The one catalogue of errors. The domain says WHAT went wrong — a kind, and where one kind
// has causes a client tells apart, a stable code ("invalid-transition", "four-eyes") — plus
// a safe Norwegian detail for people and a message for the log (STYLE.md rule 5). It never
// says how that is shown: api/problem.cpp alone maps kind and code to an HTTP status, a
// problem type and a Norwegian title.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace boligflyt {

enum class ErrorKind {
  kBadRequest,          // the request cannot be read: JSON, encoding, path, query parameter
  kInvalid,             // a value breaks a domain rule (field, and where known the position)
  kMissingField,        // a lifecycle step needs information the request did not give
  kPersonalData,        // free text holds a national identity number (field, position)
  kUnauthenticated,     // nobody signed in
  kForbidden,           // this person may not do this
  kNotFound,            // no such thing
  kMethodNotAllowed,    // the resource exists, the operation does not
  kConflict,            // the current state forbids it (the code says which state)
  kPreconditionFailed,  // someone else changed it since the caller read it
  kTooLarge,            // more than the configured limit
  kUnsupportedMedia,    // a content type the operation does not take
  kUnavailable,         // a collaborator (store, host, archive) cannot now; try again later
  kInternal,            // a bug or an unexpected failure; the detail says nothing more
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string slug;    // stable code refining the kind, e.g. "invalid-transition"; may be ""
  std::string title;   // legacy: set by older callers, not shown (the API has the titles)
  std::string detail;  // Norwegian, for people; never echoes secrets or personal data
  std::string field;   // offending field or parameter, if any
  std::optional<std::size_t> position;  // 1-based code point in `field` where it went wrong
  std::string log_message;              // for the log only
  std::string extra_members_json;       // API only: a JSON object extending the problem body
};

/// The general form; prefer the named constructors below in domain code.
inline Error make_error(ErrorKind kind, std::string slug, std::string title, std::string detail,
                        std::string field = {}, std::string log_message = {}) {
  Error e;
  e.kind = kind;
  e.slug = std::move(slug);
  e.title = std::move(title);
  e.detail = std::move(detail);
  e.field = std::move(field);
  e.log_message = std::move(log_message);
  return e;
}

inline Error domain_error(ErrorKind kind, std::string code, std::string detail,
                          std::string field = {}, std::string log_message = {}) {
  return make_error(kind, std::move(code), {}, std::move(detail), std::move(field),
                    std::move(log_message));
}

/// A value breaks a domain rule.
inline Error invalid(std::string field, std::string detail,
                     std::optional<std::size_t> position = std::nullopt) {
  auto e = domain_error(ErrorKind::kInvalid, {}, std::move(detail), std::move(field));
  e.position = position;
  return e;
}

inline Error forbidden(std::string detail, std::string log_message = {}) {
  return domain_error(ErrorKind::kForbidden, {}, std::move(detail), {}, std::move(log_message));
}

inline Error not_found(std::string detail, std::string field = {}) {
  return domain_error(ErrorKind::kNotFound, {}, std::move(detail), std::move(field));
}

inline Error conflict(std::string code, std::string detail, std::string field = {},
                      std::string log_message = {}) {
  return domain_error(ErrorKind::kConflict, std::move(code), std::move(detail), std::move(field),
                      std::move(log_message));
}

inline Error precondition_failed(std::string detail, std::string field = {}) {
  return domain_error(ErrorKind::kPreconditionFailed, {}, std::move(detail), std::move(field));
}

inline Error unavailable(std::string code, std::string detail, std::string log_message = {}) {
  return domain_error(ErrorKind::kUnavailable, std::move(code), std::move(detail), {},
                      std::move(log_message));
}

inline Error internal_error(std::string log_message) {
  return domain_error(ErrorKind::kInternal, {},
                      "Det oppstod en uventet feil. Forsøk igjen senere, eller kontakt "
                      "systemansvarlig.",
                      {}, std::move(log_message));
}

}  // namespace boligflyt
