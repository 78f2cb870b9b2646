//! The bench category, its implementations and twenty registrations,
//! shared by the bench binaries.

#![allow(dead_code)] // each bench binary uses part of it

use registry_core::{
    BoxError, Factory, Implementation, Registration, declare_category, dynamic_str_enum,
    register_lazy,
};
use rustc_hash::FxHashMap;

/// What a shape computes.
pub trait Area: Send + Sync {
    fn area(&self) -> f64;
}

declare_category! {
    /// Shapes.
    pub struct Shapes {
        name: "shape",
        title: "Shapes",
        description: "Bench category.",
        object: dyn Area,
        args: f64,
        metadata: (),
        internal: false,
    }
}

pub struct Square(f64);
impl Area for Square {
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}
impl Implementation<Shapes> for Square {
    const METADATA: () = ();
    fn create(side: f64) -> Result<Self, BoxError> {
        Ok(Square(side))
    }
}

pub struct Circle(f64);
impl Area for Circle {
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.0 * self.0
    }
}
impl Implementation<Shapes> for Circle {
    const METADATA: () = ();
    fn create(radius: f64) -> Result<Self, BoxError> {
        Ok(Circle(radius))
    }
}

// Twenty names, like a real category; `chat_embeddings` has a plugin
// override so selection is not trivial.
register_lazy!(Shapes, "chat", Square, id = "square", origin = builtin);
register_lazy!(
    Shapes,
    "chat_embeddings",
    Square,
    id = "square",
    origin = builtin
);
register_lazy!(Shapes, "chat_embeddings", Circle, id = "circle");
register_lazy!(
    Shapes,
    "completions",
    Circle,
    id = "circle",
    origin = builtin
);
register_lazy!(
    Shapes,
    "embeddings",
    Circle,
    id = "circle",
    origin = builtin
);
register_lazy!(Shapes, "rankings", Circle, id = "circle", origin = builtin);
register_lazy!(Shapes, "n06", Square, id = "square");
register_lazy!(Shapes, "n07", Square, id = "square");
register_lazy!(Shapes, "n08", Square, id = "square");
register_lazy!(Shapes, "n09", Square, id = "square");
register_lazy!(Shapes, "n10", Square, id = "square");
register_lazy!(Shapes, "n11", Square, id = "square");
register_lazy!(Shapes, "n12", Square, id = "square");
register_lazy!(Shapes, "n13", Square, id = "square");
register_lazy!(Shapes, "n14", Square, id = "square");
register_lazy!(Shapes, "n15", Square, id = "square");
register_lazy!(Shapes, "n16", Square, id = "square");
register_lazy!(Shapes, "n17", Square, id = "square");
register_lazy!(Shapes, "n18", Square, id = "square");
register_lazy!(Shapes, "n19", Square, id = "square");

dynamic_str_enum! {
    /// The names above.
    pub enum ShapeName {
        Chat = "chat",
        ChatEmbeddings = "chat_embeddings",
        Completions = "completions",
        Embeddings = "embeddings",
        Rankings = "rankings",
    }
}

/// The floor of any name lookup: a bare `FxHashMap` from `(category, name)`
/// to the same registrations the registry selects (checked here).
pub fn baseline_map() -> FxHashMap<(&'static str, &'static str), &'static Registration<Shapes>> {
    let map: FxHashMap<_, _> = Factory::<Shapes>::list_names()
        .iter()
        .map(|&name| (("shape", name), Factory::<Shapes>::get_class(name).unwrap()))
        .collect();
    let selected = Factory::<Shapes>::get_class("chat_embeddings").unwrap();
    assert!(std::ptr::eq(map[&("shape", "chat_embeddings")], selected));
    map
}

/// What any late-bound constructor pays: `Square`'s constructor behind a
/// `fn` pointer the optimiser cannot see through.
pub fn boxed_square() -> fn(f64) -> Result<Box<dyn Area>, BoxError> {
    std::hint::black_box(|side| Ok(Box::new(Square::create(side)?) as Box<dyn Area>))
}

/// The median of `values` (reordered).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
