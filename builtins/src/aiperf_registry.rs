//! Every builtin registration of AIPerf, one line each: the single source of
//! truth (seed 000). Implementation files contain no registration code.
//!
//! Adding a builtin: write the type (and its `Implementation<Category>`) in
//! its category's module, then add one line here with `origin = builtin`.

#[allow(unused_imports)]
use registry_core::register_lazy;
