#!/usr/bin/env bash
# Runs every measurement of BENCHMARKS.md (see scripts/bench.py) and prints
# where the raw results are. BENCHMARKS.md is rendered from them
# (scripts/render_benchmarks.py) plus the explanations in
# scripts/benchmarks-notes.md, which say why a goal is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y hyperfine time" >&2; exit 1; }
done
python3 scripts/bench.py
python3 scripts/render_benchmarks.py target/bench-results.json scripts/benchmarks-notes.md > BENCHMARKS.md
echo "BENCHMARKS.md written"
