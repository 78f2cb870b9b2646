//! The ratios of BENCHMARKS.md §1–3 and §8, measured in pairs: batches of
//! the baseline and of the subject alternate, and each ratio is the median
//! of the per-pair ratios. A change in the machine's speed during the run (a
//! neighbour on a shared host, frequency scaling) then hits both sides of a
//! ratio alike, where criterion's `registry` bench measures one function
//! after the other, seconds apart, and its ratios drift with the machine.
//! `registry` stays the place for confidence intervals and history.
//!
//! `cargo bench -p registry-core --bench paired` prints one line per
//! comparison:
//! `paired GROUP/SUBJECT vs BASELINE subject_ns=.. baseline_ns=.. ratio=.. extra_ns=..`

use std::hint::black_box;
use std::time::{Duration, Instant};

use registry_core::{Factory, Implementation};

mod common;

use common::{Area, ShapeName, Shapes, Square, baseline_map, boxed_square, median};

/// Pairs per comparison (odd: the median is one pair).
const PAIRS: usize = 201;
/// Time one batch should take, so timer overhead is negligible.
const BATCH: Duration = Duration::from_micros(500);

/// Nanoseconds per call of `f`, over `iterations` calls.
fn batch<R>(iterations: u64, f: &mut impl FnMut() -> R) -> f64 {
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / iterations as f64
}

/// Iterations of `f` that take about [`BATCH`], after warming it up.
fn calibrate<R>(f: &mut impl FnMut() -> R) -> u64 {
    let mut iterations = 1u64;
    let warm_until = Instant::now() + Duration::from_millis(100);
    while Instant::now() < warm_until {
        let start = Instant::now();
        batch(iterations, f);
        if start.elapsed() < BATCH {
            iterations *= 2;
        }
    }
    iterations
}

/// Measures `subject` against `baseline` in alternating batches and prints
/// the medians: per-call times, ratio and extra nanoseconds.
fn compare<A, B>(label: &str, mut baseline: impl FnMut() -> A, mut subject: impl FnMut() -> B) {
    let iterations = calibrate(&mut baseline).min(calibrate(&mut subject));
    let (mut base_ns, mut subject_ns) = (Vec::new(), Vec::new());
    let (mut ratios, mut extras) = (Vec::new(), Vec::new());
    for pair in 0..PAIRS {
        // Alternate which side goes first, so neither always runs on a
        // cache the other warmed.
        let (b, s) = if pair % 2 == 0 {
            let b = batch(iterations, &mut baseline);
            (b, batch(iterations, &mut subject))
        } else {
            let s = batch(iterations, &mut subject);
            (batch(iterations, &mut baseline), s)
        };
        base_ns.push(b);
        subject_ns.push(s);
        ratios.push(s / b);
        extras.push(s - b);
    }
    println!(
        "paired {label} subject_ns={:.3} baseline_ns={:.3} ratio={:.3} extra_ns={:.3}",
        median(&mut subject_ns),
        median(&mut base_ns),
        median(&mut ratios),
        median(&mut extras),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too,
    // and must stay quick: one cheap comparison checks it works.
    let quick = !std::env::args().any(|a| a == "--bench");

    let map = baseline_map();

    compare(
        "resolve/get_class vs fxhashmap_baseline",
        || {
            map.get(&(black_box("shape"), black_box("chat_embeddings")))
                .copied()
        },
        || Factory::<Shapes>::get_class(black_box("chat_embeddings")).unwrap(),
    );
    if quick {
        return;
    }
    compare(
        "normalise/other_spelling vs canonical",
        || Factory::<Shapes>::get_class(black_box("chat_embeddings")).unwrap(),
        || Factory::<Shapes>::get_class(black_box("Chat-Embeddings")).unwrap(),
    );

    let handle = Factory::<Shapes>::get_class("chat").unwrap();
    let direct = || -> Box<dyn Area> { Box::new(Square::create(black_box(2.0)).unwrap()) };
    let boxed = boxed_square();
    compare(
        "construct/fn_pointer_baseline vs direct_box_new",
        direct,
        || boxed(black_box(2.0)).unwrap(),
    );
    compare(
        "construct/resolved_handle vs direct_box_new",
        direct,
        || handle.create(black_box(2.0)).unwrap(),
    );
    let bare = handle.constructor().unwrap();
    compare(
        "construct/bare_constructor vs direct_box_new",
        direct,
        || bare(black_box(2.0)).unwrap(),
    );
    compare(
        "construct/create_instance vs direct_box_new",
        direct,
        || Factory::<Shapes>::create_instance(black_box("chat"), black_box(2.0)).unwrap(),
    );

    let str_eq = || black_box("chat_embeddings") == black_box("chat_embeddings");
    compare("enum_parse/canonical vs str_eq_baseline", str_eq, || {
        ShapeName::parse(black_box("chat_embeddings")).unwrap()
    });
    compare(
        "enum_parse/other_spelling vs str_eq_baseline",
        str_eq,
        || ShapeName::parse(black_box("Chat-Embeddings")).unwrap(),
    );
}
