#include "procedure/catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/sha256.h"

namespace boligflyt::procedure {

namespace fs = std::filesystem;

Diagnostics ProcedureCatalog::load_directory(const std::string& dir,
                                             const ProcedureLoader& loader) {
  Diagnostics problems;
  const auto units_path = (fs::path(dir) / "units.xml").string();
  auto units = loader.load_units_file(units_path);
  problems.insert(problems.end(), units.diagnostics.begin(), units.diagnostics.end());
  if (units.registry && units.diagnostics.empty()) units_ = *units.registry;

  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(entry.path(), ec)) {
      if (file.is_regular_file() && file.path().extension() == ".xml") files.push_back(file.path());
    }
  }
  if (ec)
    problems.push_back({dir, 0, 0, "unreadable", "Mappen kan ikke leses: " + ec.message() + "."});
  std::sort(files.begin(), files.end());

  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string xml = buffer.str();
    const std::string name =
        path.parent_path().filename().string() + "/" + path.filename().string();
    auto loaded = loader.load_procedure(xml, name, units_.units.empty() ? nullptr : &units_);
    if (!loaded.ok()) {
      problems.insert(problems.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
      continue;
    }
    auto stored = std::make_unique<StoredVersion>(
        StoredVersion{std::move(*loaded.procedure), xml, util::sha256_hex(xml), name, {}});
    auto& list = by_id_[stored->procedure.id];
    if (find(stored->procedure.id, stored->procedure.version)) {
      problems.push_back({name, 0, 0, "duplicate-version",
                          "Versjon " + stored->procedure.version.str() + " av «" +
                              stored->procedure.id + "» finnes i mer enn én fil."});
      continue;
    }
    list.push_back(std::move(stored));
  }

  for (auto& [id, list] : by_id_) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a->procedure.version < b->procedure.version;
    });
    std::vector<std::pair<std::string, const Procedure*>> sequence;
    for (const auto& v : list) sequence.emplace_back(v->source, &v->procedure);
    check_version_sequence(sequence, problems);
  }
  problems_ = problems.size();
  return problems;
}

void ProcedureCatalog::add(std::unique_ptr<StoredVersion> version) {
  auto& list = by_id_[version->procedure.id];
  list.push_back(std::move(version));
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return a->procedure.version < b->procedure.version;
  });
}

std::vector<std::string> ProcedureCatalog::procedure_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, list] : by_id_) ids.push_back(id);
  return ids;
}

std::vector<const StoredVersion*> ProcedureCatalog::versions(const std::string& id) const {
  std::vector<const StoredVersion*> out;
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    for (const auto& v : it->second) out.push_back(v.get());
  }
  return out;
}

const StoredVersion* ProcedureCatalog::find(const std::string& id, const Version& version) const {
  for (const auto* v : versions(id)) {
    if (v->procedure.version == version) return v;
  }
  return nullptr;
}

const StoredVersion* ProcedureCatalog::in_force(const std::string& id,
                                                const std::string& date) const {
  const StoredVersion* best = nullptr;
  for (const auto* v : versions(id)) {
    const auto& p = v->procedure;
    if (v->status() != "published" && v->status() != "superseded") continue;
    if (p.effective_from.empty() || p.effective_from > date) continue;
    if (!best || p.effective_from > best->procedure.effective_from) best = v;
  }
  return best;
}

}  // namespace boligflyt::procedure
