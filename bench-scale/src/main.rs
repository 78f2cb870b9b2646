//! `scale [start|index|resolve]`, built by `scripts/bench.sh` for each
//! SCALE_KIND and SCALE_N.
//!
//! - `start`: exit at once (process start cost, timed by hyperfine);
//! - `index`: time the first access (the registry builds its index; the
//!   static kind builds the equivalent FxHashMap: the floor);
//! - `resolve`: warm lookups of 20 names, ns per lookup.

use std::hint::black_box;
use std::time::Instant;

use registry_core::{BoxError, Factory, Implementation, declare_category};

/// The trait of the synthetic category.
pub trait Valued: Send + Sync {
    /// Anything.
    fn value(&self) -> u64;
}

declare_category! {
    /// Synthetic things.
    pub struct Things {
        name: "thing",
        title: "Things",
        description: "Synthetic registrations.",
        object: dyn Valued,
        args: u64,
        metadata: (),
        internal: false,
    }
}

/// The one implementation every registration names.
pub struct Thing(u64);
impl Valued for Thing {
    fn value(&self) -> u64 {
        self.0
    }
}
impl Implementation<Things> for Thing {
    const METADATA: () = ();
    fn create(v: u64) -> Result<Self, BoxError> {
        Ok(Thing(v))
    }
}

/// A plain static entry, for the `static` kind.
pub struct Entry {
    /// Name.
    pub name: &'static str,
    /// Identifier.
    pub identifier: &'static str,
    /// Constructor.
    pub create: fn(u64) -> Box<dyn Valued>,
}

/// The constructor of the static entries.
pub fn make(v: u64) -> Box<dyn Valued> {
    Box::new(Thing(v))
}

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

const LOOKUPS: u32 = 2_000_000;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "start".into());
    match (mode.as_str(), KIND) {
        ("start", "static") => {
            // Keep the array in the binary, as the registry's slice is kept.
            black_box(ENTRIES);
        }
        ("start", _) => {}
        ("index", "registry") => {
            // The first lookup builds the index (listing sorts names later,
            // only when something lists).
            let t = Instant::now();
            black_box(Factory::<Things>::get_class(black_box("n0")).unwrap());
            let ns = t.elapsed().as_nanos();
            assert_eq!(Factory::<Things>::list_names().len(), N);
            println!(
                "index {KIND} {N} {ns} ns {:.1} ns/registration",
                ns as f64 / N as f64
            );
        }
        ("index", "static") => {
            let t = Instant::now();
            let mut map = rustc_hash::FxHashMap::with_capacity_and_hasher(N, Default::default());
            for (i, e) in black_box(ENTRIES).iter().enumerate() {
                map.insert(e.name, i);
            }
            black_box(map.get(black_box("n0")));
            let ns = t.elapsed().as_nanos();
            assert_eq!(map.len(), N);
            println!(
                "index {KIND} {N} {ns} ns {:.1} ns/registration",
                ns as f64 / N as f64
            );
        }
        ("resolve", "registry") => {
            let names: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
            for name in &names {
                Factory::<Things>::get_class(name).unwrap();
            }
            let t = Instant::now();
            for i in 0..LOOKUPS {
                let name = &names[(i % 20) as usize];
                black_box(Factory::<Things>::get_class(black_box(name)).unwrap());
            }
            let ns = t.elapsed().as_nanos() as f64 / f64::from(LOOKUPS);
            println!("resolve {KIND} {N} {ns:.2} ns/lookup");
        }
        (mode, kind) => {
            eprintln!("mode {mode} is not available for SCALE_KIND={kind}");
            std::process::exit(2);
        }
    }
}
