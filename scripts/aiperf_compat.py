#!/usr/bin/env python3
"""Check that AIPerf 0.13's own readers accept an artifact directory.

Loads the files `aiperf profile` writes (profile_export_aiperf.json,
profile_export.jsonl, inputs.json, profile_export_aiperf.csv) with the code
AIPerf itself uses to read results back, and prints, per file and per reader,
what loaded, what failed and why (pydantic errors are annotated with the model
field and its source line in the installed AIPerf).

It needs AIPerf installed (it imports `aiperf`), so it is not run in CI. Run it
with that environment's python:

    target/aiperf-venv/bin/python scripts/aiperf_compat.py DIR [--compare REF_DIR]
        [--out WORK_DIR] [--no-cli]

    DIR           an artifact dir written by `aiperf profile` (ours or AIPerf's)
    --compare REF a real AIPerf artifact dir of the same kind of run (e.g.
                  target/aiperf-reference/chat-stream for a streaming run,
                  .../chat-stream-errors for a run with errors): also prints a
                  structural diff (keys, value types, stat sets, CSV rows) of
                  DIR against it. Informational: it never fails the check.
    --out DIR     where plots, logs and copies go (default: a new temp dir)
    --no-cli      skip the two subprocess runs (`aiperf plot DIR`,
                  `aiperf analyze swim-lane DIR`)

Control: run it on one of AIPerf's own dirs first (for example
target/aiperf-reference/chat-stream). What fails there is the environment
(no Chrome for Kaleido, say), not our files.

What is checked (reader = code AIPerf runs on a finished run's files;
schema = the pydantic model AIPerf writes the file from, which no reader
validates the whole file against):
  profile_export_aiperf.json
    [schema] JsonExportData.model_validate (whole file), then without
             input_config, then input_config against BenchmarkConfig
    [schema] JsonMetricResult for every metric object ({"unit": ...})
    [reader] orchestrator LocalSubprocessExecutor._extract_summary_metrics /
             _build_result_from_metrics and ConfidenceAggregation (multi-run
             and sweep summaries), k8s JsonMetricResult.project_summary_dict,
             k8s MetricsSummary.from_metrics / operator
             synthesize_status_from_summary, operator archived-job listing
             (runs_index._extract_model_endpoint, job_union._archived_from_summary)
  profile_export.jsonl
    [schema+reader] MetricRecordInfo.model_validate_json per line (what the
             plot DataLoader does; it skips lines that fail)
    [reader] orchestrator jsonl_loader.load_all_metrics,
             search_planner pooled_percentile_from_results
  inputs.json
    [schema] InputsFile; [reader] InputsJsonPayloadLoader (the `inputs_json`
             dataset type: replay of an inputs.json) and the
             record->inputs.json join on metadata.conversation_id
  profile_export_aiperf.csv
    no AIPerf code reads it back (only compared to REF with --compare)
  the directory
    [reader] plot ModeDetector.detect_mode, DataLoader.load_run (with and
             without per-request data), get_available_metrics, RunMetadata;
             every single-run plot preset and the multi-run presets (on two
             copies of DIR) built with AIPerf's own exporters, with only the
             final Kaleido PNG write replaced by fig.write_html;
             analysis.swim_lane.plot_swim_lane (matplotlib PNG) and
             write_swim_lane_html
    [cli]    `aiperf plot DIR` and `aiperf analyze swim-lane DIR` as
             subprocesses (HOME pointed into WORK_DIR)
  what-if (only when jsonl records miss fields MetricRecordInfo requires)
    the directory readers again on a copy whose records get placeholder
    values for those fields (and a conversation_id for swim-lane), to show
    what would fail next. Not counted in the exit status.

Output: one [PASS]/[FAIL]/[WARN]/[INFO] line per check with details below it,
then a summary. Pass the same --out to reuse a work dir (it is overwritten).

Exit status: 0 when nothing FAILed (what-if results excluded), 1 otherwise,
2 on bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import inspect
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import typing
from collections import Counter, OrderedDict
from pathlib import Path
from types import SimpleNamespace

RESULTS: list[tuple[str, str, str]] = []  # (status, label, detail)
LABEL_PREFIX = ""  # "[what-if] " while checking the patched copy


def report(status: str, label: str, detail: str = "") -> None:
    label = LABEL_PREFIX + label
    RESULTS.append((status, label, detail))
    print(f"  [{status}] {label}")
    if detail:
        for line in detail.rstrip("\n").split("\n"):
            print(f"         {line}")


def section(title: str) -> None:
    print()
    print("=" * 100)
    print(title)
    print("=" * 100)


# --------------------------------------------------------------------------------------
# Source locations in the installed AIPerf
# --------------------------------------------------------------------------------------

SITE = None  # set in main(): the directory that holds the `aiperf` package


def rel(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(SITE))
    except Exception:
        return path


def where(obj) -> str:
    """'aiperf/x/y.py:LINE' of a class or function."""
    try:
        obj = inspect.unwrap(obj)
        return f"{rel(inspect.getsourcefile(obj))}:{inspect.getsourcelines(obj)[1]}"
    except Exception:
        return "?"


def field_where(model, name: str) -> str:
    """'Owner.field @ aiperf/...py:LINE' for a pydantic field (the class that declares it)."""
    owner = model
    for c in model.__mro__:
        if name in getattr(c, "__annotations__", {}):
            owner = c
            break
    try:
        lines, start = inspect.getsourcelines(owner)
        pat = re.compile(rf"^\s+{re.escape(name)}\s*:")
        for i, ln in enumerate(lines):
            if pat.match(ln):
                return f"{owner.__name__}.{name} @ {rel(inspect.getsourcefile(owner))}:{start + i}"
        return f"{owner.__name__}.{name} @ {where(owner)}"
    except Exception:
        return f"{owner.__name__}.{name}"


def _strip(ann):
    """Unwrap Optional/Union/Annotated down to a model, list or dict if there is one."""
    from pydantic import BaseModel

    for _ in range(10):
        origin = typing.get_origin(ann)
        if origin is typing.Annotated:
            ann = typing.get_args(ann)[0]
            continue
        if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            pick = None
            for a in args:
                o = typing.get_origin(a)
                if (isinstance(a, type) and issubclass(a, BaseModel)) or o in (list, dict, tuple, set):
                    pick = a
                    break
            ann = pick if pick is not None else (args[0] if args else ann)
            if pick is None:
                return ann
            continue
        return ann
    return ann


def loc_source(model, loc, root_desc: str | None = None) -> str:
    """Walk a pydantic error loc through the model's annotations and name the field's source.

    `model` is a model class or any annotation (e.g. a field's type); `root_desc` names it."""
    from pydantic import BaseModel

    ann = model
    desc = root_desc or f"{getattr(model, '__name__', model)} @ {where(model)}"
    for part in loc:
        ann = _strip(ann)
        origin = typing.get_origin(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if isinstance(part, str) and part in ann.model_fields:
                desc = field_where(ann, part)
                ann = ann.model_fields[part].annotation
                continue
            extra = (ann.model_config or {}).get("extra")
            desc = f"{ann.__name__} (no field {part!r}; extra={extra!r}) @ {where(ann)}"
            break
        if origin in (list, tuple, set) and isinstance(part, int):
            args = typing.get_args(ann)
            ann = args[0] if args else None
            continue
        if origin is dict:
            args = typing.get_args(ann)
            ann = args[1] if len(args) == 2 else None
            continue
        break  # union-member tags and the like: keep the last field found
    return desc


def fmt_errors(model, err, limit: int = 40, root_desc: str | None = None) -> str:
    """One line per pydantic error: loc, type, msg, input, and where the field is declared."""
    out = []
    errs = err.errors(include_url=False)
    for e in errs[:limit]:
        loc = ".".join(str(p) for p in e["loc"])
        inp = e.get("input")
        inp_s = ""
        if e["type"] not in ("missing",):
            inp_s = repr(inp)
            if len(inp_s) > 90:
                inp_s = inp_s[:90] + "..."
            inp_s = f"; got {inp_s}"
        out.append(f"{loc or '<root>'}: {e['type']}: {e['msg']}{inp_s}\n    -> {loc_source(model, e['loc'], root_desc)}")
    if len(errs) > limit:
        out.append(f"... and {len(errs) - limit} more errors")
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Log capture (AIPerf's readers log warnings instead of raising)
# --------------------------------------------------------------------------------------


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured_logs():
    root = logging.getLogger()
    old_level = root.level
    old_handlers = root.handlers[:]
    for h in old_handlers:
        root.removeHandler(h)
    cap = Capture()
    root.addHandler(cap)
    root.setLevel(logging.INFO)
    try:
        yield cap
    finally:
        for h in root.handlers[:]:
            root.removeHandler(h)
        for h in old_handlers:
            root.addHandler(h)
        root.setLevel(old_level)


def summarize_logs(cap: Capture, min_level=logging.WARNING, keep=None) -> str:
    """Group log messages (digits folded) and show each group once with a count."""
    groups: OrderedDict[str, list] = OrderedDict()
    for r in cap.records:
        msg = r.getMessage()
        if r.levelno < min_level and not (keep and any(k in msg for k in keep)):
            continue
        one = " | ".join(x.strip() for x in msg.strip().splitlines() if x.strip())
        key = f"{r.levelname} {r.name}: " + re.sub(r"\d+", "#", one)[:400]
        if key not in groups:
            groups[key] = [0, f"{r.levelname} {r.name}: {one[:600]}"]
        groups[key][0] += 1
    lines = []
    for n, first in groups.values():
        lines.append(f"{'%3dx ' % n if n > 1 else '     '}{first}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------


def read_json(path: Path):
    import orjson

    return orjson.loads(path.read_bytes())


def check_files(d: Path) -> dict[str, bool]:
    section(f"Files in {d}")
    names = [
        "profile_export_aiperf.json",
        "profile_export.jsonl",
        "inputs.json",
        "profile_export_aiperf.csv",
        "profile_export_console.txt",
        "server_metrics_export.json",
        "server_metrics_export.csv",
        "gpu_telemetry_export.jsonl",
        ".aiperf_results_ready.json",
        "logs/aiperf.log",
    ]
    present = {}
    for n in names:
        p = d / n
        present[n] = p.is_file()
        size = p.stat().st_size if p.is_file() else None
        print(f"  {'present' if p.is_file() else 'absent ':8} {n}{'' if size is None else f'  ({size} bytes)'}")
    others = sorted(
        str(p.relative_to(d)) for p in d.rglob("*") if p.is_file() and str(p.relative_to(d)) not in names
    )
    if others:
        print(f"  other files: {others}")
    return present


def check_json(d: Path) -> dict | None:
    from pydantic import ValidationError

    from aiperf.common.models.export_models import JsonExportData, JsonMetricResult
    from aiperf.config.config import BenchmarkConfig

    section("profile_export_aiperf.json")
    path = d / "profile_export_aiperf.json"
    if not path.is_file():
        report("FAIL", "profile_export_aiperf.json exists", "absent")
        return None
    try:
        data = read_json(path)
    except Exception as e:
        report("FAIL", "orjson.loads", f"{type(e).__name__}: {e}")
        return None
    report("PASS", "orjson.loads (how every AIPerf reader opens it)", f"{len(data)} top-level keys")

    label = f"[schema] JsonExportData.model_validate(whole file)  ({where(JsonExportData)})"
    try:
        JsonExportData.model_validate(data)
        report("PASS", label)
    except ValidationError as e:
        report(
            "FAIL",
            label,
            f"{e.error_count()} error(s) (note: no AIPerf reader validates the whole file; this is the writer's model)\n"
            + fmt_errors(JsonExportData, e),
        )

    rest = {k: v for k, v in data.items() if k != "input_config"}
    label = "[schema] JsonExportData.model_validate(file without input_config)"
    try:
        m = JsonExportData.model_validate(rest)
        declared = [k for k in rest if k in JsonExportData.model_fields]
        extra = [k for k in rest if k not in JsonExportData.model_fields]
        report("PASS", label, f"declared fields present: {len(declared)}; extra (allowed) keys: {len(extra)}")
        _ = m
    except ValidationError as e:
        report("FAIL", label, fmt_errors(JsonExportData, e))

    if "input_config" in data:
        label = f"[schema] input_config -> BenchmarkConfig (extra='forbid')  ({where(BenchmarkConfig)})"
        if data["input_config"] is None:
            report("PASS", label, "input_config is null (allowed: JsonExportData.input_config is Optional)")
        else:
            try:
                BenchmarkConfig.model_validate(data["input_config"])
                report("PASS", label)
            except ValidationError as e:
                report("FAIL", label, f"{e.error_count()} error(s)\n" + fmt_errors(BenchmarkConfig, e))
                check_benchmark_config_sections(data["input_config"])
            except Exception as e:
                report("FAIL", label, f"{type(e).__name__}: {e}")
    else:
        report("WARN", "input_config present", "absent (plot metadata: model/concurrency/request_count come from it)")

    bad = []
    n = 0
    for k, v in data.items():
        if isinstance(v, dict) and "unit" in v:
            n += 1
            try:
                JsonMetricResult.model_validate(v)
            except ValidationError as e:
                bad.append(f"{k}: " + fmt_errors(JsonMetricResult, e).replace("\n", "\n  "))
    label = f"[schema] JsonMetricResult for every metric object  ({where(JsonMetricResult)})"
    if bad:
        report("FAIL", label, f"{len(bad)} of {n} failed\n" + "\n".join(bad))
    else:
        report("PASS", label, f"{n} metric objects")
    return data


def check_benchmark_config_sections(ic) -> None:
    """BenchmarkConfig's before-validators stop at the first problem; check each key on its own."""
    from pydantic import TypeAdapter, ValidationError

    from aiperf.config.config import BenchmarkConfig

    if not isinstance(ic, dict):
        return
    fields = BenchmarkConfig.model_fields
    by_alias = {(f.alias or n): n for n, f in fields.items()}
    lines = []
    missing = [n for n, f in fields.items() if f.is_required() and n not in ic and (f.alias or n) not in ic]
    for n in missing:
        lines.append(f"missing required key {n!r}\n    -> {field_where(BenchmarkConfig, n)}")
    unknown = [k for k in ic if k not in fields and k not in by_alias]
    if unknown:
        lines.append(
            f"keys BenchmarkConfig does not have (model_config extra='forbid'): {unknown}\n    -> {where(BenchmarkConfig)}"
        )
    for k, v in ic.items():
        name = k if k in fields else by_alias.get(k)
        if name is None:
            continue
        try:
            TypeAdapter(fields[name].rebuild_annotation()).validate_python(v)
            lines.append(f"{k}: accepted on its own ({type(v).__name__}{'' if v is not None else ' null'})")
        except ValidationError as e:
            sub = fmt_errors(
                fields[name].annotation, e, limit=15, root_desc=field_where(BenchmarkConfig, name)
            ).replace("\n", "\n    ")
            lines.append(f"{k}: {e.error_count()} error(s), field {field_where(BenchmarkConfig, name)}:\n    {sub}")
        except Exception as e:
            lines.append(f"{k}: {type(e).__name__}: {e}")
    report("FAIL" if (missing or unknown or any(': accepted' not in ln for ln in lines)) else "PASS",
           "[schema] input_config, key by key against BenchmarkConfig's fields", "\n".join(lines))


def check_json_readers(d: Path, data: dict | None) -> None:
    section("profile_export_aiperf.json: AIPerf's readers")
    if data is None:
        report("SKIP", "readers of profile_export_aiperf.json", "no file")
        return

    # orchestrator: the multi-run / sweep path reads each run's summary this way
    from aiperf.common.models.export_models import JsonMetricResult
    from aiperf.orchestrator.local_executor import LocalSubprocessExecutor

    fake_run = SimpleNamespace(
        artifact_dir=d,
        cfg=SimpleNamespace(artifacts=SimpleNamespace(profile_export_json_file=Path("profile_export_aiperf.json"))),
    )
    label = f"[reader] LocalSubprocessExecutor._extract_summary_metrics  ({where(LocalSubprocessExecutor._extract_summary_metrics)})"
    rr = None
    with captured_logs() as cap:
        try:
            metrics, cancelled = LocalSubprocessExecutor._extract_summary_metrics(None, fake_run)
            rr = LocalSubprocessExecutor._build_result_from_metrics(metrics, "run", d, was_cancelled=cancelled)
        except Exception as e:
            report("FAIL", label, f"{type(e).__name__}: {e}")
    if rr is not None:
        logs = summarize_logs(cap)
        rc = rr.summary_metrics.get("request_count")
        detail = (
            f"{len(metrics)} metrics parsed as JsonMetricResult; was_cancelled={cancelled}; "
            f"RunResult.success={rr.success}"
            + (f" error={rr.error!r}" if rr.error else "")
            + (f"; request_count.avg={rc.avg}" if rc else "")
        )
        report("PASS" if rr.success else "FAIL", label, detail + (f"\n{logs}" if logs else ""))

    if rr is not None and rr.success:
        from aiperf.orchestrator.aggregation.confidence import ConfidenceAggregation

        label = f"[reader] ConfidenceAggregation.aggregate(two trials of this run)  ({where(ConfidenceAggregation.aggregate)})"
        try:
            r2 = rr.model_copy(update={"label": "run2", "trial_index": 1})
            agg = ConfidenceAggregation().aggregate([rr, r2])
            some = [k for k in ("request_latency_avg", "request_throughput_avg", "time_to_first_token_p99") if k in agg.metrics]
            report("PASS", label, f"{len(agg.metrics)} aggregated metric/stat pairs, e.g. {some}")
        except Exception as e:
            report("FAIL", label, f"{type(e).__name__}: {e}")

    label = f"[reader] JsonMetricResult.project_summary_dict (k8s sweep executor)  ({where(JsonMetricResult.project_summary_dict)})"
    try:
        proj = JsonMetricResult.project_summary_dict(data)
        report("PASS", label, f"{len(proj)} metrics")
    except Exception as e:
        report("FAIL", label, f"{type(e).__name__}: {e}")

    try:
        from aiperf.kubernetes.crd_models import _SUMMARY_TAGS, MetricsSummary
        from aiperf.operator.job_union import synthesize_status_from_summary

        label = f"[reader] MetricsSummary.from_metrics + synthesize_status_from_summary (k8s operator)  ({where(synthesize_status_from_summary)})"
        st = synthesize_status_from_summary("ns", "job", data)
        summ = st["summary"]
        wanted_here = [t for t in _SUMMARY_TAGS if t in data]
        detail = (
            f"summary tags: {len([k for k in summ if k in _SUMMARY_TAGS])} of {len(wanted_here)} present in the file; "
            f"derived: { {k: v for k, v in summ.items() if k not in _SUMMARY_TAGS} }; "
            f"startTime={st['startTime']!r} completionTime={st['completionTime']!r} "
            f"requestsCompleted={st['phases']['benchmark']['requestsCompleted']}"
        )
        _ = MetricsSummary
        report("PASS", label, detail)
    except Exception as e:
        report("FAIL", "[reader] k8s operator summary", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")

    try:
        from aiperf.operator import job_union, runs_index

        label = (f"[reader] operator archived-job listing: runs_index._extract_model_endpoint + "
                 f"job_union._archived_from_summary  ({where(job_union._archived_from_summary)})")
        model, endpoint = runs_index._extract_model_endpoint({"benchmark": data.get("input_config", {}) or {}})
        info = job_union._archived_from_summary("ns", "job", data, mtime_iso="2026-01-01T00:00:00Z")
        got = {k: getattr(info, k, None) for k in ("model", "endpoint_url", "endpoint", "throughput_rps",
                                                    "latency_p99_ms", "start_time", "end_time") if hasattr(info, k)}
        none = [k for k in ("model", "endpoint") if (model if k == "model" else endpoint) is None]
        report(
            "WARN" if none else "PASS",
            label,
            f"_extract_model_endpoint -> model={model!r}, endpoint={endpoint!r} "
            f"(reads input_config.models.items[0].name and input_config.endpoint.urls[0]: "
            f"{where(runs_index._extract_model_endpoint)}); archived job: {got}",
        )
    except Exception as e:
        report("FAIL", "[reader] operator archived-job listing", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}")


def check_jsonl(d: Path) -> list[dict] | None:
    from pydantic import ValidationError

    from aiperf.common.models.record_models import MetricRecordInfo

    section("profile_export.jsonl")
    path = d / "profile_export.jsonl"
    if not path.is_file():
        report("FAIL", "profile_export.jsonl exists", "absent")
        return None
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    rows = []
    bad_json = 0
    for ln in lines:
        try:
            rows.append(json.loads(ln))
        except Exception:
            bad_json += 1
    n_err = sum(1 for r in rows if isinstance(r, dict) and r.get("error") is not None)
    report(
        "PASS" if not bad_json else "FAIL",
        "JSON per line",
        f"{len(lines)} lines, {len(rows)} parse, {bad_json} do not; {n_err} error records, {len(rows) - n_err} successful",
    )

    ok = 0
    groups: OrderedDict[str, list] = OrderedDict()
    first_exc = None
    for i, ln in enumerate(lines, 1):
        try:
            MetricRecordInfo.model_validate_json(ln)
            ok += 1
        except ValidationError as e:
            first_exc = first_exc or e
            for er in e.errors(include_url=False):
                loc = tuple("*" if (j > 0 and er["loc"][j - 1] == "metrics") else p for j, p in enumerate(er["loc"]))
                key = f"{'.'.join(map(str, loc))}: {er['type']}: {er['msg']}"
                g = groups.setdefault(key, [0, [], er, loc])
                g[0] += 1
                if len(g[1]) < 5:
                    g[1].append(i)
    label = (
        f"[schema+reader] MetricRecordInfo.model_validate_json per line  ({where(MetricRecordInfo)}; "
        f"the plot DataLoader does exactly this at {where(__import__('aiperf.plot.core.data_loader', fromlist=['DataLoader']).DataLoader._load_jsonl)} and SKIPS failing lines)"
    )
    if ok == len(lines):
        report("PASS", label, f"{ok}/{len(lines)} lines valid")
    else:
        det = [f"{ok}/{len(lines)} lines valid; distinct errors:"]
        for key, (cnt, ex, er, loc) in groups.items():
            inp = "" if er["type"] == "missing" else f"; e.g. got {repr(er.get('input'))[:90]}"
            det.append(f"{key}{inp}  [{cnt} lines, e.g. {ex}]\n    -> {loc_source(MetricRecordInfo, er['loc'])}")
        report("FAIL", label, "\n".join(det))
    return rows


def check_jsonl_readers(d: Path) -> None:
    section("profile_export.jsonl: other AIPerf readers (raw dict access)")
    from aiperf.orchestrator import jsonl_loader
    from aiperf.orchestrator.models import RunResult
    from aiperf.orchestrator.search_planner._pooled_percentile import pooled_percentile_from_results

    label = f"[reader] orchestrator.jsonl_loader.load_all_metrics  ({where(jsonl_loader.iter_profiling_records)})"
    try:
        with captured_logs() as cap:
            allm = jsonl_loader.load_all_metrics(d)
        counts = {k: len(v) for k, v in allm.items()}
        logs = summarize_logs(cap)
        key = ["request_latency", "time_to_first_token", "inter_token_latency", "output_sequence_length"]
        report(
            "PASS" if allm else "FAIL",
            label,
            f"{len(allm)} metrics from profiling-phase, non-error records; counts of key ones: "
            f"{ {k: counts.get(k) for k in key} }" + (f"\n{logs}" if logs else ""),
        )
    except Exception as e:
        report("FAIL", label, f"{type(e).__name__}: {e}")

    label = f"[reader] search_planner pooled_percentile_from_results(p99 request_latency)  ({where(pooled_percentile_from_results)})"
    try:
        rr = RunResult(label="r", success=True, artifacts_path=d)
        v = pooled_percentile_from_results([rr], "request_latency", 99.0)
        report("PASS" if v is not None else "FAIL", label, f"value={v}")
    except Exception as e:
        report("FAIL", label, f"{type(e).__name__}: {e}")


def check_inputs(d: Path, rows: list[dict] | None) -> None:
    from pydantic import ValidationError

    from aiperf.common.models.dataset_models import InputsFile

    section("inputs.json")
    path = d / "inputs.json"
    if not path.is_file():
        report("FAIL", "inputs.json exists", "absent")
        return
    label = f"[schema] InputsFile.model_validate_json  ({where(InputsFile)})"
    inputs = None
    try:
        inputs = InputsFile.model_validate_json(path.read_bytes())
        report("PASS", label, f"{len(inputs.data)} sessions, {sum(len(s.payloads) for s in inputs.data)} payloads")
    except ValidationError as e:
        report("FAIL", label, fmt_errors(InputsFile, e))

    try:
        from aiperf.dataset.loader.inputs_json import InputsJsonPayloadLoader

        label = f"[reader] InputsJsonPayloadLoader (--custom-dataset-type inputs_json)  ({where(InputsJsonPayloadLoader)})"
        can = InputsJsonPayloadLoader.can_load(filename=path)
        if not can:
            report("FAIL", label, "can_load(filename) returned False")
        else:
            with captured_logs() as cap:
                loader = InputsJsonPayloadLoader(filename=str(path))
                loaded = loader.load_dataset()
                convs = loader.convert_to_conversations(loaded)
            turns = sum(len(c.turns) for c in convs)
            logs = summarize_logs(cap)
            report("PASS", label, f"can_load=True; {len(convs)} conversations, {turns} turns" + (f"\n{logs}" if logs else ""))
    except Exception as e:
        report("FAIL", "[reader] InputsJsonPayloadLoader", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=4)}")

    if inputs is not None and rows:
        from aiperf.common.models.record_models import MetricRecordMetadata

        ids = {s.session_id for s in inputs.data}
        conv = [(r.get("metadata") or {}).get("conversation_id") for r in rows]
        have = [c for c in conv if c is not None]
        hit = [c for c in have if c in ids]
        label = f"[join] record metadata.conversation_id -> inputs.json session_id  ({field_where(MetricRecordMetadata, 'conversation_id')})"
        detail = f"{len(have)}/{len(rows)} records carry conversation_id; {len(hit)} match a session_id in inputs.json"
        if not have:
            sample = sorted(ids)[:3]
            detail += f" (inputs.json session_ids look like {sample})"
        report("PASS" if rows and len(hit) == len(rows) else "WARN", label, detail)


def check_csv(d: Path) -> None:
    section("profile_export_aiperf.csv")
    path = d / "profile_export_aiperf.csv"
    if not path.is_file():
        report("WARN", "profile_export_aiperf.csv exists", "absent")
        return
    report(
        "INFO",
        "no AIPerf reader",
        "AIPerf 0.13 has no code that reads profile_export_aiperf.csv back (the plot loader reads only "
        "profile_export_aiperf_timeslices.csv). Structure is compared with --compare.",
    )
    try:
        sections = csv_sections(path)
        report("PASS", "csv.reader", "sections: " + "; ".join(f"{s[0][:60]!r} x{len(s[1])} rows" for s in sections))
    except Exception as e:
        report("FAIL", "csv.reader", f"{type(e).__name__}: {e}")


def csv_sections(path: Path) -> list[tuple[str, list[list[str]]]]:
    out = []
    cur = None
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if not row or all(not c for c in row):
                cur = None
                continue
            if cur is None:
                cur = (",".join(row), [])
                out.append(cur)
            else:
                cur[1].append(row)
    return out


# --------------------------------------------------------------------------------------
# aiperf plot internals
# --------------------------------------------------------------------------------------

BUILT: dict[str, str] = {}


def _fake_export_figure(self, fig, path):
    """Stands in for BasePNGExporter._export_figure (Kaleido+Chrome): write HTML, count points."""
    n = 0
    for t in fig.data:
        best = 0
        for attr in ("x", "y", "base"):
            v = getattr(t, attr, None)
            if v is not None:
                try:
                    best = max(best, len(v))
                except TypeError:
                    pass
        n += best
    out = Path(path).with_suffix(".html")
    fig.write_html(str(out), include_plotlyjs="cdn")
    BUILT[Path(path).stem] = f"{len(fig.data)} traces, {n} points -> {out.name}"


def all_single_run_config(work: Path) -> Path:
    import yaml

    import aiperf.plot as plotpkg

    default = Path(plotpkg.__file__).with_name("default_plot_config.yaml")
    cfg = yaml.safe_load(default.read_text())
    viz = cfg["visualization"]
    viz["single_run_defaults"] = list(viz["single_run_plots"].keys())
    out = work / "plot_config_all_single_run.yaml"
    out.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return out


def plot_outcomes(cap: Capture, names: list[str]) -> dict[str, tuple[str, str]]:
    out = {}
    recs = [(r.levelno, r.levelname, r.getMessage()) for r in cap.records]
    for name in names:
        if name in BUILT:
            out[name] = ("built", BUILT[name])
            continue
        mine = [(no, lvl, m) for no, lvl, m in recs
                if no >= logging.WARNING and (f"'{name}'" in m or f" {name}:" in m or m.endswith(f" {name}"))]
        kind = "ERROR" if any(no >= logging.ERROR for no, _, _ in mine) else "skipped"
        why = " | ".join(" ".join(m.split()) for _, _, m in mine)[:400]
        out[name] = (kind, why or "no message")
    return out


def check_plot(d: Path, work: Path) -> None:
    section("aiperf plot: its readers, in process (only the Kaleido PNG write is replaced)")
    from aiperf.plot.core.data_loader import DataLoader
    from aiperf.plot.core.mode_detector import ModeDetector
    from aiperf.plot.exporters.png.multi_run import MultiRunPNGExporter
    from aiperf.plot.exporters.png.single_run import SingleRunPNGExporter

    label = f"[reader] ModeDetector.detect_mode([DIR])  ({where(ModeDetector.detect_mode)})"
    try:
        with captured_logs():
            mode, run_dirs = ModeDetector().detect_mode([d])
        report("PASS" if run_dirs else "FAIL", label, f"mode={mode.value}, run dirs={[str(p) for p in run_dirs]}")
    except Exception as e:
        report("FAIL", label, f"{type(e).__name__}: {e}")

    loader = DataLoader()
    run = None
    label = f"[reader] DataLoader.load_run(DIR, load_per_request_data=True)  ({where(DataLoader.load_run)})"
    with captured_logs() as cap:
        try:
            run = loader.load_run(d, load_per_request_data=True)
        except Exception as e:
            report("FAIL", label, f"{type(e).__name__}: {e}\n{summarize_logs(cap)}")
    if run is not None:
        n_lines = sum(1 for ln in (d / "profile_export.jsonl").read_text().splitlines() if ln.strip())
        req = run.requests
        nrows = 0 if req is None else len(req)
        logs = summarize_logs(cap)
        detail = f"requests DataFrame: {nrows} rows of {n_lines} jsonl lines, {0 if req is None else len(req.columns)} columns"
        if req is not None:
            detail += f"\ncolumns: {list(req.columns)}"
        detail += f"\naggregated keys: {len(run.aggregated)}"
        report("PASS" if nrows == n_lines else "FAIL", label, detail + (f"\nlogs:\n{logs}" if logs else ""))

    label = "[reader] DataLoader.load_run(DIR, load_per_request_data=False) (multi-run path)"
    run2 = None
    with captured_logs() as cap:
        try:
            run2 = loader.load_run(d, load_per_request_data=False)
            report("PASS", label, f"aggregated keys: {len(run2.aggregated)}")
        except Exception as e:
            report("FAIL", label, f"{type(e).__name__}: {e}\n{summarize_logs(cap)}")

    run = run or run2
    if run is not None:
        md = run.metadata
        fields = ["run_name", "model", "concurrency", "request_count", "duration_seconds", "endpoint_type",
                  "start_time", "end_time", "was_cancelled", "experiment_group"]
        vals = {f: getattr(md, f) for f in fields}
        want = ["model", "concurrency", "request_count", "endpoint_type", "start_time", "end_time"]
        if run.requests is not None:
            want.append("duration_seconds")  # computed from the per-request frame only
        missing = [f for f in want if vals[f] is None]
        where_from = {
            "model": "input_config.models.items[0].name, else input_config.endpoint.model_names[0]",
            "concurrency": "input_config.phases[name=profiling].concurrency, else input_config.loadgen.concurrency",
            "request_count": "input_config.phases[name=profiling].requests, else input_config.loadgen.request_count",
            "endpoint_type": "input_config.endpoint.type",
            "start_time": "top-level start_time",
            "end_time": "top-level end_time",
            "duration_seconds": "max(request_end_ns) - min(request_start_ns) of the jsonl",
        }
        report(
            "WARN" if missing else "PASS",
            f"[reader] RunMetadata from DataLoader._extract_metadata  ({where(DataLoader._extract_metadata)})"
            + ("" if run.requests is not None else " (from the load without per-request data)"),
            f"{vals}"
            + "".join(f"\nNone: {m} (AIPerf reads {where_from[m]})" for m in missing)
            + ("\n(multi-run plots then label the run model='Unknown' / concurrency=1: "
               f"{where(__import__('aiperf.plot.exporters.png.multi_run', fromlist=['x']).MultiRunPNGExporter._runs_to_dataframe)})"
               if {"model", "concurrency"} & set(missing) else ""),
        )
        with captured_logs():
            av = loader.get_available_metrics(run)
        report(
            "PASS" if av["display_names"] else "FAIL",
            f"[reader] DataLoader.get_available_metrics  ({where(DataLoader.get_available_metrics)})",
            f"{len(av['display_names'])} metrics: {sorted(av['display_names'])}",
        )


    res = build_plots(d, work)
    PLOTS[str(d)] = res
    for key, label in (
        ("single", f"[reader] single-run plots, every preset, via SingleRunPNGExporter.export  ({where(SingleRunPNGExporter.export)})"),
        ("multi", f"[reader] multi-run plots (two copies of DIR) via MultiRunPNGExporter.export  ({where(MultiRunPNGExporter.export)})"),
    ):
        r = res[key]
        if "error" in r:
            report("FAIL", label, r["error"])
            continue
        lines = [f"{kind:8} {name}: {text}" for name, (kind, text) in r["outcomes"].items()]
        errored = [n for n, (k, _) in r["outcomes"].items() if k == "ERROR"]
        report("FAIL" if errored else "PASS", label, r.get("head", "") + "\n".join(lines) + "\n" + r["note"])


PLOTS: dict[str, dict] = {}


def build_plots(d: Path, work: Path) -> dict:
    """Run AIPerf's single-run (every preset) and multi-run (two copies of d) PNG exporters with the
    Kaleido write replaced. Per plot: built / skipped (reason AIPerf logged) / ERROR (exception)."""
    from aiperf.plot.config import PlotConfig
    from aiperf.plot.core.data_loader import DataLoader
    from aiperf.plot.core.mode_detector import ModeDetector
    from aiperf.plot.exporters.png.base import BasePNGExporter
    from aiperf.plot.exporters.png.multi_run import MultiRunPNGExporter
    from aiperf.plot.exporters.png.single_run import SingleRunPNGExporter

    res: dict = {}
    work.mkdir(parents=True, exist_ok=True)
    orig = BasePNGExporter._export_figure
    BasePNGExporter._export_figure = _fake_export_figure
    try:
        BUILT.clear()
        with captured_logs() as cap:
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    pc = PlotConfig(all_single_run_config(work), artifact_dirs=[d])
                specs = pc.get_single_run_plot_specs()
                run_s = DataLoader().load_run(d, load_per_request_data=True)
                av = DataLoader().get_available_metrics(run_s)
                SingleRunPNGExporter(work / "plots-single").export(run_s, av, plot_specs=specs)
                res["single"] = {
                    "outcomes": plot_outcomes(cap, [s.name for s in specs]),
                    "note": "(timeslices_* need --slice-duration output and gpu_* need GPU telemetry; "
                            "streaming-only plots are skipped for non-streaming runs: same for AIPerf's own dirs)",
                }
            except Exception as e:
                res["single"] = {"error": f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}\n{summarize_logs(cap)}"}

        BUILT.clear()
        mr = work / "multi-run"
        if mr.exists():
            shutil.rmtree(mr)
        copies = []
        for name in ("copy_a", "copy_b"):
            c = mr / name
            c.mkdir(parents=True)
            for f in ("profile_export.jsonl", "profile_export_aiperf.json"):
                if (d / f).is_file():
                    shutil.copy(d / f, c / f)
            copies.append(c)
        with captured_logs() as cap:
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    pc = PlotConfig(all_single_run_config(work), artifact_dirs=copies)
                mode, run_dirs = ModeDetector().detect_mode([mr])
                runs = [DataLoader().load_run(p, load_per_request_data=False) for p in run_dirs]
                av = DataLoader().get_available_metrics(runs[0])
                specs = pc.get_multi_run_plot_specs()
                MultiRunPNGExporter(work / "plots-multi").export(
                    runs, av, plot_specs=specs, classification_config=pc.get_experiment_classification_config()
                )
                res["multi"] = {
                    "head": f"mode={mode.value}, {len(runs)} runs\n",
                    "outcomes": plot_outcomes(cap, [s.name for s in specs]),
                    "note": "(*_per_gpu plots need GPU telemetry: not built for AIPerf's own runs either)",
                }
            except Exception as e:
                res["multi"] = {"error": f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=5)}\n{summarize_logs(cap)}"}
    finally:
        BasePNGExporter._export_figure = orig
    return res


def check_swim_lane(d: Path, work: Path) -> None:
    section("aiperf analyze swim-lane: its reader, in process (matplotlib, no browser)")
    from aiperf.analysis import swim_lane

    label = f"[reader] analysis.swim_lane.plot_swim_lane  ({where(swim_lane.plot_swim_lane)})"
    try:
        with captured_logs() as cap:
            out = swim_lane.plot_swim_lane(d, out=work / "swim_lane.png")
        recs = swim_lane._load_records(d / "profile_export.jsonl")
        sessions = swim_lane._group_into_sessions(recs)
        ramp, bench = swim_lane._load_bench_config(d)
        report(
            "PASS",
            label,
            f"{out} ({out.stat().st_size} bytes); {len(recs)} records in {len(sessions)} sessions "
            f"(grouped by x_correlation_id, else conversation_id); benchmark_duration read from the JSON: {bench}"
            + (f"\n{summarize_logs(cap)}" if summarize_logs(cap) else ""),
        )
    except Exception as e:
        report("FAIL", label, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}")
    label = f"[reader] analysis.swim_lane.write_swim_lane_html  ({where(swim_lane.write_swim_lane_html)})"
    try:
        with captured_logs():
            out = swim_lane.write_swim_lane_html(d, out=work / "swim_lane.html")
        report("PASS", label, f"{out} ({out.stat().st_size} bytes)")
    except Exception as e:
        report("FAIL", label, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}")


def what_if(d: Path, work: Path) -> None:
    """Fill what MetricRecordInfo requires (and the ids swim-lane needs) and rerun the dir readers.

    Shows what fails *behind* the first failure. The placeholders are not proposals for values."""
    global LABEL_PREFIX
    from aiperf.common.models.record_models import MetricRecordMetadata

    src = d / "profile_export.jsonl"
    if not src.is_file():
        return
    required = {n: f for n, f in MetricRecordMetadata.model_fields.items() if f.is_required()}
    rows = [json.loads(x) for x in src.read_text().splitlines() if x.strip()]
    filled: Counter = Counter()
    for r in rows:
        md = r.setdefault("metadata", {})
        for n, f in required.items():
            if n not in md:
                md[n] = 0 if f.annotation is int else "compat-placeholder"
                filled[n] += 1
        if md.get("x_correlation_id") is None and md.get("conversation_id") is None:
            md["conversation_id"] = f"session_{md.get('session_num')}"
            filled["conversation_id (session_<session_num>)"] += 1
    if not filled:
        return
    section("WHAT-IF: the same readers on a copy whose jsonl records get placeholder values for the missing fields")
    print(f"  filled: {dict(filled)}  (placeholders only, to see what would fail next; not counted in the exit status)")
    cp = work / "what-if" / d.name
    if cp.exists():
        shutil.rmtree(cp)
    cp.mkdir(parents=True)
    for f in d.iterdir():
        if f.is_file() and f.name != "profile_export.jsonl":
            shutil.copy(f, cp / f.name)
    (cp / "profile_export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    LABEL_PREFIX = "[what-if] "
    try:
        check_plot(cp, work / "what-if")
        check_swim_lane(cp, work / "what-if")
    finally:
        LABEL_PREFIX = ""


def run_cli(d: Path, work: Path) -> None:
    section("CLI: `aiperf plot DIR` and `aiperf analyze swim-lane DIR` (subprocesses)")
    exe = Path(sys.executable).with_name("aiperf")
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home), COLUMNS="200", MPLBACKEND="Agg")

    out = work / "cli-plot"
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(exe), "plot", str(d), "--output", str(out)]
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        rc, text = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        rc, text = None, "timed out after 600 s"
    dt = time.time() - t0
    saved = re.findall(r"Saved \d+ plots? to: .*", text)
    log = out / "aiperf_plot.log"
    loglines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    entries: list[str] = []  # one per log record; continuation lines joined with " | "
    for ln in loglines:
        if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - ", ln) or not entries:
            entries.append(ln)
        elif ln.strip():
            entries[-1] += " | " + ln.strip()
    pick = []
    for ln in entries:
        if any(k in ln for k in (" - ERROR - ", " - WARNING - ", "Loaded ", "Found ", "Detected ", "Extracted ")):
            s = ln.split(" - ", 3)[-1] if " - " in ln else ln
            s = re.sub(r"Found (\d+) available metrics: \[.*\]", r"Found \1 available metrics: [...]", s)
            pick.append(re.sub(r"line \d+ ", "line # ", s)[:300])
    # fold the per-line skip warnings
    folded: OrderedDict[str, int] = OrderedDict()
    for s in pick:
        k = re.sub(r"line \d+ ", "line # ", s)
        folded[k] = folded.get(k, 0) + 1
    err_lines = [" ".join(ln.split())[:200] for ln in text.splitlines()
                 if "Kaleido requires" in ln or "Error Running" in ln or "No valid records" in ln]
    n_lines = sum(1 for ln in (d / "profile_export.jsonl").read_text().splitlines() if ln.strip()) \
        if (d / "profile_export.jsonl").is_file() else 0
    loaded = [int(m) for m in re.findall(r"Loaded (\d+) records from", "\n".join(entries))]
    got_all = bool(loaded) and loaded[0] == n_lines
    status = "PASS" if rc == 0 and got_all else "FAIL"
    report(
        status,
        f"`{' '.join(cmd)}` (HOME={home})",
        f"rc={rc} in {dt:.1f}s; {saved[-1] if saved else 'no Saved line'}; "
        f"loader read {loaded[0] if loaded else 0} of {n_lines} jsonl records"
        + ("; 0 PNGs is the environment: Kaleido needs Chrome (same for AIPerf's own dirs)"
           if saved and saved[-1].startswith("Saved 0") and any("Kaleido" in e for e in entries) else "")
        + "\n"
        + "aiperf_plot.log (ERROR/WARNING/load lines):\n"
        + "\n".join(f"  {'%dx ' % n if n > 1 else ''}{k}" for k, n in folded.items())
        + (f"\nconsole error lines: {sorted(set(err_lines))[:4]}" if err_lines else "")
        + ("\nstdout/stderr tail:\n" + "\n".join(
            " ".join(x.split()) for x in text[-3000:].splitlines() if x.strip())[-1200:] if rc != 0 else ""),
    )

    png = work / "cli-swim_lane.png"
    cmd = [str(exe), "analyze", "swim-lane", str(d), "-o", str(png)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        rc, text = p.returncode, (p.stdout + p.stderr).strip()
    except subprocess.TimeoutExpired:
        rc, text = None, "timed out"
    report(
        "PASS" if rc == 0 and png.is_file() else "FAIL",
        f"`aiperf analyze swim-lane {d} -o {png}`",
        f"rc={rc}; " + " / ".join([ln.strip() for ln in text.splitlines() if ln.strip()][-3:])
        + (f"; {png.stat().st_size} bytes" if png.is_file() else ""),
    )


# --------------------------------------------------------------------------------------
# Structural comparison with a real AIPerf dir (informational)
# --------------------------------------------------------------------------------------


def tname(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if v is None:
        return "null"
    if isinstance(v, list):
        inner = sorted({tname(x) for x in v[:50]})
        return f"list[{'|'.join(inner)}]"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def types_by_key(objs) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for o in objs:
        if isinstance(o, dict):
            for k, v in o.items():
                out.setdefault(k, set()).add(tname(v))
    return out


def diff_keys(title: str, ours: dict[str, set[str]], ref: dict[str, set[str]], lines: list[str]) -> None:
    miss = [k for k in ref if k not in ours]
    extra = [k for k in ours if k not in ref]
    typed = [f"{k}: ours {sorted(ours[k])} vs AIPerf {sorted(ref[k])}" for k in ref if k in ours and ours[k] != ref[k]]
    lines.append(f"{title}:")
    lines.append(f"  in AIPerf's, not ours: {miss if miss else 'none'}")
    lines.append(f"  in ours, not AIPerf's: {extra if extra else 'none'}")
    lines.append(f"  value types differ: {typed if typed else 'none'}")


def compare(d: Path, ref: Path, work: Path) -> None:
    section(f"Structural comparison: {d}  vs  AIPerf's {ref}  (informational)")
    lines: list[str] = []

    theirs = build_plots(ref, work / "ref-plots")
    candidates = [("ours", PLOTS.get(str(d))), ("ours, what-if copy", PLOTS.get(str(work / "what-if" / d.name)))]
    for key in ("single", "multi"):
        t = theirs.get(key, {})
        t_built = sorted(n for n, (k, _) in t.get("outcomes", {}).items() if k == "built")
        lines.append(f"{key}-run plots built from AIPerf's dir: {t_built if 'outcomes' in t else 'loader failed'}")
        for who, res in candidates:
            if res is None:
                continue
            m = res.get(key, {})
            if "outcomes" not in m:
                lines.append(f"  {who}: loader failed, so none of them")
                continue
            m_built = {n for n, (k, _) in m["outcomes"].items() if k == "built"}
            lost = [n for n in t_built if n not in m_built]
            lines.append(f"  {who}: built by AIPerf's dir but not ours: {lost or 'none'}")
            for n in lost:
                lines.append(f"    {n}: {m['outcomes'][n][0]}: {m['outcomes'][n][1][:300]}")

    pj, rj = d / "profile_export_aiperf.json", ref / "profile_export_aiperf.json"
    if pj.is_file() and rj.is_file():
        a, b = read_json(pj), read_json(rj)
        is_metric = lambda v: isinstance(v, dict) and "unit" in v  # noqa: E731
        diff_keys(
            "profile_export_aiperf.json top-level keys",
            {k: {("metric" if is_metric(v) else tname(v))} for k, v in a.items()},
            {k: {("metric" if is_metric(v) else tname(v))} for k, v in b.items()},
            lines,
        )
        stat_diffs, unit_diffs = [], []
        for k in b:
            if k in a and is_metric(a[k]) and is_metric(b[k]):
                sa, sb = [s for s in a[k] if s != "unit"], [s for s in b[k] if s != "unit"]
                if set(sa) != set(sb):
                    stat_diffs.append(f"{k}: ours {sa} vs AIPerf {sb}")
                if a[k]["unit"] != b[k]["unit"]:
                    unit_diffs.append(f"{k}: ours {a[k]['unit']!r} vs AIPerf {b[k]['unit']!r}")
                for s in sa:
                    if s in b[k] and tname(a[k][s]) != tname(b[k][s]) and {tname(a[k][s]), tname(b[k][s])} != {"int", "float"}:
                        stat_diffs.append(f"{k}.{s}: ours {tname(a[k][s])} vs AIPerf {tname(b[k][s])}")
        lines.append(f"  metric stat sets differ: {stat_diffs if stat_diffs else 'none'}")
        lines.append(f"  metric units differ: {unit_diffs if unit_diffs else 'none'}")
        for k in ("input_config", "run_info", "telemetry_data", "error_summary"):
            va, vb = a.get(k), b.get(k)
            if isinstance(vb, dict) or isinstance(va, dict):
                ka = list(va) if isinstance(va, dict) else tname(va)
                kb = list(vb) if isinstance(vb, dict) else tname(vb)
                if ka != kb:
                    lines.append(f"  {k}: ours {ka} vs AIPerf {kb}")
            elif isinstance(vb, list) and vb and isinstance(vb[0], dict):
                ta = types_by_key(va or [])
                tb = types_by_key(vb)
                diff_keys(f"  {k}[] items", ta, tb, lines)
        for k in ("start_time", "end_time"):
            lines.append(f"  {k}: ours {a.get(k)!r} vs AIPerf {b.get(k)!r}")

    pl, rl = d / "profile_export.jsonl", ref / "profile_export.jsonl"
    if pl.is_file() and rl.is_file():
        ra = [json.loads(x) for x in pl.read_text().splitlines() if x.strip()]
        rb = [json.loads(x) for x in rl.read_text().splitlines() if x.strip()]
        diff_keys("profile_export.jsonl record keys", types_by_key(ra), types_by_key(rb), lines)
        diff_keys("profile_export.jsonl metadata", types_by_key(r["metadata"] for r in ra), types_by_key(r["metadata"] for r in rb), lines)
        oka = [r for r in ra if r.get("error") is None]
        okb = [r for r in rb if r.get("error") is None]
        erra = [r for r in ra if r.get("error") is not None]
        errb = [r for r in rb if r.get("error") is not None]
        mt = lambda rs: {  # noqa: E731
            k: v for k, v in types_by_key(
                {mk: mv.get("value") for mk, mv in r["metrics"].items()} for r in rs
            ).items()
        }
        diff_keys("profile_export.jsonl metrics of successful records (value types)", mt(oka), mt(okb), lines)
        units_a = {k: v.get("unit") for r in oka for k, v in r["metrics"].items()}
        units_b = {k: v.get("unit") for r in okb for k, v in r["metrics"].items()}
        ud = [f"{k}: ours {units_a[k]!r} vs AIPerf {units_b[k]!r}" for k in units_b if k in units_a and units_a[k] != units_b[k]]
        lines.append(f"  units differ: {ud if ud else 'none'}")
        if erra or errb:
            diff_keys("profile_export.jsonl metrics of error records", mt(erra), mt(errb), lines)
            diff_keys("profile_export.jsonl error objects", types_by_key(r["error"] for r in erra), types_by_key(r["error"] for r in errb), lines)
            ea = Counter((r["error"].get("code"), r["error"].get("type")) for r in erra)
            eb = Counter((r["error"].get("code"), r["error"].get("type")) for r in errb)
            lines.append(f"  error (code, type): ours {dict(ea)} vs AIPerf {dict(eb)}")
            if erra and errb:
                lines.append(f"  error message, ours:   {erra[0]['error'].get('message')!r}"[:400])
                lines.append(f"  error message, AIPerf: {errb[0]['error'].get('message')!r}"[:400])

    pi, ri = d / "inputs.json", ref / "inputs.json"
    if pi.is_file() and ri.is_file():
        ia, ib = read_json(pi), read_json(ri)
        diff_keys("inputs.json top level", types_by_key([ia]), types_by_key([ib]), lines)
        diff_keys("inputs.json sessions", types_by_key(ia.get("data", [])), types_by_key(ib.get("data", [])), lines)
        pa = [p for s in ia.get("data", []) for p in s.get("payloads", [])]
        pb = [p for s in ib.get("data", []) for p in s.get("payloads", [])]
        diff_keys("inputs.json payloads", types_by_key(pa), types_by_key(pb), lines)
        lines.append(
            f"  sessions/payloads: ours {len(ia.get('data', []))}/{len(pa)} vs AIPerf {len(ib.get('data', []))}/{len(pb)}"
        )
        lines.append(
            f"  session_id examples: ours {[s.get('session_id') for s in ia.get('data', [])[:2]]} vs AIPerf {[s.get('session_id') for s in ib.get('data', [])[:2]]}"
        )

    pc, rc = d / "profile_export_aiperf.csv", ref / "profile_export_aiperf.csv"
    if pc.is_file() and rc.is_file():
        sa, sb = csv_sections(pc), csv_sections(rc)
        lines.append("profile_export_aiperf.csv:")
        lines.append(f"  section headers: ours {[s[0] for s in sa]}")
        lines.append(f"                 AIPerf {[s[0] for s in sb]}")
        for (ha, rows_a), (hb, rows_b) in zip(sa, sb):
            la = [r[0] for r in rows_a]
            lb = [r[0] for r in rows_b]
            lines.append(f"  section {hb[:40]!r}: rows in AIPerf's, not ours: {[x for x in lb if x not in la] or 'none'}")
            lines.append(f"  section {hb[:40]!r}: rows in ours, not AIPerf's: {[x for x in la if x not in lb] or 'none'}")
        crlf = b"\r\n"
        ends_a = "CRLF" if crlf in pc.read_bytes() else "LF"
        ends_b = "CRLF" if crlf in rc.read_bytes() else "LF"
        lines.append(f"  line endings: ours {ends_a} vs AIPerf {ends_b}")

    fa = {str(p.relative_to(d)) for p in d.rglob("*") if p.is_file()}
    fb = {str(p.relative_to(ref)) for p in ref.rglob("*") if p.is_file()}
    lines.append(f"files in AIPerf's dir, not ours: {sorted(fb - fa) or 'none'}")
    lines.append(f"files in ours, not AIPerf's: {sorted(fa - fb) or 'none'}")
    print("\n".join("  " + ln for ln in lines))


# --------------------------------------------------------------------------------------


def main() -> int:
    global SITE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--compare", type=Path, default=None, help="a real AIPerf artifact dir to diff against")
    ap.add_argument("--out", type=Path, default=None, help="work dir for plots/logs (default: temp dir)")
    ap.add_argument("--no-cli", action="store_true", help="skip the aiperf plot / analyze subprocess runs")
    args = ap.parse_args()

    d = args.dir.resolve()
    if not d.is_dir():
        print(f"not a directory: {d}", file=sys.stderr)
        return 2
    work = (args.out or Path(tempfile.mkdtemp(prefix="aiperf_compat_"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    # PlotConfig and `aiperf plot` write ~/.aiperf/plot_config.yaml: keep that in the work dir.
    os.environ["HOME"] = str(work / "home")
    (work / "home").mkdir(exist_ok=True)
    os.environ.setdefault("MPLBACKEND", "Agg")

    try:
        import aiperf
    except ImportError:
        print("cannot import aiperf: run this with AIPerf's python, e.g. target/aiperf-venv/bin/python", file=sys.stderr)
        return 2
    SITE = Path(aiperf.__file__).resolve().parent.parent
    from importlib.metadata import version

    print(f"AIPerf {version('aiperf')} at {Path(aiperf.__file__).parent}")
    print(f"python {sys.version.split()[0]}; checking {d}; work dir {work}")

    check_files(d)
    data = check_json(d)
    check_json_readers(d, data)
    rows = check_jsonl(d)
    check_jsonl_readers(d)
    check_inputs(d, rows)
    check_csv(d)
    check_plot(d, work)
    check_swim_lane(d, work)
    if not args.no_cli:
        run_cli(d, work)
    what_if(d, work)
    if args.compare:
        compare(d, args.compare.resolve(), work)

    section("Summary")
    main_results = [r for r in RESULTS if not r[1].startswith("[what-if]")]
    counts = Counter(s for s, _, _ in main_results)
    for status, label, _ in RESULTS:
        if status in ("FAIL", "WARN"):
            print(f"  [{status}] {label}")
    print(f"  totals: {dict(counts)}" + (
        f"; what-if: {dict(Counter(s for s, l, _ in RESULTS if l.startswith('[what-if]')))}"
        if len(main_results) < len(RESULTS) else ""))
    print(f"  work dir (plots as HTML, swim lanes, CLI logs): {work}")
    return 1 if counts.get("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main())
