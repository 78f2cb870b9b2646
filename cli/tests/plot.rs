//! `aiperf plot DIR`: the real binary on real AIPerf 0.13 output
//! (`tests/fixtures/plot/`, three records of each run): the charts it
//! writes, and what it says when it cannot.

mod common;

use std::path::{Path, PathBuf};

use common::{Run, scratch_dir};

const PLOTS: [&str; 4] = [
    "itl_histogram",
    "latency_histogram",
    "throughput_timeline",
    "ttft_timeline",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plot")
        .join(name)
}

/// `aiperf plot DIR ARGS...`.
fn plot(dir: &Path, args: &[&str]) -> Run {
    let mut command = common::command(["plot"], &[]);
    command.arg(dir).args(args);
    common::run(command)
}

/// A copy of a fixture run, to plot into its own `plots/`.
fn copy_of(name: &str, scratch: &Path) -> PathBuf {
    let dir = scratch.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

/// The SVG at `path`, checked to start as one.
fn svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.starts_with("<svg"), "{}: {text:.60}", path.display());
    assert!(text.trim_end().ends_with("</svg>"), "{}", path.display());
    text
}

#[test]
fn every_plot_of_a_streamed_run_into_dir_plots() {
    let scratch = scratch_dir("plot-all");
    let dir = copy_of("chat-stream", scratch.path());
    let run = plot(&dir, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    assert!(
        run.stdout.starts_with(
            "aiperf plot: chat (streaming) · demo · 4 concurrent (3 profiling requests, 0 failed)\n"
        ),
        "{run:?}"
    );
    for name in PLOTS {
        let file = dir.join("plots").join(format!("{name}.svg"));
        assert!(
            run.stdout
                .contains(&format!("written: {}\n", file.display())),
            "{name}: {run:?}"
        );
        let text = svg(&file);
        assert!(
            text.contains("chat (streaming) · demo · 4 concurrent"),
            "{name}"
        );
    }
    let ttft = svg(&dir.join("plots/ttft_timeline.svg"));
    for label in [
        "Time since the first request (s)",
        "Latency (ms)",
        "Time to first token",
    ] {
        assert!(ttft.contains(label), "{label}");
    }
    let latency = svg(&dir.join("plots/latency_histogram.svg"));
    for label in ["Request latency (ms)", "Requests", "p50 ", "p90 ", "p99 "] {
        assert!(latency.contains(label), "{label}");
    }
    let throughput = svg(&dir.join("plots/throughput_timeline.svg"));
    for label in [
        "Requests completed per second (req/s)",
        "Output tokens per second (tokens/s)",
    ] {
        assert!(throughput.contains(label), "{label}");
    }
}

#[test]
fn chosen_plots_into_an_output_directory_and_failures_marked() {
    let scratch = scratch_dir("plot-some");
    let out = scratch.path().join("charts/nested");
    let run = plot(
        &fixture("chat-stream-errors"),
        &[
            "--plot",
            "ttft-timeline",
            "--plot",
            "LATENCY_HISTOGRAM",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("(3 profiling requests, 2 failed)"),
        "{run:?}"
    );
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["latency_histogram.svg", "ttft_timeline.svg"]);
    assert!(svg(&out.join("ttft_timeline.svg")).contains("Failed (time until the error)"));
    // Untitled by a summary: the directory's name.
    assert!(svg(&out.join("latency_histogram.svg")).contains("chat-stream-errors"));
    assert!(
        svg(&out.join("latency_histogram.svg")).contains("2 failed, not shown"),
        "the failed requests are counted, not drawn"
    );
}

#[test]
fn a_plot_that_cannot_draw_is_reported_and_the_others_still_run() {
    let scratch = scratch_dir("plot-nonstream");
    let out = scratch.path().join("out");
    let run = plot(
        &fixture("chat-nonstream"),
        &["--output", out.to_str().unwrap()],
    );
    // The default set: a chart the run cannot give is a warning (as in
    // AIPerf's aiperf plot), the others are drawn, exit 0.
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.starts_with(
            "warning: itl_histogram: none of the 3 successful requests has an inter-token latency"
        ),
        "{run:?}"
    );
    assert!(run.stdout.contains("1 of 4 plots not drawn"), "{run:?}");
    assert!(!out.join("itl_histogram.svg").exists());
    for name in ["latency_histogram", "throughput_timeline", "ttft_timeline"] {
        svg(&out.join(format!("{name}.svg")));
    }
    // Asked for by name, the same chart is an error: exit 1.
    let run = plot(
        &fixture("chat-nonstream"),
        &["--output", out.to_str().unwrap(), "--plot", "itl_histogram"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.starts_with("error: itl_histogram: "), "{run:?}");
}

#[test]
fn an_unknown_plot_name_is_refused_with_the_registry_s_suggestion() {
    let scratch = scratch_dir("plot-unknown");
    let run = plot(
        &fixture("chat-stream"),
        &[
            "--plot",
            "latency_histgram",
            "--output",
            scratch.path().to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: --plot: \"latency_histgram\": "),
        "{run:?}"
    );
    assert!(run.stderr.contains("latency_histogram"), "{run:?}");
    assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0);
}

#[test]
fn a_missing_directory_file_or_malformed_line_is_named() {
    let scratch = scratch_dir("plot-bad");
    let missing = scratch.path().join("no-such-run");
    let run = plot(&missing, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("{}: no such directory", missing.display())),
        "{run:?}"
    );

    let empty = scratch.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = plot(&empty, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let records = empty.join("profile_export.jsonl");
    assert!(
        run.stderr
            .contains(&format!("cannot read {}: ", records.display())),
        "{run:?}"
    );

    let good = std::fs::read_to_string(fixture("chat-stream/profile_export.jsonl")).unwrap();
    let first = good.lines().next().unwrap();
    std::fs::write(&records, format!("{first}\n{{\"metadata\": {{}}}}\n")).unwrap();
    let run = plot(&empty, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}:2: missing field `request_start_ns`",
            records.display()
        )),
        "{run:?}"
    );
    assert!(!empty.join("plots").exists(), "nothing written: {run:?}");
}
