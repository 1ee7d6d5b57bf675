#!/usr/bin/env bash
# The README's run command, as a new user follows it: starts the built host the way
# `./packaging/bootstrap.sh run` does (build/bin/boligflyt-host --data DIR --listen ADDR, no
# config file), waits for /healthz, takes the printed development tokens, and runs the README's
# own curl commands (read from README.md, only the address and the tokens filled in): /healthz,
# /api/v1/me, registering an avvik (201) and receiving it with a token from the README's
# `boligflyt dev-token` command.
#
# usage: readme_run_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

build=$1 source=$2
readme=$source/README.md
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
die() {
  echo "FAIL: $*" >&2
  [ -f "$scratch/host.err" ] && tail -n 20 "$scratch/host.err" >&2
  exit 1
}

# The command this test runs must stay the one the README's run command starts.
grep -q 'exec "$build_dir/bin/boligflyt-host" --data "[^"]*" *\\$' "$source/packaging/bootstrap.sh" &&
  grep -q -- '--listen "${BOLIGFLYT_LISTEN:-127.0.0.1:8080}"' "$source/packaging/bootstrap.sh" ||
  die "bootstrap.sh run no longer starts build/bin/boligflyt-host --data DIR --listen ADDR"

# The first ```text block after the first README line containing $1.
readme_block() {
  awk -v marker="$1" 'index($0, marker) { found = 1; next }
    found && /^```text$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$readme"
}

# Runs one README curl command with the address and tokens filled in; prints the status and
# leaves the body in $scratch/body.
run_readme_curl() {
  local command=$1
  command=${command//http:\/\/127.0.0.1:8080/$base}
  command=${command//<token>/\$T}
  [[ $command == curl\ * ]] || die "not a curl command: $command"
  command="curl -sS --max-time 15 -o \"$scratch/body\" -w '%{http_code}' ${command#curl }"
  T=$T B=${B:-} bash -c "$command"
}

data=$scratch/boligflyt-data
"$build/bin/boligflyt-host" --data "$data" --listen 127.0.0.1:0 \
  >"$scratch/host.out" 2>"$scratch/host.err" &
host_pid=$!
base=
for _ in $(seq 1 300); do
  base=$(sed -n 's/^boligflyt-host listening on \(http:[^ ]*\)$/\1/p' "$scratch/host.out")
  [ -n "$base" ] && grep -q '^Stopp med Ctrl+C.$' "$scratch/host.out" && break
  base=
  kill -0 "$host_pid" 2>/dev/null || die "the host exited at start"
  sleep 0.1
done
[ -n "$base" ] || die "no banner within 30 s"
healthy=
for _ in $(seq 1 100); do
  if [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$base/healthz")" = 200 ]; then
    healthy=yes
    break
  fi
  sleep 0.1
done
[ -n "$healthy" ] || die "/healthz never answered 200"

# The unit leader of the README's example, from the printed tokens.
T=$(sed -n 's/^  leder-nav  \(.*\)$/\1/p' "$scratch/host.out")
[ -n "$T" ] || die "no printed token for leder-nav"

mapfile -t first_steps < <(readme_block "each demo user, so you can at once")
[ "${#first_steps[@]}" -eq 2 ] || die "the README's first commands changed: ${first_steps[*]}"
for command in "${first_steps[@]}"; do
  status=$(run_readme_curl "$command")
  [ "$status" = 200 ] || die "$command answered $status: $(cat "$scratch/body")"
  if [[ $command == */api/v1/me* ]]; then
    grep -q '"leder-nav"' "$scratch/body" || die "/api/v1/me is not leder-nav: $(cat "$scratch/body")"
  fi
done

register=$(readme_block 'With the token of a unit leader in `$T`')
[ -n "$register" ] || die "the README lost its registration example"
status=$(run_readme_curl "$register")
[ "$status" = 201 ] || die "registering as the README shows answered $status: $(cat "$scratch/body")"
id=$(grep -o '"id" *: *"AVVIK-[0-9]\{4\}-[0-9]\{4\}"' "$scratch/body" | grep -o 'AVVIK-[0-9-]*')
[ "$id" = "AVVIK-$(date -u +%Y)-0001" ] || die "the first avvik is '$id'"
grep -q '"responsible_unit" *: *"boligkontor"' "$scratch/body" ||
  die "not Boligkontoret's: $(cat "$scratch/body")"

# "More tokens at any time", then the README's next step with that token in $B.
B=$("$build/bin/boligflyt" dev-token leder-boligkontor --data "$data")
[ -n "$B" ] || die "boligflyt dev-token printed nothing"
receive=$(readme_block 'token in `$B`')
receive=${receive//AVVIK-2026-0001/$id}
status=$(run_readme_curl "$receive")
[ "$status" = 200 ] || die "motta as the README shows answered $status: $(cat "$scratch/body")"
grep -q '"status" *: *"mottatt"' "$scratch/body" || die "not received: $(cat "$scratch/body")"

kill -TERM "$host_pid"
for _ in $(seq 1 150); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.1; done
wait "$host_pid" || die "the host did not stop cleanly on SIGTERM"
host_pid=
echo "README run command OK: $base, $id registered and received"
