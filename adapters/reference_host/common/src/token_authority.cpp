#include "boligflyt/host/token_authority.h"

#include <Poco/Crypto/OpenSSLInitializer.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "boligflyt/host/oidc_verifier.h"
#include "boligflyt/host/secret_key_file.h"
#include "boligflyt/host/verified_token_cache.h"

namespace boligflyt::host {
namespace {

// Far above any real token; stops a client from making us base64-decode megabytes.
constexpr std::size_t kMaxTokenBytes = 8 * 1024;
// Distinct tokens remembered as verified: a municipality's signed-in users, with room to
// spare; about 300 bytes each.
constexpr std::size_t kVerifiedTokens = 2048;

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// NumericDate claims (RFC 7519 §2) may be integers or decimals; anything else is malformed.
std::optional<double> numeric_claim(const Poco::JSON::Object& payload, const std::string& name) {
  if (!payload.has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = payload.get(name);
  if (!value.isNumeric()) throw std::invalid_argument("claim " + name + " is not a number");
  const double seconds = value.convert<double>();
  if (!std::isfinite(seconds)) throw std::invalid_argument("claim " + name + " is not finite");
  return seconds;
}

std::optional<std::string> string_claim(const Poco::JSON::Object& payload,
                                        const std::string& name) {
  if (!payload.has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = payload.get(name);
  if (!value.isString()) throw std::invalid_argument("claim " + name + " is not a string");
  return value.convert<std::string>();
}

std::vector<std::string> string_list_claim(const Poco::JSON::Object& payload,
                                           const std::string& name) {
  std::vector<std::string> out;
  if (!payload.has(name)) return out;
  Poco::JSON::Array::Ptr array = payload.getArray(name);
  if (array.isNull()) throw std::invalid_argument("claim " + name + " is not an array");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Poco::Dynamic::Var item = array->get(static_cast<unsigned>(i));
    if (!item.isString()) throw std::invalid_argument("claim " + name + " holds a non-string");
    out.push_back(item.convert<std::string>());
  }
  return out;
}

Principal principal_from_user(const User& user) {
  return Principal{user.id, user.display_name, user.units, user.roles};
}

}  // namespace

struct TokenAuthority::Impl {
  // Poco::Crypto counts OpenSSL users and tears OpenSSL's locks down when the count drops
  // to zero; each verification takes and releases one. With no lasting holder, two request
  // threads could destroy and re-create those locks under each other (a crash under
  // concurrent first requests). This holder keeps the count above zero for our lifetime.
  Poco::Crypto::OpenSSLInitializer openssl;
  Mode mode;
  std::string algorithm;
  AuthConfig auth;
  std::vector<User> users;
  std::unique_ptr<Poco::JWT::Signer> signer;
  std::unique_ptr<OidcVerifier> oidc;
  mutable VerifiedTokenCache verified{kVerifiedTokens};

  const User* find_user(std::string_view id) const {
    auto it = std::find_if(users.begin(), users.end(), [&](const User& u) { return u.id == id; });
    return it == users.end() ? nullptr : &*it;
  }

  TokenCheck check(std::string_view token_text) const {
    if (oidc) return oidc->verify(token_text);
    if (token_text.empty()) return {std::nullopt, "empty token"};
    if (token_text.size() > kMaxTokenBytes) return {std::nullopt, "token too long"};
    const int64_t now = unix_seconds(std::chrono::system_clock::now());
    // The same token string passed every check before; only time can have made it invalid
    // since (users and keys are fixed for the host's lifetime), and the cache honours `exp`.
    const VerifiedTokenCache::Key key = VerifiedTokenCache::key_of(token_text);
    if (std::optional<Principal> known = verified.find(key, static_cast<double>(now))) {
      return {std::move(known), {}};
    }
    double valid_until = 0;
    TokenCheck checked = check_in_full(token_text, now, valid_until);
    if (checked.principal) {
      verified.remember(key, *checked.principal, valid_until, static_cast<double>(now));
    }
    return checked;
  }

  /// Every check; on success `valid_until` is when the token stops being accepted (exp + skew).
  TokenCheck check_in_full(std::string_view token_text, int64_t now, double& valid_until) const {
    Poco::JWT::Token token;
    // Signer accepts only the one algorithm we set, so a token that names "none" or
    // switches HS256/RS256 (key confusion) is refused before any signature check.
    if (!signer->tryVerify(std::string(token_text), token)) {
      return {std::nullopt, "bad signature"};
    }
    const Poco::JSON::Object& payload = token.payload();
    const auto skew = static_cast<double>(auth.clock_skew.count());

    const std::optional<double> exp = numeric_claim(payload, "exp");
    if (!exp) return {std::nullopt, "missing exp"};
    if (*exp + skew <= static_cast<double>(now)) return {std::nullopt, "expired"};
    valid_until = *exp + skew;
    if (const std::optional<double> nbf = numeric_claim(payload, "nbf");
        nbf && *nbf - skew > static_cast<double>(now)) {
      return {std::nullopt, "not yet valid (nbf)"};
    }
    if (string_claim(payload, "iss").value_or("") != auth.issuer) {
      return {std::nullopt, "wrong issuer"};
    }
    const std::vector<std::string> audiences = token.getAudience();
    if (std::find(audiences.begin(), audiences.end(), auth.audience) == audiences.end()) {
      return {std::nullopt, "wrong audience"};
    }
    const std::string subject = string_claim(payload, "sub").value_or("");
    if (subject.empty()) return {std::nullopt, "missing sub"};

    if (const User* user = find_user(subject)) return {principal_from_user(*user), {}};
    // Development tokens only ever name configured users; an unknown sub under our own
    // secret means the user was removed from the config, and must lose access.
    if (mode == Mode::kHs256Development) return {std::nullopt, "unknown user"};

    Principal principal;
    principal.user_id = subject;
    principal.display_name = string_claim(payload, "name").value_or(subject);
    principal.units = string_list_claim(payload, "units");
    principal.roles = string_list_claim(payload, "roles");
    return {std::move(principal), {}};
  }
};

TokenAuthority::TokenAuthority(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TokenAuthority::~TokenAuthority() = default;

std::unique_ptr<TokenAuthority> TokenAuthority::hs256(std::string secret,
                                                      const HostConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->mode = Mode::kHs256Development;
  impl->algorithm = Poco::JWT::Signer::ALGO_HS256;
  impl->auth = config.auth;
  impl->users = config.users;
  impl->signer = std::make_unique<Poco::JWT::Signer>(secret);
  impl->signer->setAlgorithms({Poco::JWT::Signer::ALGO_HS256});
  return std::unique_ptr<TokenAuthority>(new TokenAuthority(std::move(impl)));
}

std::unique_ptr<TokenAuthority> TokenAuthority::rs256(const std::filesystem::path& public_key_pem,
                                                      const HostConfig& config) {
  Poco::SharedPtr<Poco::Crypto::RSAKey> key;
  try {
    key = new Poco::Crypto::RSAKey(public_key_pem.string(), "", "");
  } catch (const Poco::Exception& e) {
    throw ConfigError("Kan ikke lese den offentlige RSA-nøkkelen " + public_key_pem.string() +
                      " (auth.rs256_public_key_file): " + e.displayText());
  }
  auto impl = std::make_unique<Impl>();
  impl->mode = Mode::kRs256;
  impl->algorithm = Poco::JWT::Signer::ALGO_RS256;
  impl->auth = config.auth;
  impl->users = config.users;
  impl->signer = std::make_unique<Poco::JWT::Signer>(key);
  impl->signer->setAlgorithms({Poco::JWT::Signer::ALGO_RS256});
  return std::unique_ptr<TokenAuthority>(new TokenAuthority(std::move(impl)));
}

std::unique_ptr<TokenAuthority> TokenAuthority::oidc(const HostConfig& config) {
  if (!config.auth.oidc) throw std::logic_error("auth.oidc is not configured");
  auto impl = std::make_unique<Impl>();
  impl->mode = Mode::kOidc;
  impl->auth = config.auth;
  impl->users = config.users;
  impl->oidc = std::make_unique<OidcVerifier>(*config.auth.oidc, config.auth.clock_skew);
  return std::unique_ptr<TokenAuthority>(new TokenAuthority(std::move(impl)));
}

const OidcVerifier* TokenAuthority::oidc_verifier() const { return impl_->oidc.get(); }

std::unique_ptr<TokenAuthority> TokenAuthority::from_config(const HostConfig& config,
                                                            const std::filesystem::path& data_dir) {
  if (config.auth.oidc) return oidc(config);
  if (config.auth.rs256_public_key_file) return rs256(*config.auth.rs256_public_key_file, config);
  SecretKey secret = load_or_create_hs256_secret(data_dir);
  return hs256(std::move(secret.bytes), config);
}

TokenAuthority::Mode TokenAuthority::mode() const { return impl_->mode; }

std::string TokenAuthority::issue(const User& user,
                                  std::chrono::system_clock::time_point expires_at) const {
  if (!can_issue()) {
    throw std::logic_error("development tokens exist only in HS256 mode");
  }
  const auto now = std::chrono::system_clock::now();
  Poco::JWT::Token token;
  token.setType("JWT");
  token.setIssuer(impl_->auth.issuer);
  token.setSubject(user.id);
  token.setAudience(impl_->auth.audience);
  // Integer NumericDates, as other JWT libraries (and the RS256 issuers we verify) write them.
  token.payload().set("iat", static_cast<Poco::Int64>(unix_seconds(now)));
  token.payload().set("exp", static_cast<Poco::Int64>(unix_seconds(expires_at)));
  token.payload().set("name", user.display_name);
  return impl_->signer->sign(token, impl_->algorithm);
}

std::string TokenAuthority::issue(const User& user) const {
  return issue(user, std::chrono::system_clock::now() + impl_->auth.dev_token_lifetime);
}

TokenCheck TokenAuthority::verify(std::string_view token) const {
  try {
    return impl_->check(token);
  } catch (const Poco::JWT::UnallowedAlgorithmException&) {
    return {std::nullopt, "algorithm not allowed"};
  } catch (const Poco::Exception& e) {
    return {std::nullopt, std::string("malformed token (") + e.name() + ")"};
  } catch (const std::exception&) {
    return {std::nullopt, "malformed token"};
  }
}

}  // namespace boligflyt::host
