#!/usr/bin/env bash
# A Dolt cluster for factstore on loopback: a primary and a standby (Dolt's cluster
# replication: every SQL commit is shipped to the standby, which refuses writes), and a read
# replica that pulls from the primary's remotesapi on each read. Each server has its own
# folder and DOLT_ROOT_PATH under CLUSTER_DIR (one shared would make both come up primary).
#
#   scripts/cluster.sh up        start the three servers; create DATABASE on the primary
#   scripts/cluster.sh status    role, epoch, head and replication lag of each (facts status)
#   scripts/cluster.sh failover  demote the primary, promote the standby (epoch + 1)
#   scripts/cluster.sh down      stop them (the data stays in CLUSTER_DIR; rm -rf it to start over)
#
# Environment: CLUSTER_DIR (/tmp/factstore-cluster), DATABASE (knowledge), DOLT (dolt on PATH,
# else ~/go/bin/dolt), FACTS (facts), PYTHON (python3 with factstore installed), BASE_PORT
# (3311: SQL ports BASE, BASE+1, BASE+2; remotesapi ports 50051, 50052 (cluster), 50061).
# docs/deploy.md explains the same on real hosts: TLS, users, grants.
set -euo pipefail

dir=${CLUSTER_DIR:-/tmp/factstore-cluster}
db=${DATABASE:-knowledge}
dolt=${DOLT:-$(command -v dolt || echo "$HOME/go/bin/dolt")}
facts=${FACTS:-facts}
python=${PYTHON:-python3}
base=${BASE_PORT:-3311}
sql_a=$base sql_b=$((base + 1)) sql_r=$((base + 2))
api_a=${API_A:-50051} api_b=${API_B:-50052} api_clone=${API_CLONE:-50061}

url() { echo "mysql://root@127.0.0.1:$1/$db"; }

config() { # name sql-port cluster-port peer-port role [clone-port]
    cat <<EOF
listener: {host: 127.0.0.1, port: $2}
data_dir: $dir/$1/data
cluster:
  standby_remotes:
  - {name: peer, remote_url_template: "http://127.0.0.1:$4/{database}"}
  bootstrap_role: $5
  bootstrap_epoch: 1
  remotesapi: {address: 127.0.0.1, port: $3}
EOF
    if [ -n "${6:-}" ]; then echo "remotesapi: {port: $6}"; fi
}

home() { # name: its own DOLT_ROOT_PATH with a committer (kept, with the cluster role, on restart)
    if [ -d "$dir/$1/home" ]; then return 0; fi
    mkdir -p "$dir/$1/home" "$dir/$1/data"
    DOLT_ROOT_PATH=$dir/$1/home "$dolt" config --global --add user.name "factstore $1" >/dev/null
    DOLT_ROOT_PATH=$dir/$1/home "$dolt" config --global --add user.email "$1@factstore.local" >/dev/null
}

start() { # name [config file]; waits until the SQL port answers
    local name=$1 port=$2
    (cd "$dir/$name/data" && DOLT_ROOT_PATH=$dir/$name/home nohup "$dolt" sql-server \
        --config "$dir/$name/config.yaml" >"$dir/$name/server.log" 2>&1 & echo $! >"$dir/$name/pid")
    for _ in $(seq 1 100); do
        if "$python" -c "import pymysql,sys; pymysql.connect(host='127.0.0.1', port=$port, user='root').close()" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "error: $name did not start; see $dir/$name/server.log" >&2
    exit 1
}

up() {
    if [ -f "$dir/a/pid" ] && kill -0 "$(cat "$dir/a/pid")" 2>/dev/null; then
        echo "already up (scripts/cluster.sh down first)"; exit 4
    fi
    home a; home b
    config a "$sql_a" "$api_a" "$api_b" primary "$api_clone" >"$dir/a/config.yaml"
    config b "$sql_b" "$api_b" "$api_a" standby >"$dir/b/config.yaml"
    start a "$sql_a"; start b "$sql_b"
    if ! "$facts" --url "$(url "$sql_a")" log -n 1 >/dev/null 2>&1; then
        "$facts" --url "$(url "$sql_a")" init --by "factstore <ops@factstore.local>"
    fi
    # the read replica: a clone of the primary's database that pulls on every read
    if [ ! -d "$dir/r/data/$db" ]; then
        home r
        (cd "$dir/r/data" && DOLT_ROOT_PATH=$dir/r/home "$dolt" clone \
            "http://127.0.0.1:$api_clone/$db" "$db" >/dev/null)
        DOLT_ROOT_PATH=$dir/r/home "$dolt" config --global --add \
            sqlserver.global.dolt_read_replica_remote origin >/dev/null
        DOLT_ROOT_PATH=$dir/r/home "$dolt" config --global --add \
            sqlserver.global.dolt_replicate_all_heads 1 >/dev/null
        printf 'listener: {host: 127.0.0.1, port: %s}\ndata_dir: %s\n' "$sql_r" "$dir/r/data" \
            >"$dir/r/config.yaml"
    fi
    start r "$sql_r"
    # the roles survive a restart (they are kept in each DOLT_ROOT_PATH): name the primary
    local primary=$sql_a standby=$sql_b
    if "$facts" --url "$(url "$sql_b")" status 2>/dev/null | grep -q "	primary	"; then
        primary=$sql_b standby=$sql_a
    fi
    echo "export FACTS_URL=$(url "$primary")"
    echo "export FACTS_READ_URL=$(url "$standby"),$(url "$sql_r")"
}

down() {
    for name in r b a; do
        if [ -f "$dir/$name/pid" ]; then
            kill "$(cat "$dir/$name/pid")" 2>/dev/null || true
            rm -f "$dir/$name/pid"
        fi
    done
    echo "stopped (data kept in $dir)"
}

status() {
    "$facts" --url "$(url "$sql_a")" --read-url "$(url "$sql_b"),$(url "$sql_r")" status
}

failover() { # whichever of a, b is primary becomes standby; the other primary, epoch + 1
    "$python" - "$(url "$sql_a")" "$(url "$sql_b")" <<'EOF'
import sys
from factstore.backends import cluster
from factstore.backends.dolt import DoltServerBackend

urls = sys.argv[1:]
primary = cluster.find_primary(urls)
if primary is None:
    sys.exit("error: neither server is primary now")
standby = next(u for u in urls if u != primary)
old, new = DoltServerBackend(primary), DoltServerBackend(standby)
epoch = cluster.switchover(old, new)
print(f"epoch {epoch}: primary is now {standby}; standby: {primary}")
print(f"export FACTS_URL={standby}")
EOF
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    failover) failover ;;
    *) echo "usage: scripts/cluster.sh up|down|failover|status" >&2; exit 2 ;;
esac
