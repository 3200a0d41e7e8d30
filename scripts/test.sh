#!/usr/bin/env bash
# The whole test run behind `make test`, from the repository root:
#   1. lint      ruff check + ruff format --check; import-linter (the app layers)
#   2. sqlite    the suite (all but browser tests) on SQLite
#   3. postgres  the same suite on a throw-away PostgreSQL cluster
#   4. browser   Playwright tests in the system Chromium, axe-core accessibility checks
# Every stage runs even when an earlier one failed; the exit status is non-zero if any stage failed.
# A missing PostgreSQL or Chromium is a visible skip on a developer machine and a failure when CI=true.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=".venv/bin"
if [[ ! -x "$BIN/pytest" ]]; then
    BIN="$(dirname "$(command -v pytest)")"
fi
PYTEST=("$BIN/pytest")
# The database suites run in parallel processes (pytest-xdist); QMSS_TEST_WORKERS=0 runs them in one process.
XDIST=(-n "${QMSS_TEST_WORKERS:-2}")
if [[ "${QMSS_TEST_WORKERS:-2}" == 0 ]]; then XDIST=(); fi
# Test databases are built from the models, not by replaying every migration in every worker of every stage;
# tests/test_migrations.py checks that the migrations match the models and apply to an empty database.
FAST_DB=(--nomigrations)
CI_MODE=false
case "${CI:-}" in 1 | true | TRUE | True | yes) CI_MODE=true ;; esac

LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/qmss-test.XXXXXX")"
PG_DIR=""
PG_CTL=""
PG_AS=()

cleanup() {
    if [[ -n "$PG_DIR" && -n "$PG_CTL" && -f "$PG_DIR/data/postmaster.pid" ]]; then
        "${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    [[ -n "$PG_DIR" ]] && rm -rf "$PG_DIR"
    rm -rf "$LOG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SUMMARY=()
FAILED=0
# Each stage says which database it uses: SQLite (the settings' default) unless DATABASE_URL is set below.
unset DATABASE_URL

banner() { printf '\n\033[1m==== %s ====\033[0m\n' "$*"; }
warn() { printf '\n\033[1;33m!!!! %s !!!!\033[0m\n\n' "$*"; }

# record STAGE STATUS SECONDS DETAIL
record() {
    SUMMARY+=("$(printf '%-9s %-7s %4ss  %s' "$1" "$2" "$3" "$4")")
    if [[ "$2" == FAIL ]]; then FAILED=1; fi
}

# The last pytest summary line ("=== 12 passed, 1 skipped in 3.21s ===") without the equals signs.
pytest_counts() {
    grep -E '^=+ .*( in [0-9.]+s| no tests ran).* =+$' "$1" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true
}

# run_pytest STAGE LOGNAME ARGS... : runs pytest, echoes output, records the stage. 5 = nothing collected.
run_pytest() {
    local stage="$1" log="$LOG_DIR/$2.log" start rc status counts
    shift 2
    start=$SECONDS
    set +e
    "${PYTEST[@]}" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    counts="$(pytest_counts "$log")"
    case "$rc" in
        0) status=PASS ;;
        5)
            if [[ "$stage" == browser && "$CI_MODE" == false ]]; then
                status=SKIP
            else
                status=FAIL
            fi
            counts="no tests collected${counts:+ ($counts)}"
            ;;
        *) status=FAIL ;;
    esac
    record "$stage" "$status" "$((SECONDS - start))" "${counts:-pytest exit code $rc}"
}

# --- 1. lint ----------------------------------------------------------------------------------------
banner "lint: ruff check + ruff format --check"
start=$SECONDS
lint_ok=true
"$BIN/ruff" check src tests bench || lint_ok=false
"$BIN/ruff" format --check src tests bench || lint_ok=false
if $lint_ok; then
    record lint PASS "$((SECONDS - start))" "ruff check, ruff format --check"
else
    record lint FAIL "$((SECONDS - start))" "ruff reported problems (see above)"
fi

# --- 1b. layers ---------------------------------------------------------------------------------------
banner "layers: import-linter (a lower app never imports a higher one; contracts in .importlinter)"
start=$SECONDS
if "$BIN/lint-imports"; then
    record layers PASS "$((SECONDS - start))" "lint-imports"
else
    record layers FAIL "$((SECONDS - start))" "import-linter found a forbidden import (see above)"
fi

# --- 2. SQLite --------------------------------------------------------------------------------------
banner "sqlite: pytest -m 'not browser'"
start=$SECONDS
if "$BIN/qmss" compile_translations; then
    record messages PASS "$((SECONDS - start))" "qmss compile_translations"
else
    record messages FAIL "$((SECONDS - start))" "qmss compile_translations failed"
fi
run_pytest sqlite sqlite -m "not browser" "${XDIST[@]}" "${FAST_DB[@]}"

# --- 3. PostgreSQL ----------------------------------------------------------------------------------
banner "postgres: pytest -m 'not browser' on a throw-away cluster"
find_pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
        echo "$dir"
    elif command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
    fi
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start=$SECONDS
PG_BIN="$(find_pg_bin)"
if [[ -z "$PG_BIN" ]]; then
    if $CI_MODE; then
        warn "FAILED: PostgreSQL not installed (initdb/pg_ctl not found) – required when CI=true"
        record postgres FAIL 0 "PostgreSQL not installed"
    else
        warn "SKIPPED: PostgreSQL not installed (apt-get install postgresql) – the PostgreSQL suite did not run"
        record postgres SKIP 0 "PostgreSQL not installed"
    fi
else
    PG_CTL="$PG_BIN/pg_ctl"
    PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/qmss-pg.XXXXXX")"
    if [[ "$(id -u)" == 0 ]]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
        chown postgres: "$PG_DIR"
        PG_AS=(runuser -u postgres --)
    fi
    PG_PORT="${QMSS_TEST_PG_PORT:-54329}"
    while ! port_is_free "$PG_PORT"; do PG_PORT=$((PG_PORT + 1)); done
    pg_ok=true
    (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 \
        --locale=C.UTF-8 >"$LOG_DIR/initdb.log" 2>&1) || {
        cat "$LOG_DIR/initdb.log"
        pg_ok=false
    }
    if $pg_ok; then
        pg_opts="-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1"
        pg_opts+=" -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
            -o "$pg_opts") || {
            cat "$PG_DIR/server.log" 2>/dev/null || true
            pg_ok=false
        }
    fi
    PG_DATA="$PG_DIR/data"  # cleanup() stops the server too, should anything below abort the script
    if $pg_ok; then
        echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_DIR)"
        DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/qmss_test" \
            run_pytest postgres postgres -m "not browser" "${XDIST[@]}" "${FAST_DB[@]}"
        "${PG_AS[@]}" "$PG_CTL" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    else
        record postgres FAIL "$((SECONDS - start))" "could not start a PostgreSQL cluster"
    fi
fi

# --- 4. Browser -------------------------------------------------------------------------------------
banner "browser: pytest -m browser (Chromium + axe-core)"
CHROMIUM_BIN="${CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$CHROMIUM_BIN" ]]; then
    echo "Chromium: $CHROMIUM_BIN"
    # two processes (pytest-xdist), each with its own live server, test database and Chromium
    CHROMIUM="$CHROMIUM_BIN" run_pytest browser browser -m browser "${XDIST[@]}" "${FAST_DB[@]}"
elif $CI_MODE; then
    warn "FAILED: Chromium not found at $CHROMIUM_BIN – browser tests are required when CI=true"
    record browser FAIL 0 "Chromium not found"
else
    warn "SKIPPED: Chromium not found at $CHROMIUM_BIN (apt-get install chromium) – browser tests did not run"
    record browser SKIP 0 "Chromium not found"
fi

# --- summary ----------------------------------------------------------------------------------------
printf '\n\033[1m== summary ==\033[0m\n'
for line in "${SUMMARY[@]}"; do echo "$line"; done
if [[ "$FAILED" != 0 ]]; then
    printf '\033[1;31mmake test: FAILED\033[0m\n'
    exit 1
fi
printf '\033[1;32mmake test: OK\033[0m\n'
