#include "api/render_cache.h"

#include <utility>

namespace boligflyt::api {

std::shared_ptr<const std::string> RenderCache::get(
    std::string_view kind, const std::string& etag,
    const std::shared_ptr<const procedure::ProcedureCatalog>& snapshot,
    const std::function<std::string()>& render) {
  std::string key(kind);
  key += '\n';
  key += etag;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(key);
        it != entries_.end() && it->second.snapshot == snapshot) {
      return it->second.body;
    }
  }
  // Rendered outside the lock: two first requests may both render, and both get the same
  // bytes; a slow rendering never holds up the other routes.
  auto body = std::make_shared<const std::string>(render());
  std::lock_guard lock(mutex_);
  ++renders_;
  // Renderings of superseded snapshots are dropped first; when still full, everything goes
  // (a handful of renderings, made again on the next request).
  std::erase_if(entries_, [&](const auto& e) { return e.second.snapshot != snapshot; });
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[std::move(key)] = Entry{snapshot, body};
  return body;
}

std::size_t RenderCache::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  // RFC 9110 13.1.2: the weak comparison, so W/"x" matches "x".
  const auto opaque = [](std::string_view tag) {
    return tag.starts_with("W/") ? tag.substr(2) : tag;
  };
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    const std::string_view item = trim(if_none_match.substr(0, comma));
    if (item == "*" || (!item.empty() && opaque(item) == opaque(etag))) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace boligflyt::api
