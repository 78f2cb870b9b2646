//! Config-driven phase hooks: only configured hooks load, in
//! configuration order; one failing hook is reported and the others load;
//! strict mode makes it fatal; a panicking hook is contained.

// The engine names no implementation; these tests run it over the builtins.
use aiperf_builtins as _;
use std::sync::Mutex;
use std::time::Duration;

use aiperf_engine::config::parse_config_str;
use aiperf_engine::hooks::{LoadMode, PhaseHookRegistry};
use aiperf_plugin_api::config::parse_config;
use aiperf_plugin_api::stats::{Phase, PhaseStart, PhaseStats};
use aiperf_plugin_api::{PhaseHook, PhaseHookArgs, PhaseHookCategory, PhaseHookFactory};
use registry_core::{BoxError, Implementation, register_lazy};
use serde::Deserialize;

static CALLS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records its calls, labelled from its config.
struct Recorder {
    label: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecorderConfig {
    label: String,
}

impl PhaseHook for Recorder {
    fn on_phase_start(&self, start: &PhaseStart) -> Result<(), BoxError> {
        CALLS
            .lock()
            .unwrap()
            .push(format!("{} start {}", self.label, start.phase));
        Ok(())
    }
    fn on_phase_complete(&self, stats: &PhaseStats) -> Result<(), BoxError> {
        CALLS
            .lock()
            .unwrap()
            .push(format!("{} complete {}", self.label, stats.phase));
        Ok(())
    }
}

impl Implementation<PhaseHookCategory> for Recorder {
    const METADATA: () = ();
    fn create(args: PhaseHookArgs) -> Result<Self, BoxError> {
        let config: RecorderConfig = parse_config(&args.config)?;
        Ok(Recorder {
            label: config.label,
        })
    }
}

/// Panics when a phase completes.
struct Panicky;

impl PhaseHook for Panicky {
    fn on_phase_start(&self, _: &PhaseStart) -> Result<(), BoxError> {
        Err("cannot reach the dashboard".into())
    }
    fn on_phase_complete(&self, _: &PhaseStats) -> Result<(), BoxError> {
        panic!("hook bug")
    }
}

impl Implementation<PhaseHookCategory> for Panicky {
    const METADATA: () = ();
    fn create(_: PhaseHookArgs) -> Result<Self, BoxError> {
        Ok(Panicky)
    }
}

/// Registered but never configured: must never load.
struct Unused;

impl PhaseHook for Unused {
    fn on_phase_start(&self, _: &PhaseStart) -> Result<(), BoxError> {
        Ok(())
    }
    fn on_phase_complete(&self, _: &PhaseStats) -> Result<(), BoxError> {
        Ok(())
    }
}

impl Implementation<PhaseHookCategory> for Unused {
    const METADATA: () = ();
    fn create(_: PhaseHookArgs) -> Result<Self, BoxError> {
        Ok(Unused)
    }
}

register_lazy!(
    PhaseHookCategory,
    "recorder",
    Recorder,
    id = "test_recorder"
);
register_lazy!(PhaseHookCategory, "panicky", Panicky, id = "test_panicky");
register_lazy!(PhaseHookCategory, "unused", Unused, id = "test_unused");

const CONFIG: &str = r#"
plugins:
  phase_hooks:
    - name: recorder
      config: { label: first }
    - name: Recorder
      config: { lable: "${TOKEN}" }
    - name: panicky
    - name: recorder
      config: { label: third }
endpoint: { type: chat, model: demo }
"#;

fn env(name: &str) -> Option<String> {
    (name == "TOKEN").then(|| "tok-very-secret".to_owned())
}

#[test]
fn configured_hooks_load_in_order_and_failures_are_contained() {
    let (config, secrets) = parse_config_str(CONFIG, "hooks.yaml", &env).unwrap();
    let hooks = &config.plugins.phase_hooks;

    // Strict: the one bad hook is fatal, named with its position and field.
    let failures = PhaseHookRegistry::load(hooks, LoadMode::Strict, &secrets).unwrap_err();
    assert_eq!(failures.len(), 1);
    let message = failures[0].to_string();
    assert!(
        message.starts_with("phase hook #2 `recorder`: "),
        "{message}"
    );
    assert!(message.contains("unknown field `lable`"), "{message}");
    assert!(!message.contains("tok-very-secret"), "{message}");

    // Lenient: reported, and the others load.
    let (registry, failures) = PhaseHookRegistry::load(hooks, LoadMode::Lenient, &secrets).unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(registry.names(), ["recorder", "panicky", "recorder"]);
    assert!(!PhaseHookFactory::is_loaded("unused", "test_unused").unwrap());

    CALLS.lock().unwrap().clear();
    let start = PhaseStart {
        phase: Phase::Profiling,
        expected_requests: Some(1),
    };
    let failures = registry.on_phase_start(&start);
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].to_string(),
        "phase hook #3 `panicky`: cannot reach the dashboard"
    );
    let stats = PhaseStats::from_records(Phase::Profiling, &[], Duration::from_secs(1));
    let failures = registry.on_phase_complete(&stats);
    assert_eq!(
        failures[0].to_string(),
        "phase hook #3 `panicky`: panicked: hook bug"
    );
    // The panic did not stop the hook after it, and calls ran in config order.
    assert_eq!(
        *CALLS.lock().unwrap(),
        [
            "first start profiling",
            "third start profiling",
            "first complete profiling",
            "third complete profiling"
        ]
    );
    // Still usable after the panic, and the same hook fails the same clean
    // way again (no poisoned state, no different error the second time).
    CALLS.lock().unwrap().clear();
    let again = registry.on_phase_complete(&stats);
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].to_string(),
        "phase hook #3 `panicky`: panicked: hook bug"
    );
    assert_eq!(
        *CALLS.lock().unwrap(),
        ["first complete profiling", "third complete profiling"]
    );
}

#[test]
fn an_unknown_hook_name_is_reported_with_a_suggestion() {
    let text = "plugins: { phase_hooks: [ { name: loging }, { name: logging } ] }\n\
                endpoint: { type: chat, model: demo }\n";
    let (config, secrets) = parse_config_str(text, "hooks.yaml", &env).unwrap();
    let (registry, failures) =
        PhaseHookRegistry::load(&config.plugins.phase_hooks, LoadMode::Lenient, &secrets).unwrap();
    assert_eq!(registry.names(), ["logging"]);
    let message = failures[0].to_string();
    assert!(message.starts_with("phase hook #1 `loging`: "), "{message}");
    assert!(message.contains("did you mean \"logging\"?"), "{message}");
}
