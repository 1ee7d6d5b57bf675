// OpenID Connect against a real provider (Debian's glewlwyd on loopback): tokens the provider
// issues get in with the units and roles their groups map to; tokens crafted here with openssl
// from the provider's real claims and key, but expired, early, for another audience or
// issuer, signed with another key, unsigned or HS256, are refused; a key rotation at the
// provider is picked up without restarting the host.

#include <gtest/gtest.h>

#include "support/glewlwyd_provider.h"
#include "support/host_test.h"

namespace boligflyt::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const ProviderUser kKari = {
    "kari", "Kari-passord-1", "Kari Nordmann", {"boligflyt-boligkontor", "boligflyt-ledere"}};
const ProviderUser kOla = {"ola", "Ola-passord-1", "Ola Nordmann", {"boligflyt-nav", "ansatte"}};

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string oidc_config(const std::string& issuer) {
  return R"({"issuer":")" + issuer + R"(","audience":")" + GlewlwydProvider::kAudience +
         R"(","client_id":")" + GlewlwydProvider::kClientId +
         R"(","user_claim":"preferred_username","jwks_min_refresh_seconds":1,)"
         R"("scopes":["openid","boligflyt"],"groups":{)"
         R"("boligflyt-boligkontor":{"units":["boligkontor"]},)"
         R"("boligflyt-ledere":{"roles":["unit_leader"]},)"
         R"("boligflyt-nav":{"units":["nav"],"roles":["employee"]}}})";
}

class HostOidcTest : public HostTest {
 protected:
  void SetUp() override {
    if (const std::string missing = glewlwyd_missing(); !missing.empty()) GTEST_SKIP() << missing;
    std::string failure;
    provider_ = GlewlwydProvider::start(temp_.path() / "glewlwyd",
                                        "http://127.0.0.1/auth/oidc/callback", failure);
    ASSERT_NE(provider_, nullptr) << failure;
    ASSERT_NO_THROW(provider_->add_user(kKari));
    ASSERT_NO_THROW(provider_->add_user(kOla));
    const std::string config =
        json_set(default_config_json(), {"auth", "oidc"}, oidc_config(provider_->issuer()));
    ASSERT_NO_FATAL_FAILURE(start_host(write_config(config)));
  }

  void TearDown() override {
    HostTest::TearDown();
    provider_.reset();
  }

  unsigned status_with(const std::string& token) { return get("/api/v1/me", bearer(token)).status; }

  fs::path scratch(const std::string& name, const std::string& content) {
    const fs::path path = temp_.path() / name;
    write_file(path, content);
    return path;
  }

  // header.payload signed RS256 with `key` by the openssl command line.
  std::string sign_rs256(const std::string& header, const std::string& payload,
                         const fs::path& key) {
    const std::string input = base64url(header) + "." + base64url(payload);
    const fs::path in = scratch("signing-input", input);
    const fs::path sig = temp_.path() / "signature";
    const CommandResult signed_ = run_command({"/usr/bin/openssl", "dgst", "-sha256", "-sign",
                                               key.string(), "-out", sig.string(), in.string()},
                                              temp_.path());
    EXPECT_EQ(signed_.exit_code, 0) << signed_.err;
    return input + "." + base64url(read_file(sig));
  }

  std::string rs256_header() const {
    return R"({"typ":"at+jwt","alg":"RS256","kid":")" + provider_->current_kid() + R"("})";
  }

  std::unique_ptr<GlewlwydProvider> provider_;
};

TEST_F(HostOidcTest, ATokenFromTheProviderGetsInWithTheUnitsAndRolesOfItsGroups) {
  const HttpResult kari = get("/api/v1/me", bearer(provider_->access_token(kKari)));
  ASSERT_EQ(kari.status, 200u) << kari.body << host_->stderr_text();
  EXPECT_EQ(json_at(kari.body, "/user_id"), "kari");
  EXPECT_EQ(json_at(kari.body, "/display_name"), "Kari Nordmann");
  EXPECT_EQ(json_array_size(kari.body, "/units"), 1u);
  EXPECT_EQ(json_at(kari.body, "/units/0/id"), "boligkontor");
  EXPECT_EQ(json_array_size(kari.body, "/roles"), 1u);
  EXPECT_EQ(json_at(kari.body, "/roles/0"), "unit_leader");

  // Another group, another unit and role: "ansatte" maps to nothing and adds nothing.
  const HttpResult ola = get("/api/v1/me", bearer(provider_->access_token(kOla)));
  ASSERT_EQ(ola.status, 200u) << ola.body;
  EXPECT_EQ(json_at(ola.body, "/user_id"), "ola");
  EXPECT_EQ(json_at(ola.body, "/units/0/id"), "nav");
  EXPECT_EQ(json_array_size(ola.body, "/roles"), 1u);
  EXPECT_EQ(json_at(ola.body, "/roles/0"), "employee");
}

TEST_F(HostOidcTest, TokensThatAreNotExactlyTheProvidersAreRefused) {
  const std::string real = provider_->access_token(kKari);
  const std::string payload =
      base64url_decode_text(real.substr(real.find('.') + 1, real.rfind('.') - real.find('.') - 1));
  ASSERT_EQ(json_at(payload, "/iss"), provider_->issuer()) << payload;
  const fs::path key = provider_->signing_key();
  const std::string header = rs256_header();
  const int64_t now = now_seconds();

  // The control: re-signed here, unchanged, it gets in; so each refusal below is the change's.
  ASSERT_EQ(status_with(sign_rs256(header, payload, key)), 200u) << host_->stderr_text();
  // Expired 30 s ago is inside the 60 s clock skew.
  EXPECT_EQ(
      status_with(sign_rs256(header, json_set(payload, {"exp"}, std::to_string(now - 30)), key)),
      200u);

  const std::string expired = json_set(payload, {"exp"}, std::to_string(now - 600));
  EXPECT_EQ(status_with(sign_rs256(header, expired, key)), 401u) << "expired";

  const std::string early = json_set(json_set(payload, {"nbf"}, std::to_string(now + 600)), {"exp"},
                                     std::to_string(now + 1200));
  EXPECT_EQ(status_with(sign_rs256(header, early, key)), 401u) << "not yet valid";

  const std::string other_audience =
      json_set(payload, {"aud"}, json_quote("https://annen-tjeneste.localhost/api"));
  EXPECT_EQ(status_with(sign_rs256(header, other_audience, key)), 401u) << "wrong audience";

  const std::string other_issuer =
      json_set(payload, {"iss"}, json_quote("http://127.0.0.1:1/api/oidc"));
  EXPECT_EQ(status_with(sign_rs256(header, other_issuer, key)), 401u) << "wrong issuer";

  const fs::path other_key = temp_.path() / "other-key.pem";
  ASSERT_EQ(run_command({"/usr/bin/openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                         "rsa_keygen_bits:2048", "-out", other_key.string()},
                        temp_.path())
                .exit_code,
            0);
  EXPECT_EQ(status_with(sign_rs256(header, payload, other_key)), 401u) << "wrong key, same kid";

  const std::string none_header = R"({"typ":"at+jwt","alg":"none"})";
  EXPECT_EQ(status_with(base64url(none_header) + "." + base64url(payload) + "."), 401u)
      << "alg none";

  // Key confusion: HS256 with the provider's public key (as the JWKS publishes it) as the
  // HMAC secret.
  const fs::path public_pem = temp_.path() / "provider-public.pem";
  ASSERT_EQ(run_command({"/usr/bin/openssl", "pkey", "-in", key.string(), "-pubout", "-out",
                         public_pem.string()},
                        temp_.path())
                .exit_code,
            0);
  std::string hex;
  for (unsigned char c : read_file(public_pem)) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex.push_back(kHex[c >> 4U]);
    hex.push_back(kHex[c & 15U]);
  }
  const std::string hs_input =
      base64url(R"({"typ":"at+jwt","alg":"HS256","kid":")" + provider_->current_kid() + R"("})") +
      "." + base64url(payload);
  const fs::path in = scratch("hs-input", hs_input);
  const fs::path mac = temp_.path() / "mac";
  ASSERT_EQ(run_command({"/usr/bin/openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt",
                         "hexkey:" + hex, "-binary", "-out", mac.string(), in.string()},
                        temp_.path())
                .exit_code,
            0);
  EXPECT_EQ(status_with(hs_input + "." + base64url(read_file(mac))), 401u) << "HS256";

  // Refusals are logged with their reason and never with the token.
  const std::string log = host_->stderr_text();
  EXPECT_NE(log.find("algorithm not allowed"), std::string::npos) << log;
  EXPECT_NE(log.find("wrong audience"), std::string::npos);
  EXPECT_EQ(log.find(real.substr(real.rfind('.') + 1)), std::string::npos);
}

TEST_F(HostOidcTest, AKeyRotationAtTheProviderIsPickedUpWithoutARestart) {
  ASSERT_EQ(status_with(provider_->access_token(kKari)), 200u);
  const std::string old_kid = provider_->current_kid();
  ASSERT_NO_THROW(provider_->rotate_to_new_es256_key());
  ASSERT_NE(provider_->current_kid(), old_kid);
  const std::string rotated = provider_->access_token(kKari);
  ASSERT_NE(base64url_decode_text(rotated.substr(0, rotated.find('.'))).find("ES256"),
            std::string::npos);
  // The host refetches the JWKS on the unknown kid, at most once a second (configured):
  // a first try inside that second may be refused, a later one must get in.
  const Deadline deadline = deadline_in(15s);
  unsigned status = 0;
  while ((status = status_with(rotated)) != 200 && Clock::now() < deadline) {
    ChildProcess::start({"/usr/bin/sleep", "0.3"}, temp_.path() / "sleep.err")->wait(deadline);
  }
  EXPECT_EQ(status, 200u) << host_->stderr_text();
  EXPECT_EQ(host_->process().running(), true) << "the same host process, never restarted";
}

TEST_F(HostOidcTest, AHostWhoseIssuerDoesNotMatchTheProviderDoesNotStart) {
  // The provider's own discovery document, which names another issuer than configured.
  std::string config = json_set(default_config_json(), {"auth", "oidc"},
                                oidc_config(provider_->issuer() + "-annen"));
  config = json_set(config, {"auth", "oidc", "discovery_url"},
                    json_quote(provider_->issuer() + "/.well-known/openid-configuration"));
  HostOptions options;
  options.data_dir = temp_.path() / "data2";
  options.config_file = write_config(config, "wrong-issuer.json");
  std::string failure;
  auto host = HostProcess::start(options, temp_.path(), failure, 20s);
  EXPECT_EQ(host, nullptr);
  EXPECT_NE(failure.find("auth.oidc.issuer"), std::string::npos) << failure;
}

TEST_F(HostOidcTest, ABrowserSignsInAtTheProviderAndComesBackAsTheRightUser) {
  // The redirect URI the host derives from the Host header this test's client sends
  // ("127.0.0.1", no port); the test carries the browser's part back to the host's port.
  const std::string callback_base = "http://127.0.0.1/auth/oidc/callback";
  ASSERT_NO_THROW(provider_->set_redirect_uri(callback_base));

  // A page without a session goes to sign-in, and sign-in goes to the provider.
  const HttpResult page = get("/");
  ASSERT_EQ(page.status, 303u);
  const HttpResult start = get(page.header("Location"));
  ASSERT_EQ(start.status, 303u) << start.body;
  const std::string authorization = start.header("Location");
  ASSERT_TRUE(authorization.starts_with(provider_->issuer() + "/auth?")) << authorization;
  EXPECT_NE(authorization.find("code_challenge_method=S256"), std::string::npos);

  const std::string back = provider_->authorize_as(kOla, authorization);
  ASSERT_TRUE(back.starts_with(callback_base + "?")) << back;
  const std::string callback = back.substr(std::string("http://127.0.0.1").size());
  const HttpResult landed = get(callback);
  ASSERT_EQ(landed.status, 200u) << landed.body << host_->stderr_text();
  const std::string set_cookie = landed.header("Set-Cookie");
  ASSERT_TRUE(set_cookie.starts_with("boligflyt_okt=")) << set_cookie;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(landed.body.find("url=/"), std::string::npos) << "moves on to the start page";

  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const HttpResult me = get("/api/v1/me", {{"Cookie", cookie}});
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(json_at(me.body, "/user_id"), "ola");
  EXPECT_EQ(json_at(me.body, "/units/0/id"), "nav");
  EXPECT_EQ(json_at(me.body, "/roles/0"), "employee");
  EXPECT_EQ(get("/", {{"Cookie", cookie}}).status, 200u) << "the start page, signed in";

  // A code and its state are good once, and the refusal is logged without the code.
  EXPECT_EQ(get(callback).status, 400u);
  const std::string log = host_->stderr_text();
  EXPECT_NE(log.find("sign_in_failed"), std::string::npos) << log;
  const std::string code = callback.substr(callback.find("code=") + 5, 16);
  EXPECT_EQ(log.find(code), std::string::npos);
}

class HostDevelopmentTokensTest : public HostTest {};

TEST_F(HostDevelopmentTokensTest, DevelopmentTokensAreRefusedOffLoopback) {
  HostOptions options;
  options.data_dir = data_dir();
  options.extra_args = {"--listen", "0.0.0.0:0"};
  std::string failure;
  host_ = HostProcess::start(options, temp_.path(), failure, 20s);
  EXPECT_EQ(host_, nullptr) << "HS256 development tokens on every interface";
  EXPECT_NE(failure.find("jwt-hs256.key"), std::string::npos) << failure;
  EXPECT_NE(failure.find("auth.oidc"), std::string::npos) << failure;
}

}  // namespace
}  // namespace boligflyt::e2e
