#pragma once
/// The HS256 signing secret of development mode, kept in the data folder so that tokens stay
/// valid across restarts, and shared by the host and `boligflyt dev-token`.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace boligflyt::host {

/// The secret cannot be read or created. what() is a Norwegian message for the operator.
class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Number of random bytes in a new secret: the HMAC-SHA256 block output size, as RFC 7518
/// §3.2 asks for at least.
inline constexpr std::size_t kHs256SecretBytes = 32;

/// `DATA/secrets/jwt-hs256.key`.
std::filesystem::path hs256_secret_path(const std::filesystem::path& data_dir);

/// Creates `dir` (and missing parents) with mode 0700 when it does not exist yet.
void create_private_directory(const std::filesystem::path& dir);

struct SecretKey {
  std::string bytes;  ///< raw key bytes for HMAC
  bool created = false;
};

/// Reads the secret, or creates it from OpenSSL's CSPRNG (mode 0600 in a 0700 folder) when
/// the data folder has none yet. Two processes starting at once end up with the same secret.
/// Throws SecretError.
SecretKey load_or_create_hs256_secret(const std::filesystem::path& data_dir);

}  // namespace boligflyt::host
