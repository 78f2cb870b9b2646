//! Read throughput under override churn: readers resolve a name while one
//! thread flips the override of that name (or of another name of the same
//! category) as fast as it can, or paced. Reports lookups per second per
//! reader thread, alone and with the writer, in the same run (criterion
//! measures latency, not this, hence a plain harness).
//! `cargo bench -p registry-core --bench contention`.

mod common;

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::Shapes;
use registry_core::Factory;

const RUN: Duration = Duration::from_millis(1500);

/// Lookups per second per reader of `read`, with `readers` readers and, if
/// `writer` is `Some(pause)`, one thread flipping the override of
/// `chat_embeddings`, pausing `pause` between changes (zero: flat out).
fn throughput(readers: usize, read: &str, writer: Option<Duration>) -> f64 {
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
                            let r = Factory::<Shapes>::get_class(black_box(read));
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
        let alone = throughput(readers, read, None);
        let churn = throughput(readers, read, Some(pause));
        println!(
            "contention readers={readers} cores={cores} writer_pause_us={} same_name={} alone={alone:.0}/s with_writer={churn:.0}/s ratio={:.2}",
            pause.as_micros(),
            read == "chat_embeddings",
            churn / alone
        );
    }
}
