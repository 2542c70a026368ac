# Sourced by ./codeshard: `schema` and `cluster up|down|status`, a multi-node codeshard on loopback
# (docs/cluster.md). State (pids, logs, data dirs, ports) lives in .codeshard/cluster/ (git-ignored).
CLUSTER_STATE="$ROOT/.codeshard/cluster"
PG_BIN="${CODESHARD_PG_BIN:-/usr/lib/postgresql/15/bin}"

# A TCP port free on loopback right now (the kernel picks it).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Runs a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root), else as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi
}

# Journal env for a JVM: PostgreSQL at $1 as user $2 (password in CODESHARD_JDBC_PASSWORD when needed).
journal_env() {
  export CODESHARD_JDBC_PROFILE='slick.jdbc.PostgresProfile$' CODESHARD_JDBC_DRIVER=org.postgresql.Driver
  export CODESHARD_JDBC_URL="$1" CODESHARD_JDBC_USER="$2"
}

# `./codeshard schema --url jdbc:postgresql://host:port/db --user U [--password P]`
schema_cmd() {
  local url="" user="${USER:-postgres}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --url) url="$2"; shift 2 ;;
      --user) user="$2"; shift 2 ;;
      --password) export CODESHARD_JDBC_PASSWORD="$2"; shift 2 ;;
      *) say "unknown option '$1' (try --url, --user, --password)"; exit 2 ;;
    esac
  done
  [ -n "$url" ] || { say "schema needs --url jdbc:postgresql://host:port/database"; exit 2; }
  [ -f "$ROOT/api-gateway/target/classpath.txt" ] || build >&2
  apply_schema "$url" "$user"
}

apply_schema() {
  (journal_env "$1" "$2"; java -cp "$(classpath)" io.codeshard.node.JournalSchema)
}

# Private PostgreSQL 15: initdb in a temp dir (recorded in the state folder), loopback port, own socket dir.
start_private_postgres() {
  local dir port
  dir="$(mktemp -d /tmp/codeshard-pg-XXXXXX)"
  port="$(free_port)"
  mkdir -p "$dir/data" "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U codeshard --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { say "initdb failed: $(tail -3 "$dir/initdb.log")"; exit 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1" start >/dev/null \
    || { say "PostgreSQL did not start: $(tail -3 "$dir/postgres.log")"; exit 1; }
  echo "$dir" >"$CLUSTER_STATE/postgres.dir"
  PG_URL="jdbc:postgresql://127.0.0.1:$port/postgres"
  PG_USER=codeshard
}

stop_private_postgres() {
  [ -f "$CLUSTER_STATE/postgres.dir" ] || return 0
  local dir; dir="$(cat "$CLUSTER_STATE/postgres.dir")"
  if [ -d "$dir/data" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -f "$CLUSTER_STATE/postgres.dir"
}

# Starts one JVM in the background: name, roles, then NAME=VALUE env pairs. Writes <name>.pid and <name>.log.
start_member() {
  local name="$1" roles="$2"; shift 2
  mkdir -p "$CLUSTER_STATE/$name"
  (
    export CODESHARD_ROLES="$roles" CODESHARD_DATA_DIR="$CLUSTER_STATE/$name" CODESHARD_DISCOVERY=config
    for pair in "$@"; do export "${pair?}"; done
    # setsid: the member and its interpreters form their own session, so `down` finds all of them
    setsid java -cp "$(classpath)" -Dcodeshard.runtime.dir="$RUNTIME_DIR" io.codeshard.gateway.Main \
      >"$CLUSTER_STATE/$name.log" 2>&1 </dev/null &
    echo $! >"$CLUSTER_STATE/$name.pid"
  )
}

# `./codeshard cluster up [--workers N] [--gateways M] [--postgres-url URL --postgres-user U]`
cluster_up() {
  local workers=3 gateways=2 pg_url="" pg_user="${USER:-postgres}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --workers) workers="$2"; shift 2 ;;
      --gateways) gateways="$2"; shift 2 ;;
      --postgres-url) pg_url="$2"; shift 2 ;;
      --postgres-user) pg_user="$2"; shift 2 ;;
      *) say "unknown option '$1' (try --workers, --gateways, --postgres-url, --postgres-user)"; exit 2 ;;
    esac
  done
  if ls "$CLUSTER_STATE"/*.pid >/dev/null 2>&1; then say "a cluster is running (./codeshard cluster down first)"; exit 1; fi
  [ "$workers" -ge 1 ] && [ "$gateways" -ge 1 ] || { say "need at least one worker and one gateway"; exit 2; }
  # stdout carries only the gateway URLs, so scripts can read them
  setup >&2
  build >&2
  rm -rf "$CLUSTER_STATE"; mkdir -p "$CLUSTER_STATE"
  if [ -n "$pg_url" ]; then PG_URL="$pg_url"; PG_USER="$pg_user"; else start_private_postgres; fi
  say "journal: $PG_URL (user $PG_USER)"
  journal_env "$PG_URL" "$PG_USER"
  local out; out="$(apply_schema "$PG_URL" "$PG_USER" 2>&1)" || { say "journal schema failed: $out"; exit 1; }

  local i seeds="" mgmt
  declare -a worker_mgmt=()
  for ((i = 1; i <= workers; i++)); do worker_mgmt+=("$(free_port)"); done
  for mgmt in "${worker_mgmt[@]}"; do seeds+="${seeds:+,}127.0.0.1:$mgmt"; done
  : >"$CLUSTER_STATE/members"
  for ((i = 1; i <= workers; i++)); do
    mgmt="${worker_mgmt[$((i - 1))]}"
    start_member "worker-$i" worker CODESHARD_CLUSTER_PORT="$(free_port)" CODESHARD_MANAGEMENT_PORT="$mgmt" \
      CODESHARD_SEED_ENDPOINTS="$seeds" CODESHARD_REQUIRED_CONTACT_POINTS="$workers"
    echo "worker-$i worker $mgmt -" >>"$CLUSTER_STATE/members"
  done
  for ((i = 1; i <= gateways; i++)); do
    local http; http="$(free_port)"; mgmt="$(free_port)"
    start_member "gateway-$i" gateway CODESHARD_CLUSTER_PORT="$(free_port)" CODESHARD_MANAGEMENT_PORT="$mgmt" \
      CODESHARD_HTTP_PORT="$http" CODESHARD_SEED_ENDPOINTS="$seeds" CODESHARD_REQUIRED_CONTACT_POINTS="$workers"
    echo "gateway-$i gateway $mgmt $http" >>"$CLUSTER_STATE/members"
  done
  wait_ready "${CODESHARD_CLUSTER_READY_TIMEOUT:-180}"
  say "cluster ready: $workers workers, $gateways gateways (state in ${CLUSTER_STATE#"$ROOT"/}; ./codeshard cluster status)"
  while read -r name role mgmt http; do
    [ "$role" = gateway ] && echo "http://127.0.0.1:$http"
  done <"$CLUSTER_STATE/members"
}

# Waits until every member's management /ready answers 200 (member Up, worker's interpreter host serving).
wait_ready() {
  local deadline=$((SECONDS + $1)) name role mgmt http pending
  while :; do
    pending=""
    while read -r name role mgmt http; do
      if ! kill -0 "$(cat "$CLUSTER_STATE/$name.pid")" 2>/dev/null; then
        say "$name exited; its log ($CLUSTER_STATE/$name.log) ends with:"; tail -5 "$CLUSTER_STATE/$name.log" >&2
        cluster_down; exit 1
      fi
      curl -fs -o /dev/null "http://127.0.0.1:$mgmt/ready" || pending+=" $name"
    done <"$CLUSTER_STATE/members"
    [ -z "$pending" ] && return 0
    if ((SECONDS > deadline)); then say "not ready after $1 s:$pending (logs in $CLUSTER_STATE)"; cluster_down; exit 1; fi
    sleep 1
  done
}

# Every process in the session of a member (the JVM, its zygote and interpreters, unless they left it).
member_processes() { ps -eo pid=,sid= | awk -v sid="$1" '$2 == sid { print $1 }'; }

# SIGTERM to each member, SIGKILL after a grace period, then whatever of its session is left; then PostgreSQL.
cluster_down() {
  local pidfile pid grace="${CODESHARD_CLUSTER_DOWN_GRACE:-15}" leftovers
  for pidfile in "$CLUSTER_STATE"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pidfile in "$CLUSTER_STATE"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    local deadline=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    leftovers="$(member_processes "$pid")"
    # shellcheck disable=SC2086
    [ -n "$leftovers" ] && kill -KILL $leftovers 2>/dev/null || true
    rm -f "$pidfile"
  done
  stop_private_postgres
  say "cluster stopped"
}

# Members as one node sees them, then each worker's shards and contexts (its CodeContext shard region).
cluster_status() {
  [ -f "$CLUSTER_STATE/members" ] || { say "no cluster (./codeshard cluster up)"; exit 1; }
  local name role mgmt http any=""
  while read -r name role mgmt http; do
    if curl -fs -o /dev/null "http://127.0.0.1:$mgmt/alive"; then any="$mgmt"; break; fi
  done <"$CLUSTER_STATE/members"
  [ -n "$any" ] || { say "no member answers"; exit 1; }
  echo "members (as seen by 127.0.0.1:$any):"
  curl -fs "http://127.0.0.1:$any/cluster/members" | python3 -c '
import json, sys
view = json.load(sys.stdin)
unreachable = {u["node"] for u in view.get("unreachable", [])}
for m in view["members"]:
    roles = ",".join(r for r in m["roles"] if not r.startswith("dc-"))
    flag = "  UNREACHABLE" if m["node"] in unreachable else ""
    print("  %-40s %-8s %s%s" % (m["node"], m["status"], roles, flag))'
  echo "workers:"
  while read -r name role mgmt http; do
    [ "$role" = worker ] || continue
    local shards self
    if shards="$(curl -fs "http://127.0.0.1:$mgmt/cluster/shards/CodeContext")" \
        && self="$(curl -fs "http://127.0.0.1:$mgmt/cluster/members")"; then
      python3 -c '
import json, sys
regions = json.loads(sys.argv[2]).get("regions", [])
node = json.loads(sys.argv[3])["selfNode"]
print("  %-10s %-36s shards %3d  contexts %4d" % (sys.argv[1], node, len(regions), sum(r["numEntities"] for r in regions)))' \
        "$name" "$shards" "$self"
    else
      echo "  $name      not answering"
    fi
  done <"$CLUSTER_STATE/members"
  echo "gateways:"
  while read -r name role mgmt http; do
    [ "$role" = gateway ] && echo "  $name     http://127.0.0.1:$http"
  done <"$CLUSTER_STATE/members"
}

cluster_cmd() {
  local what="${1:-}"; shift || true
  case "$what" in
    up) cluster_up "$@" ;;
    down) cluster_down ;;
    status) cluster_status ;;
    *) say "usage: ./codeshard cluster up [--workers N] [--gateways M] [--postgres-url URL --postgres-user U] | down | status"; exit 2 ;;
  esac
}
