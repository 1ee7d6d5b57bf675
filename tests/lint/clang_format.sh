#!/usr/bin/env bash
# Every C/C++ file of plugin/, adapters/ and tests/ must be formatted as the root .clang-format
# says. Lists what would change; `clang-format -i FILE...` fixes it.
#
# usage: clang_format.sh SOURCE_DIR [CLANG_FORMAT]
set -uo pipefail

src="${1:?usage: clang_format.sh SOURCE_DIR [CLANG_FORMAT]}"
format="${2:-clang-format}"

if ! command -v "$format" >/dev/null; then
  echo "lint.clang_format: FAIL: $format not found (Debian: apt-get install clang-format)" >&2
  exit 1
fi
cd "$src" || exit 1

# Tracked and new files, without what .gitignore excludes (build trees, node_modules); a plain
# walk when this is not a git checkout (a source tarball).
pattern='\.(c|cc|cpp|h|hpp)$'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- plugin adapters tests |
    grep -E "$pattern")
else
  mapfile -t files < <(find plugin adapters tests \( -name 'build*' -o -name node_modules \) -prune \
    -o -type f -print | grep -E "$pattern" | sort)
fi

failed=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue  # deleted in the work tree, not yet in the index
  if ! "$format" --dry-run --Werror "$f" >/dev/null 2>&1; then
    changed=$("$format" "$f" | diff "$f" - | grep -c '^[<>]')
    failed+=("$f ($changed lines differ)")
  fi
done

version=$("$format" --version | grep -o 'version [0-9.]*')
if ((${#failed[@]})); then
  echo "lint.clang_format: FAIL: ${#failed[@]} of ${#files[@]} files are not formatted ($version):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  echo "Fix: clang-format -i <file>...   See one: clang-format <file> | diff -u <file> -" >&2
  exit 1
fi
echo "lint.clang_format: OK: ${#files[@]} files formatted ($version)"
