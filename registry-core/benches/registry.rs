//! What the registry costs next to the direct way, measured in one run:
//!
//! - `resolve`: warm `Factory::get_class` vs a bare `FxHashMap<(&str, &str), _>`
//!   lookup of the same key (the floor of any name lookup);
//! - `normalise`: a lookup spelled `"Chat-Embeddings"` vs the canonical
//!   `"chat_embeddings"`;
//! - `construct`: `Registration::create` on a resolved handle, the bare
//!   `Registration::constructor` and `create_instance(name, args)` vs
//!   `Box::new(T::create(args))`;
//! - `enum_parse`: `dynamic_str_enum!` parsing vs `str::eq`.
//!
//! `cargo bench -p registry-core --bench registry`; `scripts/bench.sh` turns
//! the results into the ratios of BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use registry_core::{Factory, Implementation};

mod common;

use common::{Area, ShapeName, Shapes, Square, baseline_map, boxed_square};

fn resolve(c: &mut Criterion) {
    let map = baseline_map();

    let mut g = c.benchmark_group("resolve");
    g.bench_function("fxhashmap_baseline", |b| {
        b.iter(|| {
            map.get(&(black_box("shape"), black_box("chat_embeddings")))
                .copied()
        })
    });
    g.bench_function("get_class", |b| {
        b.iter(|| Factory::<Shapes>::get_class(black_box("chat_embeddings")).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("normalise");
    g.bench_function("canonical", |b| {
        b.iter(|| Factory::<Shapes>::get_class(black_box("chat_embeddings")).unwrap())
    });
    g.bench_function("other_spelling", |b| {
        b.iter(|| Factory::<Shapes>::get_class(black_box("Chat-Embeddings")).unwrap())
    });
    g.finish();
}

fn construct(c: &mut Criterion) {
    let handle = Factory::<Shapes>::get_class("chat").unwrap();
    let mut g = c.benchmark_group("construct");
    g.bench_function("direct_box_new", |b| {
        b.iter(|| -> Box<dyn Area> { Box::new(Square::create(black_box(2.0)).unwrap()) })
    });
    let boxed = boxed_square();
    g.bench_function("fn_pointer_baseline", |b| {
        b.iter(|| boxed(black_box(2.0)).unwrap())
    });
    g.bench_function("resolved_handle", |b| {
        b.iter(|| handle.create(black_box(2.0)).unwrap())
    });
    let bare = handle.constructor().unwrap();
    g.bench_function("bare_constructor", |b| {
        b.iter(|| bare(black_box(2.0)).unwrap())
    });
    g.bench_function("create_instance", |b| {
        b.iter(|| Factory::<Shapes>::create_instance(black_box("chat"), black_box(2.0)).unwrap())
    });
    g.finish();
}

fn enum_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("enum_parse");
    g.bench_function("str_eq_baseline", |b| {
        b.iter(|| black_box("chat_embeddings") == black_box("chat_embeddings"))
    });
    g.bench_function("canonical", |b| {
        b.iter(|| ShapeName::parse(black_box("chat_embeddings")).unwrap())
    });
    g.bench_function("other_spelling", |b| {
        b.iter(|| ShapeName::parse(black_box("Chat-Embeddings")).unwrap())
    });
    g.finish();
}

criterion_group!(benches, resolve, construct, enum_parse);
criterion_main!(benches);
