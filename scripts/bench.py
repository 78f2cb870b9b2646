"""Runs every measurement of BENCHMARKS.md on this machine and rewrites it.

    scripts/bench.sh            # everything (about 10 minutes on 2 cores)
    python3 scripts/bench.py scale cli   # only those parts, merged into the last results

Each figure is a ratio against a baseline measured in the same run. Needs
hyperfine and GNU time (Debian: `apt-get install hyperfine time`); the
Python comparison uses a venv with stevedore (made in target/bench-venv).
Run it on an otherwise idle machine.
"""

import json
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
SCALE_TARGET = TARGET / "scale"
BIN = TARGET / "bench-bin"
RESULTS = {}


def run(cmd, env=None, cwd=ROOT, capture=True):
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, text=True,
                          capture_output=capture, check=True)
    return proc.stdout if capture else ""


def estimate(group, name):
    path = TARGET / "criterion" / group / name / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"]


def criterion():
    print("== criterion benches (registry-core/benches/registry.rs)", flush=True)
    run(["cargo", "bench", "-q", "-p", "registry-core", "--bench", "registry"], capture=False)
    names = {
        "resolve": ["fxhashmap_baseline", "get_class"],
        "normalise": ["canonical", "other_spelling"],
        "construct": ["direct_box_new", "fn_pointer_baseline", "resolved_handle", "bare_constructor",
                      "create_instance"],
        "enum_parse": ["str_eq_baseline", "canonical", "other_spelling"],
    }
    RESULTS["criterion"] = {g: {n: estimate(g, n) for n in ns} for g, ns in names.items()}


def paired():
    print("== paired ratios (registry-core/benches/paired.rs)", flush=True)
    out = run(["cargo", "bench", "-q", "-p", "registry-core", "--bench", "paired"])
    res = {}
    for line in out.splitlines():
        m = re.match(r"paired (\S+) vs (\S+) subject_ns=([\d.]+) baseline_ns=([\d.]+) "
                     r"ratio=([\d.]+) extra_ns=(-?[\d.]+)", line)
        if m:
            res[m[1]] = {"baseline": m[2], "subject_ns": float(m[3]), "baseline_ns": float(m[4]),
                         "ratio": float(m[5]), "extra_ns": float(m[6])}
    RESULTS["paired"] = res


def contention():
    print("== contention", flush=True)
    out = run(["cargo", "bench", "-q", "-p", "registry-core", "--bench", "contention"])
    rows = []
    for line in out.splitlines():
        m = re.match(r"contention readers=(\d+) cores=(\d+) writer_pause_us=(\d+) "
                     r"same_name=(true|false) alone=(\d+)/s with_writer=(\d+)/s ratio=([\d.]+)", line)
        if m:
            rows.append([int(m[1]), int(m[2]), int(m[3]), m[4] == "true",
                         int(m[5]), int(m[6]), float(m[7])])
    writers = [float(x) for x in re.findall(r"writer: (\d+) override changes/s", out)]
    RESULTS["contention"] = {"rows": rows, "writer_changes_per_s": writers}


def host_triple():
    return re.search(r"host: (\S+)", run(["rustc", "-vV"]))[1]


def build_scale(kind, n, pie=True):
    """Builds bench-scale; `pie=False` links a non-PIE executable
    (`-C relocation-model=static`, for the target only: proc macros stay
    PIC), which the loader does not relocate at start."""
    env = {"SCALE_KIND": kind, "SCALE_N": str(n), "CARGO_TARGET_DIR": str(SCALE_TARGET)}
    cmd = ["cargo", "build", "-q", "--release"]
    out_dir = SCALE_TARGET / "release"
    suffix = ""
    if not pie:
        triple = host_triple()
        env.update(RUSTFLAGS="-C relocation-model=static",
                   CARGO_TARGET_DIR=str(SCALE_TARGET) + "-nopie")
        cmd += ["--target", triple]
        out_dir = pathlib.Path(env["CARGO_TARGET_DIR"]) / triple / "release"
        suffix = "-nopie"
    start = time.perf_counter()
    run(cmd, env=env, cwd=ROOT / "bench-scale")
    seconds = time.perf_counter() - start
    BIN.mkdir(parents=True, exist_ok=True)
    dest = BIN / f"scale-{kind}-{n}{suffix}"
    shutil.copy(out_dir / "bench-scale", dest)
    # Also without the symbol table (`strip`): what a shipped binary that
    # strips carries, and the part a process loads.
    stripped = BIN / f"scale-{kind}-{n}{suffix}.stripped"
    run(["strip", "-o", str(stripped), str(dest)])
    return seconds, dest.stat().st_size, stripped.stat().st_size


def hyperfine(commands, runs=300):
    out = TARGET / "hyperfine.json"
    run(["hyperfine", "-N", "--warmup", "20", "--runs", str(runs), "--export-json", str(out)]
        + commands)
    return [r["median"] for r in json.loads(out.read_text())["results"]]


def interleaved_medians(cmds, pattern, rounds=21):
    """Runs each of `cmds` (label -> command) once per round, round-robin,
    and returns the median of `pattern`'s number per label: the machine's
    speed drifting during the runs hits every label alike."""
    values = {label: [] for label in cmds}
    for _ in range(rounds):
        for label, cmd in cmds.items():
            values[label].append(float(re.search(pattern, run(cmd))[1]))
    return {label: statistics.median(v) for label, v in values.items()}


def scale():
    print("== scale: 20 / 1,000 / 10,000 synthetic registrations", flush=True)
    build_scale("none", 20)  # builds registry-core in release once
    builds = {}
    for n in [20, 1000, 10000]:
        for kind in ["none", "static", "registry"]:
            builds[f"{kind}-{n}"] = build_scale(kind, n)
    RESULTS["builds"] = builds
    for kind in ["static", "registry"]:
        build_scale(kind, 10000, pie=False)
    scale_measure()


def scale_measure():
    """The scale measurements, on the binaries `scale()` built."""
    print("== scale: measuring target/bench-bin/scale-*", flush=True)
    start = {}
    for n in [1000, 10000]:
        kinds = ["none", "static", "registry"]
        if n == 10000:
            kinds += ["static-nopie", "registry-nopie"]
        meds = hyperfine([f"{BIN}/scale-{k.replace('-nopie', '')}-{n}"
                          f"{'-nopie' if k.endswith('-nopie') else ''} start" for k in kinds])
        start[n] = dict(zip(kinds, meds))
    RESULTS["start"] = start
    RESULTS["start_detail"] = start_detail()
    index = {}
    for n in [1000, 10000]:
        index[n] = interleaved_medians(
            {k: [f"{BIN}/scale-{k}-{n}", "index"] for k in ["static", "registry"]},
            r"([\d.]+) ns/registration")
    RESULTS["index"] = index
    RESULTS["resolve"] = interleaved_medians(
        {n: [f"{BIN}/scale-registry-{n}", "resolve"] for n in [20, 1000, 10000]},
        r"([\d.]+) ns/lookup")


def start_detail():
    """Why start-up differs: relocations the dynamic loader applies, and the
    page faults (first touches) of starting, per binary at 10,000."""
    detail = {}
    for kind in ["none", "static", "registry"]:
        exe = BIN / f"scale-{kind}-10000"
        sections = {}
        for line in run(["size", "-A", str(exe)]).splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                sections[parts[0]] = int(parts[1])
        def faults(command):
            counts = []
            for _ in range(11):
                err = subprocess.run(["/usr/bin/time", "-v", str(exe), command],
                                     capture_output=True, text=True).stderr
                counts.append(int(re.search(
                    r"Minor \(reclaiming a frame\) page faults: (\d+)", err)[1]))
            return statistics.median(counts)
        detail[kind] = {
            # Elf64_Rela entries are 24 bytes.
            "relocations": sections.get(".rela.dyn", 0) // 24,
            "data_bytes": sections.get(".data", 0) + sections.get(".data.rel.ro", 0),
            "minor_faults": faults("start"),
            # First touches of memory by the first access (index or map).
            "index_faults": faults("index") - faults("start") if kind != "none" else 0,
        }
    return detail


def python_side():
    print("== Python discovery, side by side", flush=True)
    venv = TARGET / "bench-venv"
    if not (venv / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(venv / "bin" / "pip"), "install", "-q", "stevedore"])
    python = str(venv / "bin" / "python")
    data = TARGET / "bench-python-dist"
    res = {}
    for how in ["entry_points", "stevedore"]:
        values = [float(run([python, str(ROOT / "scripts/python_discovery.py"), "10000", how, str(data)]))
                  for _ in range(7)]
        res[how] = statistics.median(values)
    RESULTS["python"] = res


def cli():
    print("== the aiperf binary (release)", flush=True)
    run(["cargo", "build", "-q", "--release", "-p", "aiperf-cli"])
    exe = str(TARGET / "release" / "aiperf")
    cmds = {"plugins": [exe, "plugins"], "plugins --all": [exe, "plugins", "--all"],
            "plugins --validate": [exe, "plugins", "--validate"]}
    meds = hyperfine([" ".join(c) for c in cmds.values()], runs=200)
    rss = {}
    for label, cmd in cmds.items():
        err = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True).stderr
        rss[label] = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)[1])
    RESULTS["cli"] = {label: {"median_s": m, "rss_kb": rss[label]} for label, m in zip(cmds, meds)}
    # AIPerf itself (Python), side by side, when it can be installed.
    venv = TARGET / "aiperf-venv"
    if not (venv / "bin" / "aiperf").exists():
        try:
            run([sys.executable, "-m", "venv", str(venv)])
            run([str(venv / "bin" / "pip"), "install", "-q", "aiperf==0.13.0"])
        except subprocess.CalledProcessError as e:
            RESULTS["aiperf_python"] = {"error": f"pip install aiperf failed: {e}"}
            return
    aiperf_py = venv / "bin" / "aiperf"
    version = run([str(venv / "bin" / "pip"), "show", "aiperf"])
    version = re.search(r"Version: (\S+)", version)[1]
    res = {"version": version}
    for label, args in [("plugins", ["plugins"]), ("plugins --validate", ["plugins", "--validate"])]:
        cmd = [str(aiperf_py)] + args
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            res[label] = {"error": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
            continue
        out = TARGET / "hyperfine-py.json"
        subprocess.run(["hyperfine", "-N", "-i", "--warmup", "1", "--runs", "5",
                        "--export-json", str(out), " ".join(cmd)],
                       cwd=ROOT, capture_output=True, text=True, check=True)
        median = json.loads(out.read_text())["results"][0]["median"]
        err = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True).stderr
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)[1])
        res[label] = {"median_s": median, "rss_kb": rss}
    RESULTS["aiperf_python"] = res


PARTS = {"criterion": lambda: criterion(), "paired": lambda: paired(),
         "contention": lambda: contention(), "scale": lambda: scale(),
         "scale-measure": lambda: scale_measure(),
         "python": lambda: python_side(), "cli": lambda: cli()}


def main():
    # `scripts/bench.py scale cli` re-measures only those parts and keeps
    # the rest of target/bench-results.json.
    parts = sys.argv[1:] or list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        sys.exit(f"unknown part(s) {unknown}; parts: {', '.join(PARTS)}")
    results = TARGET / "bench-results.json"
    if sys.argv[1:] and results.exists():
        RESULTS.update(json.loads(results.read_text()))
    for part in parts:
        PARTS[part]()
    RESULTS["machine"] = {
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                     if l.startswith("model name")), platform.processor()),
        "cores": os.cpu_count(),
        "rustc": run(["rustc", "--version"]).strip(),
        "date": time.strftime("%Y-%m-%d"),
    }
    results.write_text(json.dumps(RESULTS, indent=2))
    print(f"results: {TARGET / 'bench-results.json'}")


if __name__ == "__main__":
    main()
