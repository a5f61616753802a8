#!/usr/bin/env bash
# deploy/run.sh — run CommitmentLedger locally on a fresh machine:
#   local PostgreSQL (deploy/pg.sh) -> build -> apply schema -> load the sample meeting
#   (idempotent) -> serve on http://127.0.0.1:5080 (LEDGER_HTTP_PORT to change).
# Environment: LEDGER_PG_PORT (default 5544), LEDGER_HTTP_PORT (default 5080),
#              ASPNETCORE_ENVIRONMENT (default Development).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo_root"

pg_port="${LEDGER_PG_PORT:-5544}"
http_port="${LEDGER_HTTP_PORT:-5080}"
sample="$repo_root/deploy/sample-data/2021-11-23-japan-vietnam-defence-ministers-meeting.json"
project="src/CommitmentLedger"

command -v dotnet >/dev/null 2>&1 \
    || { echo "run.sh: ERROR: the .NET 10 SDK (dotnet) is not installed" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

bash deploy/pg.sh commitmentledger

export ConnectionStrings__Ledger="Host=127.0.0.1;Port=$pg_port;Username=ledger;Database=commitmentledger"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

echo "run.sh: dotnet build $project"
dotnet build "$project"

echo "run.sh: applying the schema (db-apply)"
dotnet run --project "$project" --no-build -- db-apply

if [[ -f "$sample" ]]; then
    echo "run.sh: importing the sample meeting $sample (a second import creates nothing)"
    dotnet run --project "$project" --no-build -- import "$sample" \
        || echo "run.sh: WARNING: the sample meeting was not imported (see above); serving anyway" >&2
else
    echo "run.sh: WARNING: $sample not found: no sample data loaded" >&2
fi

base="http://127.0.0.1:$http_port"
# a token for trying the API (development key; an admin may do everything): curl -H "Authorization: Bearer $token"
token=""
if [[ "$ASPNETCORE_ENVIRONMENT" == Development ]]; then
    token="$(dotnet run --project "$project" --no-build -- dev-token --name "${USER:-developer}" --role admin --hours 12 2>/dev/null | tail -n 1)" \
        || echo "run.sh: WARNING: could not mint a development token (dev-token)" >&2
fi
cat <<MSG

CommitmentLedger ($ASPNETCORE_ENVIRONMENT) starting on $base
  Dashboard $base/   (paste the token below into its "API token" field)
  API      $base/api/commitments
  OpenAPI  $base/openapi/v1.json
  Scalar   $base/scalar
  Health   $base/health
  Database $ConnectionStrings__Ledger
  Token    ${token:-"(none: outside Development, tokens come from your issuer)"}
           (admin, 12 h; others: dotnet run --project $project -- dev-token --name NAME --role reader|recorder|assessor|admin)
           curl -H "Authorization: Bearer \$TOKEN" $base/api/commitments
Stop with Ctrl+C (PostgreSQL keeps running; see deploy/pg.sh).

MSG
exec dotnet run --project "$project" --no-build -- --urls "$base"
