// The document library over WebDAV, against a real server: Debian's Apache (package apache2)
// with mod_dav and mod_dav_fs on a loopback port, basic auth from an htpasswd file the test
// writes, started in the foreground with the test's own configuration. Apache starts as root
// (the suite runs as root) and serves as www-data, which owns the DAV folder.
//
// Checked: the versions in force and to come arrive as HTML, PDF/A and XML with the right
// bytes, and a publication adds its own; a second node publishing the same versions again
// alters nothing and adds nothing; a library that is down delays a publication, which then
// arrives exactly once; a wrong password keeps the documents in the outbox, with a log line
// that says why and never the password.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <map>
#include <thread>

#include "support/host_test.h"
#include "support/loopback_port.h"
#include "support/procedure_drafts.h"

namespace boligflyt::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kApache = "/usr/sbin/apache2";
constexpr const char* kModules = "/usr/lib/apache2/modules";
constexpr const char* kHtpasswd = "/usr/bin/htpasswd";
constexpr const char* kUser = "boligflyt";
constexpr const char* kPassword = "riktig-passord-7Q";
constexpr const char* kProcedure = "boligflytprosedyre";

/// Log lines of `log` that hold every one of `needles`.
std::vector<std::string> lines_with(const std::string& log,
                                    const std::vector<std::string>& needles) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < log.size()) {
    auto end = log.find('\n', at);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(at, end - at);
    bool all = true;
    for (const auto& n : needles) all = all && line.find(n) != std::string::npos;
    if (all) out.push_back(line);
    at = end + 1;
  }
  return out;
}

struct FileState {
  std::string bytes;
  ino_t inode = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

class DocumentLibraryTest : public HostTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "Apache starts as root and serves as www-data; run the suite "
                                  "as root (./packaging/bootstrap.sh test does)";
    ASSERT_TRUE(fs::exists(kApache)) << "install Debian's apache2 (packaging/bootstrap.sh)";
    ASSERT_TRUE(fs::exists(fs::path(kModules) / "mod_dav_fs.so"));
    const passwd* www = ::getpwnam("www-data");
    ASSERT_NE(www, nullptr);
    // www-data must get through the test folder to the DAV folder it owns.
    fs::permissions(temp_.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    dav_root_ = temp_.path() / "dav";
    library_ = dav_root_ / "kvalitet";  // the municipality's library folder exists already
    for (const auto& dir : {dav_root_, library_, temp_.path() / "davlock"}) {
      fs::create_directories(dir);
      ASSERT_EQ(::chown(dir.c_str(), www->pw_uid, www->pw_gid), 0);
    }
    fs::create_directories(temp_.path() / "apache-run");
    const auto htpasswd = run_command(
        {kHtpasswd, "-bc", (temp_.path() / "htpasswd").string(), kUser, kPassword}, temp_.path());
    ASSERT_EQ(htpasswd.exit_code, 0) << htpasswd.err;
    ASSERT_EQ(::chmod((temp_.path() / "htpasswd").c_str(), 0644), 0);
    port_ = free_loopback_port();
    ASSERT_NE(port_, 0);
    const std::string t = temp_.path().string();
    const std::string m = kModules;
    std::string conf = "ServerRoot " + t +
                       "\nServerName 127.0.0.1\nListen 127.0.0.1:" + std::to_string(port_) +
                       "\nPidFile " + t +
                       "/apache-run/httpd.pid\n"
                       "DefaultRuntimeDir " +
                       t + "/apache-run\nErrorLog " + t +
                       "/apache-error.log\nLogLevel warn\nUser www-data\nGroup www-data\n";
    for (const char* module : {"mpm_event", "authn_core", "authn_file", "authz_core", "authz_user",
                               "auth_basic", "dav", "dav_fs"}) {
      conf += std::string("LoadModule ") + module + "_module " + m + "/mod_" + module + ".so\n";
    }
    conf += "DAVLockDB " + t + "/davlock/lockdb\nDocumentRoot " + dav_root_.string() +
            "\n<Directory " + dav_root_.string() +
            ">\n  Dav On\n  AuthType Basic\n  AuthName \"Dokumentbibliotek\"\n"
            "  AuthUserFile " +
            t + "/htpasswd\n  Require valid-user\n</Directory>\n";
    apache_conf_ = temp_.path() / "httpd.conf";
    write_file(apache_conf_, conf);
  }

  void TearDown() override {
    HostTest::TearDown();
    stop_apache();
  }

  void start_apache() {
    apache_ = ChildProcess::start({kApache, "-f", apache_conf_.string(), "-DFOREGROUND"},
                                  temp_.path() / "apache.stderr");
    const auto deadline = deadline_in(15s);
    while (!accepts_connections(port_) && Clock::now() < deadline && apache_->running()) {
      std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(accepts_connections(port_))
        << apache_->stderr_text() << read_file(temp_.path() / "apache-error.log");
  }

  // SIGTERM: Apache stops its www-data children before it exits, so nothing keeps the port.
  void stop_apache() {
    if (!apache_) return;
    apache_->send_signal(SIGTERM);
    apache_->wait(deadline_in(15s));
    apache_.reset();
    const auto deadline = deadline_in(10s);
    while (accepts_connections(port_) && Clock::now() < deadline) std::this_thread::sleep_for(50ms);
  }

  /// Serves the library over https only, with a certificate for "localhost" from a CA of the
  /// test's own making; returns that CA's file (what a municipality gives as ca_file).
  fs::path serve_over_tls() {
    const fs::path dir = temp_.path() / "tls";
    fs::create_directories(dir);
    const auto made =
        run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                     "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                     "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()},
                    dir);
    EXPECT_EQ(made.exit_code, 0) << made.err;
    std::string conf = read_file(apache_conf_);
    conf += std::string("LoadModule ssl_module ") + kModules +
            "/mod_ssl.so\nSSLEngine on\nSSLCertificateFile " + (dir / "cert.pem").string() +
            "\nSSLCertificateKeyFile " + (dir / "key.pem").string() + "\n";
    write_file(apache_conf_, conf);
    return dir / "cert.pem";
  }

  std::string plugin_config(const std::string& password, const std::string& base_url = {},
                            const std::string& extra = {}) {
    const fs::path secret = temp_.path() / ("webdav-passord-" + std::to_string(++secrets_));
    write_file(secret, password + "\n");
    fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    return R"({"notifications":{"first_retry_seconds":1,"max_retry_seconds":2,"max_attempts":200},)"
           R"("document_library":{"url":")" +
           (base_url.empty() ? "http://127.0.0.1:" + std::to_string(port_) : base_url) +
           R"(/kvalitet/","user":")" + kUser + R"(","password_file":")" + secret.string() +
           R"(","timeout_seconds":5)" + extra + "}}";
  }

  void start_host_with_library(const std::string& password = kPassword,
                               const std::string& base_url = {}, const std::string& extra = {}) {
    ASSERT_NO_FATAL_FAILURE(start_host(write_config(
        json_set(default_config_json(), {"plugin"}, plugin_config(password, base_url, extra)))));
  }

  fs::path version_dir(const std::string& version) const { return library_ / kProcedure / version; }

  /// The files of a version's folder by name (empty when there is no folder).
  std::map<std::string, FileState> files_of(const std::string& version) const {
    std::map<std::string, FileState> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(version_dir(version), ec)) {
      struct stat st {};
      ::stat(entry.path().c_str(), &st);
      out[entry.path().filename().string()] = {
          read_file(entry.path()), st.st_ino,
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
    }
    return out;
  }

  /// Waits until the version's three documents are there.
  std::map<std::string, FileState> wait_for_documents(const std::string& version,
                                                      std::chrono::seconds timeout = 90s) {
    const auto deadline = deadline_in(timeout);
    auto files = files_of(version);
    while (files.size() < 3 && Clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      files = files_of(version);
    }
    return files;
  }

  /// Waits until `log()` has a line with every needle; returns those lines.
  template <class Log>
  std::vector<std::string> wait_for_log(Log log, const std::vector<std::string>& needles,
                                        std::chrono::seconds timeout = 90s) {
    const auto deadline = deadline_in(timeout);
    auto found = lines_with(log(), needles);
    while (found.empty() && Clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      found = lines_with(log(), needles);
    }
    return found;
  }

  HttpResult call(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = {}, const std::string& type = "application/json") {
    Headers h = bearer(token(user));
    h.emplace_back("Content-Type", type);
    return http_request(host_->port(), method, target, h, body);
  }

  /// The shared draft revision 4.1, through høring and approval to publication.
  void publish_revision() {
    const std::string v = std::string("/api/v1/procedures/boligflytprosedyre/versions/") +
                          boligflyt::testing::kDraftVersion;
    const auto upload =
        call("prosedyreeier", "POST", "/api/v1/procedures/boligflytprosedyre/versions",
             boligflyt::testing::draft_revision(), "application/xml");
    ASSERT_EQ(upload.status, 201u) << upload.body;
    ASSERT_EQ(
        call("prosedyreeier", "POST", v + "/consultation", R"({"deadline":"2099-12-31"})").status,
        200u);
    for (const char* unit : {"nav", "boligkontor"}) {
      ASSERT_EQ(call(std::string("leder-") + unit, "PUT", v + "/consultation/answers/" + unit,
                     R"({"answer":"agree"})")
                    .status,
                200u);
    }
    ASSERT_EQ(call("godkjenner", "POST", v + "/approval").status, 200u);
    const auto published = call(
        "godkjenner", "POST", v + "/publication",
        std::string(R"({"effective_from":")") + boligflyt::testing::kDraftEffectiveFrom + "\"}");
    ASSERT_EQ(published.status, 200u) << published.body;
  }

  /// What the plugin serves for a version: its XML and its HTML document.
  std::pair<std::string, std::string> served(const std::string& version) {
    const std::string v = std::string("/api/v1/procedures/boligflytprosedyre/versions/") + version;
    Headers xml = bearer(token("ansatt-nav"));
    xml.emplace_back("Accept", "application/xml");
    const auto x = http_request(host_->port(), "GET", v, xml);
    const auto html =
        http_request(host_->port(), "GET", v + "/document", bearer(token("ansatt-nav")));
    EXPECT_EQ(x.status, 200u);
    EXPECT_EQ(html.status, 200u);
    return {x.body, html.body};
  }

  void expect_documents_of(const std::string& version,
                           const std::map<std::string, FileState>& files) {
    const std::string base = std::string(kProcedure) + "-" + version;
    ASSERT_EQ(files.size(), 3u) << version;
    ASSERT_TRUE(files.contains(base + ".html") && files.contains(base + ".pdf") &&
                files.contains(base + ".xml"))
        << version;
    const auto [xml, html] = served(version);
    EXPECT_EQ(files.at(base + ".xml").bytes, xml) << version;
    EXPECT_EQ(files.at(base + ".html").bytes, html) << version;
    const std::string& pdf = files.at(base + ".pdf").bytes;
    EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u) << version;
    EXPECT_NE(pdf.find("pdfaid:part"), std::string::npos) << version;  // PDF/A's XMP
    EXPECT_NE(pdf.find("/OutputIntents"), std::string::npos) << version;
  }

  fs::path dav_root_;
  fs::path library_;
  fs::path apache_conf_;
  int port_ = 0;
  int secrets_ = 0;
  std::unique_ptr<ChildProcess> apache_;
};

TEST_F(DocumentLibraryTest, VersionsArriveWithTheirBytesAndPublishingAgainChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(start_apache());
  ASSERT_NO_FATAL_FAILURE(start_host_with_library());
  // In force today (3.1) and to come (4.0): a library configured after they were published.
  const auto v31 = wait_for_documents("3.1");
  const auto v40 = wait_for_documents("4.0");
  ASSERT_NO_FATAL_FAILURE(expect_documents_of("3.1", v31)) << host_->stderr_text();
  ASSERT_NO_FATAL_FAILURE(expect_documents_of("4.0", v40));
  EXPECT_FALSE(fs::exists(version_dir("3.0")));  // superseded before the library came

  ASSERT_NO_FATAL_FAILURE(publish_revision());
  const auto v41 = wait_for_documents(boligflyt::testing::kDraftVersion);
  ASSERT_NO_FATAL_FAILURE(expect_documents_of(boligflyt::testing::kDraftVersion, v41))
      << host_->stderr_text();
  EXPECT_NE(v41.at("boligflytprosedyre-4.1.xml").bytes.find(R"(version="4.1" status="published")"),
            std::string::npos);

  // A second node (a fresh data folder, the same library) publishes 3.1 and 4.0 again: the
  // library already has them, with the same bytes, and nothing is written.
  HostTest::TearDown();
  HostOptions options;
  options.data_dir = temp_.path() / "data-second-node";
  options.config_file = write_config(
      json_set(default_config_json(), {"plugin"}, plugin_config(kPassword)), "second-node.json");
  std::string failure;
  host_ = HostProcess::start(options, temp_.path(), failure);
  ASSERT_NE(host_, nullptr) << failure;
  for (const char* version : {"3.1", "4.0"}) {
    const auto lines = wait_for_log(
        [&] { return host_->stderr_text(); },
        {"document_library_published", "\"version\":\"" + std::string(version) + "\""});
    ASSERT_EQ(lines.size(), 1u) << host_->stderr_text();
    const std::string base = std::string(kProcedure) + "-" + version;
    for (const char* ext : {".html", ".pdf", ".xml"}) {
      EXPECT_NE(lines[0].find(base + ext + "=unchanged"), std::string::npos) << lines[0];
    }
  }
  EXPECT_EQ(files_of("3.1"), v31);
  EXPECT_EQ(files_of("4.0"), v40);
  EXPECT_EQ(files_of(boligflyt::testing::kDraftVersion), v41);
  // Nothing else appeared anywhere in the library.
  std::size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(library_)) {
    if (entry.is_regular_file()) ++count;
  }
  EXPECT_EQ(count, 9u);
}

TEST_F(DocumentLibraryTest, LibraryDownDelaysAPublicationWhichThenArrivesExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(start_apache());
  ASSERT_NO_FATAL_FAILURE(start_host_with_library());
  ASSERT_EQ(wait_for_documents("4.0").size(), 3u) << host_->stderr_text();
  stop_apache();
  ASSERT_FALSE(accepts_connections(port_));

  ASSERT_NO_FATAL_FAILURE(publish_revision());
  const auto refused = wait_for_log(
      [&] { return host_->stderr_text(); },
      {"outbox_retry_later", "\"document_library\"", "library:boligflytprosedyre:4.1"});
  ASSERT_FALSE(refused.empty()) << host_->stderr_text();
  EXPECT_FALSE(fs::exists(version_dir(boligflyt::testing::kDraftVersion)));

  ASSERT_NO_FATAL_FAILURE(start_apache());
  const auto v41 = wait_for_documents(boligflyt::testing::kDraftVersion);
  ASSERT_NO_FATAL_FAILURE(expect_documents_of(boligflyt::testing::kDraftVersion, v41))
      << host_->stderr_text();
  const auto published = wait_for_log([&] { return host_->stderr_text(); },
                                      {"document_library_published", "\"version\":\"4.1\""});
  ASSERT_EQ(published.size(), 1u);
  EXPECT_NE(published[0].find("boligflytprosedyre-4.1.pdf=created"), std::string::npos);
  // Exactly once: the message is delivered, and nothing more comes of it.
  const auto metrics = get("/metrics", bearer(token("kvalitetsleder"))).body;
  EXPECT_NE(
      metrics.find(R"(boligflyt_outbox_messages{topic="document_library",status="pending"} 0)"),
      std::string::npos)
      << metrics;
  std::this_thread::sleep_for(3s);  // two more relay passes (first retry after 1 s)
  EXPECT_EQ(lines_with(host_->stderr_text(), {"document_library_published", "\"version\":\"4.1\""})
                .size(),
            1u);
  EXPECT_EQ(files_of(boligflyt::testing::kDraftVersion), v41);
}

TEST_F(DocumentLibraryTest, WrongPasswordKeepsTheDocumentsInTheOutboxAndIsNeverLogged) {
  const std::string wrong = "feil-passord-Zx9";
  ASSERT_NO_FATAL_FAILURE(start_apache());
  ASSERT_NO_FATAL_FAILURE(start_host_with_library(wrong));
  const auto refused = wait_for_log([&] { return host_->stderr_text(); },
                                    {"outbox_retry_later", "\"document_library\"", "401"});
  ASSERT_FALSE(refused.empty()) << host_->stderr_text();
  // The line says what to check, by configuration key.
  EXPECT_NE(refused[0].find("document_library.user"), std::string::npos) << refused[0];
  EXPECT_FALSE(fs::exists(version_dir("4.0")));
  const auto metrics = get("/metrics", bearer(token("kvalitetsleder"))).body;
  EXPECT_NE(
      metrics.find(R"(boligflyt_outbox_messages{topic="document_library",status="pending"} 2)"),
      std::string::npos)
      << metrics;
  const std::string log = host_->stderr_text();
  EXPECT_EQ(log.find(wrong), std::string::npos);
  // Nor the Authorization header's value: base64 of "boligflyt:feil-passord-Zx9".
  EXPECT_EQ(log.find("Ym9saWdmbHl0OmZlaWwtcGFzc29yZC1aeDk="), std::string::npos);
  EXPECT_EQ(log.find("Authorization"), std::string::npos);
}

// Over https the server's certificate is checked against the host name and the configured CA:
// a library whose certificate the plugin cannot trust gets nothing, one it can gets the
// documents.
TEST_F(DocumentLibraryTest, HttpsChecksTheCertificateAgainstTheConfiguredCa) {
  const fs::path ca = serve_over_tls();
  ASSERT_NO_FATAL_FAILURE(start_apache());
  const std::string https = "https://localhost:" + std::to_string(port_);
  // Without ca_file only the system's CAs count, and they do not know the test's.
  ASSERT_NO_FATAL_FAILURE(start_host_with_library(kPassword, https));
  const auto untrusted =
      wait_for_log([&] { return host_->stderr_text(); },
                   {"outbox_retry_later", "\"document_library\"", "certificate"});
  ASSERT_FALSE(untrusted.empty()) << host_->stderr_text();
  EXPECT_FALSE(fs::exists(version_dir("4.0")));
  HostTest::TearDown();

  // A fresh data folder: the stopped host's lease on the message it was trying would hold
  // it for two minutes.
  HostOptions options;
  options.data_dir = temp_.path() / "data-trusting";
  options.config_file = write_config(
      json_set(default_config_json(), {"plugin"},
               plugin_config(kPassword, https, R"(,"ca_file":")" + ca.string() + "\"")),
      "trusting.json");
  std::string failure;
  host_ = HostProcess::start(options, temp_.path(), failure);
  ASSERT_NE(host_, nullptr) << failure;
  const auto v40 = wait_for_documents("4.0");
  ASSERT_NO_FATAL_FAILURE(expect_documents_of("4.0", v40)) << host_->stderr_text();
}

}  // namespace
}  // namespace boligflyt::e2e
