"""The engine, side by side with AIPerf 0.13 (BENCHMARKS.md section 9).

    python3 scripts/engine_bench.py            # everything (needs the AIPerf venv)
    python3 scripts/engine_bench.py --ours     # only our client

Both clients run against this repository's mock server (release build), on
the same prompts (AIPerf's inputs.json of the same run), the server pinned to
core 1 and the client to core 0 (`taskset`). AIPerf 0.13 is taken from a
venv: `python3 -m venv target/aiperf-venv && target/aiperf-venv/bin/pip install
aiperf==0.13.0` (or AIPERF_VENV=path). Offline, its `--tokenizer builtin`
needs tiktoken's o200k_base file: this script copies the one the tiktoken-rs
crate ships into target/tiktoken-cache under the name tiktoken derives from
its download address.

Writes target/engine-bench.json and prints the table for BENCHMARKS.md.
"""

import glob
import json
import os
import pathlib
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
RELEASE = TARGET / "release"
VENV = pathlib.Path(os.environ.get("AIPERF_VENV", TARGET / "aiperf-venv"))
TIKTOKEN_NAME = "fb374d419588a4632f3f557e76b4b70aebbca790"
TTFT_MS, ITL_MS, OSL = 20, 5, 64


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "aiperf-cli",
                    "-p", "aiperf-mock-server"], cwd=ROOT, check=True)


class Mock:
    """The mock server on core 1, recording what it served."""

    def __init__(self, ttft=TTFT_MS, itl=ITL_MS):
        self.dir = tempfile.mkdtemp(prefix="engine-bench-")
        self.record = os.path.join(self.dir, "served.jsonl")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["taskset", "-c", "1", str(RELEASE / "aiperf-mock-server"), "--port", str(self.port),
             "--ttft", str(ttft), "--itl", str(itl), "--output-tokens", str(OSL),
             "--record", self.record],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.proc.stdout.readline()  # "listening on ..."
        self.url = f"http://127.0.0.1:{self.port}"

    def served(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()
        with open(self.record) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        shutil.rmtree(self.dir, ignore_errors=True)
        return rows


def tree_rss_kb(pid):
    """Resident memory of a process and its descendants, in KiB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in glob.glob(f"/proc/{p}/task/*/children"):
                with open(task) as f:
                    stack += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


def measured(cmd, env=None):
    """Runs cmd on core 0; returns (CPU seconds of it and its children, peak
    tree RSS in MB, wall seconds, start instant)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time_ns()
    proc = subprocess.Popen(["taskset", "-c", "0"] + cmd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.05)
    wall = (time.time_ns() - start) / 1e9
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
    return cpu, peak / 1024, wall, start


def served_stats(rows, start_ns):
    ok = [r for r in rows if r["status"] == 200 and r.get("ttft_ms") is not None]
    ttft = sorted(r["ttft_ms"] for r in ok)
    first = min(r["received_unix_ns"] for r in rows)
    return {
        "requests": len(rows),
        "ttft_mean": statistics.fmean(ttft),
        "ttft_p99": ttft[min(len(ttft) - 1, int(0.99 * len(ttft)))],
        "first_request_ms": (first - start_ns) / 1e6,
    }


def ours(prompts, concurrency, requests, mode="concurrency", rate=None, transport=""):
    work = tempfile.mkdtemp(prefix="ours-")
    mock = Mock()
    if mode == "concurrency":
        timing = f"{{ name: concurrency, config: {{ concurrency: {concurrency}, requests: {requests} }} }}"
    else:
        timing = f"{{ name: request_rate, config: {{ rate: {rate}, requests: {requests} }} }}"
    config = os.path.join(work, "bench.yaml")
    with open(config, "w") as f:
        f.write(f"plugins: {{ timing_strategy: {timing} }}\n"
                f"endpoint: {{ type: chat, model: demo, streaming: true }}\n"
                f"transport: {{ type: http, url: \"{mock.url}\", config: {{ timeout_s: 600{transport} }} }}\n"
                f"dataset: {{ prompts: {json.dumps(prompts)}, max_tokens: {OSL} }}\n"
                f"ui: {{ name: none }}\n")
    try:
        cpu, rss, wall, start = measured([str(RELEASE / "aiperf"), "profile", "--config",
                                          config, "--output", os.path.join(work, "out")])
    except RuntimeError:
        mock.served()
        raise
    with open(os.path.join(work, "out", "profile_export_aiperf.json")) as f:
        phase = json.load(f)["phases"][-1]
    served = served_stats(mock.served(), start)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "cpu_s": cpu, "rss_mb": rss, "wall_s": wall, "sent": phase["sent"],
        "ok": phase["completed"], "failed": phase["failed"],
        "ttft_mean": phase["time_to_first_token_ms"]["mean"],
        "ttft_p99": phase["time_to_first_token_ms"]["p99"],
        "lag_p99": (phase.get("schedule_lag_ms") or {}).get("p99"),
        "rate": phase.get("send_rate"),
        "notes": phase.get("notes"),
        "served": served,
    }


def aiperf(concurrency, requests):
    exe = VENV / "bin" / "aiperf"
    work = tempfile.mkdtemp(prefix="aiperf-")
    cache = TARGET / "tiktoken-cache"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / TIKTOKEN_NAME).exists():
        source = glob.glob(os.path.expanduser(
            "~/.cargo/registry/src/*/tiktoken-rs-*/assets/o200k_base.tiktoken"))
        if not source:
            raise SystemExit("no o200k_base.tiktoken: `cargo fetch` a crate depending on tiktoken-rs")
        shutil.copy(source[0], cache / TIKTOKEN_NAME)
    env = dict(os.environ, TIKTOKEN_CACHE_DIR=str(cache), HF_HUB_OFFLINE="1")
    mock = Mock()
    cpu, rss, wall, start = measured(
        [str(exe), "profile", "-m", "demo", "--url", mock.url, "--endpoint-type", "chat",
         "--streaming", "--concurrency", str(concurrency), "--request-count", str(requests),
         "--osl", str(OSL), "--tokenizer", "builtin", "--ui-type", "none",
         "--artifact-dir", work], env=env)
    served = served_stats(mock.served(), start)
    export = json.load(open(glob.glob(os.path.join(work, "**", "profile_export_aiperf.json"),
                                      recursive=True)[0]))
    inputs = json.load(open(glob.glob(os.path.join(work, "**", "inputs.json"), recursive=True)[0]))
    prompts = []
    for session in inputs["data"]:
        for payload in session["payloads"]:
            prompts.append(payload["messages"][-1]["content"])
    ttft = export["time_to_first_token"]
    shutil.rmtree(work, ignore_errors=True)
    return {"cpu_s": cpu, "rss_mb": rss, "wall_s": wall, "ttft_mean": ttft["avg"],
            "ttft_p99": ttft["p99"], "served": served}, prompts


def startup(runs=11):
    """Process start to the first request at the server, ms (median), with
    a one-prompt config: the client's own start-up cost."""
    work = tempfile.mkdtemp(prefix="startup-")
    times = []
    for _ in range(runs):
        mock = Mock()
        config = os.path.join(work, "bench.yaml")
        with open(config, "w") as f:
            f.write("plugins: { timing_strategy: { name: concurrency, config: { concurrency: 1, requests: 1 } } }\n"
                    "endpoint: { type: chat, model: demo, streaming: true }\n"
                    f"transport: {{ type: http, url: \"{mock.url}\" }}\n"
                    "ui: { name: none }\n")
        _, _, _, start = measured([str(RELEASE / "aiperf"), "profile", "--config", config,
                                   "--output", os.path.join(work, "out")])
        times.append(served_stats(mock.served(), start)["first_request_ms"])
    shutil.rmtree(work, ignore_errors=True)
    return statistics.median(times)


def attempt(name, results, f, *args, **kwargs):
    try:
        results[name] = f(*args, **kwargs)
    except RuntimeError as e:
        results[name] = {"error": str(e)}
        print(name, "failed:", e, flush=True)


def main():
    only_ours = "--ours" in sys.argv
    build()
    results = {}
    prompts = ["Explain the difference between latency and throughput in two sentences."]
    for concurrency, requests in [(16, 1000), (256, 2000)]:
        key = f"c{concurrency}"
        if not only_ours:
            theirs, prompts = aiperf(concurrency, requests)
            results[f"aiperf_{key}"] = theirs
        results[f"ours_{key}"] = ours(prompts, concurrency, requests)
        print(key, json.dumps({k: v for k, v in results.items() if k.endswith(key)}), flush=True)
    attempt("ours_c1000", results, ours, prompts, 1000, 5000)
    attempt("ours_c10000", results, ours, prompts, 10000, 10000)
    attempt("ours_c10000_buf1k", results, ours, prompts, 10000, 10000,
            transport=", read_buffer_bytes: 1024")
    for rate in (1000, 10000):
        attempt(f"ours_rate{rate}", results, ours, prompts, None, rate * 5, mode="rate", rate=rate)
    results["ours_startup_ms"] = startup()
    (TARGET / "engine-bench.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
