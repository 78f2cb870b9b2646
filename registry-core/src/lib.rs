//! A compile-time, lazily instantiating plugin registry.
//!
//! Implementations register into a link-time distributed slice
//! ([`linkme`](https://docs.rs/linkme); [`inventory`](https://docs.rs/inventory)
//! with the `inventory` feature). With `linkme` no code runs before `main`
//! (`inventory` runs one small constructor per registration at start-up);
//! nothing is constructed until first use, and selection is deterministic:
//!
//! 1. a runtime override ([`Factory::use_implementation_by_id`],
//!    [`Factory::use_implementation`], or the [environment](mod@env));
//! 2. the highest `priority`;
//! 3. at equal priority, a plugin over a builtin;
//! 4. otherwise a tie-break by crate name, then identifier, that does not
//!    depend on link order, reported as a conflict (a `tracing` warning,
//!    [`Candidate::is_conflict`], [`validate`]).
//!
//! # Quick start
//!
//! ```
//! use registry_core::{BoxError, Factory, Implementation, declare_category, register_lazy};
//!
//! // 1. A category: its trait, constructor argument and metadata.
//! pub trait Greet: Send + Sync {
//!     fn greet(&self) -> String;
//! }
//!
//! declare_category! {
//!     pub struct Greeters {
//!         name: "greeter",
//!         title: "Greeters",
//!         description: "Say hello to someone.",
//!         object: dyn Greet,
//!         args: String,
//!         metadata: (),
//!         internal: false,
//!     }
//! }
//! pub type GreeterFactory = Factory<Greeters>;
//!
//! // 2. Implementations: plain types, no registration noise.
//! pub struct English(String);
//! impl Greet for English {
//!     fn greet(&self) -> String { format!("Hello, {}!", self.0) }
//! }
//! impl Implementation<Greeters> for English {
//!     const METADATA: () = ();
//!     fn create(who: String) -> Result<Self, BoxError> { Ok(English(who)) }
//! }
//!
//! pub struct Pirate(String);
//! impl Greet for Pirate {
//!     fn greet(&self) -> String { format!("Ahoy, {}!", self.0) }
//! }
//! impl Implementation<Greeters> for Pirate {
//!     const METADATA: () = ();
//!     fn create(who: String) -> Result<Self, BoxError> { Ok(Pirate(who)) }
//! }
//!
//! // 3. Registrations, one line each (usually all in one file).
//! register_lazy!(Greeters, "hello", English, id = "english", origin = builtin);
//! register_lazy!(Greeters, "hello", Pirate, id = "pirate"); // a plugin: beats the builtin
//!
//! # fn main() -> Result<(), registry_core::RegistryError> {
//! // 4. Use: lookups are case-insensitive and `-` equals `_`.
//! assert_eq!(GreeterFactory::create_instance("Hello", "Ann".into())?.greet(), "Ahoy, Ann!");
//! GreeterFactory::use_implementation_by_id("hello", "english")?;
//! assert_eq!(GreeterFactory::create_instance("hello", "Ann".into())?.greet(), "Hello, Ann!");
//!
//! let err = GreeterFactory::get_class("helo").unwrap_err();
//! assert_eq!(err.to_string(), r#"unknown greeter name "helo"; did you mean "hello"? available: hello"#);
//! # Ok(()) }
//! ```
//!
//! # The link anchor
//!
//! A crate that nothing references is not linked, and its registrations
//! vanish. A binary that enables a plugin crate therefore names it once:
//!
//! ```ignore
//! #[cfg(feature = "my-plugin")]
//! use my_plugin as _; // link anchor: keeps my_plugin's registrations
//! ```
//!
//! and can check at start-up (or in a test) that it worked with
//! [`require_linked`].
//!
//! On wasm (the `inventory` backend) a `use` links nothing: there the
//! anchor is a call. A crate with registrations defines its `link()` with
//! [`link_anchor!`], and the binary calls it, e.g.
//! `require_linked([my_plugin::link()])`, which links every registration
//! of `my_plugin`, in whichever module, on every target.
//!
//! # Modules
//!
//! - [`name`]: the spelling rule and normalisation of names.
//! - [`mod@env`]: plugin allow-list and overrides from environment variables.
//! - [`Factory`]: the per-category API; [`categories`] / [`category`]: the catalogue.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backend;
mod catalogue;
mod category;
pub mod env;
mod error;
mod factory;
mod index;
pub mod name;
mod problem;
mod registration;
mod selection;
mod slots;

pub use backend::BACKEND;
pub use catalogue::{PackageSummary, categories, category, packages, require_linked, validate};
#[doc(hidden)]
pub use category::declare_category;
pub use category::{Category, CategoryInfo, CategoryMetadata, DynCategory};
pub use error::{BoxError, RegistryError, panic_message};
pub use factory::{Candidate, Factory, Selection};
pub use problem::Problem;
pub use registration::{
    Constructor, DynRegistration, Implementation, Origin, Package, Registration, RegistrationInfo,
};
pub use selection::Reason;

/// serde's `Serialize`, trait and derive, which a category's metadata type
/// implements (see [`CategoryMetadata`]): `#[derive(Debug,
/// registry_core::Serialize)]` on the metadata struct. Re-exported so that
/// the requirement can be met and named without naming serde's internal
/// `serde_core` crate, where the trait lives (and which compiler errors in
/// a crate without a `serde` dependency would otherwise name).
///
/// The derive's expansion refers to the `serde` crate by name, so the crate
/// that derives depends on `serde` too, as crates that serialise do anyway.
pub use serde::Serialize;

/// Registers an implementation, in one line.
///
/// ```text
/// register_lazy!(Category, "name", Type, id = "identifier" [, priority = N] [, origin = builtin|plugin]);
/// ```
///
/// Expands to a `static` [`Registration`] submitted to the registry: metadata
/// only, nothing runs until the implementation is first used. `Category`
/// must be a declared category and `Type` must implement both
/// [`Implementation<Category>`] and the category's trait (also checked at
/// compile time). `origin` defaults to `plugin`; the application's own
/// registry file says `origin = builtin`. `priority` defaults to 0.
///
/// # Compile-time checks
///
/// Each mistake is one error pointing at it:
///
/// - a first argument that is not a category marker type (a category's
///   arguments type, the category's name): "`TimingArgs` is not a registry
///   category: categories are marker types declared with
///   `declare_category!`, e.g. `EndpointCategory`";
/// - a name or identifier that is not canonical, with the spelling to
///   write: `invalid identifier "poisson rate": ...; write "poisson_rate"`;
/// - a missing `id`, an unknown or repeated option, a bad `origin`;
/// - a type that implements neither [`Implementation<Category>`] nor the
///   category's trait.
///
/// Every case, with the first line of its message, is in the
/// "Compile-time messages" section of the repository's `docs/errors.md`,
/// pinned by the trybuild cases in `registry-core/tests/ui/`.
pub use registry_macros::register_lazy;

/// Registers the type it is placed on: the attribute form of
/// [`register_lazy!`], for plugin crates and prototypes.
///
/// ```
/// # use registry_core::{BoxError, Implementation};
/// # pub trait Greet: Send + Sync { fn greet(&self) -> String; }
/// # registry_core::declare_category! {
/// #     pub struct Greeters {
/// #         name: "greeter", title: "Greeters", description: "Say hello.",
/// #         object: dyn Greet, args: String, metadata: (), internal: false,
/// #     }
/// # }
/// #[registry_core::register(Greeters, "hello", id = "french", priority = 5)]
/// pub struct French(String);
/// # impl Greet for French { fn greet(&self) -> String { format!("Bonjour, {} !", self.0) } }
/// # impl Implementation<Greeters> for French {
/// #     const METADATA: () = ();
/// #     fn create(who: String) -> Result<Self, BoxError> { Ok(French(who)) }
/// # }
/// # fn main() {
/// # assert_eq!(registry_core::Factory::<Greeters>::create_instance("hello", "Zoé".into()).unwrap().greet(), "Bonjour, Zoé !");
/// # }
/// ```
pub use registry_macros::register;

/// A string enum of known names plus `Other(Name)` for every other
/// well-formed name: typed names that still accept a plugin's.
///
/// ```
/// registry_core::dynamic_str_enum! {
///     /// Endpoint names.
///     pub enum EndpointType {
///         /// OpenAI chat completions.
///         Chat = "chat",
///         Embeddings = "embeddings",
///     }
/// }
///
/// // Parsing uses the registry's normalisation: a known name in any
/// // spelling is its variant, never `Other`.
/// assert_eq!("Chat".parse::<EndpointType>().unwrap(), EndpointType::Chat);
/// assert_eq!(EndpointType::parse(" CHAT ").unwrap(), EndpointType::Chat);
/// // Unknown well-formed names (e.g. a plugin's) are `Other`, canonical.
/// let plugin = EndpointType::parse("My-Plugin").unwrap();
/// assert_eq!(plugin.as_str(), "my_plugin");
/// assert!(!plugin.is_known());
/// // Only malformed names are errors.
/// assert!(EndpointType::parse("chat bot").is_err());
/// // Equality with strings normalises too.
/// assert!(EndpointType::Chat == "chat" && EndpointType::Chat == "CHAT");
/// // Iteration covers the known variants only.
/// assert_eq!(EndpointType::KNOWN.len(), 2);
/// // A plugin crate exports typed constants for its own names.
/// pub const MY_PLUGIN: EndpointType = EndpointType::from_static("my_plugin");
/// assert_eq!(plugin, MY_PLUGIN);
/// // serde: a plain string.
/// assert_eq!(serde_json::to_string(&EndpointType::Chat).unwrap(), r#""chat""#);
/// assert_eq!(serde_json::from_str::<EndpointType>(r#""my-plugin""#).unwrap(), MY_PLUGIN);
/// ```
///
/// Generated API: `KNOWN`, `as_str`, `is_known`, `parse` (and `FromStr`,
/// `TryFrom<&str>`), `from_name` (and `From<Name>`), the `const fn
/// from_static`, `Display`, equality with `&str`/`str`, `Eq`/`Hash`/`Ord` by
/// canonical name, and serde as a plain string. There is deliberately no
/// `From<&str>`: `From` must not fail, and a malformed name can only fail.
///
/// With `#[category(SomeCategory)]` on the enum it also gets
/// `registration()` and `parse_registered(input)`, which check a value
/// against the live registry and return the registry's error (available
/// names and a suggestion).
///
pub use registry_macros::dynamic_str_enum;

#[doc(hidden)]
pub mod __private {
    #[cfg(not(feature = "inventory"))]
    pub use crate::backend::{CATEGORIES, REGISTRATIONS};
    pub use crate::backend::{CategorySubmission, LinkHub, RegistrationSubmission};
    pub use crate::category::Checked;
    pub use crate::index::IndexCell;
    pub use crate::registration::{Boxes, ImplementationInfo, Shared, SharedInfo, Site};
    #[cfg(feature = "inventory")]
    pub use inventory;
    pub use linkme;
    pub use serde;
}

// The workspace README's examples are compiled and run as doc-tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
