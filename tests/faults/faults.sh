#!/usr/bin/env bash
# tests/faults/faults.sh — the faults a ledger must survive (issue 7), against the real service and a
# PostgreSQL cluster of this script's own (port LEDGER_FAULT_PG_PORT, default 5599; never the project's 5544):
#   1. kill -9 of the service during concurrent writes, then a restart: every write that got a 2xx is in
#      the ledger, and no change is half-written (each view's version matches its history; chains verify);
#   2. two service processes on one database, writers through both to the same streams with If-Match:
#      every acknowledged write is kept, races answer 409 or 412; a scheduled deadline fires once; killing
#      the first node, the other takes over the daemon's agents (placed by Wolverine) and the portfolio catches up;
#   3. PostgreSQL stopped under load for ~21 s (longer than StaleNodeTimeout): the service answers 503
#      problem+json (never 500) and /health says so; PostgreSQL started again: the service recovers without a
#      restart and the portfolio catches up;
#   4. PostgreSQL restarted while two nodes run: the portfolio and every daemon shard catch up with writes made
#      through both nodes after it, and no node logs ProgressionProgressOutOfOrderException (two nodes running
#      the same agent: what Marten's HotCold daemon did before, README "Fault drills");
#   5. PostgreSQL down 22 s (longer than StaleNodeTimeout) while two nodes run and writers post through both: a
#      node may start its peer's agent (all heartbeats stale) and one copy stop on ProgressionOutOfOrder; the
#      portfolio and every shard must still catch up within 90 s, without a node restart (DaemonShardWatchdog).
# Run by deploy/test.sh after `dotnet test` (which builds the service). Exit code 0 when all five hold (~2 min).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo"
pg_port="${LEDGER_FAULT_PG_PORT:-5599}"
http_port="${LEDGER_FAULT_HTTP_PORT:-5197}"
base="http://127.0.0.1:$http_port"
dll="$repo/src/CommitmentLedger/bin/${LEDGER_FAULT_CONFIGURATION:-Debug}/net10.0/CommitmentLedger.dll"
say() { echo "faults: $*"; }
fail() { say "FAILED: $*"; exit 1; }

[[ -f "$dll" ]] || dotnet build src/CommitmentLedger -c "${LEDGER_FAULT_CONFIGURATION:-Debug}" >/dev/null
bindir=""
for d in /usr/lib/postgresql/*/bin "$(pg_config --bindir 2>/dev/null || true)"; do
    [[ -n "$d" && -x "$d/initdb" ]] && { bindir="$d"; break; }
done
[[ -n "$bindir" ]] || fail "PostgreSQL's initdb was not found (run deploy/pg.sh first: it installs PostgreSQL)"

work="$(mktemp -d /tmp/cl-faults.XXXXXX)"
chmod 755 "$work"
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$work"
service_pid=""
second_pid=""
writers=()
cleanup() {
    for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
    [[ -n "$service_pid" ]] && kill -9 "$service_pid" 2>/dev/null || true
    [[ -n "$second_pid" ]] && kill -9 "$second_pid" 2>/dev/null || true
    as_pg "$bindir/pg_ctl" -D "$work/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    [[ -n "${LEDGER_FAULT_KEEP:-}" ]] && echo "faults: logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

start_pg() { as_pg "$bindir/pg_ctl" -D "$work/pgdata" -l "$work/pg.log" -w \
    -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1" start >/dev/null; }
stop_pg() { as_pg "$bindir/pg_ctl" -D "$work/pgdata" -m fast -w stop >/dev/null; }
healthy_within_30s() { # node: 0 once its /health answers 200
    local _
    for _ in $(seq 1 150); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1/health")" == 200 ]] && return 0
        sleep 0.2
    done
    return 1
}
for port in "$http_port" "$((http_port + 1))"; do
    curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" && fail "port $port is already in use (LEDGER_FAULT_HTTP_PORT chooses others)"
done
as_pg "$bindir/initdb" -D "$work/pgdata" -U ledger --auth=trust -E UTF8 >/dev/null
start_pg
"$bindir/psql" -q -h 127.0.0.1 -p "$pg_port" -U ledger -d postgres -c "create database faults" >/dev/null

export ConnectionStrings__Ledger="Host=127.0.0.1;Port=$pg_port;Username=ledger;Database=faults;Timeout=3"
export ASPNETCORE_ENVIRONMENT=Development RateLimit__PermitsPerWindow=0 Logging__Console__TimestampFormat="HH:mm:ss.fff "
token="$(dotnet "$dll" dev-token --name fault-test --role admin 2>/dev/null | grep -E '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' | tail -n 1)"
[[ -n "$token" ]] || fail "dev-token printed no token"
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")

start_service() {
    ConnectionStrings__Ledger="$ConnectionStrings__Ledger;Application Name=node-1" \
        dotnet "$dll" --urls "$base" >>"$work/service.log" 2>&1 &
    service_pid=$!
    for _ in $(seq 1 300); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/health")" == 200 ]] && return 0
        kill -0 "$service_pid" 2>/dev/null || { tail -n 20 "$work/service.log"; fail "the service exited at start"; }
        sleep 0.2
    done
    fail "the service did not become healthy in 60 s"
}
start_service

ids=()
for i in 1 2 3 4; do
    body="{\"kind\":\"action\",\"strength\":\"pledged\",\"title\":{\"en\":\"Fault drill $i\"},\"parties\":[\"JP-MOD\"],\"area\":\"drill\",\"madeOn\":\"2021-11-23\"}"
    id="$(curl -s "${auth[@]}" -X POST "$base/api/commitments" -d "$body" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4)"
    [[ -n "$id" ]] || fail "could not record commitment $i"
    ids+=("$id")
done

# 1. kill -9 under concurrent writes: two writers per commitment, so some lose races (409) on purpose.
writer() {
    local id="$1" name="$2" n=0 code
    while true; do
        n=$((n + 1))
        code="$(curl -s -o /dev/null -w '%{http_code}' -m 5 "${auth[@]}" -X POST "$base/api/commitments/$id/progress" \
            -d "{\"note\":\"$name-$n\"}" || true)"
        [[ "$code" == 2* ]] && echo "$id $name-$n" >>"$work/acknowledged"
    done
}
for id in "${ids[@]}"; do
    for w in a b; do writer "$id" "$w-${id:0:8}" & writers+=($!); done
done
sleep 3
kill -9 "$service_pid"
for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
wait 2>/dev/null || true
writers=()
acknowledged="$(wc -l <"$work/acknowledged" 2>/dev/null || echo 0)"
(( acknowledged > 0 )) || fail "no write was acknowledged before the kill"
start_service

missing=0
for id in "${ids[@]}"; do
    history="$(curl -s "${auth[@]}" "$base/api/commitments/$id/history")"
    while read -r _ note; do
        grep -q "\"note\":\"$note\"" <<<"$history" || { say "acknowledged but missing: $id $note"; missing=$((missing + 1)); }
    done < <(grep "^$id " "$work/acknowledged" || true)
    entries="$(grep -o '"version":[0-9]*,"sequence"' <<<"$history" | wc -l)"
    version="$(curl -s "${auth[@]}" "$base/api/commitments/$id" | grep -o '"version":[0-9]*' | head -n 1 | cut -d: -f2)"
    [[ "$entries" == "$version" ]] || fail "commitment $id: the view says version $version, its history has $entries entries (half-written)"
    curl -s "${auth[@]}" "$base/api/commitments/$id/verify" | grep -q '"valid":true' || fail "commitment $id: hash chain broken"
done
(( missing == 0 )) || fail "$missing acknowledged write(s) lost after kill -9"
say "kill -9 during concurrent writes: all $acknowledged acknowledged writes kept, views and chains whole"

# 2. Two nodes on one database: writers through both, to the same streams, with If-Match.
second="http://127.0.0.1:$((http_port + 1))"
ConnectionStrings__Ledger="$ConnectionStrings__Ledger;Application Name=node-2" \
    dotnet "$dll" --urls "$second" >>"$work/service2.log" 2>&1 &
second_pid=$!
for _ in $(seq 1 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$second/health")" == 200 ]] && break
    sleep 0.2
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$second/health")" == 200 ]] || fail "the second node did not start"
: >"$work/acknowledged2"
: >"$work/raced"
node_writer() {
    local node="$1" id="$2" name="$3" n=0 version code
    while true; do
        n=$((n + 1))
        version="$(curl -s -m 5 "${auth[@]}" "$node/api/commitments/$id" | grep -o '"version":[0-9]*' | head -n 1 | cut -d: -f2)"
        [[ -n "$version" ]] || continue
        code="$(curl -s -o /dev/null -w '%{http_code}' -m 5 "${auth[@]}" -H "If-Match: \"$version\"" \
            -X POST "$node/api/commitments/$id/progress" -d "{\"note\":\"$name-$n\"}" || true)"
        case "$code" in
            2*) echo "$id $name-$n" >>"$work/acknowledged2" ;;
            409|412) echo "$code" >>"$work/raced" ;;
            *) echo "unexpected $code" >>"$work/raced" ;;
        esac
    done
}
for id in "${ids[@]}"; do
    node_writer "$base" "$id" "one-${id:0:8}" & writers+=($!)
    node_writer "$second" "$id" "two-${id:0:8}" & writers+=($!)
done
sleep 4
for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
wait "${writers[@]}" 2>/dev/null || true
writers=()
grep -q unexpected "$work/raced" && fail "two nodes: unexpected answers: $(grep unexpected "$work/raced" | sort | uniq -c | tr '\n' ' ')"
races="$(wc -l <"$work/raced")"
(( races > 0 )) || fail "two nodes: no race was detected (expected 409/412 from concurrent If-Match writers)"
for id in "${ids[@]}"; do
    history="$(curl -s "${auth[@]}" "$second/api/commitments/$id/history")"
    while read -r _ note; do
        grep -q "\"note\":\"$note\"" <<<"$history" || fail "two nodes: acknowledged but missing: $id $note"
    done < <(grep "^$id " "$work/acknowledged2" || true)
    curl -s "${auth[@]}" "$base/api/commitments/$id/verify" | grep -q '"valid":true' || fail "two nodes: $id chain broken"
done
say "two nodes, one database: $(wc -l <"$work/acknowledged2") acknowledged writes kept, $races races answered 409/412"

# A deadline scheduled while two nodes run fires once: due dates in the past are due at once, on whichever node.
for id in "${ids[@]}"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X PUT "$base/api/commitments/$id/due-date" \
        -d '{"dueOn":"2022-06-30","reason":"drill"}')"
    [[ "$code" == 200 ]] || fail "setting a due date answered $code"
done
for id in "${ids[@]}"; do
    fired=""
    for _ in $(seq 1 150); do
        misses="$( (curl -s "${auth[@]}" "$second/api/commitments/$id/history" | grep -o '"type":"DeadlineMissed"' || true) | wc -l)"
        (( misses > 0 )) && { fired=yes; break; }
        sleep 0.2
    done
    [[ -n "$fired" ]] || fail "two nodes: the deadline of $id never fired"
done
sleep 2 # a second delivery, if there were one, would have landed by now
for id in "${ids[@]}"; do
    misses="$( (curl -s "${auth[@]}" "$second/api/commitments/$id/history" | grep -o '"type":"DeadlineMissed"' || true) | wc -l)"
    [[ "$misses" == 1 ]] || fail "two nodes: the deadline of $id fired $misses times"
done
say "two nodes: each of ${#ids[@]} scheduled deadlines fired exactly once"

# The daemon's agents run on one node each; kill the first node and the other must take the portfolio over.
kill -9 "$service_pid"
service_pid=""
killed="$(date +%s)"
code="$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$second/api/commitments/${ids[0]}/progress" -d '{"note":"after the failover"}')"
[[ "$code" == 200 ]] || fail "a write through the surviving node answered $code"
caught=""
for _ in $(seq 1 300); do
    behind="$( (curl -s -m 5 "${auth[@]}" "$second/api/portfolio" | grep -o '"eventsBehind":[0-9]*' || true) | cut -d: -f2)"
    [[ "$behind" == 0 ]] && { caught=yes; break; }
    sleep 0.2
done
[[ -n "$caught" ]] || fail "failover: the surviving node did not take over the daemon's agents within 60 s (events behind: $behind)"
say "failover: with the first node killed, the second took over the daemon's agents and the portfolio caught up ($(($(date +%s) - killed)) s)"
# 3. PostgreSQL stopped under load, then started again (through the node that survived step 2).
node="$second"
codes="$work/codes"
( while true; do
      curl -s -o /dev/null -w '%{http_code}\n' -m 5 "${auth[@]}" -X POST "$node/api/commitments/${ids[0]}/progress" \
          -d '{"note":"during the outage"}' >>"$codes" || true
      curl -s -o /dev/null -w '%{http_code}\n' -m 5 "${auth[@]}" "$node/api/commitments/${ids[1]}" >>"$codes" || true
  done ) &
writers+=($!)
sleep 1
stop_pg
sleep 2
health="$(curl -s -w ' %{http_code}' "$node/health")"
[[ "$health" == *" 503" ]] || fail "/health answered '$health' while PostgreSQL was down (expected 503)"
down="$(curl -s -D - -o "$work/down.json" "${auth[@]}" "$node/api/commitments/${ids[2]}")"
grep -q " 503" <<<"$down" || fail "a read answered $(head -n 1 <<<"$down") while PostgreSQL was down (expected 503)"
grep -qi "content-type: application/problem+json" <<<"$down" || fail "the 503 was not problem+json"
grep -qi "retry-after" <<<"$down" || fail "the 503 had no Retry-After"
# Longer than StaleNodeTimeout (20 s): the node's own heartbeat goes stale too.
sleep "${LEDGER_FAULT_SINGLE_OUTAGE_SECONDS:-19}"
start_pg
healthy_within_30s "$node" || fail "the service did not recover within 30 s of PostgreSQL coming back"
code="$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$node/api/commitments/${ids[3]}/progress" -d '{"note":"after the outage"}')"
[[ "$code" == 200 ]] || fail "a write after recovery answered $code"
for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
writers=()
if grep -q '^5' "$codes" && grep '^5' "$codes" | grep -qv '^503$'; then
    fail "answers during the outage included $(grep '^5' "$codes" | grep -v '^503$' | sort | uniq -c | tr '\n' ' ')"
fi
caught=""
for _ in $(seq 1 450); do
    behind="$( (curl -s -m 5 "${auth[@]}" "$node/api/portfolio" | grep -o '"eventsBehind":[0-9]*' || true) | cut -d: -f2)"
    [[ "$behind" == 0 ]] && { caught=yes; break; }
    sleep 0.2
done
[[ -n "$caught" ]] || fail "after the outage the portfolio did not catch up within 90 s (events behind: $behind)"
say "PostgreSQL stopped under load (~21 s): $(grep -c '^503$' "$codes" || true) answers were 503 problem+json, none 500; /health 503; recovered without a restart, portfolio caught up"

# 4. PostgreSQL restarted while two nodes run: the daemon's leadership went with the old connections, and
#    exactly one node must run the agents again (two would stop each other: ProgressionProgressOutOfOrder),
#    so the portfolio, and every other daemon shard (the webhook relay), catch up without restarting a node.
psql_faults() { "$bindir/psql" -qtA -h 127.0.0.1 -p "$pg_port" -U ledger -d faults -c "$1"; }
# Who holds which advisory lock, twice a second (in locks.log, for the logs kept with LEDGER_FAULT_KEEP=1).
( while true; do
      echo "$(date +%T.%N | cut -c1-12) $(psql_faults "select string_agg(a.application_name || ':' || l.objid, ' ' order by l.objid)
          from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory'" 2>/dev/null)" >>"$work/locks.log"
      sleep 0.5
  done ) &
writers+=($!)
# From here on the logs must not show two nodes running the same agent.
mark="$(wc -l <"$work/service.log") $(wc -l <"$work/service2.log")"
start_service
nodes=("$base" "$second")
# Every daemon shard (and the high water mark) at or past the newest event, and the portfolio's total as expected.
caught_up() {
    local expected_total="$1" node portfolio behind total lagging
    for node in "${nodes[@]}"; do
        portfolio="$(curl -s -m 5 "${auth[@]}" "$node/api/portfolio" || true)"
        behind="$( (grep -o '"eventsBehind":[0-9]*' <<<"$portfolio" || true) | cut -d: -f2)"
        total="$( (grep -o '"total":[0-9]*' <<<"$portfolio" || true) | head -n 1 | cut -d: -f2)"
        [[ "$behind" == 0 && "$total" == "$expected_total" ]] || return 1
    done
    # Shards are named projection:key (PortfolioEntry:All, Webhooks:All); other rows are the daemon's bookkeeping.
    lagging="$(psql_faults "select count(*) from ledger.mt_event_progression where (name like '%:%' or name = 'HighWaterMark')
        and last_seq_id < (select coalesce(max(seq_id), 0) from ledger.mt_events)" 2>/dev/null || echo x)"
    [[ "$lagging" == 0 ]]
}
wait_caught_up() { # expected total, seconds
    local i
    for i in $(seq 1 $(($2 * 5))); do caught_up "$1" && return 0; sleep 0.2; done
    return 1
}
record() { # node, title: prints the new commitment's id
    curl -s "${auth[@]}" -X POST "$1/api/commitments" -d "{\"kind\":\"action\",\"strength\":\"pledged\",\"title\":{\"en\":\"$2\"},\"parties\":[\"JP-MOD\"],\"area\":\"drill\",\"madeOn\":\"2021-11-23\"}" \
        | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4
}
# Two rounds of a commitment recorded and a progress report on an existing one through each node; after each
# round the portfolio and every shard must catch up within the given time. Adds the new commitments to $total.
writes_through_both_catch_up() { # drill's name, what the writes follow, commitment for the progress reports, seconds
    local round node code
    for round in 1 2; do
        for node in "${nodes[@]}"; do
            [[ -n "$(record "$node" "After the $2 $round")" ]] || fail "$1: a write through $node failed"
            total=$((total + 1))
            code="$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST "$node/api/commitments/$3/progress" \
                -d "{\"note\":\"after the $2 $round\"}")"
            [[ "$code" == 200 ]] || fail "$1: a progress report through $node answered $code"
        done
        if ! wait_caught_up "$total" "$4"; then
            say "daemon progress: $(psql_faults "select name || '=' || last_seq_id from ledger.mt_event_progression order by name" | tr '\n' ' ')"
            say "newest event: $(psql_faults "select max(seq_id) from ledger.mt_events")"
            say "assignments: $(psql_faults "select id || '@' || node_id from ledger.wolverine_node_assignments order by id" 2>/dev/null | tr '\n' ' ')"
            fail "$1: the portfolio did not catch up within $4 s (round $round)"
        fi
    done
}
total="$( (curl -s "${auth[@]}" "$second/api/portfolio" | grep -o '"total":[0-9]*' || true) | head -n 1 | cut -d: -f2)"
[[ -n "$total" ]] || fail "restart under two nodes: no portfolio total"
[[ -n "$(record "$base" "Before the restart")" ]] || fail "restart under two nodes: a write before the restart failed"
total=$((total + 1))
wait_caught_up "$total" 60 || fail "restart under two nodes: the portfolio did not catch up before the restart"
stop_pg
sleep 1
start_pg
for node in "${nodes[@]}"; do
    healthy_within_30s "$node" || fail "restart under two nodes: $node did not recover within 30 s"
done
restarted="$(date +%s)"
# Writes after the restart, through both nodes, twice: a stale leader shows as a stall that does not clear.
writes_through_both_catch_up "restart under two nodes" "restart" "${ids[0]}" 60
# Marten refuses a progression that moved underneath it: the sign of two nodes running the same agent.
read -r from1 from2 <<<"$mark"
twice="$( (tail -n +"$((from1 + 1))" "$work/service.log"; tail -n +"$((from2 + 1))" "$work/service2.log") \
    | grep -c 'ProgressionProgressOutOfOrderException' || true)"
(( twice == 0 )) || fail "restart under two nodes: both nodes ran the daemon's agents ($twice ProgressionProgressOutOfOrderException log lines)"
say "PostgreSQL restarted under two nodes: the portfolio and the webhook relay caught up with writes through both nodes ($(($(date +%s) - restarted)) s)"

# 5. A PostgreSQL outage longer than StaleNodeTimeout (20 s) while two nodes run: every heartbeat goes stale, so
#    the first node back may take its peer for dead and start the peer's agents while the peer still runs them.
#    Whatever happens in between, each agent must end up running on one node and every shard must catch up with
#    writes through both nodes, without restarting a node.
outage="${LEDGER_FAULT_OUTAGE_SECONDS:-22}"
mark="$(wc -l <"$work/service.log") $(wc -l <"$work/service2.log")"
stop_pg
# Writers through both nodes from the outage on, so both copies of a double-started agent have events to project.
for node in "${nodes[@]}"; do
    ( while true; do
          curl -s -o /dev/null -m 5 "${auth[@]}" -X POST "$node/api/commitments/${ids[2]}/progress" -d '{"note":"across the long outage"}' || true
          sleep 0.2
      done ) &
    writers+=($!)
done
sleep "$outage"
start_pg
back="$(date +%s)"
for node in "${nodes[@]}"; do
    healthy_within_30s "$node" || fail "long outage: $node did not recover within 30 s"
done
sleep 5
for w in "${writers[@]:1}"; do kill "$w" 2>/dev/null || true; done
writers=("${writers[0]}")
writes_through_both_catch_up "long outage (${outage} s)" "long outage" "${ids[1]}" 90
read -r from1 from2 <<<"$mark"
twice="$( (tail -n +"$((from1 + 1))" "$work/service.log"; tail -n +"$((from2 + 1))" "$work/service2.log") \
    | grep -c 'ProgressionProgressOutOfOrderException' || true)"
say "PostgreSQL down ${outage} s under two nodes: every shard caught up with writes through both nodes ($(($(date +%s) - back)) s after it was back; $twice out-of-order log lines)"
for w in "${writers[@]}"; do kill "$w" 2>/dev/null || true; done
writers=()
kill "$service_pid" "$second_pid" 2>/dev/null || true
service_pid=""
second_pid=""
say "PASSED"
