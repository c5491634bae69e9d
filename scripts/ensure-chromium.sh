#!/usr/bin/env bash
# Debian's Chromium (and a CJK font, so Chinese pages render) for the browser tests.
set -euo pipefail
if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  exit 0
fi
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
echo "ensure-chromium: installing chromium and fonts-wqy-microhei (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 \
  || { sudo_if_needed apt-get update -q >/dev/null && sudo_if_needed apt-get install -y -q chromium fonts-wqy-microhei >/dev/null; }
