//! Where registrations are collected: one `linkme` distributed slice per kind
//! (default), or `inventory` (feature `inventory`) where linkme cannot go.
//!
//! Both backends hold the same two element types, and every other module
//! reads them only through [`registrations`] and [`categories`].

use crate::category::DynCategory;
use crate::registration::DynRegistration;

/// One submitted registration (any category).
#[doc(hidden)]
pub struct RegistrationSubmission(pub &'static dyn DynRegistration);

/// One submitted category (the catalogue).
#[doc(hidden)]
pub struct CategorySubmission(pub &'static dyn DynCategory);

#[cfg(not(feature = "inventory"))]
mod imp {
    use super::*;

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

    inventory::collect!(RegistrationSubmission);
    inventory::collect!(CategorySubmission);

    pub(crate) fn registrations() -> impl Iterator<Item = &'static dyn DynRegistration> {
        inventory::iter::<RegistrationSubmission>
            .into_iter()
            .map(|s| s.0)
    }

    pub(crate) fn categories() -> impl Iterator<Item = &'static dyn DynCategory> {
        inventory::iter::<CategorySubmission>
            .into_iter()
            .map(|s| s.0)
    }

    /// Submits `static $registration` to the registry.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_registration {
        ($registration:ident) => {
            $crate::__private::inventory::submit! {
                $crate::__private::RegistrationSubmission(&$registration)
            }
        };
    }

    /// Submits the category marker `$marker` to the catalogue.
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __submit_category {
        ($marker:ident) => {
            $crate::__private::inventory::submit! {
                $crate::__private::CategorySubmission(&$marker)
            }
        };
    }
}

#[cfg(not(feature = "inventory"))]
#[doc(hidden)]
pub use imp::{CATEGORIES, REGISTRATIONS};
pub(crate) use imp::{categories, registrations};

/// Which backend collected the registrations: `"linkme"` or `"inventory"`.
pub const BACKEND: &str = if cfg!(feature = "inventory") {
    "inventory"
} else {
    "linkme"
};
