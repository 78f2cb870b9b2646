//! Read throughput under override churn: readers resolve a name while one
//! thread flips the override of that name (or of another name of the same
//! category) as fast as it can, or paced. Reports lookups per second per
//! reader thread, alone and with the writer (criterion measures latency,
//! not this, hence a plain harness). The two alternate in short phases and
//! the ratio is the median of the per-round ratios, so the machine's speed
//! changing during the run (a shared host) does not masquerade as
//! contention. `cargo bench -p registry-core --bench contention`.

mod common;

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Shapes, median};
use registry_core::Factory;

/// One phase.
const RUN: Duration = Duration::from_millis(150);
/// Rounds of (alone, with writer) per scenario (odd: the median is a round).
const ROUNDS: usize = 11;

/// Lookups per second per reader of `read`, with `readers` readers and, if
/// `writer` is `Some(pause)`, one thread flipping the override of
/// `chat_embeddings`, pausing `pause` between changes (zero: flat out); and
/// the writer's override changes per second.
fn throughput(readers: usize, read: &str, writer: Option<Duration>) -> (f64, f64) {
    let pause = writer;
    let writer = pause.is_some();
    let stop = AtomicBool::new(false);
    let start = Barrier::new(readers + 1 + usize::from(writer));
    let (counts, flips): (Vec<u64>, u64) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..readers)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..256 {
                            let r = Factory::<Shapes>::get_class(black_box(read));
                            black_box(r.unwrap());
                        }
                        n += 256;
                    }
                    n
                })
            })
            .collect();
        let writer = writer.then(|| {
            s.spawn(|| {
                start.wait();
                let mut flips = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    Factory::<Shapes>::use_implementation_by_id("chat_embeddings", "square")
                        .unwrap();
                    Factory::<Shapes>::reset_implementation("chat_embeddings").unwrap();
                    flips += 2;
                    if let Some(pause) = pause.filter(|p| !p.is_zero()) {
                        std::thread::sleep(pause);
                    }
                }
                flips
            })
        });
        start.wait();
        std::thread::sleep(RUN);
        stop.store(true, Ordering::Relaxed);
        let counts = handles.into_iter().map(|h| h.join().unwrap()).collect();
        (counts, writer.map_or(0, |w| w.join().unwrap()))
    });
    let secs = RUN.as_secs_f64();
    (
        counts.iter().sum::<u64>() as f64 / readers as f64 / secs,
        flips as f64 / secs,
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Factory::<Shapes>::get_class("chat_embeddings").unwrap();
    // (readers, name read, writer pause). More readers than cores minus the
    // writer's would measure time-slicing, not the registry: the first
    // scenario shows that effect for reference.
    let other = cores.saturating_sub(1).max(1);
    let scenarios = [
        (cores, "chat_embeddings", Duration::ZERO),
        (other, "chat_embeddings", Duration::ZERO),
        (other, "chat", Duration::ZERO),
        (cores, "chat_embeddings", Duration::from_micros(100)),
    ];
    for (readers, read, pause) in scenarios {
        let (mut alone, mut churn, mut ratios, mut flips) = (vec![], vec![], vec![], vec![]);
        for round in 0..ROUNDS {
            // Alternate which phase goes first.
            let ((a, _), (c, f)) = if round % 2 == 0 {
                let a = throughput(readers, read, None);
                (a, throughput(readers, read, Some(pause)))
            } else {
                let c = throughput(readers, read, Some(pause));
                (throughput(readers, read, None), c)
            };
            alone.push(a);
            churn.push(c);
            ratios.push(c / a);
            flips.push(f);
        }
        println!("  writer: {:.0} override changes/s", median(&mut flips));
        println!(
            "contention readers={readers} cores={cores} writer_pause_us={} same_name={} alone={:.0}/s with_writer={:.0}/s ratio={:.2}",
            pause.as_micros(),
            read == "chat_embeddings",
            median(&mut alone),
            median(&mut churn),
            median(&mut ratios),
        );
    }
}
