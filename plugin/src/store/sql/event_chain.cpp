// The hash chain over an avvik's history, shared by every store backend so that a history
// written by one can be verified by any.

#include <string>

#include "ports/store/records.h"
#include "util/sha256.h"

namespace boligflyt::store {
namespace {

void append_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

}  // namespace

std::string event_chain_hash(const std::string& deviation_id, const DeviationEvent& event) {
  std::string material = "boligflyt-avvik-event-v1;";
  append_field(material, deviation_id);
  append_field(material, std::to_string(event.seq));
  append_field(material, event.at);
  append_field(material, event.actor);
  append_field(material, event.kind);
  append_field(material, event.data_json);
  append_field(material, event.prev_hash);
  return util::sha256_hex(material);
}

}  // namespace boligflyt::store
