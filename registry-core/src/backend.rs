//! Where registrations are collected: one `linkme` distributed slice per kind
//! (default), or `inventory` (feature `inventory`) where linkme cannot go.
//!
//! Both backends collect the same two kinds of element, and every other
//! module reads them only through [`registrations`] and [`categories`].
//!
//! # The link hub (inventory)
//!
//! A crate's registrations live in the object file of the module that
//! writes them (`src/registry.rs`, say), and a linker takes an object file
//! out of a crate's `.rlib` only when something it already took refers to
//! a symbol defined there. On ELF, Mach-O and COFF rustc adds `symbols.o`,
//! an object that refers to every `#[used]` static of every crate, so every
//! `inventory` constructor is taken. For wasm there is no such object, and
//! an object file that nothing refers to, constructors and all, is left
//! out: a registry module nobody calls into vanishes.
//!
//! So, with `inventory`, every registration and category is also reached
//! from its crate's *link hub*: a method of a local trait implemented for
//! [`LinkHub`] returns it, and rustc places a method in the codegen unit of
//! its `Self` type's module, which for `LinkHub` is one codegen unit per
//! crate, whichever module the registration is written in. The submitted
//! element is a pointer to that method, so each registration's object file
//! refers to the hub and the hub refers to every registration's: taking
//! any of them takes all. A crate's registrations arrive together or not
//! at all, and [`link_anchor!`](crate::link_anchor) (the crate's `link()`)
//! calls into the hub, so calling it takes them on every target.
//!
//! The linkme backend has no hub, and needs none: it builds only for
//! targets where rustc adds `symbols.o`.

use crate::category::DynCategory;
use crate::registration::DynRegistration;

/// The type whose trait impls form each crate's link hub (see the module
/// documentation): the methods of an impl for it are compiled into one
/// codegen unit per crate.
#[doc(hidden)]
pub struct LinkHub;

#[cfg(not(feature = "inventory"))]
mod imp {
    use super::*;

    /// One submitted registration (any category).
    #[doc(hidden)]
    pub struct RegistrationSubmission(pub &'static dyn DynRegistration);

    /// One submitted category (the catalogue).
    #[doc(hidden)]
    pub struct CategorySubmission(pub &'static dyn DynCategory);

    #[linkme::distributed_slice]
    #[doc(hidden)]
    pub static REGISTRATIONS: [RegistrationSubmission];

    #[linkme::distributed_slice]
    #[doc(hidden)]
    pub static CATEGORIES: [CategorySubmission];

    pub(crate) fn registrations() -> impl Iterator<Item = &'static dyn DynRegistration> {
        REGISTRATIONS.iter().map(|s| s.0)
    }

    pub(crate) fn categories() -> impl Iterator<Item = &'static dyn DynCategory> {
        CATEGORIES.iter().map(|s| s.0)
    }

    /// Submits `static $registration` to the registry.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_registration {
        ($registration:ident) => {
            #[$crate::__private::linkme::distributed_slice($crate::__private::REGISTRATIONS)]
            #[linkme(crate = $crate::__private::linkme)]
            static __REGISTRY_SUBMISSION: $crate::__private::RegistrationSubmission =
                $crate::__private::RegistrationSubmission(&$registration);
        };
    }

    /// Submits the category marker `$marker` to the catalogue.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_category {
        ($marker:ident) => {
            const _: () = {
                #[$crate::__private::linkme::distributed_slice($crate::__private::CATEGORIES)]
                #[linkme(crate = $crate::__private::linkme)]
                static __REGISTRY_CATEGORY: $crate::__private::CategorySubmission =
                    $crate::__private::CategorySubmission(&$marker);
            };
        };
    }
}

#[cfg(feature = "inventory")]
mod imp {
    use super::*;

    /// One submitted registration (any category): its crate's link hub
    /// method that returns it.
    #[doc(hidden)]
    pub struct RegistrationSubmission(pub fn() -> &'static dyn DynRegistration);

    /// One submitted category (the catalogue): its crate's link hub method
    /// that returns it (behind a static of the declaring module, so that
    /// the hub refers to that module's object file).
    #[doc(hidden)]
    pub struct CategorySubmission(pub fn() -> &'static &'static dyn DynCategory);

    inventory::collect!(RegistrationSubmission);
    inventory::collect!(CategorySubmission);

    pub(crate) fn registrations() -> impl Iterator<Item = &'static dyn DynRegistration> {
        inventory::iter::<RegistrationSubmission>
            .into_iter()
            .map(|s| (s.0)())
    }

    pub(crate) fn categories() -> impl Iterator<Item = &'static dyn DynCategory> {
        inventory::iter::<CategorySubmission>
            .into_iter()
            .map(|s| *(s.0)())
    }

    /// Submits `static $registration` to the registry, through its crate's
    /// link hub. Expanded inside the registration's own `const _` block,
    /// where the trait is local.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_registration {
        ($registration:ident) => {
            trait __RegistryLinkHub {
                fn __registration() -> &'static dyn $crate::DynRegistration;
            }
            impl __RegistryLinkHub for $crate::__private::LinkHub {
                // Never inlined: a copy inlined into the caller's codegen
                // unit would not be in the hub.
                #[inline(never)]
                fn __registration() -> &'static dyn $crate::DynRegistration {
                    &$registration
                }
            }
            $crate::__private::inventory::submit! {
                $crate::__private::RegistrationSubmission(
                    <$crate::__private::LinkHub as __RegistryLinkHub>::__registration
                )
            }
        };
    }

    /// Submits the category marker `$marker` to the catalogue, through its
    /// crate's link hub.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_category {
        ($marker:ident) => {
            const _: () = {
                static __REGISTRY_CATEGORY: &dyn $crate::DynCategory = &$marker;
                trait __RegistryLinkHub {
                    fn __category() -> &'static &'static dyn $crate::DynCategory;
                }
                impl __RegistryLinkHub for $crate::__private::LinkHub {
                    #[inline(never)]
                    fn __category() -> &'static &'static dyn $crate::DynCategory {
                        &__REGISTRY_CATEGORY
                    }
                }
                $crate::__private::inventory::submit! {
                    $crate::__private::CategorySubmission(
                        <$crate::__private::LinkHub as __RegistryLinkHub>::__category
                    )
                }
            };
        };
    }
}

#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
pub use imp::{CATEGORIES, REGISTRATIONS};
#[doc(hidden)]
pub use imp::{CategorySubmission, RegistrationSubmission};
pub(crate) use imp::{categories, registrations};

/// Which backend collected the registrations: `"linkme"` or `"inventory"`.
pub const BACKEND: &str = if cfg!(feature = "inventory") {
    "inventory"
} else {
    "linkme"
};

/// The body of a crate's link anchor, `pub fn link() -> &'static str`: calling
/// it links every registration and category of the crate into the binary
/// that calls it, on every target, and it returns the crate's package name,
/// for [`require_linked`](crate::require_linked).
///
/// ```
/// /// The link anchor: a binary that enables this crate calls it (or
/// /// passes it to `registry_core::require_linked`).
/// pub fn link() -> &'static str {
///     registry_core::link_anchor!()
/// }
/// # fn main() {
/// assert_eq!(link(), "registry-core");
/// # }
/// ```
///
/// Why a call, not `use the_crate as _;`: a `use` makes rustc hand the
/// crate to the linker, and on ELF, Mach-O and COFF targets that is enough,
/// because rustc also hands it an object referring to every `#[used]`
/// static. On wasm it does not, and the linker takes nothing from a crate
/// that no code calls into. This call goes into the crate's link hub, an
/// object file that refers to every registration and category of the
/// crate, in whichever module it is written (with the `inventory` backend;
/// linkme builds only for targets where a `use` is enough). It costs one
/// call, made once.
#[macro_export]
macro_rules! link_anchor {
    () => {{
        trait __RegistryLinkAnchor {
            fn __package() -> &'static str;
        }
        impl __RegistryLinkAnchor for $crate::__private::LinkHub {
            // Never inlined, so the caller's call goes into the hub's
            // codegen unit.
            #[inline(never)]
            fn __package() -> &'static str {
                ::core::env!("CARGO_PKG_NAME")
            }
        }
        <$crate::__private::LinkHub as __RegistryLinkAnchor>::__package()
    }};
}
