//! The hook, created through the registry, against a loopback server.

use std::time::Duration;

use aiperf_plugin_api::stats::{Phase, PhaseStart, PhaseStats, RequestRecord};
use aiperf_plugin_api::{PhaseHookArgs, PhaseHookFactory};
use aiperf_test_support::{LoopbackServer, Reply};
use registry_core::Origin;
use serde_json::json;

use aiperf_plugin_prometheus as _;

fn hook(config: serde_json::Value) -> Result<Box<dyn aiperf_plugin_api::PhaseHook>, String> {
    PhaseHookFactory::create_instance("prometheus", PhaseHookArgs { config })
        .map_err(|e| e.to_string())
}

#[test]
fn pushes_each_phase_boundary_to_its_grouping_key() {
    let info = PhaseHookFactory::get_class("prometheus").unwrap().info();
    assert_eq!(
        (info.identifier(), info.origin()),
        ("pushgateway", Origin::Plugin)
    );

    let server = LoopbackServer::start(vec![Reply::json(200, ""), Reply::json(202, "")]);
    let hook = hook(json!({"endpoint": format!("{}/", server.url()), "job": "bench-1"})).unwrap();
    hook.on_phase_start(&PhaseStart {
        phase: Phase::Profiling,
        expected_requests: Some(3),
    })
    .unwrap();
    let start = server.next_request();
    assert_eq!(
        (start.method.as_str(), start.path.as_str()),
        ("PUT", "/metrics/job/bench-1/phase/profiling")
    );
    assert_eq!(
        start.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let body = String::from_utf8(start.body).unwrap();
    assert!(body.contains("\naiperf_phase_running 1\n"), "{body}");
    assert!(
        body.contains("\naiperf_phase_expected_requests 3\n"),
        "{body}"
    );

    let record = RequestRecord {
        latency: Duration::from_millis(12),
        time_to_first_token: Some(Duration::from_millis(3)),
        output_tokens: 5,
        error: None,
        ..RequestRecord::default()
    };
    let stats = PhaseStats::from_records(Phase::Profiling, &[record], Duration::from_secs(1));
    hook.on_phase_complete(&stats).unwrap();
    let body = String::from_utf8(server.next_request().body).unwrap();
    assert!(body.contains("\naiperf_requests_completed 1\n"), "{body}");
    assert!(
        body.contains("aiperf_time_to_first_token_ms{quantile=\"0.5\"} 3\n"),
        "{body}"
    );
}

#[test]
fn a_failed_push_is_an_error_naming_the_url_and_answer() {
    let server = LoopbackServer::start(vec![Reply::json(500, "pushgateway is sad")]);
    let hook = hook(json!({"endpoint": server.url()})).unwrap();
    let stats = PhaseStats::from_records(Phase::Warmup, &[], Duration::from_secs(1));
    let err = hook.on_phase_complete(&stats).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "the Pushgateway at {}/metrics/job/aiperf/phase/warmup answered 500: pushgateway is sad",
            server.url()
        )
    );
}

#[test]
fn bad_configs_name_the_field() {
    let err = hook(json!({"job": "x"})).err().unwrap();
    assert!(err.contains("missing field `endpoint`"), "{err}");
    let err = hook(json!({"endpoint": "http://h:9091", "jobb": "x"}))
        .err()
        .unwrap();
    assert!(err.contains("unknown field `jobb`"), "{err}");
    let err = hook(json!({"endpoint": "http://h:9091", "job": "a/b"}))
        .err()
        .unwrap();
    assert!(err.contains("`job` \"a/b\" must be"), "{err}");
    let err = hook(json!({"endpoint": "localhost:9091"})).err().unwrap();
    assert!(err.contains("is not an http URL"), "{err}");
}
