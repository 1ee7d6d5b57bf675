#!/usr/bin/env bash
# clang-tidy over the plugin's own sources (plugin/src/**/*.cpp and the adapters linked into
# it, adapters/archive_file_drop, adapters/host_abi_table, adapters/smtp and adapters/webdav) with
# the root .clang-tidy,
# using the compile commands of an existing build. Fails on any finding (WarningsAsErrors).
#
# usage: clang_tidy.sh SOURCE_DIR BUILD_DIR [CLANG_TIDY] [JOBS]
set -uo pipefail

src="${1:?usage: clang_tidy.sh SOURCE_DIR BUILD_DIR [CLANG_TIDY] [JOBS]}"
build="${2:?usage: clang_tidy.sh SOURCE_DIR BUILD_DIR [CLANG_TIDY] [JOBS]}"
tidy="${3:-clang-tidy}"
jobs="${4:-$(nproc)}"

if ! command -v "$tidy" >/dev/null; then
  echo "lint.clang_tidy: FAIL: $tidy not found (Debian: apt-get install clang-tidy)" >&2
  exit 1
fi
db="$build/compile_commands.json"
if [[ ! -f "$db" ]]; then
  echo "lint.clang_tidy: FAIL: $db is missing; configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON" >&2
  exit 1
fi

cd "$src" || exit 1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t candidates < <(git ls-files --cached --others --exclude-standard -- 'plugin/src/*.cpp' \
    'adapters/archive_file_drop/*.cpp' 'adapters/host_abi_table/*.cpp' 'adapters/smtp/*.cpp' \
    'adapters/webdav/*.cpp')
else
  mapfile -t candidates < <(find plugin/src adapters/archive_file_drop adapters/host_abi_table \
    adapters/smtp adapters/webdav -name '*.cpp' | sort)
fi

# Only files the build compiles have flags to check with; a source the build does not know is
# an error, not something to skip (it would be checked with guessed flags, or not at all).
files=()
missing=()
for f in "${candidates[@]}"; do
  [[ -f "$f" ]] || continue
  if grep -qF "\"file\": \"$PWD/$f\"" "$db"; then files+=("$f"); else missing+=("$f"); fi
done
if ((${#missing[@]})); then
  echo "lint.clang_tidy: FAIL: not in $db (not part of any target, or build not reconfigured):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
started=$SECONDS

check() {  # one file; output kept apart so parallel runs do not interleave
  local f="$1" log
  log="$logs/$(echo "$f" | tr / _).log"
  if "$tidy" -p "$build" --quiet "$f" >"$log" 2>&1; then rm -f "$log"; fi
}

running=0
for f in "${files[@]}"; do
  check "$f" &
  if ((++running >= jobs)); then wait -n; ((running--)); fi
done
wait

failed=0
for log in "$logs"/*.log; do
  [[ -e "$log" ]] || continue
  failed=$((failed + 1))
  # Keep the diagnostics; drop clang-tidy's summary chatter about suppressed warnings.
  grep -vE '^(Suppressed [0-9]+ warnings|Use -header-filter|[0-9]+ warnings? (generated|treated as errors?))' "$log"
done

elapsed=$((SECONDS - started))
if ((failed)); then
  echo "lint.clang_tidy: FAIL: findings in $failed of ${#files[@]} files (${elapsed}s, $jobs jobs)" >&2
  exit 1
fi
echo "lint.clang_tidy: OK: ${#files[@]} files clean (${elapsed}s, $jobs jobs, $("$tidy" --version | grep -o 'version [0-9.]*'))"
