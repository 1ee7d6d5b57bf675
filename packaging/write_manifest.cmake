# cmake -DLIBRARY=... -DTEMPLATE=... -DOUTPUT=... -P write_manifest.cmake
# Adds "sha256" (of the built library) to the manifest JSON that is also embedded in it.
file(READ "${TEMPLATE}" manifest)
string(STRIP "${manifest}" manifest)
file(SHA256 "${LIBRARY}" digest)
string(JSON manifest SET "${manifest}" sha256 "\"${digest}\"")
file(WRITE "${OUTPUT}.tmp" "${manifest}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
