#include "api/json_body.h"

#include <boost/json.hpp>

#include "util/utf8.h"

namespace boligflyt::api {

Result<boost::json::value> parse_json_text(std::string_view text, std::string_view what) {
  if (auto bad = util::find_invalid_utf8(text)) {
    const auto pos = util::position_of(text, *bad);
    return make_error(ErrorKind::kBadRequest, "invalid-utf8", "Ugyldig tegnkoding",
                      std::string(what) + " er ikke gyldig UTF-8 (linje " +
                          std::to_string(pos.line) + ", kolonne " + std::to_string(pos.column) +
                          ", byte " + std::to_string(*bad) + ").",
                      std::string(what));
  }
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    const auto pos = util::position_of(text, consumed);
    return make_error(ErrorKind::kBadRequest, "invalid-json", "Ugyldig JSON",
                      std::string(what) + " er ikke gyldig JSON: feil ved linje " +
                          std::to_string(pos.line) + ", kolonne " + std::to_string(pos.column) +
                          ".",
                      std::string(what), "json parse error: " + ec.message());
  }
  if (consumed < text.size()) {
    const auto pos = util::position_of(text, consumed);
    return make_error(ErrorKind::kBadRequest, "invalid-json", "Ugyldig JSON",
                      std::string(what) + " har uventede tegn etter JSON-verdien (linje " +
                          std::to_string(pos.line) + ", kolonne " + std::to_string(pos.column) +
                          ").",
                      std::string(what));
  }
  return parser.release();
}

Result<boost::json::value> parse_json_body(const Request& request) {
  const auto content_type = request.header("Content-Type").value_or("");
  const auto media = content_type.substr(0, content_type.find(';'));
  if (!iequals(media, "application/json") && !iequals(media, "application/merge-patch+json")) {
    return make_error(ErrorKind::kUnsupportedMedia, "unsupported-media-type", "Feil innholdstype",
                      "Forespørselen må ha Content-Type application/json.", "Content-Type");
  }
  return parse_json_text(request.body, "body");
}

Response json_response(int status, const boost::json::value& body) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace boligflyt::api
