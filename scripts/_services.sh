# Sourced by scripts/test: find PostgreSQL and Redis, or start throwaway ones from installed binaries.
# Sets PG_URL and REDIS_TEST_URL (empty when unavailable). Under CI=true a missing service is fatal.

_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
THROWAWAY_DIRS=()
_cleanup_services() {
  for dir in "${THROWAWAY_DIRS[@]:-}"; do
    [ -n "$dir" ] || continue
    if [ -f "$dir/PG_VERSION" ]; then _as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true; fi
    if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
    rm -rf "$dir"
  done
}
trap _cleanup_services EXIT

_missing() {
  if [ "${CI:-}" = "true" ]; then echo "FATAL (CI): $1" >&2; exit 1; fi
  echo "!!!!! SKIPPING: $1 !!!!!" >&2
}

find_postgres() {
  PG_URL="${DATABASE_URL:-}"
  if [ -n "$PG_URL" ]; then return; fi
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    PG_URL="postgresql://postgres@127.0.0.1:5432/postgres"; return
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
    local dir port; dir="$(mktemp -d)"; port="$(_free_port)"; THROWAWAY_DIRS+=("$dir")
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    echo "==> starting a throwaway PostgreSQL on 127.0.0.1:$port"
    _as_postgres "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust >/dev/null
    _as_postgres "$PG_BIN/pg_ctl" -D "$dir" -w -l "$dir/log" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"; return
  fi
  _missing "no PostgreSQL (set DATABASE_URL or install postgresql): the PostgreSQL pass will not run"
}

find_redis() {
  REDIS_TEST_URL="${REDIS_URL:-}"
  if [ -n "$REDIS_TEST_URL" ]; then return; fi
  if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    REDIS_TEST_URL="redis://127.0.0.1:6379/0"; return
  fi
  if command -v redis-server >/dev/null; then
    local dir port; dir="$(mktemp -d)"; port="$(_free_port)"; THROWAWAY_DIRS+=("$dir")
    echo "==> starting a throwaway Redis on 127.0.0.1:$port"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/log" >/dev/null
    REDIS_TEST_URL="redis://127.0.0.1:$port/0"; return
  fi
  _missing "no Redis (set REDIS_URL or install redis-server): the scaled-mode pass runs without Redis"
}
