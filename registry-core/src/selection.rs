//! The selection rule: which registration of a name is used, why, and what
//! counts as a conflict. Everything here is a pure function of a name's
//! candidates, the plugin allow-list and the override;
//! [`index`](crate::index) stores and publishes what it decides, and
//! [`Factory`](crate::Factory) is the API on top.
//!
//! For one `(category, name)`:
//!
//! 1. Only *active* candidates take part ([`is_active_in`]): a builtin
//!    always is; a plugin is, unless the allow-list (see [`env`](crate::env))
//!    is set and does not name its crate.
//! 2. An override (from the API or the environment) selects its candidate if
//!    that candidate is active ([`Reason::Override`],
//!    [`Reason::Environment`]). An override of a candidate the allow-list
//!    has since disabled no longer applies: disabled code is never selected.
//! 3. Otherwise the best active candidate by [`rank_key`] is selected:
//!    highest priority, then plugin over builtin, then crate name, then
//!    identifier. The reason names the first of these that separates it
//!    from the runner-up; with no active runner-up it is
//!    [`Reason::OnlyCandidate`], or [`Reason::OnlyActive`] when the
//!    allow-list disables the others.
//! 4. When only crate name and identifier separate them, nobody chose: the
//!    selection is a conflict ([`Reason::TieBreak`]), and every active
//!    candidate that [`ties`] with the selected one is reported in it.
//!
//! Identifiers are unique per `(category, name)`. When registrations of a
//! name share one ([`rank`]):
//!
//! - if exactly one of them is a builtin (`origin = builtin`), the builtin
//!   keeps the identifier and each plugin registration sharing it is
//!   *refused*: it is no candidate (not listed, never selected, not found by
//!   identifier or type path), the name keeps resolving as if it were not
//!   linked, and [`validate`](crate::validate) reports it as an error
//!   ([`Problem::Refused`](crate::Problem::Refused)) naming the plugin crate,
//!   the identifier and the builtin's crate. A plugin cannot take a
//!   builtin's name away from every user by reusing its identifier;
//! - otherwise (two plugins, or two builtins) nobody can tell which is
//!   meant: the name is unresolvable until one is renamed, and the error
//!   names both crates.
//!
//! Nothing depends on link order: two builds that link the same
//! registrations in any order select, report and list the same.

use std::cmp::{Ordering, Reverse};
use std::fmt;

use crate::registration::{RegistrationInfo, same_package_name};

/// Why an implementation is the selected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Reason {
    /// `use_implementation_by_id` or `use_implementation::<T>`.
    Override = 0,
    /// An override from the environment (e.g. `AIPERF_USE`).
    Environment = 1,
    /// The only implementation of the name.
    OnlyCandidate = 2,
    /// It has the highest priority.
    Priority = 3,
    /// Equal priority; a plugin beats a builtin.
    PluginOverBuiltin = 4,
    /// Equal priority and origin: a conflict, decided by crate name, then identifier.
    TieBreak = 5,
    /// The only active implementation: the plugin allow-list disables every
    /// other one.
    OnlyActive = 6,
}

impl Reason {
    /// The inverse of `reason as u8`, for the packed state of the index.
    pub(crate) fn from_u8(v: u8) -> Reason {
        match v {
            0 => Reason::Override,
            1 => Reason::Environment,
            2 => Reason::OnlyCandidate,
            3 => Reason::Priority,
            4 => Reason::PluginOverBuiltin,
            5 => Reason::TieBreak,
            _ => Reason::OnlyActive,
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
            Reason::OnlyActive => "only_active",
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
            Reason::OnlyActive => "the only active implementation",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sentinel for "no selectable implementation": every candidate is disabled.
pub(crate) const NONE: u32 = u32::MAX;

/// Who set an override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverrideSource {
    /// `use_implementation_by_id`, `use_implementation::<T>`.
    Api,
    /// `{PREFIX}_USE`.
    Environment,
}

impl OverrideSource {
    /// The reason an override from this source gives its selection.
    pub(crate) fn reason(self) -> Reason {
        match self {
            OverrideSource::Api => Reason::Override,
            OverrideSource::Environment => Reason::Environment,
        }
    }
}

/// A name's override: the registration to select (an index into the
/// category's registrations) and who asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Override {
    pub(crate) registration: u32,
    pub(crate) source: OverrideSource,
}

/// What a writer does to a name's override before the rule is re-applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverrideChange {
    /// Leave it as it is (the allow-list changed).
    Keep,
    /// Select this registration from now on.
    Set(Override),
    /// Remove it: the default rule selects again.
    Clear,
}

/// Whether a registration may be selected under an allow-list of plugin
/// crates (`None`: no allow-list, every crate is active). Builtins are
/// always active; crate names compare like package names everywhere in the
/// registry (see [`same_package_name`]).
pub(crate) fn is_active_in(allowed: Option<&[String]>, info: &RegistrationInfo) -> bool {
    match allowed {
        _ if !info.is_plugin() => true,
        None => true,
        Some(crates) => crates
            .iter()
            .any(|c| same_package_name(c, info.package().name())),
    }
}

/// The default ranking key: smaller is better. Total and independent of link
/// order, so two builds that link the same registrations in any order agree.
pub(crate) fn rank_key(info: &RegistrationInfo) -> impl Ord + use<> {
    (
        Reverse(info.priority()),
        Reverse(info.origin()),
        info.package().name(),
        info.identifier(),
        info.module_path(),
        info.type_path(),
    )
}

/// The listing order of registrations: name, identifier, crate, module,
/// type. Total, independent of link order.
pub(crate) fn listing_order(a: &RegistrationInfo, b: &RegistrationInfo) -> Ordering {
    (a.name(), a.identifier())
        .cmp(&(b.name(), b.identifier()))
        .then_with(|| a.package().name().cmp(b.package().name()))
        .then_with(|| a.module_path().cmp(b.module_path()))
        .then_with(|| a.type_path().cmp(b.type_path()))
}

/// Whether `a` and `b` are equal under the selection rule (a conflict when
/// they are the top two).
pub(crate) fn ties(a: &RegistrationInfo, b: &RegistrationInfo) -> bool {
    a.priority() == b.priority() && a.origin() == b.origin()
}

/// A plugin registration refused because a builtin registration of the same
/// name has its identifier (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The refused plugin registration.
    pub(crate) registration: u32,
    /// The builtin that keeps the identifier.
    pub(crate) kept: u32,
}

/// What [`rank`] finds among one name's registrations that share an identifier.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Clashes {
    /// The first pair sharing an identifier that no rule settles (two
    /// plugins, or two builtins): the name cannot be resolved until one is
    /// renamed. The pair is the first in listing order, so an error names
    /// the same two whatever the link order.
    pub(crate) duplicate: Option<(u32, u32)>,
    /// Plugin registrations that share an identifier with exactly one
    /// builtin, in listing order: removed from the candidates.
    pub(crate) refused: Vec<Refusal>,
}

/// Sorts one name's candidates best first by [`rank_key`], after removing
/// the plugin registrations a builtin's identifier refuses, and returns
/// what it found among registrations sharing an identifier.
pub(crate) fn rank(
    candidates: &mut Vec<u32>,
    info: impl Fn(u32) -> &'static RegistrationInfo,
) -> Clashes {
    candidates.sort_by(|&a, &b| listing_order(info(a), info(b)));
    let mut clashes = Clashes::default();
    for group in candidates.chunk_by(|&a, &b| info(a).identifier() == info(b).identifier()) {
        if group.len() < 2 {
            continue;
        }
        let mut builtins = group.iter().copied().filter(|&r| !info(r).is_plugin());
        match (builtins.next(), builtins.next()) {
            (Some(kept), None) => clashes.refused.extend(
                group
                    .iter()
                    .filter(|&&r| r != kept)
                    .map(|&registration| Refusal { registration, kept }),
            ),
            _ => {
                clashes.duplicate.get_or_insert((group[0], group[1]));
            }
        }
    }
    candidates.retain(|&r| !clashes.refused.iter().any(|x| x.registration == r));
    candidates.sort_by_cached_key(|&r| rank_key(info(r)));
    clashes
}

/// The selection: the selected candidate ([`NONE`] when none is active) and
/// why, from the candidates ranked best first, which of them are active and
/// the name's override.
pub(crate) fn select(
    ranked: &[u32],
    info: impl Fn(u32) -> &'static RegistrationInfo,
    active: impl Fn(&RegistrationInfo) -> bool,
    override_: Option<Override>,
) -> (u32, Reason) {
    // An override of an implementation that the allow-list has since
    // disabled no longer applies: disabled code is never selected.
    if let Some(Override {
        registration,
        source,
    }) = override_
    {
        if active(info(registration)) {
            return (registration, source.reason());
        }
    }
    let mut candidates = ranked.iter().copied().filter(|&r| active(info(r)));
    let Some(first) = candidates.next() else {
        return (NONE, Reason::OnlyCandidate);
    };
    let Some(second) = candidates.next() else {
        // Others exist but the allow-list disables them.
        let reason = if ranked.len() > 1 {
            Reason::OnlyActive
        } else {
            Reason::OnlyCandidate
        };
        return (first, reason);
    };
    let (a, b) = (info(first), info(second));
    let reason = if a.priority() != b.priority() {
        Reason::Priority
    } else if a.origin() != b.origin() {
        Reason::PluginOverBuiltin
    } else {
        Reason::TieBreak
    };
    (first, reason)
}

/// The conflict of a selection: every active candidate that ties with the
/// selected one, including it, in rank order. Empty unless the tie-break
/// made the choice (an override settles a conflict, so there is none to
/// report then).
pub(crate) fn conflict(
    ranked: &[u32],
    info: impl Fn(u32) -> &'static RegistrationInfo,
    active: impl Fn(&RegistrationInfo) -> bool,
    (selected, reason): (u32, Reason),
) -> Vec<u32> {
    if reason != Reason::TieBreak || selected == NONE {
        return Vec::new();
    }
    let top = info(selected);
    ranked
        .iter()
        .copied()
        .filter(|&r| active(info(r)) && ties(top, info(r)))
        .collect()
}
