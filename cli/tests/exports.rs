//! AIPerf's result files as AIPerf's readers read them: every key and field
//! name a reader of AIPerf 0.13's files uses is in ours, with the types
//! and units it expects (checked against files AIPerf 0.13 itself wrote:
//! the same shapes, the same units).

mod common;

use aiperf_mock_server::{MockConfig, MockServer};
use serde_json::Value;

use common::{aiperf, scratch_dir};

/// The statistics of every per-request metric in AIPerf's JSON.
const STATS: [&str; 15] = [
    "avg", "p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "min", "max", "std",
    "count", "sum",
];

#[test]
fn a_run_writes_aiperfs_four_files_in_aiperfs_shapes() {
    let server = MockServer::start(MockConfig {
        error_rate: 0.2,
        seed: Some(7),
        ..MockConfig::fast()
    })
    .unwrap();
    let scratch = scratch_dir("exports");
    let out = scratch.path().join("out");
    let run = aiperf(
        &[
            "profile",
            "-m",
            "demo",
            "--url",
            server.url(),
            "--streaming",
            "--concurrency",
            "4",
            "--request-count",
            "40",
            "--isl",
            "32",
            "--osl",
            "8",
            "--goodput",
            "time_to_first_token:1000 request_latency:5000",
            "--artifact-dir",
            out.to_str().unwrap(),
            "--ui-type",
            "none",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let served = server.served();
    let failed = served.iter().filter(|s| s.injected_error).count();
    assert!(failed > 0 && failed < 40, "{failed} injected errors");

    // profile_export_aiperf.json
    let doc: Value =
        serde_json::from_slice(&std::fs::read(out.join("profile_export_aiperf.json")).unwrap())
            .unwrap();
    assert_eq!(doc["schema_version"], "1.4");
    for (tag, unit) in [
        ("request_latency", "ms"),
        ("time_to_first_token", "ms"),
        ("time_to_second_token", "ms"),
        ("inter_token_latency", "ms"),
        ("inter_chunk_latency", "ms"),
        ("output_sequence_length", "tokens"),
        ("input_sequence_length", "tokens"),
        ("output_token_throughput_per_user", "tokens/sec/user"),
        ("usage_prompt_tokens", "tokens"),
        ("usage_completion_tokens", "tokens"),
        ("http_req_waiting", "ms"),
        ("http_req_receiving", "ms"),
        ("http_req_duration", "ms"),
        ("http_req_connection_reused", "ratio"),
    ] {
        let metric = &doc[tag];
        assert_eq!(metric["unit"], unit, "{tag}: {metric}");
        for stat in STATS {
            assert!(metric[stat].is_number(), "{tag}.{stat}: {metric}");
        }
    }
    let ok = 40 - failed as u64;
    assert_eq!(doc["request_latency"]["count"], ok);
    for (tag, unit) in [
        ("request_throughput", "requests/sec"),
        ("output_token_throughput", "tokens/sec"),
        ("total_output_tokens", "tokens"),
        ("total_isl", "tokens"),
        ("total_osl", "tokens"),
        ("request_count", "requests"),
        ("error_request_count", "requests"),
        ("request_error_rate", "%"),
        ("benchmark_duration", "sec"),
        ("goodput", "requests/sec"),
        ("good_request_count", "requests"),
        ("good_request_fraction", "ratio"),
    ] {
        let metric = &doc[tag];
        assert_eq!(metric["unit"], unit, "{tag}: {metric}");
        assert!(metric["avg"].is_number(), "{tag}: {metric}");
        assert_eq!(
            metric.as_object().unwrap().len(),
            2,
            "{tag}: unit and avg only"
        );
    }
    assert_eq!(doc["request_count"]["avg"], ok as f64);
    assert_eq!(doc["error_request_count"]["avg"], failed as f64);
    assert_eq!(doc["good_request_count"]["avg"], ok as f64);
    assert_eq!(doc["was_cancelled"], false);
    for key in ["start_time", "end_time"] {
        let time = doc[key].as_str().unwrap();
        assert_eq!(time.len(), 26, "{key}: {time}");
        assert_eq!(&time[10..11], "T", "{key}: {time}");
    }
    let errors = doc["error_summary"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "one kind and status: {errors:?}");
    assert_eq!(errors[0]["count"], failed as u64);
    assert_eq!(errors[0]["error_details"]["code"], 500);
    assert!(errors[0]["error_details"]["message"].is_string());
    // input_config in AIPerf's shape, where its readers look for the
    // model, the URL, the concurrency and the request count.
    let config = &doc["input_config"];
    assert_eq!(config["models"]["items"][0]["name"], "demo");
    assert_eq!(config["endpoint"]["urls"][0], server.url());
    assert_eq!(config["phases"][0]["concurrency"], 4);
    assert_eq!(config["phases"][0]["requests"], 40);
    assert_eq!(config["slos"]["time_to_first_token"], 1000.0);
    // What `chat` resolved to: the builtin, or the NVIDIA plugin when this
    // build links it (and then the console says so).
    let (chat, origin) = if cfg!(feature = "nvidia-optimized") {
        ("nvidia_optimized", "plugin")
    } else {
        ("openai_chat", "builtin")
    };
    let parts = doc["aiperf_rs"]["resolved_parts"].as_array().unwrap();
    assert!(
        parts.iter().any(|p| p["category"] == "endpoint"
            && p["identifier"] == chat
            && p["origin"] == origin),
        "{parts:?}"
    );
    assert_eq!(
        run.stdout
            .contains("note: endpoint \"chat\" is the plugin implementation"),
        origin == "plugin",
        "{}",
        run.stdout
    );

    // profile_export.jsonl
    let text = std::fs::read_to_string(out.join("profile_export.jsonl")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 40);
    let mut errors_seen = 0;
    for line in &lines {
        let meta = &line["metadata"];
        let start = meta["request_start_ns"].as_u64().unwrap();
        let end = meta["request_end_ns"].as_u64().unwrap();
        assert!(end >= start, "{meta}");
        assert_eq!(meta["benchmark_phase"], "profiling");
        // What AIPerf's record model requires, and the link to inputs.json.
        for key in [
            "worker_id",
            "record_processor_id",
            "x_request_id",
            "x_correlation_id",
        ] {
            assert!(meta[key].is_string(), "{key}: {meta}");
        }
        assert!(
            meta["conversation_id"]
                .as_str()
                .unwrap()
                .starts_with("session_"),
            "{meta}"
        );
        if let Some(error) = line.get("error") {
            errors_seen += 1;
            assert_eq!(error["code"], 500, "{error}");
            assert!(error["type"].is_string() && error["message"].is_string());
            continue;
        }
        let latency = &line["metrics"]["request_latency"];
        assert_eq!(latency["unit"], "ms");
        let ms = latency["value"].as_f64().unwrap();
        assert!(((end - start) as f64 / 1e6 - ms).abs() < 1e-3, "{line}");
        assert!(line["metrics"]["inter_chunk_latency"]["value"].is_array());
        assert_eq!(line["metrics"]["input_sequence_length"]["value"], 32.0);
    }
    assert_eq!(errors_seen, failed);

    // profile_export_aiperf.csv
    let csv = std::fs::read_to_string(out.join("profile_export_aiperf.csv")).unwrap();
    assert!(csv.starts_with("Metric,avg,min,max,sum,p1,p5,p10,p25,p50,p75,p90,p95,p99,std\r\n"));
    assert!(csv.contains("\r\nMetric,Value\r\n"), "{csv}");
    assert!(csv.contains("\r\nRequest Latency (ms),"), "{csv}");
    assert!(
        csv.contains(&format!("\r\nRequest Count,{ok}.00\r\n")),
        "{csv}"
    );

    // inputs.json: the 100 synthetic prompts as sent.
    let inputs: Value =
        serde_json::from_slice(&std::fs::read(out.join("inputs.json")).unwrap()).unwrap();
    let data = inputs["data"].as_array().unwrap();
    assert_eq!(data.len(), 100);
    let payload = &data[0]["payloads"][0];
    assert_eq!(payload["model"], "demo");
    assert_eq!(payload["stream"], true);
    assert!(payload["messages"][0]["content"].is_string());
}
