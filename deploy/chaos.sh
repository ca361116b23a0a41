#!/usr/bin/env bash
# The restart suite: faults under load against the system that deploy/up.sh composed on this machine, and a check
# from the stores after each. Under an open-loop load (auto-accept on), it restarts PostgreSQL, RabbitMQ, both in
# either order, cuts each off for 5 s (docker pause: connections neither answer nor close), PostgreSQL for 60 s and
# RabbitMQ for 30 s (longer than any quick retry), and kills one instance of each service
# with SIGKILL (Docker's restart policy starts it again), ROUNDS times each; with the RabbitMQ cluster profile
# (MDRMESH_RABBITMQ_CLUSTER=1), it also kills the broker nodes rabbitmq-2 and then rabbitmq.
# After each fault it waits until every response proposed in that round is terminal and every relay has caught
# up, then checks that no execution started twice and no outcome was recorded twice. It prints a table (faults
# injected, recovery time p50/max, responses checked, stranded, doubled) and writes deploy/.local/chaos/chaos.md;
# exit 0 only if nothing was stranded, doubled or left unfinished. Only this machine's MdrMesh containers are
# touched (loopback and the compose network). It leaves auto-accept on and the incidents it raised: run it on a
# test installation.
#
#   deploy/chaos.sh                         3 rounds of each fault, 20 proposals/s, 15 s of load a round
#   deploy/chaos.sh --rounds 20             the issue's target run (about an hour)
#   deploy/chaos.sh --rounds 1 --load 10    CI's short run
# Other options: --rate 20 (proposals/s), --deadline 120 (s a round may take to recover before it counts as stranded).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

rounds=3 rate=20 load=15 deadline=120
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --deadline) deadline=$2; shift 2 ;;
    *) die "unknown option $1 (deploy/chaos.sh --help)" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "deploy/chaos.sh sends SIGKILL to the services' processes: run it as root (or with sudo)"
mkdir -p deploy/.local/chaos
exec "$MDRMESH_ROOT/deploy/bench.sh" --chaos "$rounds" --chaos-rate "$rate" --chaos-load "$load" --deadline "$deadline" \
  --no-floors --warmup 0 --assets 50 --connections 2 --out "$MDRMESH_ROOT/deploy/.local/chaos"
