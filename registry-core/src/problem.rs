//! Registry problems: what [`validate`](crate::validate) and
//! [`Factory::validate`](crate::Factory::validate) report, errors and
//! warnings, each with a message saying how to fix it.

/// A registry problem reported by [`Factory::validate`](crate::Factory::validate) and
/// [`validate`](crate::validate).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Two registrations share category, name and identifier.
    #[error(
        "{category} {name:?}: identifier {identifier:?} is registered twice, by `{first}` and \
         `{second}`; give one of them another identifier"
    )]
    Duplicate {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The shared identifier.
        identifier: &'static str,
        /// The first registration's crate and type.
        first: String,
        /// The second registration's crate and type.
        second: String,
    },
    /// Implementations tie on priority and origin; the tie-break decides.
    #[error(
        "{category} {name:?}: {} tie on priority and origin; the tie-break picks {selected:?}. \
         Give one a higher priority, or select one with an override",
        tied.join(", ")
    )]
    Conflict {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The identifier the tie-break selected.
        selected: &'static str,
        /// Every identifier in the tie.
        tied: Vec<&'static str>,
    },
    /// Two categories are declared with the same name.
    #[error(
        "two categories are declared with the name {category:?}, by `{first}` and `{second}`; \
         rename one of them"
    )]
    DuplicateCategory {
        /// The shared name.
        category: &'static str,
        /// The first declaration's marker type path (its crate comes first).
        first: &'static str,
        /// The second declaration's marker type path.
        second: &'static str,
    },
    /// A linked, active plugin crate none of whose registrations is selected:
    /// each loses on priority or to the tie-break, so the crate has no effect
    /// unless an override selects it. A warning ([`Problem::is_warning`]).
    #[error(
        "plugin crate `{krate}`: none of its {registrations} registration(s) is selected \
         ({lost}); it has no effect unless an override selects it, or it is given a higher \
         priority"
    )]
    Shadowed {
        /// The crate.
        krate: &'static str,
        /// How many registrations it has.
        registrations: usize,
        /// Each registration and what is selected instead, e.g.
        /// `endpoint/chat: openai_chat wins`.
        lost: String,
    },
    /// A linked, active plugin crate every registration of which ties with
    /// another implementation on priority and origin: whether the crate
    /// takes effect is decided by the tie-break, not by anyone's choice. A
    /// warning ([`Problem::is_warning`]); each tie is also a
    /// [`Problem::Conflict`] error of its own.
    #[error(
        "plugin crate `{krate}`: each of its {registrations} registration(s) is in an \
         unresolved tie ({ties}); whether it takes effect is left to the tie-break. Give its \
         registrations a priority, or select one with an override"
    )]
    Contested {
        /// The crate.
        krate: &'static str,
        /// How many registrations it has.
        registrations: usize,
        /// Each registration's tie and what the tie-break picks, e.g.
        /// `greeter/contested: shrug ties with other, the tie-break picks shrug`.
        ties: String,
    },
    /// Every implementation of the name is disabled by the plugin allow-list.
    /// A warning ([`Problem::is_warning`]): the user chose it.
    #[error(
        "{category} {name:?}: every implementation comes from a plugin crate that {variable} \
         does not enable; add one of {crates:?} to it"
    )]
    NothingActive {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The allow-list's variable (e.g. `AIPERF_PLUGIN_CRATES`).
        variable: String,
        /// The crates that provide the name.
        crates: Vec<&'static str>,
    },
}

impl Problem {
    /// Whether the problem is only a warning: the registry works as
    /// configured, but maybe not as intended (a plugin crate that never
    /// takes effect, a name whose every implementation the allow-list
    /// disables). Everything else is an error.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Problem::Shadowed { .. } | Problem::Contested { .. } | Problem::NothingActive { .. }
        )
    }
}
