#pragma once
// Port: the municipality's document library, where the documents of a published procedure
// version are kept for everyone to read (the quality system's library, reached over WebDAV).
// Adapter: adapters/webdav.

#include <string>
#include <vector>

#include "core/result.h"

namespace boligflyt::ports {

/// One document to put in the library.
struct LibraryFile {
  std::string name;          // a file name, e.g. "boligflytprosedyre-4.0.pdf"
  std::string bytes;         // the exact bytes
  std::string content_type;  // "application/pdf", "text/html; charset=utf-8", ...
};

/// What became of one file.
enum class LibraryOutcome {
  kCreated,    // it was not there; now it is
  kUnchanged,  // the same bytes were there already (published before)
  kKeptOther,  // other bytes were there; a published document is never overwritten
};

struct LibraryFileResult {
  std::string name;
  LibraryOutcome outcome = LibraryOutcome::kCreated;
};

class DocumentLibrary {
 public:
  virtual ~DocumentLibrary() = default;
  /// Puts `files` into the folder `folder` (path segments below the library's base, created
  /// when missing), each at most once: putting the same files again creates nothing new and
  /// alters nothing. Blocks on the network (the outbox thread calls it, never a request).
  /// An error means "not done now" (server down, refused, timed out): the caller retries;
  /// its log message says why, never with a password or token.
  virtual Result<std::vector<LibraryFileResult>> put_files(
      const std::vector<std::string>& folder, const std::vector<LibraryFile>& files) = 0;
  /// Where the library is, for the log (no user name, password or token).
  virtual std::string describe() const = 0;
};

}  // namespace boligflyt::ports
