#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store suite, started and stopped by the test command
# (CTest fixture tests store.postgres_start / store.postgres_stop).
#
#   postgres_cluster.sh start DIR   fresh cluster in DIR/data on 127.0.0.1 and a free port;
#                                   writes DIR/conninfo (libpq key=value) once it is ready
#   postgres_cluster.sh stop DIR    stops it and removes it; also fine when start failed
#
# PostgreSQL missing is a failure, not a skip: CI must run these tests (packaging/bootstrap.sh
# installs postgresql). As root, the server runs as the postgres user (initdb refuses root);
# when that user cannot reach DIR (a checkout under /root), the data directory goes to a
# fresh folder under ${TMPDIR:-/tmp} instead, named in DIR/data_dir. The server keeps fsync
# on: durability is part of what the suite tests. A cluster left by an aborted run is stopped
# and removed before a new one starts. BOLIGFLYT_PG_SERVER_OPTIONS adds server options (for a
# profile: "-c shared_preload_libraries=pg_stat_statements"; bench.deviation then lists the
# statements).
set -euo pipefail

mode=${1:-}
dir=${2:-}
if [[ -z $mode || -z $dir ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
dir=$(realpath -m -- "$dir")
data_dir_file=$dir/data_dir # where the data directory is (DIR/data or a folder under /tmp)
conninfo_file=$dir/conninfo
database=boligflyt_test
ready_timeout=${BOLIGFLYT_PG_READY_TIMEOUT:-60}

fail() {
  echo "postgres_cluster: $*" >&2
  exit 1
}

find_bindir() {
  local candidate best=""
  local -a candidates=()
  # The newest installed major version wins.
  mapfile -t candidates < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  for candidate in "${candidates[@]}"; do
    if [[ -x $candidate/initdb && -x $candidate/pg_ctl && -x $candidate/pg_isready ]]; then
      best=$candidate
    fi
  done
  [[ -n $best ]] || fail "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin;" \
    "install the Debian package 'postgresql' (packaging/bootstrap.sh test does)"
  printf '%s\n' "$best"
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Runs a command as the server's owner: postgres when we are root, else ourselves.
as_owner() {
  if is_root; then
    local quoted
    printf -v quoted '%q ' "$@"
    su postgres -s /bin/sh -c "$quoted"
  else
    "$@"
  fi
}

# Stops a server still running on the cluster named in DIR (if any) and removes it all.
stop_cluster() {
  local bindir=$1 data=""
  [[ -f $data_dir_file ]] && data=$(<"$data_dir_file")
  [[ -z $data && -d $dir/data ]] && data=$dir/data
  if [[ -n $data && -f $data/postmaster.pid ]]; then
    if [[ -n $bindir ]]; then
      as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w -t 60 stop >/dev/null 2>&1 ||
        as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [[ -f $data/postmaster.pid ]]; then
      # pg_ctl could not stop it (binaries gone?): end the postmaster named in its pid file.
      local pid
      pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
      if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -QUIT "$pid" 2>/dev/null || true
      fi
    fi
  fi
  # Only a data directory this script made is removed outside DIR.
  if [[ -n $data && $data != "$dir/data" && $(basename -- "$data") == boligflyt-pg.* ]]; then
    rm -rf -- "$data"
  fi
  rm -rf -- "$dir"
}

port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htan "sport = :$port" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

pick_port() {
  local port attempt
  for attempt in $(seq 1 50); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  fail "found no free TCP port on 127.0.0.1"
}

start_cluster() {
  local bindir=$1 data=$dir/data
  stop_cluster "$bindir"
  mkdir -p "$dir"
  if is_root; then
    id postgres >/dev/null 2>&1 || fail "user 'postgres' missing (the postgresql package creates it)"
    chown postgres "$dir"
    if ! su postgres -s /bin/sh -c "test -w '$dir' && test -x '$dir'" 2>/dev/null; then
      data=$(mktemp -d "${TMPDIR:-/tmp}/boligflyt-pg.XXXXXX")
      chmod 755 "$data"
    fi
  fi
  printf '%s\n' "$data" >"$data_dir_file"
  mkdir -p "$data"
  chmod 700 "$data"
  if is_root; then chown postgres "$data"; fi
  as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    {
      cat "$dir/initdb.log" >&2
      fail "initdb failed"
    }

  # The socket directory lives in the data directory, unless its path would be too long for
  # a Unix socket (107 bytes); TCP on 127.0.0.1 is what the tests use either way.
  local socket_dir=$data
  if ((${#data} > 80)); then socket_dir=""; fi

  local port attempt started=0
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    # Another process may take the port between the check and the bind: then start fails
    # and we try another. The log goes inside the data directory, which postgres can write.
    if as_owner "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t "$ready_timeout" \
      -o "-p $port -c listen_addresses=127.0.0.1 -k '$socket_dir' -c fsync=on \
          -c synchronous_commit=on -c full_page_writes=on -c max_connections=200 \
          -c log_min_messages=warning ${BOLIGFLYT_PG_SERVER_OPTIONS:-}" \
      start >/dev/null 2>&1; then
      started=1
      break
    fi
    echo "postgres_cluster: start on port $port failed (attempt $attempt); log:" >&2
    tail -n 5 "$data/server.log" >&2 || true
  done
  ((started)) || fail "the server did not start; see $data/server.log"

  local deadline=$((SECONDS + ready_timeout))
  until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2; do
    ((SECONDS < deadline)) || fail "the server on port $port is not ready after ${ready_timeout}s"
    sleep 0.2
  done
  "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -v ON_ERROR_STOP=1 -c "CREATE DATABASE $database TEMPLATE template0 ENCODING 'UTF8'" \
    >/dev/null || fail "could not create database $database"

  # Written last, so its presence means "ready".
  printf 'host=127.0.0.1 port=%s user=postgres dbname=%s\n' "$port" "$database" \
    >"$conninfo_file.tmp"
  mv -f "$conninfo_file.tmp" "$conninfo_file"
  echo "postgres_cluster: $("$bindir/postgres" --version) ready on 127.0.0.1:$port" \
    "(data in $data)"
}

case $mode in
  start)
    start_cluster "$(find_bindir)"
    ;;
  stop)
    bindir=$(find_bindir 2>/dev/null || true)
    stop_cluster "$bindir"
    echo "postgres_cluster: stopped and removed $dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
