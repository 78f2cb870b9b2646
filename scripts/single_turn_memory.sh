#!/usr/bin/env bash
# Peak memory of the aiperf CLI replaying a large single_turn JSONL file:
# the loader keeps 16 bytes a line and reads each request's line back from
# disk, so peak RSS grows with the number of lines, not with their text.
#
# Writes a file of SIZE_MB (default 1024) MB of ~4 KB lines under target/
# (removed afterwards), and the same lines cut to 10 MB, then runs
#   aiperf profile --config <in-process simulated server> --input-file FILE
# for 200 requests on each under /usr/bin/time -v and prints the peak RSS.
#
# Measured on the 2-core dev machine: the 1 GiB file (291,808 lines) peaks
# at 12.7 MiB RSS, the 10 MiB one (2,852 lines) at 8.0 MiB; loading the 1 GiB
# file, checking every line and sending 200 requests took 0.84 s (file in
# the page cache).
#
# Usage: scripts/single_turn_memory.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
work=$PWD/target/single-turn-memory
mkdir -p "$work"
trap 'rm -f "$work"/large.jsonl "$work"/small.jsonl' EXIT

python3 - "$work" "$size_mb" <<'PY'
import json, sys
work, size_mb = sys.argv[1], int(sys.argv[2])
words = "shall i compare thee to a summers day thou art more lovely and more temperate ".split()
def line(i):
    text = " ".join(words[(i + j) % len(words)] for j in range(700))
    return json.dumps({"text": f"{i} {text}", "output_length": 32}) + "\n"
for name, limit in (("large.jsonl", size_mb << 20), ("small.jsonl", 10 << 20)):
    with open(f"{work}/{name}", "w") as f:
        written, i = 0, 0
        while written < limit:
            s = line(i)
            f.write(s)
            written += len(s)
            i += 1
    print(f"{name}: {written} bytes, {i} lines")
PY

cat > "$work/bench.yaml" <<'YAML'
plugins:
  timing_strategy:
    name: concurrency
    config: { concurrency: 8, requests: 200 }
endpoint: { type: chat, model: demo, streaming: true }
transport:
  type: in_engine
  config: { ttft_ms: 1, itl_ms: 0.1, output_tokens: 8, seed: 1 }
dataset: { sampler: random, seed: 1 }
ui: { name: none }
exporters: []
YAML

cargo build -q --release -p aiperf-cli
for name in small large; do
    /usr/bin/time -v target/release/aiperf profile --config "$work/bench.yaml" \
        --input-file "$work/$name.jsonl" --custom-dataset-type single_turn \
        --artifact-dir "$work/out-$name" > "$work/$name.out" 2> "$work/$name.time" \
        || { cat "$work/$name.out" "$work/$name.time"; exit 1; }
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$name.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$work/$name.time")
    echo "$name.jsonl ($(stat -c %s "$work/$name.jsonl") bytes): peak RSS $((rss / 1024)) MiB, wall $wall"
done
