//! Read throughput under override churn: readers on every core resolve a
//! name while one thread flips that name's override as fast as it can.
//! Reports lookups per second per reader thread, alone and with the writer,
//! in the same run (criterion measures latency, not this, hence a plain
//! harness). `cargo bench -p registry-core --bench contention`.

mod common;

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::Shapes;
use registry_core::Factory;

const RUN: Duration = Duration::from_millis(1500);

/// Lookups per second per reader, with `readers` readers and, if `writer`
/// is `Some(pause)`, one thread flipping the override of the same name,
/// pausing `pause` between changes (zero: as fast as it can).
fn throughput(readers: usize, writer: Option<Duration>) -> f64 {
    let pause = writer;
    let writer = pause.is_some();
    let stop = AtomicBool::new(false);
    let start = Barrier::new(readers + 1 + usize::from(writer));
    let counts: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..readers)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..256 {
                            let r = Factory::<Shapes>::get_class(black_box("chat_embeddings"));
                            black_box(r.unwrap());
                        }
                        n += 256;
                    }
                    n
                })
            })
            .collect();
        if writer {
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
                println!(
                    "  writer: {:.0} override changes/s",
                    flips as f64 / RUN.as_secs_f64()
                );
            });
        }
        start.wait();
        let t = Instant::now();
        std::thread::sleep(RUN);
        stop.store(true, Ordering::Relaxed);
        let counts = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let _ = t;
        counts
    });
    counts.iter().sum::<u64>() as f64 / readers as f64 / RUN.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Factory::<Shapes>::get_class("chat_embeddings").unwrap();
    let scenarios = [
        (cores, Duration::ZERO),
        (cores.saturating_sub(1).max(1), Duration::ZERO),
        (cores, Duration::from_micros(100)),
    ];
    for (readers, pause) in scenarios {
        let alone = throughput(readers, None);
        let churn = throughput(readers, Some(pause));
        println!(
            "contention readers={readers} cores={cores} writer_pause_us={} alone={alone:.0}/s with_writer={churn:.0}/s ratio={:.2}",
            pause.as_micros(),
            churn / alone
        );
    }
}
