#include "boligflyt/host/verified_token_cache.h"

#include <openssl/evp.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace boligflyt::host {

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity) : capacity_(capacity) {
  entries_.reserve(capacity);
}

VerifiedTokenCache::Key VerifiedTokenCache::key_of(std::string_view token) {
  // OpenSSL 3 looks an implicitly named algorithm up (and allocates a context) on every call,
  // which cost more than the hash itself on the request path: fetch once, reuse a context
  // per thread.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
    Context() = default;
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
  };
  thread_local Context context;
  Key key{};
  unsigned int length = 0;
  if (sha256 == nullptr || context.ctx == nullptr ||
      EVP_DigestInit_ex2(context.ctx, sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, token.data(), token.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, key.data(), &length) != 1 || length != key.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return key;
}

std::size_t VerifiedTokenCache::KeyHash::operator()(const Key& key) const noexcept {
  // The key is already a uniform hash; its first bytes serve as the bucket hash.
  std::size_t out = 0;
  std::memcpy(&out, key.data(), sizeof out);
  return out;
}

std::optional<Principal> VerifiedTokenCache::find(const Key& key, double now_seconds) const {
  std::shared_lock lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.valid_until <= now_seconds) return std::nullopt;
  return it->second.principal;
}

void VerifiedTokenCache::remember(const Key& key, Principal principal, double valid_until,
                                  double now_seconds) {
  if (capacity_ == 0) return;
  std::unique_lock lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.principal = std::move(principal);
    it->second.valid_until = valid_until;
    return;
  }
  if (entries_.size() >= capacity_) {
    // O(capacity), but only on a miss with a full cache, and a miss costs a signature check.
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.valid_until <= now_seconds) {
        it = entries_.erase(it);
        continue;
      }
      if (oldest == entries_.end() || it->second.inserted < oldest->second.inserted) oldest = it;
      ++it;
    }
    if (entries_.size() >= capacity_ && oldest != entries_.end()) entries_.erase(oldest);
  }
  entries_.emplace(key, Entry{std::move(principal), valid_until, next_sequence_++});
}

std::size_t VerifiedTokenCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace boligflyt::host
