#!/usr/bin/env bash
# Runs every measurement of BENCHMARKS.md (see scripts/bench.py) and prints
# where the raw results are. BENCHMARKS.md is written from them by hand-
# checked tables: scripts/render_benchmarks.py.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y hyperfine time" >&2; exit 1; }
done
python3 scripts/bench.py
python3 scripts/render_benchmarks.py target/bench-results.json > BENCHMARKS.md
echo "BENCHMARKS.md written"
