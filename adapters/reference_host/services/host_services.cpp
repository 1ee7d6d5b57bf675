#include "services/host_services.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>

#include "boligflyt/host/directory.h"
#include "boligflyt/host/secret_key_file.h"

namespace boligflyt::host {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxFileNameStem = 100;

void copy_error(const std::string& message, char* err, size_t err_size) {
  if (err == nullptr || err_size == 0) return;
  const std::size_t n = std::min(message.size(), err_size - 1);
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

std::string errno_text(int err) { return std::generic_category().message(err); }

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void fsync_directory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// Temp file + fsync + rename: a reader never sees half a document, and a crash leaves
// either the old or the new file.
bool write_file_atomically(const std::filesystem::path& path, std::string_view data,
                           std::string& error) {
  std::filesystem::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (fd.get() < 0) {
    error = "cannot create " + temp.string() + ": " + errno_text(errno);
    return false;
  }
  if (!write_all(fd.get(), data) || ::fsync(fd.get()) != 0) {
    error = "cannot write " + temp.string() + ": " + errno_text(errno);
    ::unlink(temp.c_str());
    return false;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    error = "cannot rename to " + path.string() + ": " + errno_text(errno);
    ::unlink(temp.c_str());
    return false;
  }
  fsync_directory(path.parent_path());
  return true;
}

std::string sha256_hex(std::span<const uint8_t> data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &digest_size, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < digest_size; ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0x0f];
  }
  return out;
}

std::string extension_for(std::string_view content_type) {
  const std::string_view base = content_type.substr(0, content_type.find(';'));
  if (base == "text/html") return ".html";
  if (base == "application/pdf") return ".pdf";
  if (base == "application/xml" || base == "text/xml") return ".xml";
  if (base == "application/json") return ".json";
  if (base == "text/plain") return ".txt";
  if (base == "text/markdown") return ".md";
  return ".bin";
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// C trampolines: no exception may cross into the plugin.
HostServices& self(void* ctx) { return *static_cast<HostServices*>(ctx); }

void log_trampoline(void* ctx, boligflyt_log_level level, const char* json_text, size_t size) {
  try {
    if (ctx == nullptr || (json_text == nullptr && size != 0)) return;
    self(ctx).log(level, std::string_view(json_text, size));
  } catch (...) {
  }
}

// Runs one host service for the plugin: 0 on success, else 1 with the reason in err. No
// exception may cross into the plugin, so every failure becomes an error text here.
template <typename Call>
int guarded(char* err, size_t err_size, bool arguments_ok, Call&& call) {
  try {
    if (!arguments_ok) {
      copy_error("invalid arguments", err, err_size);
      return 1;
    }
    std::string error;
    if (call(error)) return 0;
    copy_error(error, err, err_size);
  } catch (const std::exception& e) {
    copy_error(e.what(), err, err_size);
  } catch (...) {
    copy_error("unexpected failure", err, err_size);
  }
  return 1;
}

int notify_trampoline(void* ctx, const char* json_text, size_t size, char* err, size_t err_size) {
  return guarded(err, err_size, ctx != nullptr && (json_text != nullptr || size == 0),
                 [&](std::string& error) {
                   return self(ctx).notify(std::string_view(json_text, size), error);
                 });
}

int notify_batch_trampoline(void* ctx, const boligflyt_str* notifications, size_t count,
                            int* results, char* err, size_t err_size) {
  return guarded(err, err_size,
                 ctx != nullptr && (count == 0 || (notifications != nullptr && results != nullptr)),
                 [&](std::string& error) {
                   return self(ctx).notify_batch(std::span(notifications, count),
                                                 std::span(results, count), error);
                 });
}

int publish_trampoline(void* ctx, const char* meta, size_t meta_size, const uint8_t* content,
                       size_t content_size, char* err, size_t err_size) {
  return guarded(err, err_size,
                 ctx != nullptr && (meta != nullptr || meta_size == 0) &&
                     (content != nullptr || content_size == 0),
                 [&](std::string& error) {
                   return self(ctx).publish_document(
                       std::string_view(meta, meta_size),
                       std::span<const uint8_t>(content, content_size), error);
                 });
}

int directory_trampoline(void* ctx, const char* query, size_t query_size, boligflyt_sink_fn sink,
                         void* sink_ctx, char* err, size_t err_size) {
  return guarded(
      err, err_size, ctx != nullptr && sink != nullptr && (query != nullptr || query_size == 0),
      [&](std::string& error) {
        std::string answer;
        if (!self(ctx).directory_lookup(std::string_view(query, query_size), answer, error)) {
          return false;
        }
        sink(sink_ctx, answer.data(), answer.size());
        return true;
      });
}

int mirror_trampoline(void* ctx, const char* json_text, size_t size, char* err, size_t err_size) {
  return guarded(err, err_size, ctx != nullptr && (json_text != nullptr || size == 0),
                 [&](std::string& error) {
                   return self(ctx).mirror_deviation(std::string_view(json_text, size), error);
                 });
}

// The register entry's id and revision, or nothing when the line is not one.
std::optional<std::pair<std::string, std::int64_t>> register_key(const json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const json::object& o = value.get_object();
  const json::value* id = o.if_contains("id");
  const json::value* revision = o.if_contains("revision");
  if (id == nullptr || !id->is_string() || id->get_string().empty() || revision == nullptr ||
      !revision->is_int64()) {
    return std::nullopt;
  }
  return std::pair{std::string(id->get_string()), revision->get_int64()};
}

}  // namespace

std::string sanitise_file_name(std::string_view title) {
  std::string out;
  bool pending_dash = false;
  auto emit = [&](std::string_view text) {
    if (pending_dash && !out.empty()) out += '-';
    pending_dash = false;
    out += text;
  };
  for (std::size_t i = 0; i < title.size(); ++i) {
    const auto c = static_cast<unsigned char>(title[i]);
    if (std::isalnum(c) != 0 && c < 0x80) {
      emit(std::string(1, static_cast<char>(std::tolower(c))));
      continue;
    }
    // The Norwegian letters, in UTF-8, spelt out as in Norwegian URLs and e-mail addresses.
    const std::string_view rest = title.substr(i);
    if (rest.starts_with("æ") || rest.starts_with("Æ")) {
      emit("ae");
      i += 1;
    } else if (rest.starts_with("ø") || rest.starts_with("Ø")) {
      emit("o");
      i += 1;
    } else if (rest.starts_with("å") || rest.starts_with("Å")) {
      emit("aa");
      i += 1;
    } else {
      pending_dash = true;
    }
  }
  if (out.size() > kMaxFileNameStem) out.resize(kMaxFileNameStem);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

HostServices::HostServices(const HostConfig& config, std::filesystem::path data_dir, Logger& logger)
    : config_(config), data_dir_(std::move(data_dir)), logger_(logger) {
  create_private_directory(data_dir_ / "outbox");
  create_private_directory(documents_dir());
  table_.struct_size = sizeof(boligflyt_host_services);
  table_.host_ctx = this;
  table_.log = &log_trampoline;
  table_.notify = &notify_trampoline;
  table_.publish_document = &publish_trampoline;
  table_.directory_lookup = &directory_trampoline;
  table_.mirror_deviation = &mirror_trampoline;    // ABI 1.1
  table_.notify_batch = &notify_batch_trampoline;  // ABI 1.2
  create_private_directory(register_file().parent_path());
  // What the register already holds, so that a retry after a restart is still recognised.
  std::ifstream in(register_file());
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    if (auto key = register_key(json::parse(line, ec)); key && !ec) {
      auto& newest = register_revisions_[key->first];
      newest = std::max(newest, key->second);
    }
  }
}

void HostServices::log(boligflyt_log_level level, std::string_view json_text) {
  const LogLevel host_level = level <= BOLIGFLYT_LOG_DEBUG  ? LogLevel::kDebug
                              : level == BOLIGFLYT_LOG_INFO ? LogLevel::kInfo
                              : level == BOLIGFLYT_LOG_WARN ? LogLevel::kWarn
                                                            : LogLevel::kError;
  logger_.write_raw_line(host_level, json_text);
}

bool HostServices::notify(std::string_view json_text, std::string& error) {
  boost::system::error_code ec;
  json::value value = json::parse(json_text, ec);
  if (ec || !value.is_object()) {
    error = "notification is not a JSON object";
    return false;
  }
  // Re-serialising guarantees one valid JSON document per line, whatever whitespace came in.
  return append_to_outbox(json::serialize(value) + "\n", error);
}

bool HostServices::notify_batch(std::span<const boligflyt_str> notifications,
                                std::span<int> results, std::string& error) {
  std::string lines;
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < notifications.size(); ++i) {
    const boligflyt_str& item = notifications[i];
    boost::system::error_code ec;
    json::value value =
        item.data == nullptr ? json::value() : json::parse({item.data, item.size}, ec);
    if (ec || !value.is_object()) {
      results[i] = 1;  // refused alone; the plugin keeps it, the others go through
      continue;
    }
    lines += json::serialize(value);
    lines += '\n';
    results[i] = 0;
    ++accepted;
  }
  if (accepted == 0) {
    error = "no notification in the batch is a JSON object";
    return false;
  }
  // One write and one fsync for the whole batch: the plugin records every one of them as
  // delivered only after this returns, so a crash before the fsync loses none.
  if (!append_to_outbox(lines, error)) return false;
  logger_.log(LogLevel::kInfo, "notifications_written", {{"count", std::to_string(accepted)}});
  return true;
}

bool HostServices::append_to_outbox(std::string_view lines, std::string& error) {
  const std::filesystem::path path = outbox_file();
  std::lock_guard lock(outbox_mutex_);
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    error = "cannot open " + path.string() + ": " + errno_text(errno);
    return false;
  }
  // A notification the plugin believes delivered must survive a power cut; otherwise the
  // plugin would have no reason to keep it for a retry.
  if (!write_all(fd.get(), lines) || ::fsync(fd.get()) != 0) {
    error = "cannot write " + path.string() + ": " + errno_text(errno);
    return false;
  }
  return true;
}

bool HostServices::publish_document(std::string_view meta_json, std::span<const uint8_t> content,
                                    std::string& error) {
  boost::system::error_code ec;
  json::value meta_value = json::parse(meta_json, ec);
  if (ec || !meta_value.is_object()) {
    error = "document metadata is not a JSON object";
    return false;
  }
  json::object& meta = meta_value.get_object();
  const std::string sha256 = sha256_hex(content);
  if (sha256.empty()) {
    error = "cannot compute SHA-256";
    return false;
  }
  if (const json::value* claimed = meta.if_contains("sha256"); claimed && claimed->is_string()) {
    std::string claimed_hex(claimed->get_string());
    std::transform(claimed_hex.begin(), claimed_hex.end(), claimed_hex.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!claimed_hex.empty() && claimed_hex != sha256) {
      error = "sha256 in metadata does not match the content";
      return false;
    }
  }
  const json::value* title = meta.if_contains("title");
  std::string stem = (title && title->is_string()) ? sanitise_file_name(title->get_string()) : "";
  if (stem.empty()) stem = sha256;
  const json::value* content_type = meta.if_contains("content_type");
  const std::string extension = extension_for(content_type && content_type->is_string()
                                                  ? std::string_view(content_type->get_string())
                                                  : std::string_view());

  std::lock_guard lock(documents_mutex_);
  std::filesystem::path file = documents_dir() / (stem + extension);
  // Another document under the same title (say, the next version) must not overwrite this
  // one; the same bytes published again are a no-op.
  std::error_code exists_ec;
  if (std::filesystem::exists(file, exists_ec)) {
    std::ifstream in(file, std::ios::binary);
    const std::string existing((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    const auto* bytes = reinterpret_cast<const uint8_t*>(existing.data());
    if (sha256_hex(std::span<const uint8_t>(bytes, existing.size())) == sha256) return true;
    file = documents_dir() / (stem + "-" + sha256.substr(0, 12) + extension);
  }
  const std::string_view body(reinterpret_cast<const char*>(content.data()), content.size());
  if (!write_file_atomically(file, body, error)) return false;

  meta["sha256"] = sha256;
  meta["size"] = static_cast<std::uint64_t>(content.size());
  meta["file"] = file.filename().string();
  meta["published_at"] = utc_now();
  std::filesystem::path meta_file = file;
  meta_file += ".json";
  if (!write_file_atomically(meta_file, json::serialize(meta) + "\n", error)) return false;
  logger_.log(LogLevel::kInfo, "document_published", {{"file", file.filename().string()}});
  return true;
}

bool HostServices::mirror_deviation(std::string_view json_text, std::string& error) {
  boost::system::error_code ec;
  const json::value value = json::parse(json_text, ec);
  const auto key = ec ? std::nullopt : register_key(value);
  if (!key) {
    error = "mirrored avvik is not a JSON object with id and revision";
    return false;
  }
  std::lock_guard lock(register_mutex_);
  if (auto it = register_revisions_.find(key->first);
      it != register_revisions_.end() && it->second >= key->second) {
    return true;  // a retry, or a revision overtaken by a newer one: already recorded
  }
  const std::string line = json::serialize(value) + "\n";
  const std::filesystem::path path = register_file();
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    error = "cannot open " + path.string() + ": " + errno_text(errno);
    return false;
  }
  // Acknowledged means kept: the plugin drops its copy once this returns.
  if (!write_all(fd.get(), line) || ::fsync(fd.get()) != 0) {
    error = "cannot write " + path.string() + ": " + errno_text(errno);
    return false;
  }
  register_revisions_[key->first] = key->second;
  return true;
}

bool HostServices::directory_lookup(std::string_view query_json, std::string& answer,
                                    std::string& error) {
  return answer_directory_query(config_, query_json, answer, error);
}

}  // namespace boligflyt::host
