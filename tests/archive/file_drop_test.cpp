// The file-drop transport: a message appears complete or not at all, under a name derived
// from its key alone; the same key delivered again stays one message; a crash's leftovers
// are cleared; a folder that cannot be written is a retryable error, never a half message;
// receipts are read oldest first and moved aside when handled or refused.

#include "archive_file_drop/file_drop.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "archive/message_name.h"

namespace boligflyt::adapters {
namespace {

using archive::folder_name_for;
using ports::ArchivePackage;
using ports::InboxItem;

namespace fs = std::filesystem;

class FileDropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("boligflyt-drop-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static ArchivePackage package(const std::string& key) {
    ArchivePackage p;
    p.export_key = key;
    p.arkivmelding_xml = "<arkivmelding/>";
    p.files.push_back({"avviksrapport.pdf", "%PDF-1.7 innhold", "fmt/477", "application/pdf"});
    p.files.push_back({"avvik.xml", "<avvik>æøå</avvik>", "fmt/101", "application/xml"});
    return p;
  }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  std::vector<fs::path> entries(const fs::path& dir) const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
    return out;
  }

  fs::path root_;
};

TEST_F(FileDropTest, FolderNamesComeFromTheKeyAndAreSafe) {
  const std::string a = folder_name_for("archive:AVVIK-2026-0001/lukket/r7");
  EXPECT_TRUE(a.starts_with("archive-AVVIK-2026-0001-lukket-r7-")) << a;
  EXPECT_EQ(a, folder_name_for("archive:AVVIK-2026-0001/lukket/r7")) << "stable";
  // Keys that differ only in characters that are replaced still get different names.
  EXPECT_NE(folder_name_for("a/b"), folder_name_for("a:b"));
  for (const std::string key : {"../../etc/passwd", ".skjult", "/absolutt", "ÆØÅ æøå", ""}) {
    const std::string name = folder_name_for(key);
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name.front(), '.') << name;
    EXPECT_EQ(name.find('/'), std::string::npos) << name;
    EXPECT_EQ(name.find(".."), std::string::npos) << name;
    for (const char c : name) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')
          << name;
    }
  }
  EXPECT_LE(folder_name_for(std::string(500, 'x')).size(), 80u + 13u);
}

TEST_F(FileDropTest, DeliversOneCompleteFolderAndRecognisesTheSameKeyAgain) {
  FileDropTransport drop(root_ / "ut", root_ / "inn");
  ASSERT_TRUE(drop.deliver(package("archive:AVVIK-2026-0001/lukket/r7")));
  const fs::path folder = root_ / "ut" / folder_name_for("archive:AVVIK-2026-0001/lukket/r7");
  ASSERT_TRUE(fs::is_directory(folder));
  EXPECT_EQ(read(folder / "arkivmelding.xml"), "<arkivmelding/>");
  EXPECT_EQ(read(folder / "avvik.xml"), "<avvik>æøå</avvik>");
  EXPECT_EQ(entries(folder).size(), 3u);
  // Delivered again (a crash before it was recorded): still one message, unchanged.
  auto again = package("archive:AVVIK-2026-0001/lukket/r7");
  again.arkivmelding_xml = "<annen/>";
  ASSERT_TRUE(drop.deliver(again));
  EXPECT_EQ(entries(root_ / "ut").size(), 1u);
  EXPECT_EQ(read(folder / "arkivmelding.xml"), "<arkivmelding/>");
}

TEST_F(FileDropTest, LeftoversOfACrashAreRemovedAtStart) {
  fs::create_directories(root_ / "ut" / ".tmp-archive-x-123");
  std::ofstream(root_ / "ut" / ".tmp-archive-x-123" / "avviksrapport.pdf") << "%PDF halv";
  fs::create_directories(root_ / "ut" / "hel-melding");
  FileDropTransport drop(root_ / "ut", root_ / "inn");
  EXPECT_FALSE(fs::exists(root_ / "ut" / ".tmp-archive-x-123"));
  EXPECT_TRUE(fs::exists(root_ / "ut" / "hel-melding")) << "complete messages are kept";
}

TEST_F(FileDropTest, AFolderThatCannotBeWrittenIsARetryableErrorAndLeavesNothing) {
  FileDropTransport drop(root_ / "ut", root_ / "inn");
  // The drop folder replaced by a file: nothing can be created in it (this holds for root
  // too, unlike permissions).
  fs::remove_all(root_ / "ut");
  std::ofstream(root_ / "ut") << "ikke en mappe";
  auto failed = drop.deliver(package("archive:k1"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kUnavailable);
  EXPECT_NE(failed.error().detail.find("utboksen"), std::string::npos) << failed.error().detail;
  fs::remove(root_ / "ut");
  fs::create_directories(root_ / "ut");
  ASSERT_TRUE(drop.deliver(package("archive:k1")));
  EXPECT_EQ(entries(root_ / "ut").size(), 1u);
}

TEST_F(FileDropTest, UnsafeFileNamesInAPackageAreRefusedBeforeAnythingIsWritten) {
  FileDropTransport drop(root_ / "ut", root_ / "inn");
  for (const std::string name : {"../utenfor.pdf", ".skjult", "", "arkivmelding.xml"}) {
    auto p = package("archive:k2");
    p.files.push_back({name, "x", "fmt/101", "application/xml"});
    auto result = drop.deliver(p);
    EXPECT_FALSE(result) << name;
  }
  EXPECT_TRUE(entries(root_ / "ut").empty());
  EXPECT_FALSE(fs::exists(root_ / "utenfor.pdf"));
}

TEST_F(FileDropTest, ReceiptsAreReadOldestFirstAndSettledAside) {
  FileDropTransport drop(root_ / "ut", root_ / "inn");
  std::ofstream(root_ / "inn" / "b.xml") << "<b/>";
  fs::last_write_time(root_ / "inn" / "b.xml",
                      fs::file_time_type::clock::now() - std::chrono::hours(1));
  std::ofstream(root_ / "inn" / "a.xml") << "<a/>";
  std::ofstream(root_ / "inn" / ".skrives.xml") << "<halv";  // being written: ignored
  std::ofstream(root_ / "inn" / "notat.txt") << "ikke xml";
  auto items = drop.pending_receipts(10);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].name, "b.xml");
  EXPECT_EQ(items[0].content, "<b/>");
  EXPECT_EQ(items[1].name, "a.xml");
  EXPECT_EQ(drop.pending_receipts(1).size(), 1u) << "bounded";

  drop.settle_receipt(items[0], true, {});
  drop.settle_receipt(items[1], false, "Kvitteringen er ikke gyldig.");
  EXPECT_TRUE(fs::exists(root_ / "inn" / "behandlet" / "b.xml"));
  EXPECT_TRUE(fs::exists(root_ / "inn" / "avvist" / "a.xml"));
  EXPECT_EQ(read(root_ / "inn" / "avvist" / "a.xml.txt"), "Kvitteringen er ikke gyldig.\n");
  EXPECT_TRUE(drop.pending_receipts(10).empty());
}

TEST_F(FileDropTest, AsiceContainerStartsWithTheStoredMimetypeAndListsEveryFile) {
  FileDropTransport drop(root_ / "ut", root_ / "inn", PackageFormat::kAsice);
  const std::string key = "archive:AVVIK-2026-0002/lukket/r5";
  ASSERT_TRUE(drop.deliver(package(key)));
  const fs::path container = drop.target_for(key);
  EXPECT_EQ(container.extension(), ".asice");
  ASSERT_TRUE(fs::exists(container));
  EXPECT_EQ(entries(root_ / "ut").size(), 1u) << "no temporary file left";

  // The first local header names "mimetype", stored (method 0), content right after it.
  const std::string bytes = read(container);
  ASSERT_GT(bytes.size(), 38u + 8u + 31u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_EQ(static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8), 0)
      << "mimetype must be stored, not compressed";
  EXPECT_EQ(bytes.substr(30, 8), "mimetype");
  EXPECT_EQ(bytes.substr(38, 31), "application/vnd.etsi.asic-e+zip");

  int error = 0;
  zip_t* zip = zip_open(container.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  ASSERT_NE(zip, nullptr) << "not a consistent zip";
  std::set<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(zip, 0); ++i)
    names.insert(zip_get_name(zip, i, 0));
  EXPECT_EQ(std::string(zip_get_name(zip, 0, 0)), "mimetype");
  EXPECT_EQ(names, (std::set<std::string>{"mimetype", "arkivmelding.xml", "avviksrapport.pdf",
                                          "avvik.xml", "META-INF/manifest.xml"}));
  zip_stat_t st;
  ASSERT_EQ(zip_stat(zip, "avvik.xml", 0, &st), 0);
  std::string content(st.size, '\0');
  zip_file_t* f = zip_fopen(zip, "avvik.xml", 0);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(zip_fread(f, content.data(), content.size()), static_cast<zip_int64_t>(st.size));
  zip_fclose(f);
  EXPECT_EQ(content, "<avvik>æøå</avvik>");
  zip_close(zip);

  // The same key again: still one container, untouched.
  const auto before = fs::last_write_time(container);
  ASSERT_TRUE(drop.deliver(package(key)));
  EXPECT_EQ(entries(root_ / "ut").size(), 1u);
  EXPECT_EQ(fs::last_write_time(container), before);
}

}  // namespace
}  // namespace boligflyt::adapters
