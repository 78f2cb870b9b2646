#!/usr/bin/env bash
# Runs every measurement of BENCHMARKS.md (see scripts/bench.py) and prints
# where the raw results are. BENCHMARKS.md is rendered from them
# (scripts/render_benchmarks.py) plus the explanations in
# scripts/benchmarks-notes.md, which say why a goal is missed, and section 9
# (scripts/engine-benchmarks.md). `scripts/bench.sh engine` runs section 9.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y hyperfine time" >&2; exit 1; }
done
if [ "${1:-}" = engine ]; then
    # Section 9: the engine next to AIPerf 0.13 (needs its venv; see the
    # script's header). Its figures are written up in
    # scripts/engine-benchmarks.md by hand.
    exec python3 scripts/engine_bench.py
fi
python3 scripts/bench.py
python3 scripts/render_benchmarks.py target/bench-results.json scripts/benchmarks-notes.md > BENCHMARKS.md
echo "BENCHMARKS.md written"
