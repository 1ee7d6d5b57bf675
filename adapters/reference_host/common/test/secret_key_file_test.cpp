#include "boligflyt/host/secret_key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace boligflyt::host {
namespace {

class SecretKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "boligflyt-secret-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::filesystem::path root_;
};

TEST_F(SecretKeyFileTest, CreatedOncePrivateAndReused) {
  const std::filesystem::path data = root_ / "data";
  const SecretKey first = load_or_create_hs256_secret(data);
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.bytes.size(), kHs256SecretBytes);
  EXPECT_EQ(mode_of(hs256_secret_path(data)), 0600u);
  EXPECT_EQ(mode_of(data / "secrets"), 0700u);

  const SecretKey second = load_or_create_hs256_secret(data);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.bytes, first.bytes);
}

TEST_F(SecretKeyFileTest, TwoDataFoldersGetDifferentSecrets) {
  EXPECT_NE(load_or_create_hs256_secret(root_ / "a").bytes,
            load_or_create_hs256_secret(root_ / "b").bytes);
}

TEST_F(SecretKeyFileTest, SecretReadableByOthersIsRefused) {
  const std::filesystem::path data = root_ / "data";
  load_or_create_hs256_secret(data);
  ASSERT_EQ(::chmod(hs256_secret_path(data).c_str(), 0644), 0);
  try {
    load_or_create_hs256_secret(data);
    FAIL() << "expected SecretError";
  } catch (const SecretError& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
}

TEST_F(SecretKeyFileTest, MalformedSecretIsNeitherUsedNorOverwritten) {
  const std::filesystem::path data = root_ / "data";
  create_private_directory(data / "secrets");
  {
    std::ofstream out(hs256_secret_path(data));
    out << "too-short\n";
  }
  ASSERT_EQ(::chmod(hs256_secret_path(data).c_str(), 0600), 0);
  EXPECT_THROW(load_or_create_hs256_secret(data), SecretError);
  std::ifstream in(hs256_secret_path(data));
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "too-short");
}

}  // namespace
}  // namespace boligflyt::host
