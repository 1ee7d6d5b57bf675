#pragma once
/// JSON Web Keys (RFC 7517) and JWS signature checks (RFC 7515/7518) with OpenSSL, for the
/// two algorithms the host accepts from an identity provider: RS256 and ES256.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boligflyt::host {

/// Decodes base64url without padding (RFC 7515 §2); nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);

/// One public signing key of a provider.
class Jwk {
 public:
  ~Jwk();
  Jwk(Jwk&&) noexcept;
  Jwk& operator=(Jwk&&) noexcept;
  Jwk(const Jwk&) = delete;
  Jwk& operator=(const Jwk&) = delete;

  const std::string& kid() const { return kid_; }
  /// The JWS algorithm this key verifies: RS256 for an RSA key, ES256 for a P-256 key (or
  /// the key's own `alg` when it names one).
  const std::string& algorithm() const { return algorithm_; }

  /// True when `signature` (raw JWS bytes) signs `signing_input` with this key. Thread-safe.
  bool verifies(std::string_view signing_input, std::string_view signature) const;

 private:
  friend std::vector<Jwk> parse_jwks(std::string_view json_text, std::string& error);
  Jwk() = default;
  struct Key;
  std::string kid_;
  std::string algorithm_;
  std::unique_ptr<Key> key_;
};

/// The usable signing keys of a JWKS document: RSA keys and EC keys on P-256, `use` absent
/// or `sig`; other keys are skipped. Empty with `error` set when the document is malformed.
std::vector<Jwk> parse_jwks(std::string_view json_text, std::string& error);

}  // namespace boligflyt::host
