#!/usr/bin/env bash
# deploy/test.sh — local PostgreSQL (deploy/pg.sh) with database commitmentledger_test, Chromium for the
# dashboard's browser tests (apt, when missing and run as root),
# then `dotnet test` on the solution. Extra arguments go to dotnet test, e.g.
#   deploy/test.sh --filter FullyQualifiedName~Progress
# Exits with dotnet test's exit code. Environment: LEDGER_PG_PORT (default 5544).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo_root"

pg_port="${LEDGER_PG_PORT:-5544}"

command -v dotnet >/dev/null 2>&1 \
    || { echo "test.sh: ERROR: the .NET 10 SDK (dotnet) is not installed" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash deploy/pg.sh commitmentledger_test

# The dashboard's browser tests drive Debian's Chromium (Playwright); CJK fonts so Japanese renders in screenshots.
if ! command -v "${LEDGER_CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing chromium and fonts-noto-cjk with apt (browser tests)"
        apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null
    else
        echo "test.sh: WARNING: chromium or fonts-noto-cjk missing and not root: the browser tests will fail (apt-get install chromium fonts-noto-cjk)" >&2
    fi
fi

export ConnectionStrings__Ledger="Host=127.0.0.1;Port=$pg_port;Username=ledger;Database=commitmentledger_test"
echo "test.sh: ConnectionStrings__Ledger=$ConnectionStrings__Ledger"
echo "test.sh: dotnet test CommitmentLedger.sln $*"

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
set +e
dotnet test CommitmentLedger.sln "$@" </dev/null 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# The fault drills (kill -9, PostgreSQL stopped) need the service built by dotnet test; skipped with --filter.
faults="skipped (dotnet test was filtered)"
if [[ "$*" != *--filter* ]]; then
    echo
    echo "test.sh: bash tests/faults/faults.sh"
    if bash tests/faults/faults.sh 2>&1 | tee -a "$out" | tail -n 20; [[ ${PIPESTATUS[0]} -eq 0 ]]; then
        faults="PASSED"
    else
        faults="FAILED"
        rc=1
    fi
fi
set -e

echo
echo "==================== test summary ===================="
# per-project lines ("Passed!  - Failed: 0, Passed: 12, ...") and the overall line
grep -E '^(Passed!|Failed!)|Test summary:|Test Run (Successful|Failed|Aborted)|Total tests:|error [A-Z]+[0-9]+:' "$out" \
    | sed -E 's/^[[:space:]]+//' | awk '!seen[$0]++' | head -n 40 || true
# one closing line that any reader of CI output understands: "tests: N passed, N failed, N skipped"
read -r passed failed skipped < <(grep -E '^(Passed!|Failed!)' "$out" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
    | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo "faults (tests/faults/faults.sh): $faults"
echo "tests: $passed passed, $failed failed, $skipped skipped"
if (( rc == 0 )); then
    echo "RESULT: PASSED (dotnet test and the fault drills)"
else
    echo "RESULT: FAILED (dotnet test exit code or fault drills: $rc)"
fi
echo "======================================================"
exit "$rc"
