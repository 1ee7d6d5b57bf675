#include "host_abi_table/host_directory.h"

#include <boost/json.hpp>

namespace boligflyt::adapters {
namespace {

namespace json = boost::json;

/// The host's answer to `query` as JSON; null when it has none or cannot answer now.
json::value ask(ports::HostServices& host, const json::object& query) {
  auto answer = host.directory_lookup(json::serialize(query));
  if (!answer || !answer->has_value()) return nullptr;
  boost::system::error_code ec;
  auto parsed = json::parse(**answer, ec);
  return ec ? json::value(nullptr) : parsed;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<ports::DirectoryPerson> person_of(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  ports::DirectoryPerson p;
  p.id = text_of(v.as_object(), "id");
  if (p.id.empty()) return std::nullopt;
  p.display_name = text_of(v.as_object(), "display_name");
  if (p.display_name.empty()) p.display_name = p.id;
  p.email = text_of(v.as_object(), "email");
  return p;
}

}  // namespace

std::vector<ports::DirectoryPerson> HostDirectory::leaders_of(const std::string& unit_id) {
  std::vector<ports::DirectoryPerson> out;
  const auto answer = ask(host_, json::object{{"leaders_of", unit_id}});
  if (!answer.is_array()) return out;
  for (const auto& user : answer.as_array()) {
    if (auto p = person_of(user)) out.push_back(std::move(*p));
  }
  return out;
}

std::optional<ports::DirectoryPerson> HostDirectory::person(const std::string& user_id) {
  return person_of(ask(host_, json::object{{"user_id", user_id}}));
}

std::optional<ports::DirectoryUnit> HostDirectory::unit(const std::string& unit_id) {
  const auto answer = ask(host_, json::object{{"unit_id", unit_id}});
  if (!answer.is_object()) return std::nullopt;
  ports::DirectoryUnit u;
  u.id = unit_id;
  u.name = text_of(answer.as_object(), "name");
  u.parent = text_of(answer.as_object(), "parent");
  if (u.name.empty()) return std::nullopt;
  return u;
}

std::unique_ptr<ports::Directory> make_host_directory(ports::HostServices& host) {
  return std::make_unique<HostDirectory>(host);
}

}  // namespace boligflyt::adapters
