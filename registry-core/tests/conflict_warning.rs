//! A conflict (a tie decided by the tie-break) and a duplicate identifier are
//! logged as `tracing` warnings when the index is built. Its own test binary:
//! the index is built once per process, and this test must build it.

use std::io::Write;
use std::sync::{Arc, Mutex};

use fixture_alpha::GreeterFactory;

/// Link anchor: fixture-beta registers the other half of the ties. A reference to the crate's `link()` links all of
/// its registrations on every target; `use fixture_beta as _;` would not on
/// wasm, where the linker takes nothing from a crate no code calls into.
#[used]
static LINK_ANCHORS: [fn() -> &'static str; 1] = [fixture_beta::link];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn conflicts_and_duplicates_are_logged_when_the_index_is_built() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    assert!(!GreeterFactory::index_is_built());
    tracing::subscriber::with_default(subscriber, || {
        GreeterFactory::get_class("hello").unwrap();
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = |needle: &str| {
        log.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no warning with {needle:?} in:\n{log}"))
            .to_owned()
    };
    let tie = line("name=\"tie\"");
    assert!(tie.contains("WARN"), "{tie}");
    assert!(tie.contains("conflict"), "{tie}");
    assert!(tie.contains("selected=\"alpha_tie\""), "{tie}");
    assert!(tie.contains("[\"alpha_tie\", \"beta_tie\"]"), "{tie}");
    let dup = line("name=\"dup\"");
    assert!(dup.contains("duplicate registration"), "{dup}");
    assert!(
        dup.contains("first=\"fixture-alpha\"") && dup.contains("second=\"fixture-beta\""),
        "{dup}"
    );
    // Names without a problem log nothing.
    assert!(!log.contains("name=\"hello\""), "{log}");
}
