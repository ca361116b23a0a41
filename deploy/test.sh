#!/usr/bin/env bash
# Runs every test of MdrMesh: unit tests, and integration tests against real PostgreSQL,
# RabbitMQ and an SMTP server (smtp4dev) started by Testcontainers. Without a registry, the images come from
# deploy/images/build.sh (built once, then reused). Extra arguments go to `dotnet test`.
#
# To use other images or servers of your own, set the variables described in
# tests/MdrMesh.Testing/Infrastructure.cs (MDRMESH_POSTGRES_IMAGE, MDRMESH_TEST_POSTGRES, ...) and
# MDRMESH_SMTP4DEV_IMAGE (tests/MdrMesh.Integration.Tests/Smtp4Dev.cs).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$MDRMESH_ROOT"

command -v dotnet >/dev/null || die "the .NET SDK 10 is required (dotnet on PATH)"
if [ -z "${MDRMESH_POSTGRES_IMAGE:-}${MDRMESH_RABBITMQ_IMAGE:-}${MDRMESH_TEST_POSTGRES:-}${MDRMESH_TEST_RABBITMQ:-}" ]; then
  "$MDRMESH_ROOT/deploy/images/build.sh"
  export MDRMESH_POSTGRES_IMAGE=$MDRMESH_LOCAL_POSTGRES_IMAGE
  export MDRMESH_RABBITMQ_IMAGE=$MDRMESH_LOCAL_RABBITMQ_IMAGE
  # Ryuk, Testcontainers' reaper, is an image from a registry: the fixture removes its own containers instead.
  export TESTCONTAINERS_RYUK_DISABLED=true
  # Reach published ports on loopback rather than through the bridge's gateway address.
  export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
fi
# The e-mail tests' SMTP server (smtp4dev), unless another image is named.
if [ -z "${MDRMESH_SMTP4DEV_IMAGE:-}" ]; then
  "$MDRMESH_ROOT/deploy/images/build.sh" smtp4dev
  export MDRMESH_SMTP4DEV_IMAGE=$MDRMESH_LOCAL_SMTP4DEV_IMAGE
  export TESTCONTAINERS_RYUK_DISABLED=true
  export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
fi
ensure_docker
# The console's browser tests drive Debian's headless Chromium (Playwright downloads nothing).
command -v chromium >/dev/null 2>&1 || ensure_packages chromium

results="$MDRMESH_ROOT/TestResults"
rm -rf "$results"
status=0
dotnet build MdrMesh.sln -nologo -v quiet || die "the build failed"
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
done

# A run that crashed may leave containers behind; they are labelled by the fixture.
leftovers=$(docker ps -aq --filter label=mdrmesh.test=true)
[ -z "$leftovers" ] || docker rm -f $leftovers >/dev/null

# The totals of every test project, on one line.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
