#!/usr/bin/env bash
# deploy/codegen-check.sh — the service runs Wolverine's pre-generated handler code (TypeLoadMode.Static)
# from src/CommitmentLedger/Internal/Generated. This regenerates that code into the working tree
# (`codegen write`) and fails if it differs from what git has, so stale generated code cannot be
# committed. Needs no database. Exit 0: up to date; 1: stale (the fresh code is left in the tree to
# review and commit); other: the build or the generator failed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo_root"

project="src/CommitmentLedger"
internal="$project/Internal"
generated="$internal/Generated"

command -v dotnet >/dev/null 2>&1 \
    || { echo "codegen-check.sh: ERROR: the .NET 10 SDK (dotnet) is not installed" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Start from nothing: code for a removed endpoint must disappear too, and generated code that no
# longer compiles against the endpoints must not block the build that regenerates it.
rm -rf "$generated"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "codegen-check.sh: dotnet run --project $project -- codegen write"
if ! dotnet run --project "$project" -- codegen write </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    echo "codegen-check.sh: ERROR: codegen write failed (see above)" >&2
    exit 2
fi
grep -E '^Wrote generated code file' "$log" | sed "s|$repo_root/||" || true

# the binaries were built without the generated code: rebuild so that a following --no-build run is Static-ready
dotnet build "$project" -v quiet -nologo </dev/null >"$log" 2>&1 \
    || { cat "$log" >&2; echo "codegen-check.sh: ERROR: the build with the regenerated code failed" >&2; exit 2; }

changes="$(git status --porcelain --untracked-files=all -- "$internal")"
if [[ -n "$changes" ]]; then
    echo
    echo "$changes"
    git --no-pager diff --stat -- "$internal"
    echo
    echo "codegen-check.sh: FAILED: the committed generated code in $generated is stale." >&2
    echo "run: dotnet run --project src/CommitmentLedger -- codegen write, then commit" >&2
    echo "(this script has just regenerated it in the working tree: review and commit $internal)" >&2
    exit 1
fi
echo "codegen-check.sh: OK: $generated matches the endpoints"
