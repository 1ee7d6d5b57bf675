#include "boligflyt/host/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>
#include <boost/json.hpp>

namespace boligflyt::host {
namespace {

namespace json = boost::json;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSignature = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

// P-256 coordinates are 32 bytes; an ES256 signature is r || s, 32 bytes each (RFC 7518 §3.4).
constexpr std::size_t kP256Bytes = 32;

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Bignum bignum(const std::string& bytes) {
  return Bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr));
}

std::string member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* builder) {
  Params params(OSSL_PARAM_BLD_to_param(builder));
  PkeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return key;
}

EVP_PKEY* rsa_key(const json::object& jwk) {
  const auto n = base64url_decode(member(jwk, "n"));
  const auto e = base64url_decode(member(jwk, "e"));
  // Below 2048 bits RSA is not a signature a municipality should trust (NIST SP 800-131A).
  if (!n || !e || n->size() < 256 || e->empty()) return nullptr;
  const Bignum modulus = bignum(*n);
  const Bignum exponent = bignum(*e);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return nullptr;
  }
  return from_params("RSA", builder.get());
}

EVP_PKEY* p256_key(const json::object& jwk) {
  if (member(jwk, "crv") != "P-256") return nullptr;
  const auto x = base64url_decode(member(jwk, "x"));
  const auto y = base64url_decode(member(jwk, "y"));
  if (!x || !y || x->size() != kP256Bytes || y->size() != kP256Bytes) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed point (SEC 1 §2.3.3)
  char group[] = "prime256v1";
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return from_params("EC", builder.get());
}

// JWS carries r || s; OpenSSL verifies the DER SEQUENCE of RFC 3279.
std::optional<std::string> es256_der(std::string_view raw) {
  if (raw.size() != 2 * kP256Bytes) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, kP256Bytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kP256Bytes, kP256Bytes, nullptr);
  EcdsaSignature signature(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || !signature || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(signature.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

struct Jwk::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

Jwk::~Jwk() = default;
Jwk::Jwk(Jwk&&) noexcept = default;
Jwk& Jwk::operator=(Jwk&&) noexcept = default;

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6U) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  // A lone trailing character (6 bits) cannot end a base64 text.
  if (bits >= 6) return std::nullopt;
  return out;
}

bool Jwk::verifies(std::string_view signing_input, std::string_view signature) const {
  std::string der;
  if (algorithm_ == "ES256") {
    auto converted = es256_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  DigestContext context(EVP_MD_CTX_new());
  return context &&
         EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
         EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

std::vector<Jwk> parse_jwks(std::string_view json_text, std::string& error) {
  std::vector<Jwk> keys;
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec);
  const json::value* list =
      !ec && root.is_object() ? root.get_object().if_contains("keys") : nullptr;
  if (list == nullptr || !list->is_array()) {
    error = "JWKS is not an object with a keys array";
    return keys;
  }
  for (const json::value& item : list->get_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.get_object();
    const std::string use = member(o, "use");
    if (!use.empty() && use != "sig") continue;
    const std::string kty = member(o, "kty");
    const std::string alg = member(o, "alg");
    Jwk jwk;
    jwk.kid_ = member(o, "kid");
    jwk.key_ = std::make_unique<Jwk::Key>();
    if (kty == "RSA" && (alg.empty() || alg == "RS256")) {
      jwk.algorithm_ = "RS256";
      jwk.key_->pkey = rsa_key(o);
    } else if (kty == "EC" && (alg.empty() || alg == "ES256")) {
      jwk.algorithm_ = "ES256";
      jwk.key_->pkey = p256_key(o);
    }
    if (jwk.key_->pkey != nullptr) keys.push_back(std::move(jwk));
  }
  if (keys.empty()) error = "JWKS has no usable RS256 or ES256 key";
  return keys;
}

}  // namespace boligflyt::host
