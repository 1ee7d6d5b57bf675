#pragma once
// Renderings of procedure versions (document, picture, BPMN) are pure functions of the
// version's bytes, its lifecycle state and the unit registry, so each is made once and kept,
// keyed by the route and the version's ETag (revision + SHA-256 of the XML). An entry is only
// used with the catalog snapshot it was made from: a publication or a new unit registry comes
// with a new snapshot, so nothing stale is ever served. Bounded; thread-safe.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "procedure/catalog.h"

namespace boligflyt::api {

class RenderCache {
 public:
  explicit RenderCache(std::size_t capacity = 16) : capacity_(capacity) {}

  /// The body for (`kind`, `etag`) made under `snapshot`; `render` runs only on a miss.
  std::shared_ptr<const std::string> get(
      std::string_view kind, const std::string& etag,
      const std::shared_ptr<const procedure::ProcedureCatalog>& snapshot,
      const std::function<std::string()>& render);

  std::size_t renders() const;  // how often `render` ran (for tests and the benchmark)

 private:
  struct Entry {
    std::shared_ptr<const procedure::ProcedureCatalog> snapshot;  // keeps its address unique
    std::shared_ptr<const std::string> body;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::size_t renders_ = 0;
};

/// True when an If-None-Match header value names `etag` (a list, weak tags, or "*").
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace boligflyt::api
