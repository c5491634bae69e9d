#!/usr/bin/env bash
# Run a command with the Stripe SDK pointed at a Stripe-compatible server.
# When STRIPE_API_BASE is set, use it as it is. Otherwise start localstripe (PyPI, in
# requirements-dev.txt) on a free loopback port with test keys, register the webhook
# endpoint given in LOCALSTRIPE_WEBHOOK_URL (if any) with the endpoint secret, and stop the
# server when the command ends. No Stripe account is needed.
set -euo pipefail

if [[ -n "${STRIPE_API_BASE:-}" ]]; then
  exec "$@"
fi

here=$(cd "$(dirname "$0")/.." && pwd)
localstripe="$here/.venv/bin/localstripe"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp /tmp/wenqing-localstripe.XXXXXX)
"$localstripe" --port "$port" --from-scratch >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

for _ in $(seq 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
echo "with-localstripe: localstripe on 127.0.0.1:$port" >&2

export STRIPE_API_BASE="http://127.0.0.1:$port"
export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-sk_test_localstripe}"
export STRIPE_PUBLISHABLE_KEY="${STRIPE_PUBLISHABLE_KEY:-pk_test_localstripe}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_localstripe}"
# Without Stripe.js offline, the page's button confirms on the server with Stripe's test card.
export TIP_TEST_PAYMENT_METHOD="${TIP_TEST_PAYMENT_METHOD:-pm_card_visa}"
if [[ -n "${LOCALSTRIPE_WEBHOOK_URL:-}" ]]; then
  python3 - "$STRIPE_API_BASE" "$LOCALSTRIPE_WEBHOOK_URL" "$STRIPE_WEBHOOK_SECRET" <<'PY'
import sys, urllib.parse, urllib.request
base, url, secret = sys.argv[1:]
data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
urllib.request.urlopen(urllib.request.Request(f"{base}/_config/webhooks/wenqing", data=data), timeout=5)
PY
fi
"$@"
