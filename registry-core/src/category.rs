//! Categories: a kind of component, with one trait object type, one argument
//! type and one metadata type. Declared with [`declare_category!`](crate::declare_category).

use std::fmt;

use crate::RegistryError;
use crate::factory::{Candidate, Factory, Selection};
use crate::index::IndexCell;
use crate::problem::Problem;
use crate::registration::Package;

/// Static description of a category, shown by the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryInfo {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    internal: bool,
    package: &'static Package,
}

impl CategoryInfo {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        title: &'static str,
        description: &'static str,
        internal: bool,
        package: &'static Package,
    ) -> Self {
        CategoryInfo {
            name,
            title,
            description,
            internal,
            package,
        }
    }
    /// The canonical category name, e.g. `endpoint`.
    pub const fn name(&self) -> &'static str {
        self.name
    }
    /// A human title, e.g. `Endpoints`.
    pub const fn title(&self) -> &'static str {
        self.title
    }
    /// What the category is for.
    pub const fn description(&self) -> &'static str {
        self.description
    }
    /// Internal categories are hidden from listings unless asked for.
    pub const fn internal(&self) -> bool {
        self.internal
    }
    /// The package of the crate that declared the category.
    pub const fn package(&self) -> &'static Package {
        self.package
    }
}

/// What a category's metadata type must be: `Debug` (listings, `{:?}`) and
/// [`serde::Serialize`](crate::Serialize) (JSON listings), and shareable
/// between threads. Implemented for every such type; derive the two traits
/// (`#[derive(Debug, registry_core::Serialize)]`) and it follows.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a category's metadata: it must implement `Debug` and `serde::Serialize`",
    label = "the `metadata:` type of this category",
    note = "derive both on it, `#[derive(Debug, registry_core::Serialize)]`, or write `metadata: ()` for a category without metadata"
)]
pub trait CategoryMetadata: fmt::Debug + serde::Serialize + Send + Sync + 'static {}

impl<T: fmt::Debug + serde::Serialize + Send + Sync + 'static> CategoryMetadata for T {}

/// A category of implementations. Implemented by the marker type that
/// [`declare_category!`](crate::declare_category) generates; not by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a registry category: categories are marker types declared with `declare_category!`, e.g. `EndpointCategory`",
    label = "not a category marker type",
    note = "the first argument of `register_lazy!` and `#[register]` (and the `C` of `Factory<C>`) must be a category marker type"
)]
pub trait Category: Sized + Send + Sync + 'static {
    /// What [`create_instance`](Factory::create_instance) returns a `Box` of:
    /// `dyn MyTrait`, one trait (make `Send + Sync` its supertraits if
    /// instances cross threads).
    type Object: ?Sized + 'static;
    /// The constructor's argument.
    type Args: 'static;
    /// Typed metadata every implementation declares, e.g. an endpoint's path.
    /// Use `()` when a category has none (see [`CategoryMetadata`]).
    type Metadata: CategoryMetadata;
    /// Name, title, description, internal flag.
    const INFO: CategoryInfo;

    #[doc(hidden)]
    fn __index() -> &'static IndexCell<Self>;

    /// `Self`. The registration macros name their category through this
    /// projection: when the first argument is not a category, the
    /// projection fails once and every other use of it is quiet, so the
    /// mistake is one error instead of one per use.
    #[doc(hidden)]
    type __Marker: Category;
}

/// Declares a category: a marker type implementing [`Category`], its lazily
/// built index, and its entry in the global catalogue.
///
/// ```
/// pub trait Greet: Send + Sync {
///     fn greet(&self) -> String;
/// }
///
/// registry_core::declare_category! {
///     /// Things that say hello.
///     pub struct Greeters {
///         name: "greeter",
///         title: "Greeters",
///         description: "Say hello to someone.",
///         object: dyn Greet,
///         args: String,
///         metadata: (),
///         internal: false,
///     }
/// }
///
/// /// The factory, under the name AIPerf users know.
/// pub type GreeterFactory = registry_core::Factory<Greeters>;
/// # fn main() {
/// assert!(registry_core::categories().iter().any(|c| c.info().name() == "greeter"));
/// # }
/// ```
///
/// The name must be canonical (`[a-z0-9][a-z0-9_]*`, at most 128 bytes); a
/// bad one fails to compile.
///
/// `object:` is `dyn Trait` of one trait (a path, generics allowed), with
/// `Send + Sync` as supertraits of the trait rather than in the object type:
/// the macro implements the boxing of every type that implements the trait,
/// so that one constructor per implementation type serves all of its
/// registrations. Another object type fails to compile and says so.
///
/// # Metadata
///
/// `metadata:` is the type of what every implementation states in
/// [`Implementation::METADATA`](crate::Implementation::METADATA), readable
/// without constructing anything: `()` for none, or a type that implements
/// `Debug` and `serde::Serialize` ([`CategoryMetadata`]), since listings
/// print it and serialise it to JSON. Derive both:
///
/// ```
/// # pub trait Endpoint: Send + Sync {}
/// /// What every endpoint implementation states about itself.
/// #[derive(Debug, registry_core::Serialize)]
/// pub struct EndpointMeta {
///     pub path: &'static str,
///     pub streaming: bool,
/// }
///
/// registry_core::declare_category! {
///     pub struct Endpoints {
///         name: "endpoint",
///         title: "Endpoints",
///         description: "Request formats.",
///         object: dyn Endpoint,
///         args: (),
///         metadata: EndpointMeta,
///         internal: false,
///     }
/// }
/// ```
///
/// ([`registry_core::Serialize`](crate::Serialize) is serde's; its derive
/// names the `serde` crate, which the crate therefore depends on.) A type
/// without them fails to compile with one error: "`EndpointMeta` cannot be
/// a category's metadata: it must implement `Debug` and `serde::Serialize`".
#[macro_export]
macro_rules! declare_category {
    (
        $(#[$attr:meta])*
        $vis:vis struct $marker:ident {
            name: $name:literal,
            title: $title:literal,
            description: $description:literal,
            object: dyn $object:path,
            args: $args:ty,
            metadata: $metadata:ty,
            internal: $internal:literal $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        $vis struct $marker;

        // How an implementation becomes the category's object: one generic
        // function per type, shared by every registration of it.
        impl<T: $object + $crate::Implementation<$marker>> $crate::__private::Boxes<T> for $marker {
            const IMPLEMENTATION: &'static $crate::__private::ImplementationInfo =
                $crate::__private::Shared::<$marker, T>::INFO;
            #[inline]
            fn boxed(value: T) -> ::std::boxed::Box<dyn $object> {
                ::std::boxed::Box::new(value)
            }
        }

        // Not offered as "other types implementing `Category`" when a type
        // that is not a category is used as one.
        #[diagnostic::do_not_recommend]
        impl $crate::Category for $marker {
            type Object = dyn $object;
            type Args = $args;
            // `$metadata`, checked to be `CategoryMetadata` first: a type
            // that is not is one error, with that trait's message (see
            // `declare_category` the function). Documentation shows the
            // type itself.
            #[cfg(not(doc))]
            type Metadata = <$metadata as $crate::__private::Checked<
                { $crate::declare_category::<$metadata>() },
            >>::Type;
            #[cfg(doc)]
            type Metadata = $metadata;
            type __Marker = $marker;
            const INFO: $crate::CategoryInfo = $crate::CategoryInfo::__new(
                $name,
                $title,
                $description,
                $internal,
                &$crate::package!(),
            );

            fn __index() -> &'static $crate::__private::IndexCell<Self> {
                static INDEX: $crate::__private::IndexCell<$marker> =
                    $crate::__private::IndexCell::new();
                &INDEX
            }
        }

        const _: () = ::core::assert!(
            $crate::name::is_canonical($name),
            ::core::concat!(
                "category name `", $name, "` is not canonical: use lowercase ASCII letters, \
                 digits and `_`, starting with a letter or digit, at most 128 bytes"
            )
        );

        $crate::__submit_category!($marker);
    };    (
        $(#[$attr:meta])*
        $vis:vis struct $marker:ident {
            name: $name:literal,
            title: $title:literal,
            description: $description:literal,
            object: $object:ty,
            $($rest:tt)*
        }
    ) => {
        ::core::compile_error!(::core::concat!(
            "`object: ", ::core::stringify!($object), "` is not a trait object of one trait: ",
            "write `object: dyn Trait`, with `Send + Sync` as supertraits of `Trait` ",
            "(`pub trait Trait: Send + Sync`) rather than in the object type"
        ));
    };
}

mod sealed {
    pub trait Sealed {}
    impl<C: crate::Category> Sealed for C {}
}

/// A category seen without its types: what the catalogue, CLIs and the
/// environment settings work with. Every method delegates to [`Factory<C>`].
pub trait DynCategory: Send + Sync + sealed::Sealed {
    /// Name, title, description, internal flag.
    fn info(&self) -> CategoryInfo;
    /// The marker type's path, e.g. `aiperf_builtins::categories::EndpointCategory`:
    /// which crate declared the category.
    fn type_path(&self) -> &'static str;
    /// See [`Factory::list_names`].
    fn list_names(&self) -> &'static [&'static str];
    /// See [`Factory::list_implementations`]; the registrations are
    /// type-erased (`dyn DynRegistration`).
    fn list_implementations(&self, name: &str) -> Result<Vec<Candidate>, RegistryError>;
    /// See [`Factory::selection`]; the registration is type-erased.
    fn selection(&self, name: &str) -> Result<Selection, RegistryError>;
    /// See [`Factory::use_implementation_by_id`].
    fn use_implementation_by_id(&self, name: &str, identifier: &str) -> Result<(), RegistryError>;
    /// See [`Factory::reset_implementation`].
    fn reset_implementation(&self, name: &str) -> Result<(), RegistryError>;
    /// See [`Factory::is_registered`].
    fn is_registered(&self, name: &str) -> bool;
    /// See [`Factory::validate`].
    fn validate(&self) -> Vec<Problem>;
    #[doc(hidden)]
    fn __env_override(&self, name: &str, identifier: &str) -> Result<(), RegistryError>;
    #[doc(hidden)]
    fn __refresh(&self);
}

impl<C: Category> DynCategory for C {
    fn info(&self) -> CategoryInfo {
        C::INFO
    }
    fn type_path(&self) -> &'static str {
        std::any::type_name::<C>()
    }
    fn list_names(&self) -> &'static [&'static str] {
        Factory::<C>::list_names()
    }
    fn list_implementations(&self, name: &str) -> Result<Vec<Candidate>, RegistryError> {
        Factory::<C>::list_implementations(name)
            .map(|list| list.into_iter().map(Candidate::erase).collect())
    }
    fn selection(&self, name: &str) -> Result<Selection, RegistryError> {
        Factory::<C>::selection(name).map(Selection::erase)
    }
    fn use_implementation_by_id(&self, name: &str, identifier: &str) -> Result<(), RegistryError> {
        Factory::<C>::use_implementation_by_id(name, identifier)
    }
    fn reset_implementation(&self, name: &str) -> Result<(), RegistryError> {
        Factory::<C>::reset_implementation(name)
    }
    fn is_registered(&self, name: &str) -> bool {
        Factory::<C>::is_registered(name)
    }
    fn validate(&self) -> Vec<Problem> {
        Factory::<C>::validate()
    }
    fn __env_override(&self, name: &str, identifier: &str) -> Result<(), RegistryError> {
        Factory::<C>::env_override(name, identifier)
    }
    fn __refresh(&self) {
        Factory::<C>::refresh()
    }
}

impl fmt::Debug for dyn DynCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.info(), f)
    }
}

/// `declare_category!`'s check of its metadata type (a function in the
/// value namespace, beside the macro of the same name, so that the note of
/// the error says "required by a bound in `registry_core::declare_category`").
/// A type that is not [`CategoryMetadata`] fails here with that trait's
/// message; the failed constant then makes the category's `Metadata` an
/// error type through [`Checked`], which silences every other report of
/// the same mistake.
#[doc(hidden)]
pub const fn declare_category<T: CategoryMetadata>() -> bool {
    true
}

/// See [`declare_category`](fn@declare_category).
#[doc(hidden)]
pub trait Checked<const OK: bool> {
    type Type: ?Sized;
}

impl<T: ?Sized> Checked<true> for T {
    type Type = T;
}
