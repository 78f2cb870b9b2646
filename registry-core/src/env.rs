//! Control from the environment, with a prefix the application chooses.
//!
//! In a statically linked binary an environment variable cannot add code, so
//! the environment controls what is *used* of what is linked:
//!
//! | variable | value | effect |
//! |---|---|---|
//! | `{PREFIX}_PLUGIN_CRATES` | `crate-a,crate-b` | only these plugin crates are active; builtins always are. Set but empty: no plugin is active. Unset: all are. |
//! | `{PREFIX}_USE` | `category.name=identifier,...` | per-name overrides, like [`use_implementation_by_id`](crate::Factory::use_implementation_by_id) |
//!
//! Names are normalised like every lookup; empty entries (e.g. a trailing
//! comma) are ignored. A malformed or unknown value is an [`EnvError`] naming
//! the variable and the bad entry, and then *nothing* is applied.
//!
//! ```no_run
//! // At the start of `main`:
//! registry_core::env::apply_env("AIPERF")?;
//! # Ok::<(), registry_core::env::EnvError>(())
//! ```

use std::sync::{PoisonError, RwLock};

use crate::catalogue;
use crate::error::{self, RegistryError};
use crate::name;
use crate::registration::{RegistrationInfo, same_package_name};
use crate::selection;

/// A bad environment value: which variable, which entry, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {variable}: entry {entry:?}: {reason}")]
pub struct EnvError {
    variable: String,
    entry: String,
    reason: String,
}

impl EnvError {
    fn new(variable: &str, entry: &str, reason: impl ToString) -> Self {
        EnvError {
            variable: variable.to_owned(),
            entry: entry.chars().take(200).collect(),
            reason: reason.to_string(),
        }
    }
    /// The variable, e.g. `AIPERF_USE`.
    pub fn variable(&self) -> &str {
        &self.variable
    }
    /// The bad entry (the whole value for a value that is not Unicode).
    pub fn entry(&self) -> &str {
        &self.entry
    }
    /// Why it is bad.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// One `category.name=identifier` entry of `{PREFIX}_USE`, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseEntry {
    /// The category name.
    pub category: String,
    /// The name within the category.
    pub name: String,
    /// The identifier to select.
    pub identifier: String,
}

/// Parsed and checked environment settings; [`apply`](EnvSettings::apply)
/// makes them take effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvSettings {
    prefix: String,
    plugin_crates: Option<Vec<String>>,
    uses: Vec<UseEntry>,
}

/// The allow-list in force: (variable, normalised crate names).
static ALLOW_LIST: RwLock<Option<(String, Vec<String>)>> = RwLock::new(None);

/// The allow-list's variable, e.g. `AIPERF_PLUGIN_CRATES`, for messages.
pub(crate) fn allow_list_variable() -> String {
    ALLOW_LIST
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map_or_else(|| "the plugin allow-list".to_owned(), |(v, _)| v.clone())
}

/// Whether the registration may be selected under the allow-list in force
/// (the rule is [`selection::is_active_in`]).
pub(crate) fn is_active(info: &RegistrationInfo) -> bool {
    if !info.is_plugin() {
        return true;
    }
    selection::is_active_in(
        ALLOW_LIST
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|(_, crates)| crates.as_slice()),
        info,
    )
}

/// The allow-list as it is now (`None`: every crate is active), for a
/// caller that checks many registrations at once (the index build) and
/// should take the lock once.
pub(crate) fn allow_list_snapshot() -> Option<Vec<String>> {
    ALLOW_LIST
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|(_, crates)| crates.clone())
}

pub(crate) fn disabled_error(info: &RegistrationInfo) -> RegistryError {
    let guard = ALLOW_LIST.read().unwrap_or_else(PoisonError::into_inner);
    let (variable, enabled) = guard
        .clone()
        .unwrap_or_else(|| ("the plugin allow-list".to_owned(), Vec::new()));
    RegistryError::Disabled {
        category: info.category(),
        name: info.name(),
        identifier: info.identifier(),
        krate: info.package().name(),
        variable,
        enabled,
    }
}

/// Parses a `{PREFIX}_PLUGIN_CRATES` value into normalised crate names.
/// Does not check that the crates are linked ([`EnvSettings::from_lookup`] does).
pub fn parse_plugin_crates(variable: &str, value: &str) -> Result<Vec<String>, EnvError> {
    let mut crates: Vec<String> = Vec::new();
    for entry in value.split(',') {
        if entry.trim().is_empty() {
            continue;
        }
        let canonical = name::normalize(entry).map_err(|e| EnvError::new(variable, entry, e))?;
        if !crates.iter().any(|c| same_package_name(c, &canonical)) {
            crates.push(canonical.into_owned());
        }
    }
    Ok(crates)
}

/// Parses a `{PREFIX}_USE` value. Does not check the names against the
/// registry ([`EnvSettings::from_lookup`] does).
pub fn parse_use(variable: &str, value: &str) -> Result<Vec<UseEntry>, EnvError> {
    const SHAPE: &str = "expected `category.name=identifier`";
    let mut uses: Vec<UseEntry> = Vec::new();
    for entry in value.split(',') {
        if entry.trim().is_empty() {
            continue;
        }
        let (target, identifier) = entry
            .split_once('=')
            .ok_or_else(|| EnvError::new(variable, entry, format!("no `=`; {SHAPE}")))?;
        if identifier.contains('=') {
            return Err(EnvError::new(
                variable,
                entry,
                format!("more than one `=`; {SHAPE}"),
            ));
        }
        let (category, name) = target
            .split_once('.')
            .ok_or_else(|| EnvError::new(variable, entry, format!("no `.` before `=`; {SHAPE}")))?;
        let part = |what: &str, s: &str| {
            name::normalize(s)
                .map(|c| c.into_owned())
                .map_err(|e| EnvError::new(variable, entry, format!("{what}: {e}")))
        };
        let parsed = UseEntry {
            category: part("category", category)?,
            name: part("name", name)?,
            identifier: part("identifier", identifier)?,
        };
        if let Some(previous) = uses
            .iter()
            .find(|u| u.category == parsed.category && u.name == parsed.name)
        {
            if previous.identifier != parsed.identifier {
                return Err(EnvError::new(
                    variable,
                    entry,
                    format!(
                        "{}.{} is already set to {:?} in the same variable",
                        parsed.category, parsed.name, previous.identifier
                    ),
                ));
            }
            continue;
        }
        uses.push(parsed);
    }
    Ok(uses)
}

impl EnvSettings {
    /// Reads `{prefix}_PLUGIN_CRATES` and `{prefix}_USE` from the process
    /// environment and checks them against the linked registry.
    pub fn from_env(prefix: &str) -> Result<Self, EnvError> {
        Self::from_lookup(prefix, |var| match std::env::var(var) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(raw)) => Err(raw.to_string_lossy().into_owned()),
        })
    }

    /// Like [`from_env`](Self::from_env) with another source of variables.
    /// `lookup` returns `Ok(None)` for an unset variable and `Err(lossy)` for
    /// a value that is not Unicode.
    pub fn from_lookup(
        prefix: &str,
        lookup: impl Fn(&str) -> Result<Option<String>, String>,
    ) -> Result<Self, EnvError> {
        let crates_var = format!("{prefix}_PLUGIN_CRATES");
        let use_var = format!("{prefix}_USE");
        let read = |var: &str| {
            lookup(var)
                .map_err(|lossy| EnvError::new(var, &lossy, "the value is not valid Unicode"))
        };

        let plugin_crates = match read(&crates_var)? {
            None => None,
            Some(value) => {
                let crates = parse_plugin_crates(&crates_var, &value)?;
                let linked: Vec<&'static str> = catalogue::packages()
                    .iter()
                    .filter(|p| p.plugin_registrations() > 0)
                    .map(|p| p.package().name())
                    .collect();
                for c in &crates {
                    if !linked.iter().any(|l| same_package_name(l, c)) {
                        let reason = format!(
                            "no linked plugin crate is named {c:?}{}; linked plugin crates: {}",
                            error::closest(c, linked.iter().copied())
                                .map(|s| format!(" (did you mean {s:?}?)"))
                                .unwrap_or_default(),
                            if linked.is_empty() {
                                "none".into()
                            } else {
                                linked.join(", ")
                            }
                        );
                        return Err(EnvError::new(&crates_var, c, reason));
                    }
                }
                Some(crates)
            }
        };

        let uses = match read(&use_var)? {
            None => Vec::new(),
            Some(value) => parse_use(&use_var, &value)?,
        };
        for u in &uses {
            let entry = format!("{}.{}={}", u.category, u.name, u.identifier);
            let category =
                catalogue::category(&u.category).map_err(|e| EnvError::new(&use_var, &entry, e))?;
            let candidates = category
                .list_implementations(&u.name)
                .map_err(|e| EnvError::new(&use_var, &entry, e))?;
            let Some(found) = candidates
                .iter()
                .find(|c| c.registration().info().identifier() == u.identifier)
            else {
                let mut available: Vec<&'static str> = candidates
                    .iter()
                    .map(|c| c.registration().info().identifier())
                    .collect();
                available.sort_unstable();
                let e = RegistryError::UnknownIdentifier {
                    category: category.info().name(),
                    name: candidates[0].registration().info().name(),
                    suggestion: error::closest(&u.identifier, available.iter().copied()),
                    input: u.identifier.clone(),
                    available,
                };
                return Err(EnvError::new(&use_var, &entry, e));
            };
            let info = found.registration().info();
            if let Some(crates) = &plugin_crates {
                if !selection::is_active_in(Some(crates), info) {
                    return Err(EnvError::new(
                        &use_var,
                        &entry,
                        format!(
                            "{:?} comes from crate `{}`, which {crates_var} does not enable",
                            u.identifier,
                            info.package().name()
                        ),
                    ));
                }
            }
        }

        Ok(EnvSettings {
            prefix: prefix.to_owned(),
            plugin_crates,
            uses,
        })
    }

    /// The enabled plugin crates (normalised), or `None` when all are.
    pub fn plugin_crates(&self) -> Option<&[String]> {
        self.plugin_crates.as_deref()
    }

    /// The per-name overrides.
    pub fn uses(&self) -> &[UseEntry] {
        &self.uses
    }

    /// Whether neither variable was set.
    pub fn is_empty(&self) -> bool {
        self.plugin_crates.is_none() && self.uses.is_empty()
    }

    /// Makes the settings take effect: first the allow-list (every category
    /// re-selects), then the overrides. Everything was checked when the
    /// settings were read, so this applies all or, if the registry changed
    /// under it, stops at the first failure and says which entry.
    pub fn apply(&self) -> Result<(), EnvError> {
        if let Some(crates) = &self.plugin_crates {
            *ALLOW_LIST.write().unwrap_or_else(PoisonError::into_inner) =
                Some((format!("{}_PLUGIN_CRATES", self.prefix), crates.clone()));
            for category in catalogue::categories() {
                category.__refresh();
            }
        }
        let use_var = format!("{}_USE", self.prefix);
        for u in &self.uses {
            catalogue::category(&u.category)
                .and_then(|c| c.__env_override(&u.name, &u.identifier))
                .map_err(|e| {
                    EnvError::new(
                        &use_var,
                        &format!("{}.{}={}", u.category, u.name, u.identifier),
                        e,
                    )
                })?;
        }
        if !self.is_empty() {
            tracing::info!(
                plugin_crates = ?self.plugin_crates,
                overrides = self.uses.len(),
                "registry environment settings applied"
            );
        }
        Ok(())
    }
}

/// Reads, checks and applies `{prefix}_PLUGIN_CRATES` and `{prefix}_USE`.
/// On error nothing is applied.
pub fn apply_env(prefix: &str) -> Result<EnvSettings, EnvError> {
    let settings = EnvSettings::from_env(prefix)?;
    settings.apply()?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_entries_parse_and_normalise() {
        let u = parse_use("X_USE", " Endpoint.Chat-Bot = Openai_Chat ,,").unwrap();
        assert_eq!(
            u,
            vec![UseEntry {
                category: "endpoint".into(),
                name: "chat_bot".into(),
                identifier: "openai_chat".into()
            }]
        );
        assert!(parse_use("X_USE", "").unwrap().is_empty());
    }

    #[test]
    fn malformed_use_entries_name_variable_and_entry() {
        let e = parse_use("X_USE", "endpoint.chat").unwrap_err();
        assert_eq!(e.variable(), "X_USE");
        assert_eq!(e.entry(), "endpoint.chat");
        assert!(e.reason().contains("no `=`"), "{e}");
        let e = parse_use("X_USE", "endpointchat=x").unwrap_err();
        assert!(e.reason().contains("no `.`"), "{e}");
        let e = parse_use("X_USE", "a.b=c=d").unwrap_err();
        assert!(e.reason().contains("more than one `=`"), "{e}");
        let e = parse_use("X_USE", "a.b c=d").unwrap_err();
        assert!(e.reason().starts_with("name: invalid name"), "{e}");
        let e = parse_use("X_USE", "a.b=c,a.b=d").unwrap_err();
        assert_eq!(e.entry(), "a.b=d");
        assert!(e.reason().contains("already set"), "{e}");
        assert!(
            e.to_string()
                .starts_with("environment variable X_USE: entry \"a.b=d\""),
            "{e}"
        );
    }

    #[test]
    fn crate_lists() {
        assert_eq!(
            parse_plugin_crates("V", "My-Plugin, other_one,my_plugin").unwrap(),
            vec!["my_plugin".to_string(), "other_one".to_string()]
        );
        assert!(parse_plugin_crates("V", "").unwrap().is_empty());
        let e = parse_plugin_crates("V", "ok,bad crate").unwrap_err();
        assert_eq!(e.entry(), "bad crate");
    }
}
