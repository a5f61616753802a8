#!/usr/bin/env bash
# deploy/pg.sh — make sure CommitmentLedger's own local PostgreSQL runs, then create the
# databases named as arguments if they are missing.
#
#   bash deploy/pg.sh commitmentledger commitmentledger_test
#   source deploy/pg.sh commitmentledger      # also exports ConnectionStrings__Ledger
#                                             # (when sourcing, always pass the names:
#                                             #  without arguments bash reuses the caller's)
#
# Idempotent: when our server already answers on the port, only missing databases are made.
#
# Environment:
#   LEDGER_PG_PORT   TCP port on 127.0.0.1 (default 5544; 5432 is never touched)
#   LEDGER_PG_BIN    folder holding initdb/pg_ctl/postgres (default: found automatically)
#   LEDGER_PG_OPTS   extra server options, e.g. "-c fsync=off"
#
# As root, PostgreSQL runs as the `postgres` OS user; its data goes to deploy/.pgdata when
# that user can reach the folder, else to /var/lib/commitmentledger/pgdata. As an ordinary
# user, PostgreSQL runs as that user with data in deploy/.pgdata. The superuser of the
# cluster is always `ledger` (trust authentication, 127.0.0.1 only). The server log is the
# file <data folder>.log next to the data folder.

_ledger_pg_main() {
    set -euo pipefail

    local port="${LEDGER_PG_PORT:-5544}"
    local deploy_dir repo_root
    deploy_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
    repo_root="$(dirname "$deploy_dir")"

    say() { printf 'pg.sh: %s\n' "$*"; }
    die() { printf 'pg.sh: ERROR: %s\n' "$*" >&2; exit 1; }

    [[ "$port" =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) \
        || die "LEDGER_PG_PORT must be a TCP port number, got '$port'"
    local db
    for db in "$@"; do
        [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] \
            || die "database name '$db' must match [A-Za-z_][A-Za-z0-9_]*"
    done

    local is_root=0
    [[ "$(id -u)" == 0 ]] && is_root=1

    # ---------------------------------------------------------------- binaries
    find_bindir() {
        local d
        if [[ -n "${LEDGER_PG_BIN:-}" ]]; then
            [[ -x "$LEDGER_PG_BIN/initdb" ]] && { echo "$LEDGER_PG_BIN"; return 0; }
            return 1
        fi
        [[ -x /usr/lib/postgresql/15/bin/initdb ]] && { echo /usr/lib/postgresql/15/bin; return 0; }
        # newest other Debian/Ubuntu-packaged major version
        for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -rn); do
            [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
        done
        if command -v pg_config >/dev/null 2>&1; then
            d="$(pg_config --bindir 2>/dev/null || true)"
            [[ -n "$d" && -x "$d/initdb" ]] && { echo "$d"; return 0; }
        fi
        d="$(command -v initdb 2>/dev/null || true)"
        [[ -n "$d" ]] && { dirname "$d"; return 0; }
        return 1
    }

    local bindir
    if ! bindir="$(find_bindir)"; then
        [[ -n "${LEDGER_PG_BIN:-}" ]] && die "LEDGER_PG_BIN=$LEDGER_PG_BIN holds no initdb"
        if (( is_root )); then
            say "PostgreSQL server binaries not found: installing the 'postgresql' package (apt-get)"
            command -v apt-get >/dev/null 2>&1 \
                || die "apt-get not available: install PostgreSQL 15 (server) by hand"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update </dev/null
            apt-get install -y --no-install-recommends postgresql </dev/null
            bindir="$(find_bindir)" || die "installed 'postgresql' but still no initdb under /usr/lib/postgresql/*/bin"
        else
            printf 'pg.sh: ERROR: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found.\n' >&2
            printf '       Install them, e.g. as root:  apt-get update && apt-get install -y postgresql\n' >&2
            printf '       (or point LEDGER_PG_BIN at their folder), then run this script again.\n' >&2
            exit 1
        fi
    fi
    local tool
    for tool in initdb pg_ctl postgres pg_isready psql; do
        [[ -x "$bindir/$tool" ]] || die "$bindir/$tool missing (incomplete PostgreSQL install)"
    done

    # ---------------------------------------------------------------- who runs it, where
    local pg_user
    if (( is_root )); then
        pg_user=postgres
        if ! id -u postgres >/dev/null 2>&1; then
            say "creating system user 'postgres'"
            useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
                --shell /bin/bash postgres
        fi
    else
        pg_user="$(id -un)"
    fi

    # Run as the server's OS user with every descriptor above 2 closed: the server started
    # by pg_ctl must not inherit our lock (fd 9) nor a caller's pipes (a CI runner waiting
    # for end-of-file on them would hang).
    as_pg() {
        (
            local f n
            for f in /proc/$BASHPID/fd/*; do
                n="${f##*/}"
                [[ "$n" =~ ^[0-9]+$ ]] && (( n > 2 )) && eval "exec $n>&-" 2>/dev/null || true
            done
            if (( is_root )); then
                cd / && exec runuser -u postgres -- "$@"
            else
                exec "$@"
            fi
        )
    }

    local data=""
    if (( is_root )); then
        local repo_data="$deploy_dir/.pgdata"
        if as_pg test -x "$deploy_dir" 2>/dev/null; then
            if [[ ! -e "$repo_data" ]]; then
                mkdir -m 700 "$repo_data"
            fi
            if [[ -d "$repo_data" ]]; then
                if [[ "$(stat -c %U "$repo_data")" != postgres ]]; then
                    chown -R postgres:postgres "$repo_data" 2>/dev/null || true
                fi
                chmod 700 "$repo_data" 2>/dev/null || true
                if as_pg test -w "$repo_data" 2>/dev/null && as_pg test -x "$repo_data" 2>/dev/null; then
                    data="$repo_data"
                fi
            fi
            if [[ -z "$data" ]]; then
                say "the postgres user cannot own/write $repo_data"
                rmdir "$repo_data" 2>/dev/null || true
            fi
        else
            say "the postgres OS user cannot traverse $deploy_dir"
        fi
        if [[ -z "$data" ]]; then
            data=/var/lib/commitmentledger/pgdata
            mkdir -p /var/lib/commitmentledger
            chmod 755 /var/lib/commitmentledger
            [[ -d "$data" ]] || mkdir -m 700 "$data"
            chown postgres:postgres "$data"
            chmod 700 "$data"
            say "using the fallback data folder $data"
        else
            say "using the data folder $data"
        fi
    else
        data="$deploy_dir/.pgdata"
        [[ -d "$data" ]] || mkdir -m 700 "$data"
        if [[ ! -O "$data" ]] || { [[ -e "$data.lock" ]] && [[ ! -w "$data.lock" ]]; }; then
            die "$data belongs to $(stat -c %U "$data") (made by a run as root?): run this script as root, or remove $data* to start afresh as $(id -un)"
        fi
        chmod 700 "$data"
        say "using the data folder $data"
    fi

    local logfile="$data.log"
    local lockfile="$data.lock"

    # one pg.sh at a time per data folder (run.sh and test.sh may start together)
    if command -v flock >/dev/null 2>&1; then
        exec 9>>"$lockfile"
        flock -w 180 9 || die "timed out waiting for another pg.sh ($lockfile)"
    fi

    if (( is_root )); then
        [[ -e "$logfile" ]] || install -m 640 /dev/null "$logfile"
        chown postgres:postgres "$logfile"
    else
        [[ -e "$logfile" ]] || : >"$logfile"
    fi

    show_log() {
        printf 'pg.sh: server log: %s\n' "$logfile" >&2
        if [[ -r "$logfile" ]]; then
            printf -- '---- last lines of %s ----\n' "$logfile" >&2
            tail -n 30 "$logfile" >&2 || true
            printf -- '----\n' >&2
        fi
    }

    # matching binaries for an existing cluster
    if [[ -f "$data/PG_VERSION" ]]; then
        local data_ver bin_ver
        data_ver="$(cat "$data/PG_VERSION")"
        bin_ver="$("$bindir/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')"
        if [[ "$data_ver" != "$bin_ver" ]]; then
            if [[ -z "${LEDGER_PG_BIN:-}" && -x "/usr/lib/postgresql/$data_ver/bin/postgres" ]]; then
                bindir="/usr/lib/postgresql/$data_ver/bin"
            else
                die "$data was made by PostgreSQL $data_ver but the binaries in $bindir are version $bin_ver; install PostgreSQL $data_ver or remove $data (its data is lost)"
            fi
        fi
    fi

    local -a psql_cmd=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U ledger)
    export PGCONNECT_TIMEOUT=5
    unset PGPASSWORD PGSERVICE PGOPTIONS PGSSLMODE 2>/dev/null || true

    isready() { "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U ledger -d postgres -t 3 >/dev/null 2>&1; }

    # ---------------------------------------------------------------- something on the port?
    local start_needed=1 rc=0
    isready || rc=$?
    if (( rc == 1 )); then
        # a PostgreSQL is starting up or shutting down there: give it a moment
        local i
        for i in $(seq 1 30); do
            sleep 1
            rc=0; isready || rc=$?
            (( rc == 1 )) || break
        done
    fi
    if (( rc == 0 || rc == 1 )); then
        local their_data err errfile
        errfile="$(mktemp)"
        if their_data="$("${psql_cmd[@]}" -d postgres -Atc 'show data_directory' 2>"$errfile")"; then
            rm -f "$errfile"
            if [[ "$(realpath -m "$their_data")" == "$(realpath -m "$data")" ]]; then
                say "PostgreSQL already running on 127.0.0.1:$port with $data: nothing to start"
            else
                say "WARNING: port $port is already served by another CommitmentLedger PostgreSQL"
                say "         (data folder $their_data, not $data): using it and starting none."
                say "         Set LEDGER_PG_PORT to another port to run a separate server."
            fi
            start_needed=0
        else
            err="$(tr '\n' ' ' <"$errfile" 2>/dev/null || true)"; rm -f "$errfile"
            die "a PostgreSQL server that is not CommitmentLedger's already listens on 127.0.0.1:$port (user 'ledger' cannot log in: ${err:-no answer}). It is left alone: stop it or set LEDGER_PG_PORT to a free port."
        fi
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "something that is not PostgreSQL listens on 127.0.0.1:$port: free the port or set LEDGER_PG_PORT to a free port"
    fi

    # ---------------------------------------------------------------- initdb + start
    if (( start_needed )); then
        if [[ ! -f "$data/PG_VERSION" ]]; then
            if [[ -n "$(ls -A "$data" 2>/dev/null)" ]]; then
                die "$data is not empty but holds no PostgreSQL cluster (a broken earlier initdb?): remove it and run again"
            fi
            local -a locale_opt=(--locale=C.UTF-8)
            if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
                locale_opt=(--no-locale)
            fi
            say "initdb (superuser 'ledger', trust auth, UTF8) into $data"
            if ! as_pg "$bindir/initdb" -D "$data" -U ledger --auth=trust -E UTF8 "${locale_opt[@]}" \
                    >>"$logfile" 2>&1; then
                show_log
                die "initdb failed"
            fi
        fi

        if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            local their_port prefix=""
            their_port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
            (( is_root )) && prefix="runuser -u postgres -- "
            die "the server of $data is running but does not answer on 127.0.0.1:$port (its port: ${their_port:-unknown}). Stop it (${prefix}$bindir/pg_ctl -D $data stop) or set LEDGER_PG_PORT=${their_port:-<its port>}"
        fi

        # socket folder next to the data, unless its path would be too long for a Unix socket
        local sockdir="$data.sock"
        if (( ${#sockdir} > 80 )); then
            sockdir="$(mktemp -d /tmp/commitmentledger-pgsock.XXXXXX)"
        else
            mkdir -p "$sockdir"
        fi
        chmod 755 "$sockdir"
        (( is_root )) && chown postgres:postgres "$sockdir"

        say "starting PostgreSQL ($("$bindir/postgres" --version)) on 127.0.0.1:$port as OS user '$pg_user'"
        local opts="-c listen_addresses=127.0.0.1 -p $port -k $sockdir ${LEDGER_PG_OPTS:-}"
        if ! as_pg "$bindir/pg_ctl" -D "$data" -l "$logfile" -w -t 90 -o "$opts" start >/dev/null; then
            show_log
            die "PostgreSQL did not start"
        fi
        local ok=0 i
        for i in $(seq 1 60); do
            if isready; then ok=1; break; fi
            sleep 1
        done
        if (( ! ok )); then
            show_log
            die "PostgreSQL started but pg_isready does not report it ready on 127.0.0.1:$port"
        fi
        say "PostgreSQL is ready on 127.0.0.1:$port (log: $logfile)"
    fi

    # ---------------------------------------------------------------- databases
    for db in "$@"; do
        local exists
        exists="$("${psql_cmd[@]}" -d postgres -Atc "select 1 from pg_database where datname = '$db'")" \
            || { show_log; die "cannot query the server on 127.0.0.1:$port as 'ledger'"; }
        if [[ "$exists" == 1 ]]; then
            say "database $db exists"
        else
            "${psql_cmd[@]}" -d postgres -c "create database \"$db\"" \
                || { show_log; die "could not create database $db"; }
            say "database $db created"
        fi
    done

    for db in "$@"; do
        say "connection string: Host=127.0.0.1;Port=$port;Username=ledger;Database=$db"
    done
    if (( $# == 0 )); then
        say "connection string: Host=127.0.0.1;Port=$port;Username=ledger;Database=<name>"
    fi
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # sourced: run in a subshell so `set -e`/`exit` stay out of the caller, then export
    if ( _ledger_pg_main "$@" ); then
        export LEDGER_PG_PORT="${LEDGER_PG_PORT:-5544}"
        export LEDGER_PG_CONNECTION_BASE="Host=127.0.0.1;Port=$LEDGER_PG_PORT;Username=ledger"
        if (( $# > 0 )); then
            export ConnectionStrings__Ledger="$LEDGER_PG_CONNECTION_BASE;Database=$1"
        fi
        unset -f _ledger_pg_main
    else
        _ledger_pg_rc=$?
        unset -f _ledger_pg_main
        return "$_ledger_pg_rc"
    fi
else
    _ledger_pg_main "$@"
fi
