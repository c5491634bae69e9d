#!/usr/bin/env bash
# The network benchmarks on PostgreSQL: the demo network and its day seeded into the
# throwaway database of scripts/with-postgres.sh, then bench/network.py (2 and 1 workers)
# and bench/gaps.py (the coverage-gap map with 100,000 recorded requests).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
py="$here/.venv/bin/python"
exec bash "$here/scripts/with-postgres.sh" bash -c "
  set -euo pipefail
  export DATABASE_URL=\"\$WENQING_TEST_DATABASE_URL\"
  cd '$here'
  .venv/bin/flask db upgrade
  .venv/bin/flask seed --day
  '$py' bench/network.py --database-url \"\$DATABASE_URL\" --workers 2,1 ${NETWORK_BENCH_ARGS:-}
  '$py' bench/gaps.py --database-url \"\$DATABASE_URL\"
"
