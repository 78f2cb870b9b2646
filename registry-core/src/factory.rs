//! The per-category API (seed 002's factory methods, in Rust form).

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;

use crate::category::Category;
use crate::env;
use crate::error::{self, RegistryError};
use crate::index::{Index, NONE, Slot};
use crate::name::{self, MAX_LEN};
use crate::registration::{DynRegistration, Implementation, Registration};

/// The factory of category `C`: every lookup, selection and construction.
///
/// All methods are associated functions; a type alias gives the AIPerf
/// spelling (`pub type EndpointFactory = Factory<EndpointCategory>;`, then
/// `EndpointFactory::create_instance("chat", args)`).
///
/// Names and identifiers given to any method are normalised first (see
/// [`name`](crate::name)): `"Chat"`, `"CHAT"` and `" chat "` find `chat`,
/// `"chat-embeddings"` finds `chat_embeddings`.
pub struct Factory<C>(PhantomData<fn() -> C>);

/// Why an implementation is the selected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Reason {
    /// `use_implementation_by_id` or `use_implementation::<T>`.
    Override = 0,
    /// An override from the environment (e.g. `AIPERF_USE`).
    Environment = 1,
    /// The only (active) implementation of the name.
    OnlyCandidate = 2,
    /// It has the highest priority.
    Priority = 3,
    /// Equal priority; a plugin beats a builtin.
    PluginOverBuiltin = 4,
    /// Equal priority and origin: a conflict, decided by crate name, then identifier.
    TieBreak = 5,
}

impl Reason {
    pub(crate) fn from_u8(v: u8) -> Reason {
        match v {
            0 => Reason::Override,
            1 => Reason::Environment,
            2 => Reason::OnlyCandidate,
            3 => Reason::Priority,
            4 => Reason::PluginOverBuiltin,
            _ => Reason::TieBreak,
        }
    }

    /// A stable machine-readable spelling, e.g. `plugin_over_builtin`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Override => "override",
            Reason::Environment => "environment",
            Reason::OnlyCandidate => "only_candidate",
            Reason::Priority => "priority",
            Reason::PluginOverBuiltin => "plugin_over_builtin",
            Reason::TieBreak => "tie_break",
        }
    }

    /// A sentence for humans.
    pub const fn explain(self) -> &'static str {
        match self {
            Reason::Override => "selected at runtime (use_implementation)",
            Reason::Environment => "selected by the environment",
            Reason::OnlyCandidate => "the only implementation",
            Reason::Priority => "highest priority",
            Reason::PluginOverBuiltin => "plugin overrides builtin at equal priority",
            Reason::TieBreak => {
                "conflict: equal priority and origin, decided by crate name then identifier"
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who set an override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverrideSource {
    Api,
    Environment,
}

impl OverrideSource {
    pub(crate) fn reason(self) -> Reason {
        match self {
            OverrideSource::Api => Reason::Override,
            OverrideSource::Environment => Reason::Environment,
        }
    }
}

/// One implementation of a name, as [`Factory::list_implementations`] shows it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    registration: &'static dyn DynRegistration,
    rank: usize,
    selected: bool,
    active: bool,
    conflict: bool,
}

impl Candidate {
    /// The registration (descriptor, metadata, load state).
    pub fn registration(&self) -> &'static dyn DynRegistration {
        self.registration
    }
    /// Position under the default rule, 0 = would win without overrides.
    pub fn rank(&self) -> usize {
        self.rank
    }
    /// Whether this is the implementation `create_instance` uses now.
    pub fn is_selected(&self) -> bool {
        self.selected
    }
    /// False when the environment's plugin allow-list disables its crate.
    pub fn is_active(&self) -> bool {
        self.active
    }
    /// Whether it ties with the selected implementation on priority and origin.
    pub fn is_conflict(&self) -> bool {
        self.conflict
    }
}

/// The selected implementation of a name and why.
#[derive(Debug, Clone)]
pub struct Selection {
    registration: &'static dyn DynRegistration,
    reason: Reason,
    tied: Vec<&'static str>,
}

impl Selection {
    /// The selected registration.
    pub fn registration(&self) -> &'static dyn DynRegistration {
        self.registration
    }
    /// Why it is selected.
    pub fn reason(&self) -> Reason {
        self.reason
    }
    /// Identifiers in conflict (equal priority and origin) with the selected
    /// one, including it; empty when there is no conflict.
    pub fn conflicts(&self) -> &[&'static str] {
        &self.tied
    }
}

/// A registry problem reported by [`Factory::validate`] and
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

fn describe(info: &crate::RegistrationInfo) -> String {
    format!("{} ({})", info.package().name(), info.type_path())
}

impl<C: Category> Factory<C> {
    #[inline]
    fn index() -> &'static Index<C> {
        C::__index().index()
    }

    #[inline]
    fn slot(name: &str) -> Result<(&'static Index<C>, &'static Slot), RegistryError> {
        let index = Self::index();
        // One probe for any accepted spelling (see `slots`); the miss path
        // says whether the input was malformed or just not registered.
        match index.slots.find_spelled(name) {
            Some(slot) => Ok((index, slot)),
            None => Self::slot_slow(index, name),
        }
    }

    /// The miss path: why `name` has no slot.
    #[cold]
    #[inline(never)]
    fn slot_slow(
        index: &'static Index<C>,
        name: &str,
    ) -> Result<(&'static Index<C>, &'static Slot), RegistryError> {
        let mut buf = [0u8; MAX_LEN];
        let key =
            name::normalize_into(name, &mut buf).map_err(|source| RegistryError::InvalidName {
                what: format!("{} name", C::INFO.name()),
                source,
            })?;
        Err(RegistryError::UnknownName {
            category: C::INFO.name(),
            suggestion: error::closest(key, index.names().iter().copied()),
            input: key.to_owned(),
            available: index.names().to_vec(),
        })
    }

    fn duplicate_error(index: &Index<C>, slot: &Slot, (a, b): (u32, u32)) -> RegistryError {
        let (a, b) = (index.info(a), index.info(b));
        RegistryError::DuplicateIdentifier {
            category: C::INFO.name(),
            name: slot.name,
            identifier: a.identifier(),
            first: describe(a),
            second: describe(b),
        }
    }

    /// The registration `create_instance(name, ..)` would use now. Constructs
    /// and loads nothing.
    #[inline]
    pub fn get_class(name: &str) -> Result<&'static Registration<C>, RegistryError> {
        let (index, slot) = Self::slot(name)?;
        if let Some(pair) = slot.duplicate {
            return Err(Self::duplicate_error(index, slot, pair));
        }
        let (selected, _) = index.selected(slot);
        if selected == NONE {
            let top = index.info(slot.ranked[0]);
            return Err(env::disabled_error(top));
        }
        Ok(index.regs[selected as usize])
    }

    /// Creates an instance of the selected implementation of `name`, loading
    /// it first if this is its first use.
    #[inline]
    pub fn create_instance(name: &str, args: C::Args) -> Result<Box<C::Object>, RegistryError> {
        Self::get_class(name)?.create(args)
    }

    /// A specific implementation of `name`, selected or not.
    pub fn get_class_by_id(
        name: &str,
        identifier: &str,
    ) -> Result<&'static Registration<C>, RegistryError> {
        let (index, slot) = Self::slot(name)?;
        let reg = Self::find_identifier(index, slot, identifier)?;
        Ok(index.regs[reg as usize])
    }

    /// The registration whose implementing type has this path (as
    /// [`RegistrationInfo::type_path`](crate::RegistrationInfo::type_path)
    /// prints it), selected or not. A type registered under several names
    /// gives its registration with the first name.
    pub fn get_class_by_path(type_path: &str) -> Result<&'static Registration<C>, RegistryError> {
        let index = Self::index();
        let path = type_path.trim();
        match index.by_type_path().get(path) {
            Some(&reg) => Ok(index.regs[reg as usize]),
            None => {
                let mut available: Vec<&'static str> =
                    index.by_type_path().keys().copied().collect();
                available.sort_unstable();
                Err(RegistryError::UnknownTypePath {
                    category: C::INFO.name(),
                    suggestion: error::closest(path, available.iter().copied()),
                    input: path.to_owned(),
                    available,
                })
            }
        }
    }

    fn find_identifier(
        index: &Index<C>,
        slot: &Slot,
        identifier: &str,
    ) -> Result<u32, RegistryError> {
        let mut buf = [0u8; MAX_LEN];
        let key = name::normalize_into(identifier, &mut buf).map_err(|source| {
            RegistryError::InvalidName {
                what: format!("{} {:?} identifier", C::INFO.name(), slot.name),
                source,
            }
        })?;
        if let Some(pair) = slot.duplicate {
            if index.info(pair.0).identifier() == key {
                return Err(Self::duplicate_error(index, slot, pair));
            }
        }
        if let Some(&reg) = slot
            .ranked
            .iter()
            .find(|&&r| index.info(r).identifier() == key)
        {
            return Ok(reg);
        }
        let mut available: Vec<&'static str> = slot
            .ranked
            .iter()
            .map(|&r| index.info(r).identifier())
            .collect();
        available.sort_unstable();
        Err(RegistryError::UnknownIdentifier {
            category: C::INFO.name(),
            name: slot.name,
            suggestion: error::closest(key, available.iter().copied()),
            input: key.to_owned(),
            available,
        })
    }

    /// Every implementation of `name`, best first under the default rule, with
    /// which one is selected, which are in conflict and which are disabled.
    /// Loads and constructs nothing.
    pub fn list_implementations(name: &str) -> Result<Vec<Candidate>, RegistryError> {
        let (index, slot) = Self::slot(name)?;
        let state = index.selected(slot);
        let (selected, _) = state;
        let tied: Vec<u32> = index.tied_with(slot, state).collect();
        Ok(slot
            .ranked
            .iter()
            .enumerate()
            .map(|(rank, &r)| Candidate {
                registration: index.regs[r as usize],
                rank,
                selected: r == selected && slot.duplicate.is_none(),
                active: env::is_active(index.info(r)),
                conflict: tied.contains(&r),
            })
            .collect())
    }

    /// The selected implementation of `name` and why it is selected.
    pub fn selection(name: &str) -> Result<Selection, RegistryError> {
        let (index, slot) = Self::slot(name)?;
        if let Some(pair) = slot.duplicate {
            return Err(Self::duplicate_error(index, slot, pair));
        }
        // One load: the registration and the reason come from the same
        // published state even while another thread changes overrides.
        let state = index.selected(slot);
        let (selected, reason) = state;
        if selected == NONE {
            return Err(env::disabled_error(index.info(slot.ranked[0])));
        }
        let tied = index
            .tied_with(slot, state)
            .map(|r| index.info(r).identifier())
            .collect();
        Ok(Selection {
            registration: index.regs[selected as usize],
            reason,
            tied,
        })
    }

    /// Whether the category's index has been built. It is built on the first
    /// lookup, listing or selection change, never at start-up.
    pub fn index_is_built() -> bool {
        C::__index().is_built()
    }

    /// Every registered name of the category, sorted.
    pub fn list_names() -> &'static [&'static str] {
        Self::index().names()
    }

    /// Every registration of the category, sorted by name then identifier.
    pub fn registrations() -> &'static [&'static Registration<C>] {
        Self::index().sorted()
    }

    /// Whether `name` (normalised) has at least one registration. Malformed
    /// input is simply not registered.
    pub fn is_registered(name: &str) -> bool {
        Self::slot(name).is_ok()
    }

    /// Whether implementation `identifier` of `name` has been loaded.
    pub fn is_loaded(name: &str, identifier: &str) -> Result<bool, RegistryError> {
        Ok(Self::get_class_by_id(name, identifier)?.is_loaded())
    }

    /// Selects implementation `identifier` for `name` until
    /// [`reset_implementation`](Self::reset_implementation). Thread-safe;
    /// concurrent readers see the old or the new selection, never a mix.
    pub fn use_implementation_by_id(name: &str, identifier: &str) -> Result<(), RegistryError> {
        Self::set_override(name, identifier, OverrideSource::Api)
    }

    /// Selects the implementation whose type is `T` for `name`.
    pub fn use_implementation<T: Implementation<C>>(name: &str) -> Result<(), RegistryError> {
        let (index, slot) = Self::slot(name)?;
        let wanted = TypeId::of::<T>();
        match slot
            .ranked
            .iter()
            .find(|&&r| index.info(r).type_id() == wanted)
        {
            Some(&reg) => {
                Self::check_active(index, reg)?;
                index.recompute(slot, Some(Some((reg, OverrideSource::Api))));
                Ok(())
            }
            None => {
                let mut available: Vec<&'static str> = slot
                    .ranked
                    .iter()
                    .map(|&r| index.info(r).identifier())
                    .collect();
                available.sort_unstable();
                Err(RegistryError::TypeNotRegistered {
                    category: C::INFO.name(),
                    name: slot.name,
                    type_name: std::any::type_name::<T>(),
                    available,
                })
            }
        }
    }

    /// Removes any override of `name` (runtime or environment): the default
    /// rule selects again.
    pub fn reset_implementation(name: &str) -> Result<(), RegistryError> {
        let (index, slot) = Self::slot(name)?;
        index.recompute(slot, Some(None));
        Ok(())
    }

    fn check_active(index: &Index<C>, reg: u32) -> Result<(), RegistryError> {
        let info = index.info(reg);
        if env::is_active(info) {
            Ok(())
        } else {
            Err(env::disabled_error(info))
        }
    }

    fn set_override(
        name: &str,
        identifier: &str,
        source: OverrideSource,
    ) -> Result<(), RegistryError> {
        let (index, slot) = Self::slot(name)?;
        let reg = Self::find_identifier(index, slot, identifier)?;
        Self::check_active(index, reg)?;
        index.recompute(slot, Some(Some((reg, source))));
        Ok(())
    }

    pub(crate) fn env_override(name: &str, identifier: &str) -> Result<(), RegistryError> {
        Self::set_override(name, identifier, OverrideSource::Environment)
    }

    /// Re-applies the selection rule to every name (after the allow-list
    /// changed). Builds the index if it was not built yet.
    pub(crate) fn refresh() {
        let index = Self::index();
        for name in index.names() {
            index.recompute(&index.slots[name], None);
        }
    }

    /// Checks the category: duplicate identifiers, unresolved conflicts
    /// (ties decided by the tie-break), names with nothing active.
    pub fn validate() -> Vec<Problem> {
        let index = Self::index();
        let mut problems = Vec::new();
        for name in index.names() {
            let slot = &index.slots[name];
            if let Some((a, b)) = slot.duplicate {
                let (a, b) = (index.info(a), index.info(b));
                problems.push(Problem::Duplicate {
                    category: C::INFO.name(),
                    name: slot.name,
                    identifier: a.identifier(),
                    first: describe(a),
                    second: describe(b),
                });
            }
            let (selected, reason) = index.selected(slot);
            if selected == NONE {
                let mut crates: Vec<&'static str> = slot
                    .ranked
                    .iter()
                    .map(|&r| index.info(r).package().name())
                    .collect();
                crates.sort_unstable();
                crates.dedup();
                problems.push(Problem::NothingActive {
                    category: C::INFO.name(),
                    name: slot.name,
                    variable: env::allow_list_variable(),
                    crates,
                });
            } else if reason == Reason::TieBreak {
                problems.push(Problem::Conflict {
                    category: C::INFO.name(),
                    name: slot.name,
                    selected: index.info(selected).identifier(),
                    tied: index
                        .tied_with(slot, (selected, reason))
                        .map(|r| index.info(r).identifier())
                        .collect(),
                });
            }
        }
        problems
    }
}
