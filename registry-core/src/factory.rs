//! The per-category API: lookups, selection, overrides, construction and
//! checks, as associated functions of [`Factory`].

use std::any::TypeId;
use std::marker::PhantomData;

use crate::category::Category;
use crate::env;
use crate::error::{self, RegistryError};
use crate::index::{Index, Slot};
use crate::name::{self, MAX_LEN};
use crate::problem::Problem;
use crate::registration::{DynRegistration, Implementation, Registration, same_package_name};
use crate::selection::{NONE, Override, OverrideChange, OverrideSource, Reason, Refusal};

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

/// One implementation of a name, as a listing shows it: its registration,
/// its rank and whether it is selected, active and in a conflict.
///
/// `R` is the registration's view. [`Factory::<C>::list_implementations`](Factory::list_implementations)
/// gives `Candidate<Registration<C>>`, whose [`registration`](Self::registration)
/// is typed (its [`metadata`](Registration::metadata) is `C::Metadata`);
/// [`DynCategory::list_implementations`](crate::DynCategory::list_implementations),
/// for code that does not know the category, gives `Candidate` (that is,
/// `Candidate<dyn DynRegistration>`).
///
/// ```
/// # pub trait Greet: Send + Sync { fn greet(&self) -> String; }
/// # #[derive(Debug, registry_core::Serialize)]
/// # pub struct Meta { language: &'static str }
/// # registry_core::declare_category! {
/// #     pub struct Greeters {
/// #         name: "greeter", title: "Greeters", description: "Say hello.",
/// #         object: dyn Greet, args: String, metadata: Meta, internal: false,
/// #     }
/// # }
/// # struct English;
/// # impl Greet for English { fn greet(&self) -> String { "Hello".into() } }
/// # impl registry_core::Implementation<Greeters> for English {
/// #     const METADATA: Meta = Meta { language: "en" };
/// #     fn create(_: String) -> Result<Self, registry_core::BoxError> { Ok(English) }
/// # }
/// # registry_core::register_lazy!(Greeters, "hello", English, id = "english");
/// use registry_core::Factory;
///
/// for candidate in Factory::<Greeters>::list_implementations("hello")? {
///     // Typed: no downcast.
///     assert_eq!(candidate.registration().metadata().language, "en");
/// }
/// // Through the catalogue, the same listing with the metadata type-erased.
/// let greeters = registry_core::category("greeter")?;
/// let listed = greeters.list_implementations("hello")?;
/// assert_eq!(listed[0].registration().info().identifier(), "english");
/// # Ok::<(), registry_core::RegistryError>(())
/// ```
#[derive(Debug)]
pub struct Candidate<R: ?Sized + 'static = dyn DynRegistration> {
    registration: &'static R,
    rank: usize,
    selected: bool,
    active: bool,
    conflict: bool,
}

impl<R: ?Sized> Clone for Candidate<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: ?Sized> Copy for Candidate<R> {}

impl<R: ?Sized> Candidate<R> {
    /// The registration (descriptor, metadata, load state).
    pub fn registration(&self) -> &'static R {
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

impl<C: Category> Candidate<Registration<C>> {
    /// The same candidate with its registration type-erased.
    pub(crate) fn erase(self) -> Candidate {
        Candidate {
            registration: self.registration,
            rank: self.rank,
            selected: self.selected,
            active: self.active,
            conflict: self.conflict,
        }
    }
}

/// The selected implementation of a name and why. `R` is the registration's
/// view, as for [`Candidate`]: [`Factory::selection`] gives
/// `Selection<Registration<C>>`, [`DynCategory::selection`](crate::DynCategory::selection)
/// gives `Selection` (`Selection<dyn DynRegistration>`).
#[derive(Debug)]
pub struct Selection<R: ?Sized + 'static = dyn DynRegistration> {
    registration: &'static R,
    reason: Reason,
    tied: Vec<&'static str>,
}

impl<R: ?Sized> Clone for Selection<R> {
    fn clone(&self) -> Self {
        Selection {
            registration: self.registration,
            reason: self.reason,
            tied: self.tied.clone(),
        }
    }
}

impl<R: ?Sized> Selection<R> {
    /// The selected registration.
    pub fn registration(&self) -> &'static R {
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

impl<C: Category> Selection<Registration<C>> {
    /// The same selection with its registration type-erased.
    pub(crate) fn erase(self) -> Selection {
        Selection {
            registration: self.registration,
            reason: self.reason,
            tied: self.tied,
        }
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
        let available = identifiers(index, slot);
        Err(RegistryError::UnknownIdentifier {
            category: C::INFO.name(),
            name: slot.name,
            suggestion: error::closest(key, available.iter().copied()),
            input: key.to_owned(),
            available,
        })
    }

    /// Every implementation of `name`, best first under the default rule, with
    /// which one is selected, which are in conflict and which are disabled;
    /// each with its typed registration. Loads and constructs nothing.
    ///
    /// A plugin registration refused for taking a builtin's identifier is
    /// not listed (see [`validate`](Self::validate)).
    pub fn list_implementations(
        name: &str,
    ) -> Result<Vec<Candidate<Registration<C>>>, RegistryError> {
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

    /// The selected implementation of `name` (typed) and why it is selected.
    pub fn selection(name: &str) -> Result<Selection<Registration<C>>, RegistryError> {
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

    /// Every registration of the category, sorted by name then identifier
    /// (without the plugin registrations refused for taking a builtin's
    /// identifier).
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
                index.recompute(
                    slot,
                    OverrideChange::Set(Override {
                        registration: reg,
                        source: OverrideSource::Api,
                    }),
                );
                Ok(())
            }
            None => {
                let available = identifiers(index, slot);
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
        index.recompute(slot, OverrideChange::Clear);
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
        index.recompute(
            slot,
            OverrideChange::Set(Override {
                registration: reg,
                source,
            }),
        );
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
            index.recompute(&index.slots[name], OverrideChange::Keep);
        }
    }

    /// Checks the category: duplicate identifiers, plugin registrations
    /// refused for taking a builtin's identifier, unresolved conflicts
    /// (ties decided by the tie-break), names with nothing active.
    pub fn validate() -> Vec<Problem> {
        let index = Self::index();
        let mut problems = Vec::new();
        for name in index.names() {
            let slot = &index.slots[name];
            for Refusal { registration, kept } in index.refusals(name) {
                let (plugin, builtin) = (index.info(registration), index.info(kept));
                problems.push(Problem::Refused {
                    category: C::INFO.name(),
                    name: slot.name,
                    identifier: builtin.identifier(),
                    plugin: describe(plugin),
                    builtin: describe(builtin),
                });
            }
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
                crates.dedup_by(|a, b| same_package_name(a, b));
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

/// The identifiers of a name's candidates, sorted, for "available: ..."
/// in errors.
fn identifiers<C: Category>(index: &Index<C>, slot: &Slot) -> Vec<&'static str> {
    let mut available: Vec<&'static str> = slot
        .ranked
        .iter()
        .map(|&r| index.info(r).identifier())
        .collect();
    available.sort_unstable();
    available
}
