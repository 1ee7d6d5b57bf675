#pragma once
// The files an arkivmelding declares (its dokumentobjekt entries): what the archive tests and
// the crash test compare against the files in the drop folder.

#include <pugixml.hpp>
#include <string>
#include <vector>

namespace boligflyt::e2e {

struct DeclaredFile {
  std::string file;      // referanseDokumentfil
  std::string checksum;  // sjekksum (SHA-256, hex)
  std::string size;      // filstoerrelse, as written
};

inline std::vector<DeclaredFile> declared_files(const pugi::xml_document& arkivmelding) {
  std::vector<DeclaredFile> out;
  for (const auto& node : arkivmelding.select_nodes("//*[local-name()='dokumentobjekt']")) {
    const auto obj = node.node();
    auto text = [&obj](const char* name) {
      return std::string(obj.select_node((std::string("*[local-name()='") + name + "']").c_str())
                             .node()
                             .text()
                             .as_string());
    };
    out.push_back({text("referanseDokumentfil"), text("sjekksum"), text("filstoerrelse")});
  }
  return out;
}

}  // namespace boligflyt::e2e
