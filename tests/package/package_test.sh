#!/usr/bin/env bash
# The packages as an IT department gets them: runs cpack (.deb and .tar.gz), unpacks the .deb
# into a scratch root with dpkg-deb, checks every file the package promises (plugin with an
# honest manifest, CLI, reference host, schemas, every shipped procedure, /etc config as a
# conffile, the hardened unit), runs `systemd-analyze verify` on the unit, and starts the
# packaged host from the scratch root to see it stand alone (plugin, procedures and schemas
# from their installed places, not from the source tree).
#
# usage: package_test.sh BUILD_DIR SOURCE_DIR VERSION ABI_MAJOR ABI_MINOR
set -euo pipefail

build=$1 source=$2 version=$3 abi_major=$4 abi_minor=$5
scratch=$(mktemp -d)
host_pid=
cleanup() {
  if [ -n "$host_pid" ]; then
    kill -KILL "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect_file() { [ -f "$root/$1" ] || fail "the .deb lacks /$1"; }
expect_line() { grep -qxF -- "$2" "$1" || fail "$(basename "$1") lacks the line '$2'"; }

for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze curl sha256sum; do
  command -v "$tool" >/dev/null ||
    { echo "FAIL: $tool not found (packaging/bootstrap.sh test installs it)" >&2; exit 1; }
done

echo "== cpack"
start=$(date +%s)
if ! (cd "$scratch" && timeout 600 cpack --config "$build/CPackConfig.cmake" -B "$scratch/out" \
  >"$scratch/cpack.log" 2>&1); then
  cat "$scratch/cpack.log" >&2
  echo "FAIL: cpack failed" >&2
  exit 1
fi
echo "cpack took $(($(date +%s) - start)) s"
deb=$(find "$scratch/out" -maxdepth 1 -name "boligflyt_${version}_*.deb" -print -quit)
tgz=$(find "$scratch/out" -maxdepth 1 -name "boligflyt-${version}-*.tar.gz" -print -quit)
[ -n "$deb" ] || { ls -l "$scratch/out" >&2; echo "FAIL: no .deb for version $version" >&2; exit 1; }
[ -n "$tgz" ] || fail "no .tar.gz for version $version"
ls -l "$deb" "$tgz"

echo "== control"
[ "$(dpkg-deb --field "$deb" Package)" = boligflyt ] || fail "package name"
[ "$(dpkg-deb --field "$deb" Version)" = "$version" ] || fail "version is not $version"
dpkg-deb --field "$deb" Provides | grep -qw "boligflyt-abi-$abi_major" ||
  fail "Provides lacks boligflyt-abi-$abi_major"
depends=$(dpkg-deb --field "$deb" Depends)
for dep in ghostscript fonts-dejavu-core libsqlite3 libpq5 libxml2; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
dpkg-deb -e "$deb" "$scratch/control"
expect_line "$scratch/control/conffiles" /etc/boligflyt/boligflyt-host.json
for script in postinst prerm postrm; do
  [ -x "$scratch/control/$script" ] || fail "$script missing or not executable"
done

echo "== files"
root=$scratch/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/boligflyt-host usr/bin/boligflyt usr/lib/boligflyt/libboligflyt.so \
  usr/lib/boligflyt/boligflyt.plugin.json usr/include/boligflyt/plugin_abi.h \
  usr/share/boligflyt/schemas/procedure.xsd usr/share/boligflyt/schemas/openapi.yaml \
  usr/share/doc/boligflyt/README.md etc/boligflyt/boligflyt-host.json \
  lib/systemd/system/boligflyt.service; do
  expect_file "$f"
done
# Every shipped procedure and the unit registry, as they are in the source tree.
while IFS= read -r -d '' f; do
  rel=${f#"$source/procedures/"}
  cmp -s "$f" "$root/usr/share/boligflyt/procedures/$rel" || fail "procedures/$rel not shipped as is"
done < <(find "$source/procedures" -type f -print0)
for f in usr/bin/boligflyt-host usr/bin/boligflyt; do
  [ -x "$root/$f" ] || fail "/$f is not executable"
done
cmp -s "$source/packaging/config/default-host.json" "$root/etc/boligflyt/boligflyt-host.json" ||
  fail "/etc/boligflyt/boligflyt-host.json is not the default configuration"

# The manifest describes the library in the package: name, version, ABI and its SHA-256.
manifest=$root/usr/lib/boligflyt/boligflyt.plugin.json
tr -d ' \n' <"$manifest" >"$scratch/manifest.min"
grep -qF "\"version\":\"$version\"" "$scratch/manifest.min" || fail "manifest version is not $version"
grep -qF "\"abi\":{\"major\":$abi_major,\"minor\":$abi_minor}" "$scratch/manifest.min" ||
  fail "manifest ABI is not $abi_major.$abi_minor"
sum=$(sha256sum "$root/usr/lib/boligflyt/libboligflyt.so" | cut -c1-64)
grep -qF "\"sha256\":\"$sum\"" "$scratch/manifest.min" ||
  fail "manifest sha256 does not match the packaged libboligflyt.so ($sum)"

# The .tar.gz carries the same tree.
tar -tzf "$tgz" | sed 's|^\./||; s|^[^/]*/||' | sort >"$scratch/tgz.list"
(cd "$root" && find . -type f | sed 's|^\./||' | sort) >"$scratch/deb.list"
missing_in_tgz=$(comm -23 "$scratch/deb.list" "$scratch/tgz.list")
[ -z "$missing_in_tgz" ] || fail "the .tar.gz lacks: $missing_in_tgz"

echo "== unit"
unit=$root/lib/systemd/system/boligflyt.service
for line in DynamicUser=yes StateDirectory=boligflyt ProtectSystem=strict NoNewPrivileges=yes \
  PrivateTmp=yes CapabilityBoundingSet= ProtectHome=yes StandardOutput=null; do
  expect_line "$unit" "$line"
done
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
[ "$exec_start" = /usr/bin/boligflyt-host ] || fail "ExecStart runs $exec_start"
# systemd-analyze checks the binary exists: point the copy it verifies into the scratch root.
mkdir -p "$scratch/verify"
sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" >"$scratch/verify/boligflyt.service"
if ! systemd-analyze verify "$scratch/verify/boligflyt.service" >"$scratch/verify.log" 2>&1; then
  cat "$scratch/verify.log" >&2
  fail "systemd-analyze verify"
fi
# Warnings about this unit (not about the machine's own units) count too: verify reports an
# unknown key or a bad value only as a warning.
if grep -i "boligflyt.service" "$scratch/verify.log"; then fail "systemd-analyze warns about the unit"; fi
# systemd's own exposure score of the sandbox (0 best, 10 worst): keep it "OK" (below 2.5).
if ! systemd-analyze security --offline=yes --threshold=25 "$scratch/verify/boligflyt.service" \
  >"$scratch/security.log" 2>&1; then
  cat "$scratch/security.log" >&2
  fail "systemd-analyze security rates the unit above 2.5"
fi
grep "Overall exposure level" "$scratch/security.log" || true

echo "== the packaged host stands alone"
"$root/usr/bin/boligflyt-host" --config "$root/etc/boligflyt/boligflyt-host.json" \
  --data "$scratch/data" --listen 127.0.0.1:0 >"$scratch/host.out" 2>"$scratch/host.err" &
host_pid=$!
base=
for _ in $(seq 1 300); do
  base=$(sed -n 's/^boligflyt-host listening on \(http:[^ ]*\)$/\1/p' "$scratch/host.out")
  [ -n "$base" ] && grep -q '^Stopp med Ctrl+C.$' "$scratch/host.out" && break
  kill -0 "$host_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base" ]; then
  cat "$scratch/host.err" >&2
  echo "FAIL: the packaged host did not start" >&2
  exit 1
fi
health=$(curl -sS --max-time 10 "$base/healthz")
grep -q '"status" *: *"ok"' <<<"$health" || fail "/healthz: $health"
token=$(sed -n 's/^  kvalitetsleder  \(.*\)$/\1/p' "$scratch/host.out")
procedures=$(curl -sS --max-time 10 -H "Authorization: Bearer $token" "$base/api/v1/procedures")
grep -q '"boligflytprosedyre"' <<<"$procedures" ||
  fail "the packaged host serves no procedures: $procedures"
grep -q "$root/usr/lib/boligflyt/libboligflyt.so" "$scratch/host.err" ||
  fail "the host did not load the packaged plugin"
kill -TERM "$host_pid"
for _ in $(seq 1 150); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.1; done
wait "$host_pid" || fail "the packaged host did not stop cleanly"
host_pid=

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "package OK: $(basename "$deb"), $(basename "$tgz")"
