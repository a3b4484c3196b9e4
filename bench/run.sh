#!/usr/bin/env bash
# The load harness: our release server against a bare actix-web + sea-orm server (bench/bare) on
# the same database, endpoint by endpoint, with wrk. See bench/README.md.
#
#   bench/run.sh                        # SQLite, then PostgreSQL; N = 10,000
#   BENCH_DBS=sqlite bench/run.sh       # only SQLite
#
# Environment (all optional):
#   BENCH_N          scale of the data set, `empower seed-demo --scale N` (default 10000)
#   BENCH_CHANGES    change-log rows to reach, `--changes M` (default 1000000)
#   BENCH_SECONDS    wrk duration of each run (default 10)
#   BENCH_ROUNDS     runs of each endpoint on each server; the table shows medians (default 1)
#   BENCH_WARMUP     seconds of unrecorded load on each server before each endpoint (default 2;
#                    0 for none)
#   BENCH_HEAVY_SECONDS  wrk duration of the results report, which takes seconds a request
#                    (default 60, at least BENCH_SECONDS; no warm-up)
#   BENCH_TIMEOUT    wrk's request timeout (default 60s: the results report takes seconds under
#                    load, and a timed-out request is dropped from the latencies)
#   BENCH_DBS        databases, in order (default "sqlite postgres")
#   BENCH_PG_URL     PostgreSQL server, without database (default postgres://postgres@127.0.0.1:5432)
#   BENCH_PG_DB      database created afresh for the run (default empower_bench; dropped first)
#   BENCH_Q          the common search word (default: picked from the names, see pick_word)
#   BENCH_Q_RARE     the rare search (default: the end of the middle name, URL-encoded)
#   BENCH_PORT_OURS, BENCH_PORT_BARE   ports (default 18200, 18201)
#   BENCH_RUST_LOG   RUST_LOG of both servers (default warn: no line per request)
#   BENCH_WORK       scratch directory (default: a new one under /tmp, removed at exit)
#   BENCH_COMMIT     the commit to name in the results when the tree is not a git checkout
#   CARGO_TARGET_DIR where cargo builds (default ./target)
#
# Writes bench/results/<date>-<db>.md per database and prints it. Needs cargo, curl, jq, wrk,
# sqlite3 and psql (missing wrk, jq and sqlite3 are installed with apt-get).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMMAND="$(env | grep -E '^(BENCH_|CARGO_TARGET_DIR=)' | sort | tr '\n' ' ')bench/run.sh${*:+ $*}"
N=${BENCH_N:-10000}
CHANGES=${BENCH_CHANGES:-1000000}
DURATION=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-1}
WARMUP=${BENCH_WARMUP:-2}
HEAVY_SECONDS=${BENCH_HEAVY_SECONDS:-60}
((HEAVY_SECONDS >= DURATION)) || HEAVY_SECONDS=$DURATION
TIMEOUT=${BENCH_TIMEOUT:-60s}
DBS=${BENCH_DBS:-sqlite postgres}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-empower_bench}
PORT_OURS=${BENCH_PORT_OURS:-18200}
PORT_BARE=${BENCH_PORT_BARE:-18201}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OURS="http://127.0.0.1:$PORT_OURS"
BARE="http://127.0.0.1:$PORT_BARE"
LUA="$ROOT/bench/wrk.lua"
RESULTS="$ROOT/bench/results"

ADMIN_EMAIL=admin@bench.empower.local
ADMIN_PASSWORD='bench admin passphrase, long and unguessable 7Q'
STAFF_EMAIL=staff@bench.empower.local
STAFF_PASSWORD='bench staff passphrase, long and unguessable 9Z'
JWT_SECRET='bench-jwt-secret-that-is-at-least-32-bytes-long'

if [[ -n ${BENCH_WORK:-} ]]; then
    WORK=$BENCH_WORK
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /tmp/empower-bench.XXXXXX)
fi

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- servers -------------------------------------------------------------------------------

OURS_PID=
BARE_PID=

stop() { # pid: SIGTERM, then wait for it to go (graceful shutdown takes a moment)
    local pid=$1
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    stop "$OURS_PID"
    stop "$BARE_PID"
    OURS_PID='' BARE_PID=''
    if [[ -z ${BENCH_WORK:-} ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_live() { # base pid name
    for _ in $(seq 1 600); do
        curl -fs -o /dev/null "$1/health/live" && return 0
        kill -0 "$2" 2>/dev/null || die "$3 stopped while starting (see its log in $WORK)"
        sleep 0.2
    done
    die "$3 did not answer on $1"
}

start_ours() { # url files_dir log
    EMPOWER_DATABASE_URL=$1 EMPOWER_FILES_DIR=$2 EMPOWER_BIND="127.0.0.1:$PORT_OURS" \
        EMPOWER_ENV=production EMPOWER_JWT_SECRET=$JWT_SECRET \
        EMPOWER_ADMIN_EMAIL=$ADMIN_EMAIL EMPOWER_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        RUST_LOG=${BENCH_RUST_LOG:-warn} "$TARGET/release/empower" serve >>"$3" 2>&1 &
    OURS_PID=$!
    wait_live "$OURS" "$OURS_PID" "our server"
}

start_bare() { # url log
    DATABASE_URL=$1 BIND="127.0.0.1:$PORT_BARE" RUST_LOG=${BENCH_RUST_LOG:-warn} \
        "$TARGET/release/empower-bench-bare" >>"$2" 2>&1 &
    BARE_PID=$!
    wait_live "$BARE" "$BARE_PID" "the bare server"
}

# Peak resident memory of a process (VmHWM). Writing 5 to clear_refs resets the peak to the
# current size, so each run reports its own peak, not the process's lifetime's.
reset_peak() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
peak_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# When wrk stops, the requests it had in flight go on in the server (a handler is not cancelled
# when its client leaves): 32 results reports take a minute. So after each load, wait until the
# server is idle (under 4% of a core for half a second) and, on PostgreSQL, no query of its
# database runs, before the next load starts; at most 3 minutes.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
settle() { # pid
    local before after
    for _ in $(seq 1 360); do
        before=$(cpu_ticks "$1")
        sleep 0.5
        after=$(cpu_ticks "$1")
        if ((after - before <= 2)); then
            [[ $DB != postgres ]] && return 0
            (($(psql -X -At "$PG_URL/postgres" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$PG_DB' AND state = 'active'") == 0)) && return 0
        fi
    done
    log "  (the server is still busy after 3 minutes)"
}

# --- API helpers ---------------------------------------------------------------------------

login() { # email password -> access token
    curl -fsS -X POST "$OURS/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "$(jq -n --arg e "$1" --arg p "$2" '{email: $e, password: $p}')" | jq -r .access_token
}

create_staff() { # admin token
    curl -fsS -o /dev/null -X POST "$OURS/api/v1/users" -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' \
        -d "$(jq -n --arg e "$STAFF_EMAIL" --arg p "$STAFF_PASSWORD" \
            '{email: $e, display_name: "Bench staff", password: $p, role: "staff"}')"
}

# Every live association through our list, 200 a page: ids to $1, names to $2.
dump_associations() { # ids_file names_file token
    local cursor='' page
    : >"$1"
    : >"$2"
    while :; do
        page=$(curl -fsS -H "Authorization: Bearer $3" \
            "$OURS/api/v1/associations?limit=200${cursor:+&cursor=$cursor}")
        jq -r '.items[].id' <<<"$page" >>"$1"
        jq -r '.items[].name' <<<"$page" >>"$2"
        cursor=$(jq -r '.next_cursor // empty' <<<"$page")
        [[ -n $cursor ]] || break
    done
}

# The search word: of the words (4 letters or more) in the names, the most frequent one found
# in at most half of them, so the LIKE scan passes over rows that do not match before it fills
# a page (a word in every name stops after 50 rows); the most frequent word when none is.
pick_word() { # names_file
    jq -R -s -r '
        split("\n") | map(select(length > 0)) as $names
        | [$names[] | ascii_downcase | [scan("[a-z]{4,}")] | unique[]]
        | group_by(.) | map({w: .[0], n: length}) | sort_by(-.n) as $words
        | (($words | map(select(.n <= ($names | length) / 2)) | first) // ($words | first)
           // {w: "association"}).w' "$1"
}

sql() { # db query -> one value
    if [[ $1 == sqlite ]]; then
        sqlite3 "$DB_FILE" "$2"
    else
        psql -X -q -At "$PG_URL/$PG_DB" -c "$2"
    fi
}

# --- one wrk run ---------------------------------------------------------------------------

# run_wrk label server(ours|bare) pid base path mode round seconds warmup -> appends a JSON
# line to $ROWS.
run_wrk() {
    local what=$1 server=$2 pid=$3 base=$4 path=$5 mode=$6 round=$7 seconds=$8 warmup=$9
    local token='' out rss
    if [[ $server == ours ]]; then token=$TOKEN; fi
    out="$WORK/wrk-$DB-$server-$(printf %02d "$INDEX")-$round.txt"
    if ((warmup > 0)); then
        BENCH_MODE=$mode BENCH_TOKEN=$token BENCH_IDS=$IDS \
            wrk -t2 -c32 -d"${warmup}s" --timeout "$TIMEOUT" -s "$LUA" "$base$path" >/dev/null
        settle "$pid"
    fi
    reset_peak "$pid"
    BENCH_MODE=$mode BENCH_TOKEN=$token BENCH_IDS=$IDS \
        wrk -t2 -c32 -d"${seconds}s" --timeout "$TIMEOUT" --latency -s "$LUA" "$base$path" >"$out"
    rss=$(peak_mb "$pid")
    settle "$pid"
    grep -q '^BENCH ' "$out" || die "wrk printed no figures (see $out)"
    awk -v db="$DB" -v i="$INDEX" -v what="$what" -v server="$server" -v round="$round" \
        -v rss="$rss" '
        function kv(line, out,   n, parts, j, pair) {
            n = split(line, parts, " ")
            for (j = 2; j <= n; j++) { split(parts[j], pair, "="); out[pair[1]] = pair[2] }
        }
        /^BENCH / { kv($0, b) }
        /^BENCH_KINDS / { kinds = substr($0, 13) }
        /^BENCH_STATUS / { statuses = substr($0, 14) }
        END {
            gsub(/"/, "\\\"", what)
            printf "{\"db\":\"%s\",\"i\":%d,\"what\":\"%s\",\"server\":\"%s\",\"round\":%d,", db, i, what, server, round
            printf "\"rps\":%s,\"p50\":%s,\"p99\":%s,\"non2xx\":%s,", b["rps"], b["p50_ms"], b["p99_ms"], b["non2xx3xx"]
            printf "\"socket\":%d,\"requests\":%s,\"rss_mb\":%s,", b["connect"] + b["read"] + b["write"] + b["timeout"], b["requests"], rss
            printf "\"kinds\":\"%s\",\"statuses\":\"%s\"}\n", kinds, statuses
        }' "$out" >>"$ROWS"
    log "  $server: $(grep '^BENCH ' "$out" | cut -d' ' -f2-) rss=${rss}MB"
}

# One matrix row: each round, ours then bare.
measure() { # what ours_path bare_path mode heavy
    local seconds=$DURATION warmup=$WARMUP
    if [[ $5 == heavy ]]; then seconds=$HEAVY_SECONDS warmup=0; fi
    INDEX=$((INDEX + 1))
    log "$1"
    for round in $(seq 1 "$ROUNDS"); do
        # Access tokens last 15 minutes: a fresh one for each run.
        TOKEN=$(login "$STAFF_EMAIL" "$STAFF_PASSWORD")
        run_wrk "$1" ours "$OURS_PID" "$OURS" "$2" "$4" "$round" "$seconds" "$warmup"
        run_wrk "$1" bare "$BARE_PID" "$BARE" "$3" "$4" "$round" "$seconds" "$warmup"
    done
}

# Both servers answer 2xx to a path before it is measured.
check() { # ours_path bare_path
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$OURS$1")
    [[ $code == 2* ]] || die "our server answers $code to $1"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BARE$2")
    [[ $code == 2* ]] || die "the bare server answers $code to $2"
}

# --- the report ----------------------------------------------------------------------------

commit() {
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$ROOT" rev-parse --short HEAD
        git -C "$ROOT" diff --quiet HEAD -- || echo ' (with uncommitted changes)'
    else
        echo "${BENCH_COMMIT:-unknown} (an exported tree, not a git checkout)"
    fi | tr -d '\n'
}

report() { # db seed_note -> the markdown table, to stdout
    local db=$1
    cat <<EOF
# Load harness: $db, $(date -u +%Y-%m-%d)

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load before the run: $LOAD_BEFORE
- commit: $(commit)
- command: \`$COMMAND\`
- database: $DB_DESCRIPTION
- data: $2; $COUNTS
- load: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), \`wrk -t2 -c32 -d${DURATION}s --timeout $TIMEOUT --latency\` (the results report: \`-d${HEAVY_SECONDS}s\`, no warm-up), ${WARMUP}s unrecorded warm-up per server and endpoint, each load followed by a wait until the server is idle, $ROUNDS round(s) (medians shown; errors summed, peak RSS the largest); ours as staff (\`Authorization: Bearer\`), bare without auth; both on one machine with wrk

| request | ours req/s | bare req/s | ours/bare | ours p50 / p99 ms | bare p50 / p99 ms | ours non-2xx/3xx + socket errors | bare non-2xx/3xx + socket errors | ours peak RSS MB | bare peak RSS MB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
    jq -s -r --arg db "$db" '
        def median: sort | if length == 0 then null
            elif length % 2 == 1 then .[length / 2 | floor]
            else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        def fmt(n): if . == null then "-" else
            (. * pow(10; n) | round | tostring) as $d
            | ("0" * ([n + 1 - ($d | length), 0] | max) + $d) as $d
            | if n == 0 then $d else $d[:-n] + "." + $d[-n:] end end;
        def rate: if . != null and . < 10 then fmt(2) else fmt(1) end;
        def side: {rps: (map(.rps) | median), p50: (map(.p50) | median),
            p99: (map(.p99) | median), non2xx: (map(.non2xx) | add),
            socket: (map(.socket) | add), rss: (map(.rss_mb) | max)};
        map(select(.db == $db)) | group_by(.i)[]
        | (map(select(.server == "ours")) | side) as $o
        | (map(select(.server == "bare")) | side) as $b
        | "| \(.[0].what) | \($o.rps | rate) | \($b.rps | rate) | \(if $b.rps > 0 then $o.rps / $b.rps | fmt(2) else "-" end) | \($o.p50 | fmt(2)) / \($o.p99 | fmt(2)) | \($b.p50 | fmt(2)) / \($b.p99 | fmt(2)) | \($o.non2xx) + \($o.socket) | \($b.non2xx) + \($b.socket) | \($o.rss | fmt(1)) | \($b.rss | fmt(1)) |"
    ' "$ROWS"
    echo
    echo "Write mix, requests sent and answers by status (all rounds):"
    echo
    jq -s -r --arg db "$db" '
        map(select(.db == $db and .kinds != ""))[]
        | "- \(.server), round \(.round): sent \(.kinds); answered \(.statuses)"' "$ROWS"
    echo
    echo "Search words: \`$Q\` (common), \`$Q_RARE\` (one name). Middle of the change log: seq $MID of $MAX_SEQ (ours: the cursor of that seq)."
}

# --- one database --------------------------------------------------------------------------

bench_db() { # sqlite | postgres
    DB=$1
    INDEX=0
    local dir="$WORK/$DB" url seed_note
    mkdir -p "$dir/files"
    case $DB in
    sqlite)
        DB_FILE="$dir/empower.db"
        url="sqlite://$DB_FILE?mode=rwc"
        DB_DESCRIPTION="SQLite file (WAL) on $(df -P "$dir" | awk 'NR == 2 { print $1 }'), $(sqlite3 --version | cut -d' ' -f1) CLI"
        ;;
    postgres)
        psql -X -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" \
            -c "CREATE DATABASE $PG_DB"
        url="$PG_URL/$PG_DB"
        DB_DESCRIPTION="PostgreSQL $(psql -X -At "$PG_URL/postgres" -c 'SHOW server_version') at ${PG_URL#*@}, database $PG_DB, created afresh"
        ;;
    *) die "unknown database $DB (sqlite or postgres)" ;;
    esac

    log "[$DB] migrating, creating the admin"
    start_ours "$url" "$dir/files" "$dir/ours.log"
    stop "$OURS_PID"
    OURS_PID=

    log "[$DB] loading the data set"
    if "$TARGET/release/empower" seed-demo --help 2>/dev/null | grep -q -- '--scale'; then
        EMPOWER_DATABASE_URL=$url EMPOWER_FILES_DIR="$dir/files" EMPOWER_DEMO_PASSWORD=$STAFF_PASSWORD \
            RUST_LOG=warn "$TARGET/release/empower" seed-demo --scale "$N" --changes "$CHANGES" \
            >"$dir/seed.log" 2>&1 || { cat "$dir/seed.log" >&2; die "seed-demo failed"; }
        seed_note="\`empower seed-demo --scale $N --changes $CHANGES\`"
    else
        log "[$DB] WARNING: this empower has no \`seed-demo --scale\`: loading the plain demo data set"
        EMPOWER_DATABASE_URL=$url EMPOWER_FILES_DIR="$dir/files" EMPOWER_DEMO_PASSWORD=$STAFF_PASSWORD \
            RUST_LOG=warn "$TARGET/release/empower" seed-demo \
            >"$dir/seed.log" 2>&1 || { cat "$dir/seed.log" >&2; die "seed-demo failed"; }
        seed_note="the plain demo data set (\`empower seed-demo\`: this build has no \`--scale\`; BENCH_N=$N not applied)"
    fi

    start_ours "$url" "$dir/files" "$dir/ours.log"
    start_bare "$url" "$dir/bare.log"

    local admin
    admin=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
    create_staff "$admin"
    TOKEN=$(login "$STAFF_EMAIL" "$STAFF_PASSWORD")

    IDS="$dir/ids.txt"
    dump_associations "$IDS" "$dir/names.txt" "$TOKEN"
    [[ -s $IDS ]] || die "no association to read"
    Q=${BENCH_Q:-$(pick_word "$dir/names.txt")}
    # A rare search: the last two words of the middle name (such as "rwanda 05007"), as someone
    # looking for one association types part of its name.
    Q_RARE=${BENCH_Q_RARE:-$(sort "$dir/names.txt" | sed -n "$(( ($(wc -l <"$dir/names.txt") + 1) / 2 ))p" |
        awk '{print tolower($(NF-1) "%20" $NF)}')}
    MAX_SEQ=$(sql "$DB" 'SELECT COALESCE(MAX(seq), 0) FROM change_log')
    MID=$((MAX_SEQ / 2))
    local cursor
    cursor=$(printf '[%d]' "$MID" | base64 -w0 | tr '+/' '-_' | tr -d '=')
    COUNTS="$(wc -l <"$IDS") live associations, $(sql "$DB" 'SELECT COUNT(*) FROM people') people, $(sql "$DB" 'SELECT COUNT(*) FROM change_log') change-log rows (before the write mix)"
    log "[$DB] $COUNTS; search words '$Q' and '$Q_RARE'"
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

    local rows=(
        "GET /health/live|/health/live|/health/live|get"
        "GET /api/v1/associations/{random id}|/|/|random-id"
        "GET /api/v1/associations?status=selected&sort=name&limit=50|/api/v1/associations?status=selected&sort=name&limit=50|/api/v1/associations?status=selected&sort=name&limit=50|get"
        "GET /api/v1/associations?q=$Q&limit=50 (a common word)|/api/v1/associations?q=$Q&limit=50|/api/v1/associations?q=$Q&limit=50|get"
        "GET /api/v1/associations?q=$Q_RARE&limit=50 (one name)|/api/v1/associations?q=$Q_RARE&limit=50|/api/v1/associations?q=$Q_RARE&limit=50|get"
        "GET /api/v1/changes?limit=500 (from the start)|/api/v1/changes?limit=500|/api/v1/changes?limit=500|get"
        "GET /api/v1/changes?after=$MID&limit=500 (the middle)|/api/v1/changes?cursor=$cursor&limit=500|/api/v1/changes?after=$MID&limit=500|get"
        "GET /api/v1/public/repertoire?limit=50|/api/v1/public/repertoire?limit=50|/api/v1/public/repertoire?limit=50|get"
        "GET /api/v1/results-report|/api/v1/results-report|/api/v1/results-report|get|heavy"
        "write mix: POST people, GET + PATCH (If-Match) associations|/|/|writes"
    )
    local row what ours_path bare_path mode heavy
    check "/api/v1/associations/$(head -1 "$IDS")" "/api/v1/associations/$(head -1 "$IDS")"
    for row in "${rows[@]}"; do
        IFS='|' read -r what ours_path bare_path mode <<<"$row"
        if [[ $mode == get ]]; then check "$ours_path" "$bare_path"; fi
    done
    for row in "${rows[@]}"; do
        IFS='|' read -r what ours_path bare_path mode heavy <<<"$row"
        measure "$what" "$ours_path" "$bare_path" "$mode" "$heavy"
    done

    stop "$OURS_PID"
    stop "$BARE_PID"
    OURS_PID='' BARE_PID=''

    mkdir -p "$RESULTS"
    local file
    file="$RESULTS/$(date -u +%Y-%m-%d)-$DB.md"
    report "$DB" "$seed_note" >"$file"
    log "[$DB] written to ${file#"$ROOT"/}"
    cat "$file"
}

# --- main ----------------------------------------------------------------------------------

need() { # command apt-package
    command -v "$1" >/dev/null && return 0
    log "installing $2"
    apt-get install -y "$2" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }
}
need wrk wrk
need jq jq
if [[ $DBS == *sqlite* ]]; then need sqlite3 sqlite3; fi
if [[ $DBS == *postgres* ]]; then need psql postgresql-client; fi

log "building (release) into $TARGET"
(cd "$ROOT" && cargo build --release -p empower -p empower-bench-bare)

ROWS="$WORK/rows.jsonl"
: >"$ROWS"
for db in $DBS; do
    bench_db "$db"
done
