#!/usr/bin/env bash
# Debian's Redis server for the task engine's integration tests (the tests start and stop
# their own throwaway instance on a free loopback port).
set -euo pipefail
if command -v redis-server >/dev/null; then
  exit 0
fi
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
echo "ensure-redis: installing redis-server (Debian package)" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get install -y -q redis-server >/dev/null 2>&1 \
  || { sudo_if_needed apt-get update -q >/dev/null && sudo_if_needed apt-get install -y -q redis-server >/dev/null; }
# The package starts a system-wide server; the tests use their own.
(command -v systemctl >/dev/null && sudo_if_needed systemctl stop redis-server) >/dev/null 2>&1 || true
