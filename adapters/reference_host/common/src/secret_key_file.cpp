#include "boligflyt/host/secret_key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

namespace boligflyt::host {
namespace {

constexpr mode_t kPrivateDirMode = 0700;
constexpr mode_t kPrivateFileMode = 0600;
constexpr std::size_t kMaxSecretFileBytes = 4096;

std::string errno_text(int err) { return std::generic_category().message(err); }

// Closes a descriptor on every path, including exceptions.
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

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode_secret(std::string_view text, const std::filesystem::path& path) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.size() % 2 != 0 || text.size() < kHs256SecretBytes * 2) {
    throw SecretError("Hemmeligheten i " + path.string() +
                      " er ugyldig (forventet minst 64 heksadesimale tegn). Slett filen for å lage "
                      "en ny; alle utstedte nøkler blir da ugyldige.");
  }
  std::string bytes;
  bytes.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) {
      throw SecretError("Hemmeligheten i " + path.string() + " inneholder ugyldige tegn.");
    }
    bytes.push_back(static_cast<char>((hi << 4) | lo));
  }
  return bytes;
}

// Returns nullopt when the file does not exist.
std::optional<std::string> read_secret(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw SecretError("Kan ikke lese hemmeligheten " + path.string() + ": " + errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw SecretError("Kan ikke lese hemmeligheten " + path.string() + ": " + errno_text(errno));
  }
  // Like ssh with private keys: a secret others can read is no longer a secret, so refuse
  // rather than silently keep signing with it.
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw SecretError("Hemmeligheten " + path.string() + " kan leses av andre (modus " + mode +
                      "). Kjør «chmod 600 " + path.string() +
                      "», eller slett filen for å lage en ny.");
  }
  if (!S_ISREG(st.st_mode) || st.st_size > static_cast<off_t>(kMaxSecretFileBytes)) {
    throw SecretError("Hemmeligheten " + path.string() + " er ikke en vanlig, liten fil.");
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw SecretError("Kan ikke lese hemmeligheten " + path.string() + ": " + errno_text(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  std::string secret = decode_secret(text, path);
  OPENSSL_cleanse(text.data(), text.size());
  return secret;
}

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw SecretError("Kan ikke skrive hemmeligheten " + path.string() + ": " +
                        errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_directory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// Writes a temporary file and link()s it into place: link fails with EEXIST instead of
// replacing, so when the host and the CLI create the secret at the same moment, exactly one
// wins and both then read the winner's bytes.
void create_secret(const std::filesystem::path& path) {
  unsigned char random[kHs256SecretBytes];
  if (RAND_bytes(random, sizeof random) != 1) {
    throw SecretError("Kan ikke lage en tilfeldig hemmelighet: OpenSSL RAND_bytes feilet.");
  }
  std::string text = to_hex(random, sizeof random) + "\n";
  OPENSSL_cleanse(random, sizeof random);

  std::filesystem::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  ::unlink(temp.c_str());  // a leftover of a crashed earlier attempt by a process with our pid
  {
    FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                             kPrivateFileMode));
    if (fd.get() < 0) {
      throw SecretError("Kan ikke lage hemmeligheten " + path.string() + ": " + errno_text(errno));
    }
    try {
      write_all(fd.get(), text, path);
      if (::fsync(fd.get()) != 0) {
        throw SecretError("Kan ikke lagre hemmeligheten " + path.string() + ": " +
                          errno_text(errno));
      }
    } catch (...) {
      OPENSSL_cleanse(text.data(), text.size());
      ::unlink(temp.c_str());
      throw;
    }
  }
  OPENSSL_cleanse(text.data(), text.size());
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    throw SecretError("Kan ikke lagre hemmeligheten " + path.string() + ": " +
                      errno_text(link_errno));
  }
  fsync_directory(path.parent_path());
}

}  // namespace

std::filesystem::path hs256_secret_path(const std::filesystem::path& data_dir) {
  return data_dir / "secrets" / "jwt-hs256.key";
}

void create_private_directory(const std::filesystem::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  if (dir.has_parent_path() && dir.parent_path() != dir)
    create_private_directory(dir.parent_path());
  if (::mkdir(dir.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
    throw SecretError("Kan ikke lage mappen " + dir.string() + ": " + errno_text(errno));
  }
}

SecretKey load_or_create_hs256_secret(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = hs256_secret_path(data_dir);
  create_private_directory(path.parent_path());
  if (auto existing = read_secret(path)) return SecretKey{std::move(*existing), false};
  create_secret(path);
  auto created = read_secret(path);
  if (!created)
    throw SecretError("Hemmeligheten " + path.string() + " forsvant rett etter at den ble laget.");
  return SecretKey{std::move(*created), true};
}

}  // namespace boligflyt::host
