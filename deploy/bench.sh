#!/usr/bin/env bash
# The MdrMesh benchmark: builds the C# load generator (deploy/bench/MdrMesh.Bench) and runs it against the
# system that deploy/up.sh composed on this machine. It measures, through the API, the response pipeline
# (open loop at fixed rates, closed loop for the maximum, an outbreak) and the read methods on a seeded
# store, and in the same run the floors of the same PostgreSQL and RabbitMQ, and each container's CPU and
# memory. It prints deploy/.local/bench/summary.md and writes summary.json and chart.png beside it.
# Numbers only: it asserts no timing. It turns auto-accept on for all tenants and leaves it so, and the
# incidents it raises stay: run it on a test installation.
#
#   deploy/bench.sh                      full run: floors, 50/s and 250/s for 60 s, closed loop of 32, outbreak
#   deploy/bench.sh --smoke              ~10 s of load through every scenario (CI); non-zero if the bench breaks
#   deploy/bench.sh --profile ...        also what each response costs: PostgreSQL transactions, statements and rows
#                                        written per response, CPU-ms per response per container, the ten statements
#                                        with the most time (pg_stat_statements, preloaded by docker-compose.yml)
#   deploy/bench.sh --rate 25 --duration 30          open loop (--rate 50,250 for several)
#   deploy/bench.sh --closed 32 --duration 60        closed loop: 32 clients back to back
#   deploy/bench.sh --outbreak [--outbreak-responses 10000 --outbreak-incidents 2000]
#   deploy/bench.sh --instances 1,2 ...  the same scenarios after restarting the system with 1, then 2 instances each of
#                                        incidents, approvals and executor (deploy/up.sh; the store is kept); each run's
#                                        summary under instances-RUN-N/, all of them in instances.md (1,2,2,1 evens out
#                                        the noise of a shared machine and the store's growth)
#   deploy/bench.sh --reads [--seed-incidents 1000 --read-calls 200 --seed-copies 99]
#     (--seed-copies K: each seeded incident and its history copied K times straight in PostgreSQL, for a large store)
# Other options: --floors (floors only), --no-floors, --no-notifications (open loop without its e-mail measurement), --floor-seconds 5, --deadline 120 (s to wait for
# terminal statuses), --unfinished-after 10 (s after the load), --warmup 10 (s of 5/s first, not reported; 0 for
# none), --connections 4 (API connections the load
# is spread over: the gateway allows 250 calls/s per connection), --concurrency 64 (outbreak), --out DIR,
# --assets 500 (assets bench-0001... it registers and spreads the load over, 5 per incident; 0 uses the
# demo fleet of deploy/fleet.json, whose four online assets make the executor's one-at-a-time-per-asset rule the limit).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

command -v dotnet >/dev/null || die "the .NET SDK 10 is required (dotnet on PATH)"
# --instances LIST: this script again per count, on a system restarted with that many instances.
if [ "${1:-}" = --instances ]; then
  counts=${2:?--instances takes a list such as 1,2}
  shift 2
  out="$MDRMESH_ROOT/deploy/.local/bench"
  mkdir -p "$out"
  : >"$out/instances.md"
  run=0
  for n in ${counts//,/ }; do
    run=$((run + 1))
    log "bench: restarting with $n instance(s) each of incidents, approvals and executor"
    MDRMESH_INSTANCES=$n "$MDRMESH_ROOT/deploy/up.sh" >"$out/up-$run.log" 2>&1 || { tail -n 20 "$out/up-$run.log" >&2; die "deploy/up.sh with $n instances failed"; }
    "$0" "$@" --out "$out/instances-$run-$n"
    { echo "# run $run: $n instance(s) each of incidents, approvals and executor"; echo; cat "$out/instances-$run-$n/summary.md"; echo; } >>"$out/instances.md"
  done
  log "bench: every run's summary in $out/instances.md"
  exit 0
fi
port=${MDRMESH_API_PORT:-8080}
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ] \
  || die "MdrMesh is not running on 127.0.0.1:$port: start it with deploy/up.sh, then run deploy/bench.sh again"
[ -s "$MDRMESH_SECRETS" ] || die "no $MDRMESH_SECRETS: the system was not started by deploy/up.sh here"
# The administrators' passwords, for the floors (scratch table, scratch queue); read, never created here.
set -a; source "$MDRMESH_SECRETS"; set +a

out="$MDRMESH_ROOT/deploy/.local/bench"
mkdir -p "$out"
# No build servers left running: they would take CPU from the system under test.
dotnet build deploy/bench/MdrMesh.Bench -c Release -o "$out/bin" --nologo -v quiet --disable-build-servers >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; die "building the benchmark failed"; }

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
MDRMESH_BENCH_API=$(api_base) MDRMESH_BENCH_ACCESS=$(deploy/token.sh) MDRMESH_BENCH_FLEET="$MDRMESH_ROOT/deploy/fleet.json" \
MDRMESH_BENCH_POSTGRES_PORT=${MDRMESH_POSTGRES_PORT:-5432} MDRMESH_BENCH_RABBITMQ_PORT=${MDRMESH_RABBITMQ_PORT:-5672} \
MDRMESH_BENCH_COMMIT=$commit \
  exec dotnet "$out/bin/MdrMesh.Bench.dll" --out "$out" "$@"
