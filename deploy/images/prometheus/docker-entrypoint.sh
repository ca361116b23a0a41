#!/bin/sh
# Entry point compatible with the official prom/prometheus image: the arguments are Prometheus'.
set -e
exec prometheus "$@"
