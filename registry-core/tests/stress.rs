//! Concurrency stress: one thread per core plus one, all resolving,
//! creating instances and flipping overrides on one small category, for a
//! bounded number of operations (at least 1M in release, fewer in debug
//! builds). Every answer must be one of the valid candidates and
//! self-consistent, and a watchdog fails the test instead of hanging if any
//! thread stops making progress.
//!
//! # Why not loom
//!
//! `loom` explores the interleavings of code written against its own
//! `loom::sync` types; using it would mean swapping `std::sync` for shims
//! throughout `registry-core` (a `cfg(loom)` build of the library), and the
//! model would have little to find, because the shared state is as simple
//! as shared state gets:
//!
//! - Read path (`index.rs`): the index is built once behind a `OnceLock`
//!   and never changes afterwards; a name's selection is one `AtomicU64`
//!   holding (registration index, reason), read with one `Acquire` load.
//!   A single-word atomic cannot tear, so a reader sees the old or the new
//!   (index, reason) pair, never a mix; the index points into the immutable
//!   registration vector, which the `OnceLock` published before any reader
//!   could reach the slot, so it is always valid. Nothing is freed or
//!   swapped behind a pointer, so there is no reclamation or ABA problem.
//!   Readers take no lock, so they cannot deadlock or be blocked.
//! - Write path: overrides and allow-list refreshes take the category's one
//!   `Mutex`, recompute the selection from the override map and the
//!   allow-list and `Release`-store it *while still holding the lock*. So
//!   stores happen in lock order and each stored value is computed from the
//!   map as it is after that writer's change: the last writer's choice is
//!   what stays published. All stores go to one location, and every thread
//!   agrees on the modification order of a single atomic (coherence), so
//!   no reader can see an older selection after a newer one. Writers take
//!   the allow-list `RwLock` (read) only inside that mutex, and the
//!   allow-list writer releases its lock before refreshing, so the two
//!   locks are never taken in opposite orders.
//!
//! Loom would therefore re-prove the memory model's guarantees for one
//! atomic and one mutex. What can break in practice (a reader combining two
//! loads, a store outside the lock, a lazily built structure raced on first
//! use, the one-time `load` hook run twice) is what this test exercises:
//! the threads start together on a category nobody has touched, so they
//! also race the index build and every implementation's first load.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use registry_core::{BoxError, Factory, Implementation, Reason, declare_category, register_lazy};

pub trait Tag: Send + Sync {
    /// Which implementation this is.
    fn tag(&self) -> usize;
    /// The constructor's argument.
    fn arg(&self) -> usize;
}

declare_category! {
    /// The category under stress.
    pub struct Stressed {
        name: "stressed",
        title: "Stressed",
        description: "Concurrency stress test.",
        object: dyn Tag,
        args: usize,
        metadata: (),
        internal: true,
    }
}

/// How many times each implementation's load hook ran (must end at most 1).
static LOADS: [AtomicUsize; 8] = [const { AtomicUsize::new(0) }; 8];

/// One type per candidate: an instance says which registration made it.
pub struct Imp<const N: usize>(usize);

impl<const N: usize> Tag for Imp<N> {
    fn tag(&self) -> usize {
        N
    }
    fn arg(&self) -> usize {
        self.0
    }
}

impl<const N: usize> Implementation<Stressed> for Imp<N> {
    const METADATA: () = ();
    fn load() -> Result<(), BoxError> {
        LOADS[N].fetch_add(1, Ordering::SeqCst);
        // Widen the window in which other threads race the first load.
        thread::sleep(Duration::from_millis(2));
        Ok(())
    }
    fn create(arg: usize) -> Result<Self, BoxError> {
        Ok(Imp(arg))
    }
}

// "flip": overridden all the time. Without an override, `b_top` wins on
// priority; `a_plugin` and `c_builtin` are the other candidates.
register_lazy!(Stressed, "flip", Imp<0>, id = "a_plugin", priority = 1);
register_lazy!(
    Stressed,
    "flip",
    Imp<1>,
    id = "b_top",
    priority = 2,
    origin = builtin
);
register_lazy!(
    Stressed,
    "flip",
    Imp<2>,
    id = "c_builtin",
    priority = 1,
    origin = builtin
);
// "steady": never overridden; `plugin` beats `builtin` at equal priority.
register_lazy!(Stressed, "steady", Imp<3>, id = "plugin");
register_lazy!(Stressed, "steady", Imp<4>, id = "builtin", origin = builtin);

/// (identifier, tag) of every candidate of "flip".
const FLIP: [(&str, usize); 3] = [("a_plugin", 0), ("b_top", 1), ("c_builtin", 2)];
const FLIP_DEFAULT: (&str, Reason) = ("b_top", Reason::Priority);
const STEADY: (&str, usize, Reason) = ("plugin", 3, Reason::PluginOverBuiltin);

/// Spellings of the names: lookups normalise on the miss path, which must
/// be as safe as the exact hit.
const FLIP_SPELLINGS: [&str; 3] = ["flip", "Flip", " FLIP "];
const STEADY_SPELLINGS: [&str; 3] = ["steady", "STEADY", "steady\t"];

/// The whole run must finish in this time, or the test fails.
const WATCHDOG: Duration = Duration::from_secs(60);

fn total_ops() -> usize {
    if cfg!(debug_assertions) {
        300_000
    } else {
        2_000_000
    }
}

/// xorshift64*: a fast deterministic generator per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn flip_tag(identifier: &str) -> usize {
    FLIP.iter()
        .find(|(id, _)| *id == identifier)
        .unwrap_or_else(|| panic!("{identifier:?} is not a candidate of flip"))
        .1
}

#[derive(Default, Debug)]
struct Counts {
    resolved: usize,
    created: usize,
    selections: usize,
    listed: usize,
    overrides: usize,
    resets: usize,
}

impl Counts {
    fn total(&self) -> usize {
        self.resolved + self.created + self.selections + self.listed + self.overrides + self.resets
    }
}

/// One worker: `ops` random operations, checking every answer.
fn work(seed: u64, ops: usize) -> Counts {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut n = Counts::default();
    for i in 0..ops {
        let flip = FLIP_SPELLINGS[rng.below(FLIP_SPELLINGS.len())];
        match rng.below(100) {
            // Resolve: one of the candidates.
            0..=29 => {
                let reg = Factory::<Stressed>::get_class(flip).unwrap();
                assert_eq!(reg.info().name(), "flip");
                flip_tag(reg.info().identifier());
                n.resolved += 1;
            }
            // Create: an instance of one of the candidates, built by the
            // registration that was resolved.
            30..=49 => {
                let obj = Factory::<Stressed>::create_instance(flip, i).unwrap();
                assert!(FLIP.iter().any(|&(_, t)| t == obj.tag()), "{}", obj.tag());
                assert_eq!(obj.arg(), i);
                n.created += 1;
            }
            // Selection: registration and reason from one published state:
            // without an override it can only be the default winner.
            50..=64 => {
                let sel = Factory::<Stressed>::selection(flip).unwrap();
                let id = sel.registration().info().identifier();
                flip_tag(id);
                match sel.reason() {
                    Reason::Override => {}
                    reason => assert_eq!(
                        (id, reason),
                        FLIP_DEFAULT,
                        "a non-override selection is the default one"
                    ),
                }
                assert!(sel.conflicts().is_empty());
                n.selections += 1;
            }
            // The name nobody overrides never changes.
            65..=79 => {
                let steady = STEADY_SPELLINGS[rng.below(STEADY_SPELLINGS.len())];
                if rng.below(2) == 0 {
                    let sel = Factory::<Stressed>::selection(steady).unwrap();
                    assert_eq!(
                        (sel.registration().info().identifier(), sel.reason()),
                        (STEADY.0, STEADY.2)
                    );
                } else {
                    let obj = Factory::<Stressed>::create_instance(steady, i).unwrap();
                    assert_eq!((obj.tag(), obj.arg()), (STEADY.1, i));
                }
                n.resolved += 1;
            }
            // Listing: every candidate, in rule order, one selected.
            80..=81 => {
                let list = Factory::<Stressed>::list_implementations(flip).unwrap();
                let ids: Vec<&str> = list
                    .iter()
                    .map(|c| c.registration().info().identifier())
                    .collect();
                assert_eq!(ids, ["b_top", "a_plugin", "c_builtin"]);
                assert_eq!(list.iter().filter(|c| c.is_selected()).count(), 1);
                n.listed += 1;
            }
            // Writers: override by identifier or by type, or reset.
            82..=89 => {
                let (id, _) = FLIP[rng.below(FLIP.len())];
                let id = if rng.below(2) == 0 {
                    id.to_owned()
                } else {
                    id.to_ascii_uppercase().replace('_', "-")
                };
                Factory::<Stressed>::use_implementation_by_id(flip, &id).unwrap();
                n.overrides += 1;
            }
            90..=94 => {
                match rng.below(3) {
                    0 => Factory::<Stressed>::use_implementation::<Imp<0>>(flip),
                    1 => Factory::<Stressed>::use_implementation::<Imp<1>>(flip),
                    _ => Factory::<Stressed>::use_implementation::<Imp<2>>(flip),
                }
                .unwrap();
                n.overrides += 1;
            }
            _ => {
                Factory::<Stressed>::reset_implementation(flip).unwrap();
                n.resets += 1;
            }
        }
    }
    n
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "needs threads; wasm32-wasip1 has none"
)]
fn threads_resolve_create_and_override_concurrently() {
    let threads = thread::available_parallelism().map_or(2, |n| n.get()) + 1;
    let total = total_ops();
    let per_thread = total.div_ceil(threads);
    assert!(
        !Factory::<Stressed>::index_is_built(),
        "the threads must race the first access"
    );

    let start = Arc::new(Barrier::new(threads));
    let (done, finished) = mpsc::channel::<(usize, Counts)>();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let start = Arc::clone(&start);
            let done = done.clone();
            thread::Builder::new()
                .name(format!("stress-{t}"))
                .spawn(move || {
                    start.wait();
                    let counts = work(t as u64 + 1, per_thread);
                    // The receiver is gone only if the watchdog fired.
                    let _ = done.send((t, counts));
                })
                .expect("spawn a stress thread")
        })
        .collect();
    drop(done);

    // Watchdog: every thread must report within the deadline. A panicking
    // thread drops its sender without reporting; that is found below.
    let began = Instant::now();
    let deadline = began + WATCHDOG;
    let mut reports: Vec<(usize, Counts)> = Vec::new();
    while reports.len() < threads {
        match finished.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(report) => reports.push(report),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let missing: Vec<usize> = (0..threads)
                    .filter(|t| reports.iter().all(|(r, _)| r != t))
                    .collect();
                panic!(
                    "watchdog: threads {missing:?} of {threads} did not finish {per_thread} \
                     operations each in {WATCHDOG:?} (deadlock or livelock)"
                );
            }
        }
    }
    // Every sender is gone: joining cannot block. Re-raise a worker's panic.
    for handle in handles {
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
    }
    assert_eq!(reports.len(), threads);
    let elapsed = began.elapsed();

    let done_ops: usize = reports.iter().map(|(_, c)| c.total()).sum();
    assert!(done_ops >= total, "{done_ops} < {total}");
    let writes: usize = reports.iter().map(|(_, c)| c.overrides + c.resets).sum();
    assert!(writes > 0 && writes < done_ops, "a mix of reads and writes");
    eprintln!(
        "stress: {threads} threads, {done_ops} operations ({writes} writes) in {elapsed:.2?}"
    );

    // The one-time load hook ran once per implementation that was used,
    // although every thread raced for it.
    for (i, loads) in LOADS.iter().enumerate() {
        assert!(loads.load(Ordering::SeqCst) <= 1, "Imp<{i}> loaded twice");
    }
    for (_, tag) in FLIP {
        assert_eq!(LOADS[tag].load(Ordering::SeqCst), 1, "Imp<{tag}> loaded");
    }

    // Quiescent again: the published state follows the last write.
    Factory::<Stressed>::reset_implementation("flip").unwrap();
    let sel = Factory::<Stressed>::selection("flip").unwrap();
    assert_eq!(
        (sel.registration().info().identifier(), sel.reason()),
        FLIP_DEFAULT
    );
    Factory::<Stressed>::use_implementation_by_id("flip", "c_builtin").unwrap();
    assert_eq!(
        Factory::<Stressed>::create_instance("flip", 0)
            .unwrap()
            .tag(),
        2
    );
    Factory::<Stressed>::reset_implementation("flip").unwrap();
}
