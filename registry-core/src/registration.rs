//! The registration descriptor: metadata only, nothing constructed.

use std::any::{Any, TypeId};
use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crate::category::Category;
use crate::error::{BoxError, RegistryError, panic_message};

/// Where a registration comes from, as the registration itself states it.
///
/// Never guessed from a crate name: builtins say `origin = builtin` in their
/// registration; everything else is a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// Shipped with the application (its central registry file).
    Builtin,
    /// From a plugin crate. At equal priority a plugin beats a builtin.
    Plugin,
}

impl Origin {
    /// `"builtin"` or `"plugin"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Origin::Builtin => "builtin",
            Origin::Plugin => "plugin",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Cargo package information of the crate that submitted a registration,
/// captured at compile time by [`package!`](crate::package!).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Package {
    name: &'static str,
    version: &'static str,
    description: &'static str,
    authors: &'static str,
    license: &'static str,
    homepage: &'static str,
    repository: &'static str,
}

impl Package {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        version: &'static str,
        description: &'static str,
        authors: &'static str,
        license: &'static str,
        homepage: &'static str,
        repository: &'static str,
    ) -> Self {
        Package {
            name,
            version,
            description,
            authors,
            license,
            homepage,
            repository,
        }
    }

    /// The package name, e.g. `aiperf-plugin-prometheus`.
    pub const fn name(&self) -> &'static str {
        self.name
    }
    /// The package version.
    pub const fn version(&self) -> &'static str {
        self.version
    }
    /// The package description (may be empty).
    pub const fn description(&self) -> &'static str {
        self.description
    }
    /// The package authors.
    pub fn authors(&self) -> impl Iterator<Item = &'static str> {
        self.authors.split(':').filter(|a| !a.is_empty())
    }
    /// The SPDX license expression (may be empty).
    pub const fn license(&self) -> &'static str {
        self.license
    }
    /// The homepage URL (may be empty).
    pub const fn homepage(&self) -> &'static str {
        self.homepage
    }
    /// The repository URL (may be empty).
    pub const fn repository(&self) -> &'static str {
        self.repository
    }
}

/// Whether two package names name the same package: ASCII case does not
/// matter and `-` equals `_` (`fixture-alpha` is `Fixture_Alpha`), the way
/// crates.io tells package names apart. The one comparison of crate names
/// in the registry: the plugin allow-list, [`require_linked`](crate::require_linked)
/// and the package listing all use it.
pub(crate) fn same_package_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| registry_name_rule::fold(x) == registry_name_rule::fold(y))
}

/// The [`Package`] of the crate this macro is expanded in.
///
/// ```
/// const PKG: registry_core::Package = registry_core::package!();
/// assert_eq!(PKG.name(), "registry-core");
/// ```
#[macro_export]
macro_rules! package {
    () => {
        $crate::Package::__new(
            ::core::env!("CARGO_PKG_NAME"),
            ::core::env!("CARGO_PKG_VERSION"),
            ::core::env!("CARGO_PKG_DESCRIPTION"),
            ::core::env!("CARGO_PKG_AUTHORS"),
            ::core::env!("CARGO_PKG_LICENSE"),
            ::core::env!("CARGO_PKG_HOMEPAGE"),
            ::core::env!("CARGO_PKG_REPOSITORY"),
        )
    };
}

/// A type that can be registered in category `C`.
///
/// This is the only trait an implementation writes for the registry; the
/// category's own trait (e.g. `Endpoint`) is implemented as usual. The
/// registration macros check both at compile time.
///
/// ```
/// # registry_core::declare_category! {
/// #     pub struct Greeters {
/// #         name: "greeter", title: "Greeters", description: "Say hello.",
/// #         object: dyn Greet, args: String, metadata: (), internal: false,
/// #     }
/// # }
/// # pub trait Greet: Send + Sync { fn greet(&self) -> String; }
/// use registry_core::{BoxError, Implementation};
///
/// struct English(String);
/// impl Greet for English {
///     fn greet(&self) -> String { format!("Hello, {}", self.0) }
/// }
/// impl Implementation<Greeters> for English {
///     const METADATA: () = ();
///     const DESCRIPTION: &'static str = "Greets in English.";
///     fn create(who: String) -> Result<Self, BoxError> { Ok(English(who)) }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an implementation of the registry category `{C}`",
    label = "this type does not implement `registry_core::Implementation<{C}>`",
    note = "add `impl registry_core::Implementation<{C}> for {Self} {{ ... }}` with its `METADATA` and `create`"
)]
pub trait Implementation<C: Category>: Sized + 'static {
    /// The category's typed metadata for this implementation, readable
    /// without constructing anything.
    const METADATA: C::Metadata;

    /// A one-line description shown by listings.
    const DESCRIPTION: &'static str = "";

    /// One-time heavy setup shared by all instances (loading a model file,
    /// probing a device, building a lookup table): runs on first use of this
    /// implementation, before its first [`create`](Self::create), exactly
    /// once even when threads race, and never on listing or resolving. A
    /// failure (or panic) is remembered and returned to every later caller.
    fn load() -> Result<(), BoxError> {
        Ok(())
    }

    /// Builds an instance from the category's arguments.
    fn create(args: C::Args) -> Result<Self, BoxError>;
}

/// What every registration of one implementation type in one category
/// shares: one table per `(category, type)`, made by the compiler from the
/// type's [`Implementation`] and pointed to by each of its registrations,
/// instead of six pointers repeated in every registration.
#[doc(hidden)]
pub struct ImplementationInfo {
    category: &'static str,
    description: &'static str,
    type_name: fn() -> &'static str,
    type_id: fn() -> TypeId,
    load: fn() -> Result<(), BoxError>,
    /// Writes the typed [`Constructor`] into an `Option<Constructor<C>>`
    /// (through `dyn Any`, since this table is the same type for every
    /// category). Called once, when the registration is first loaded.
    constructor: fn(&mut dyn Any),
}

/// The shared table of `T` in category `C`: a constant, so every
/// registration of `T` in `C` in a crate points at one copy.
#[doc(hidden)]
pub struct Shared<C, T>(PhantomData<fn() -> (C, T)>);

impl<C: Boxes<T>, T: Implementation<C>> Shared<C, T> {
    #[doc(hidden)]
    pub const INFO: &'static ImplementationInfo = &ImplementationInfo {
        category: C::INFO.name(),
        description: T::DESCRIPTION,
        type_name: std::any::type_name::<T>,
        type_id: TypeId::of::<T>,
        load: T::load,
        constructor: fill_constructor::<C, T>,
    };
}

/// What the registrations of one type in one category from one crate
/// share: the crate's package and the type's [`ImplementationInfo`]. Each
/// registration's macro writes this pair as a constant, and identical
/// constants are merged when the crate is optimised, so a registration
/// holds one pointer for both (a crate registers its types in a handful of
/// modules; at worst each module has its copy).
#[doc(hidden)]
pub struct SharedInfo {
    package: &'static Package,
    implementation: &'static ImplementationInfo,
}

impl SharedInfo {
    #[doc(hidden)]
    pub const fn __new<C, T: IntoObject<C>>(package: &'static Package) -> Self {
        SharedInfo {
            package,
            implementation: T::IMPLEMENTATION,
        }
    }
}

/// [`Boxes`] as a bound on the implementation type as well, so that a type
/// that does not implement the category's trait is reported at the type,
/// in words.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement the trait of the registry category `{C}`",
    label = "this type does not implement the category's trait",
    note = "implement the trait of `{C}`'s `object: dyn Trait` for `{Self}` (the help above names it)"
)]
pub trait IntoObject<C> {
    /// `C::IMPLEMENTATION`.
    const IMPLEMENTATION: &'static ImplementationInfo;
}

impl<C: Boxes<T>, T> IntoObject<C> for T {
    const IMPLEMENTATION: &'static ImplementationInfo = C::IMPLEMENTATION;
}

/// `T`'s constructor for category `C`: one function per `(C, T)`, shared
/// by every registration of `T`.
fn construct<C: Boxes<T>, T: Implementation<C>>(args: C::Args) -> Result<Box<C::Object>, BoxError> {
    match T::create(args) {
        Ok(value) => Ok(C::boxed(value)),
        Err(error) => Err(error),
    }
}

fn fill_constructor<C: Boxes<T>, T: Implementation<C>>(out: &mut dyn Any) {
    if let Some(slot) = out.downcast_mut::<Option<Constructor<C>>>() {
        *slot = Some(construct::<C, T>);
    }
}

/// How a category boxes an implementation as its object type (`Box<dyn
/// Trait>`): implemented by [`declare_category!`](crate::declare_category)
/// for every type that implements the category's trait, so that one generic
/// constructor per type serves every registration of it (the unsizing cast
/// cannot be written generically on stable Rust without naming the trait).
///
/// Implemented only for implementations of the category (`T:
/// Implementation<C>`), so that one bound says both: a type that is neither
/// is reported once for each missing trait, at the type.
#[doc(hidden)]
pub trait Boxes<T>: Category {
    /// `T`'s shared table in this category (`Shared::<Self, T>::INFO`).
    const IMPLEMENTATION: &'static ImplementationInfo;
    /// `Box::new(value)` as the category's object.
    fn boxed(value: T) -> Box<Self::Object>;
}

/// The parts of a registration that do not depend on the category's types.
///
/// Laid out for the loader: a registration's own strings are one `'static`
/// string (`name`, then `identifier`, then `module_path`, cut at stored
/// lengths), and what all registrations of the same type from the same
/// crate share (the package, the type's table) is behind one pointer, so a
/// registration holds two pointers (see the registration layout in
/// `docs/architecture.md`).
pub struct RegistrationInfo {
    /// `name`, `identifier` and `module_path`, concatenated.
    text: &'static str,
    /// The hash the category's name table files `name` under, computed at
    /// compile time (see [`registry_name_rule::name_hash`]).
    name_hash: u64,
    shared: &'static SharedInfo,
    priority: i32,
    name_len: u16,
    identifier_len: u16,
    origin: Origin,
}

impl RegistrationInfo {
    /// The category name, e.g. `endpoint`.
    #[inline]
    pub fn category(&self) -> &'static str {
        self.shared.implementation.category
    }
    /// The name users select, e.g. `chat`.
    #[inline]
    pub fn name(&self) -> &'static str {
        let text: &'static str = self.text;
        &text[..usize::from(self.name_len)]
    }
    /// The hash of [`name`](Self::name) in the category's name table,
    /// computed by the registration macro.
    #[inline]
    pub(crate) fn name_hash(&self) -> u64 {
        self.name_hash
    }
    /// The identifier, unique within `(category, name)`, e.g. `openai_chat`.
    #[inline]
    pub fn identifier(&self) -> &'static str {
        let text: &'static str = self.text;
        let start = usize::from(self.name_len);
        &text[start..start + usize::from(self.identifier_len)]
    }
    /// Builtin or plugin, as the registration states.
    #[inline]
    pub fn origin(&self) -> Origin {
        self.origin
    }
    /// Whether the registration comes from a plugin.
    #[inline]
    pub fn is_plugin(&self) -> bool {
        self.origin == Origin::Plugin
    }
    /// Selection priority; higher wins. Default 0.
    #[inline]
    pub fn priority(&self) -> i32 {
        self.priority
    }
    /// The package of the crate that submitted the registration.
    #[inline]
    pub fn package(&self) -> &'static Package {
        self.shared.package
    }
    /// `module_path!()` where the registration was written.
    #[inline]
    pub fn module_path(&self) -> &'static str {
        let text: &'static str = self.text;
        &text[usize::from(self.name_len) + usize::from(self.identifier_len)..]
    }
    /// The implementation's one-line description.
    #[inline]
    pub fn description(&self) -> &'static str {
        self.shared.implementation.description
    }
    /// The implementing type's path where it is defined, e.g.
    /// `aiperf_builtins::endpoints::chat::OpenAiChat` (from
    /// [`std::any::type_name`], so a re-export's shorter path is not it).
    #[inline]
    pub fn type_path(&self) -> &'static str {
        (self.shared.implementation.type_name)()
    }
    /// The implementing type's [`TypeId`].
    #[inline]
    pub fn type_id(&self) -> TypeId {
        (self.shared.implementation.type_id)()
    }
}

// By hand: the name's hash is the table's business, not the descriptor's,
// and the strings are shown cut as the accessors cut them.
impl fmt::Debug for RegistrationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrationInfo")
            .field("category", &self.category())
            .field("name", &self.name())
            .field("identifier", &self.identifier())
            .field("origin", &self.origin)
            .field("priority", &self.priority)
            .field("package", self.package())
            .field("module_path", &self.module_path())
            .field("description", &self.description())
            .field("type_path", &self.type_path())
            .finish()
    }
}

/// A category's constructor: what [`Registration::constructor`] returns.
pub type Constructor<C> =
    fn(<C as Category>::Args) -> Result<Box<<C as Category>::Object>, BoxError>;

/// One registration of category `C`: its descriptor, typed metadata and
/// constructor. Created by [`register_lazy!`](crate::register_lazy) and
/// [`#[register]`](crate::register) as a `static`; nothing runs until
/// [`create`](Registration::create).
pub struct Registration<C: Category> {
    info: RegistrationInfo,
    metadata: C::Metadata,
    /// The load hook's outcome and, once it succeeded, the typed
    /// constructor taken from the shared table (kept here, in memory the
    /// loader does not relocate, so `create` reads it with the load check).
    /// `Box<str>` rather than `String`: 24 bytes instead of 32 in every
    /// registration.
    loaded: OnceLock<Result<Constructor<C>, Box<str>>>,
}

/// What a registration macro knows at its call site.
#[doc(hidden)]
pub struct Site {
    /// `concat!(name, identifier, module_path!())`.
    pub text: &'static str,
    pub name_len: u16,
    pub identifier_len: u16,
    /// `registry_name_rule::name_hash(name)`, computed by the macro.
    pub name_hash: u64,
    pub origin: Origin,
    pub priority: i32,
    /// `&SharedInfo::__new::<C, T>(&package!())`, a constant.
    pub shared: &'static SharedInfo,
}

impl<C: Category> Registration<C> {
    #[doc(hidden)]
    pub const fn __new<T: Implementation<C>>(site: Site) -> Self {
        Registration {
            info: RegistrationInfo {
                text: site.text,
                name_hash: site.name_hash,
                shared: site.shared,
                priority: site.priority,
                name_len: site.name_len,
                identifier_len: site.identifier_len,
                origin: site.origin,
            },
            metadata: T::METADATA,
            loaded: OnceLock::new(),
        }
    }

    /// The category-independent descriptor.
    pub fn info(&self) -> &RegistrationInfo {
        &self.info
    }

    /// The typed metadata. Reading it constructs and loads nothing.
    pub fn metadata(&self) -> &C::Metadata {
        &self.metadata
    }

    /// Whether the one-time load hook has run successfully.
    pub fn is_loaded(&self) -> bool {
        matches!(self.loaded.get(), Some(Ok(_)))
    }

    /// Runs the load hook once (if it has not run) and returns its outcome.
    ///
    /// Threads that race here all wait for the one run. A panic in the hook
    /// is contained and remembered like an error.
    pub fn ensure_loaded(&self) -> Result<(), RegistryError> {
        self.loaded_constructor().map(|_| ())
    }

    /// The typed constructor, after the load hook ran once and succeeded.
    #[inline]
    fn loaded_constructor(&self) -> Result<Constructor<C>, RegistryError> {
        // Hot path of every `create`: loaded already, nothing to clone.
        match self.loaded.get() {
            Some(Ok(constructor)) => Ok(*constructor),
            _ => self.load(),
        }
    }

    /// The first load (or the remembered failure): out of line, so that
    /// the hot path above stays small enough to inline into `create`.
    #[cold]
    #[inline(never)]
    fn load(&self) -> Result<Constructor<C>, RegistryError> {
        let info = &self.info;
        let outcome = self.loaded.get_or_init(|| {
            tracing::debug!(
                category = info.category(),
                name = info.name(),
                identifier = info.identifier(),
                "loading implementation"
            );
            match catch_unwind(info.shared.implementation.load) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e.to_string().into()),
                Err(panic) => {
                    return Err(format!("panicked: {}", panic_message(&*panic)).into());
                }
            }
            let mut constructor: Option<Constructor<C>> = None;
            (info.shared.implementation.constructor)(&mut constructor);
            // `Registration::__new` makes the table from the same `C`, so
            // the slot is always filled; said in words rather than assumed.
            constructor.ok_or_else(|| {
                format!(
                    "the shared table of {} was made for another category",
                    info.type_path()
                )
                .into()
            })
        });
        outcome.clone().map_err(|reason| RegistryError::LoadFailed {
            category: info.category(),
            name: info.name(),
            identifier: info.identifier(),
            reason: reason.into(),
        })
    }

    /// The bare constructor, after loading the implementation (once): for
    /// code that builds instances in a hot loop and wants nothing between
    /// it and the implementation, since a call is one call through a `fn`
    /// pointer. Unlike [`create`](Self::create), its errors carry no
    /// registry context and a panic in it is not caught.
    ///
    /// ```
    /// # registry_core::declare_category! {
    /// #     pub struct Greeters {
    /// #         name: "greeter", title: "Greeters", description: "Say hello.",
    /// #         object: dyn Greet, args: String, metadata: (), internal: false,
    /// #     }
    /// # }
    /// # pub trait Greet: Send + Sync { fn greet(&self) -> String; }
    /// # struct English(String);
    /// # impl Greet for English {
    /// #     fn greet(&self) -> String { format!("Hello, {}", self.0) }
    /// # }
    /// # impl registry_core::Implementation<Greeters> for English {
    /// #     const METADATA: () = ();
    /// #     fn create(who: String) -> Result<Self, registry_core::BoxError> { Ok(English(who)) }
    /// # }
    /// registry_core::register_lazy!(Greeters, "hello", English, id = "english");
    ///
    /// let make = registry_core::Factory::<Greeters>::get_class("hello")?.constructor()?;
    /// for who in ["Ann", "Bo"] {
    ///     assert_eq!(make(who.into())?.greet(), format!("Hello, {who}"));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    pub fn constructor(&self) -> Result<Constructor<C>, RegistryError> {
        self.loaded_constructor()
    }

    /// Loads (once) and constructs an instance.
    ///
    /// A constructor error comes back as [`RegistryError::ConstructorFailed`];
    /// a constructor panic is caught and comes back as
    /// [`RegistryError::ConstructorPanicked`], leaving the registry usable.
    pub fn create(&self, args: C::Args) -> Result<Box<C::Object>, RegistryError> {
        let constructor = self.loaded_constructor()?;
        match catch_unwind(AssertUnwindSafe(|| constructor(args))) {
            Ok(Ok(object)) => Ok(object),
            Ok(Err(source)) => Err(RegistryError::ConstructorFailed {
                category: self.info.category(),
                name: self.info.name(),
                identifier: self.info.identifier(),
                source,
            }),
            Err(panic) => Err(RegistryError::ConstructorPanicked {
                category: self.info.category(),
                name: self.info.name(),
                identifier: self.info.identifier(),
                message: panic_message(&*panic).to_owned(),
            }),
        }
    }
}

impl<C: Category> fmt::Debug for Registration<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("info", &self.info)
            .field("metadata", &self.metadata)
            .field("loaded", &self.is_loaded())
            .finish_non_exhaustive()
    }
}

pub(crate) mod sealed {
    use std::any::Any;

    /// Only `Registration<C>` is a [`DynRegistration`](super::DynRegistration);
    /// what the registry needs of it beyond the public methods lives here.
    pub trait Sealed {
        /// For the index: downcasting a submitted registration to its category's.
        fn as_any(&self) -> &dyn Any;
    }

    impl<C: crate::Category> Sealed for crate::Registration<C> {
        fn as_any(&self) -> &dyn Any {
            self
        }
    }
}

/// A registration of any category, for code that does not know the
/// category's types (listings through [`DynCategory`](crate::DynCategory),
/// the catalogue, CLIs). Implemented by [`Registration<C>`] only; code that
/// knows the category gets the typed `Registration<C>` from
/// [`Factory<C>`](crate::Factory) instead, with
/// [`metadata`](Registration::metadata) typed. `{:?}` shows the descriptor
/// and the metadata.
pub trait DynRegistration: Any + fmt::Debug + Send + Sync + sealed::Sealed {
    /// The category-independent descriptor.
    fn info(&self) -> &RegistrationInfo;
    /// The typed metadata, for serialisation (e.g. to JSON).
    fn metadata_serialize(&self) -> &dyn erased_serde::Serialize;
    /// Whether the one-time load hook has run successfully.
    fn is_loaded(&self) -> bool;
}

impl<C: Category> DynRegistration for Registration<C> {
    fn info(&self) -> &RegistrationInfo {
        &self.info
    }
    fn metadata_serialize(&self) -> &dyn erased_serde::Serialize {
        &self.metadata
    }
    fn is_loaded(&self) -> bool {
        Registration::is_loaded(self)
    }
}

#[cfg(test)]
mod tests {
    use super::same_package_name;

    #[test]
    fn package_names_compare_without_case_and_dash() {
        assert!(same_package_name("aiperf-plugin-x", "AIPERF_plugin_x"));
        assert!(same_package_name("fixture_alpha", "Fixture-Alpha"));
        assert!(!same_package_name("aiperf-plugin-x", "aiperf-plugin-y"));
        assert!(!same_package_name("fixture-alpha", "fixture-alpha2"));
        assert!(!same_package_name("a.b", "a-b"));
    }
}
