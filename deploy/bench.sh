#!/usr/bin/env bash
# Measures the response pipeline of a running system (deploy/up.sh): proposes N auto-accepted
# isolations at once and reports, from the incidents' history, how long each took from proposal to
# Completed (p50, p95, max) and how many completed per second. Prints numbers; asserts nothing.
#   deploy/bench.sh [N]     (default 200)
# It turns auto-accept on for all tenants and leaves it so; run it on a test installation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
n=${1:-200}
api=$(api_base)
access=$("$MDRMESH_ROOT/deploy/token.sh")
call() { curl -sf -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $access" "$@"; }
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

call "$api/auto_accept/set" -d '{"mode":"ALL_TENANTS"}' >/dev/null
incident=$(call "$api/incidents/create" -d '{"summary":"Benchmark","affected_hosts":["SRV-DC-01:srv-dc-01"]}' | field incident_id)
start=$(date +%s.%N)
# 16 clients at a time, each proposing on the same incident (the hardest case: one stream).
for i in $(seq 1 "$n"); do
  call "$api/responses/create" -d "{\"incident_id\":\"$incident\",\"asset_id\":\"srv-dc-01\",\"type\":\"ISOLATE\",\"parameters\":{\"isolation_term_seconds\":600}}" >/dev/null &
  if [ $((i % 16)) = 0 ]; then wait; fi
done
wait
proposed=$(date +%s.%N)
created=$(call "$api/responses/list" -d "{\"incident_id\":\"$incident\",\"page_size\":1000}" | grep -o '"type":"ISOLATE"' | wc -l)
[ "$created" = "$n" ] || log "only $created of $n proposals were accepted by the API"
deadline=$((SECONDS + 300))
until [ "$(call "$api/responses/list" -d "{\"incident_id\":\"$incident\",\"page_size\":1000}" | grep -o '"status":"Completed"' | wc -l)" -ge "$created" ]; do
  [ $SECONDS -lt $deadline ] || die "not all $created responses completed within 5 minutes"
  sleep 0.2
done
done_at=$(date +%s.%N)

call "$api/incidents/history" -d "{\"incident_id\":\"$incident\",\"page_size\":1000}" >"$MDRMESH_ROOT/deploy/.local/bench-history.json"
python3 - "$MDRMESH_ROOT/deploy/.local/bench-history.json" "$n" "$start" "$proposed" "$done_at" <<'PY'
import json, sys
records, n, start, proposed, done = json.load(open(sys.argv[1])), int(sys.argv[2]), *map(float, sys.argv[3:6])
created, completed = {}, {}
for r in records:
    resp = r["entity"].get("incident_response")
    if not resp: continue
    (created if r["operation"] == "create" else completed if resp["status"] == "Completed" else {})[resp["response_id"]] = r["changed_at"]
lat = sorted(completed[k] - created[k] for k in completed if k in created)
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"{len(lat)} responses: proposal -> Completed p50 {pct(0.5)} ms, p95 {pct(0.95)} ms, max {lat[-1]} ms")
print(f"{n} proposed by 16 concurrent clients on one incident")
print(f"proposing took {proposed - start:.1f} s ({n / (proposed - start):.0f}/s); all completed {done - start:.1f} s after the first ({n / (done - start):.0f} responses/s end to end)")
PY
