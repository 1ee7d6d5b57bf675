#pragma once
namespace boligflyt::abi {
/// The plugin manifest JSON (name, version, ABI). Defined in the generated manifest.cpp,
/// which also places it in the ELF section BOLIGFLYT_MANIFEST_SECTION.
extern const char kManifestJson[];
}  // namespace boligflyt::abi
