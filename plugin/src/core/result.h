#pragma once
// An error on the request path carries two texts: one for the log (internal, may name files
// and SQL), one safe Norwegian text for the person using the system (see STYLE.md rule 5).

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace boligflyt {

enum class ErrorKind {
  kInvalid,             // 400/422: the input is wrong
  kUnauthenticated,     // 401
  kForbidden,           // 403
  kNotFound,            // 404
  kConflict,            // 409
  kPreconditionFailed,  // 412
  kTooLarge,            // 413
  kUnsupportedMedia,    // 415
  kUnavailable,         // 503: try again later
  kInternal,            // 500
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string slug;                // stable part of the problem type URI, e.g. "invalid-json"
  std::string title;               // Norwegian, for people
  std::string detail;              // Norwegian, for people; never echoes secrets or personal data
  std::string field;               // offending field or parameter, if any
  std::string log_message;         // for the log only
  int http_status = 0;             // overrides the kind's default status when non-zero
  std::string extra_members_json;  // a JSON object whose members extend the problem body
};

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

inline Error internal_error(std::string log_message) {
  return make_error(ErrorKind::kInternal, "internal", "Intern feil",
                    "Det oppstod en uventet feil. Forsøk igjen senere, eller kontakt "
                    "systemansvarlig.",
                    {}, std::move(log_message));
}

/// A value or an Error. Small stand-in for std::expected (C++23), which GCC 12 lacks in C++20.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace boligflyt
