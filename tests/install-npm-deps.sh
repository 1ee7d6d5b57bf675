#!/usr/bin/env bash
# Installs the Node packages that some CTest tests use (tests/package.json, pinned by
# tests/package-lock.json) into tests/node_modules. Run it before ctest; the tests that need
# these packages fail, naming this script, when tests/node_modules is missing.
#
# Idempotent: when node_modules already matches the lockfile it does nothing, so calling it
# from every test run costs a fraction of a second.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-npm-deps.sh: node and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

# The stamp holds the hash of package.json and package-lock.json as of the last successful
# install; npm ci wipes node_modules first, so a failed install leaves no stamp behind.
stamp=node_modules/.boligflyt-lock-sha256
want="$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
