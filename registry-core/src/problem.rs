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
    /// A plugin registration uses the identifier of a builtin registration
    /// of the same name: the builtin keeps it, the plugin's registration is
    /// refused (never listed or selected) and the name keeps resolving.
    #[error(
        "{category} {name:?}: identifier {identifier:?} belongs to the builtin `{builtin}`, and \
         the plugin `{plugin}` registers it too; the builtin keeps it and the plugin's \
         registration is refused. Give the plugin's registration another `id = \"...\"`"
    )]
    Refused {
        /// The category.
        category: &'static str,
        /// The name.
        name: &'static str,
        /// The identifier the builtin keeps.
        identifier: &'static str,
        /// The refused plugin registration's crate and type.
        plugin: String,
        /// The builtin registration's crate and type.
        builtin: String,
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
    /// One category declared twice by the same type: the crate that declares
    /// it is linked twice, e.g. its own unit tests with a plugin crate as a
    /// dev-dependency (the plugin links a second copy of the crate), or two
    /// versions of it.
    #[error("{}", linked_twice(category, type_path, krate, versions))]
    CrateLinkedTwice {
        /// The category's name.
        category: &'static str,
        /// The marker type path both declarations have.
        type_path: &'static str,
        /// The package of the crate that declares it.
        krate: &'static str,
        /// The package version of each copy.
        versions: [&'static str; 2],
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

/// The message of [`Problem::CrateLinkedTwice`]: the same version twice is
/// the unit-test pitfall, two versions a dependency graph to unify.
fn linked_twice(
    category: &str,
    type_path: &str,
    krate: &str,
    [first, second]: &[&str; 2],
) -> String {
    let what = format!("category {category:?} is declared twice by the same type {type_path}");
    if first == second {
        format!(
            "{what}: crate `{krate}` is linked twice (usually its own unit tests with a plugin \
             crate as dev-dependency, which links a second copy of {krate}); test with the \
             plugin in an integration test (tests/*.rs) instead"
        )
    } else {
        format!(
            "{what}: two versions of crate `{krate}` are linked ({first} and {second}); make \
             every dependent use one version (`cargo tree -d` shows who pulls in which)"
        )
    }
}
