#pragma once
/// Tokens already verified, so that a client's next request with the same bearer token skips
/// the signature check and the JSON parse of its claims (issue 14, goal 3). Keyed by the
/// SHA-256 of the token, so the cache never holds a usable credential; bounded; an entry is
/// good only until the token's `exp` (plus the configured clock skew).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

#include "boligflyt/host/token_authority.h"

namespace boligflyt::host {

class VerifiedTokenCache {
 public:
  using Key = std::array<unsigned char, 32>;

  explicit VerifiedTokenCache(std::size_t capacity);

  /// SHA-256 of the token text.
  static Key key_of(std::string_view token);

  /// The principal of a token verified earlier whose validity lasts beyond `now_seconds`;
  /// nullopt otherwise (never seen, evicted, or expired: the caller then verifies in full,
  /// which refuses an expired token with its reason).
  std::optional<Principal> find(const Key& key, double now_seconds) const;

  /// Remembers a token that has just passed every check, valid while now < `valid_until`
  /// (exp + clock skew, in Unix seconds). A full cache first drops expired entries, and
  /// when none has expired, the oldest one.
  void remember(const Key& key, Principal principal, double valid_until, double now_seconds);

  std::size_t size() const;

 private:
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Entry {
    Principal principal;
    double valid_until = 0;
    std::uint64_t inserted = 0;
  };

  std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Key, Entry, KeyHash> entries_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace boligflyt::host
