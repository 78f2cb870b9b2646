//! The global view: every linked category and package, whole-registry checks.

use crate::category::{CategoryInfo, DynCategory};
use crate::problem::Problem;
use crate::registration::{Package, same_package_name};
use crate::{RegistryError, backend, error};

/// Every linked category, sorted by name.
/// Includes internal ones; filter on [`CategoryInfo::internal`](crate::CategoryInfo::internal)
/// for user-facing listings.
pub fn categories() -> Vec<&'static dyn DynCategory> {
    let mut all: Vec<&'static dyn DynCategory> = backend::categories().collect();
    all.sort_by_key(|c| c.info().name());
    all
}

/// The category with this name (normalised like every lookup).
pub fn category(name: &str) -> Result<&'static dyn DynCategory, RegistryError> {
    let key = crate::name::normalize(name).map_err(|source| RegistryError::InvalidName {
        what: "category name".into(),
        source,
    })?;
    let all = categories();
    if let Some(found) = all.iter().find(|c| c.info().name() == key) {
        return Ok(*found);
    }
    let available: Vec<&'static str> = all.iter().map(|c| c.info().name()).collect();
    Err(RegistryError::UnknownCategory {
        suggestion: error::closest(&key, available.iter().copied()),
        input: key.into_owned(),
        available,
    })
}

/// A crate that submitted registrations, with how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageSummary {
    package: &'static Package,
    builtin: usize,
    plugin: usize,
}

impl PackageSummary {
    /// The crate's Cargo package information.
    pub fn package(&self) -> &'static Package {
        self.package
    }
    /// How many registrations it submitted.
    pub fn registrations(&self) -> usize {
        self.builtin + self.plugin
    }
    /// How many of them say `origin = builtin`.
    pub fn builtin_registrations(&self) -> usize {
        self.builtin
    }
    /// How many of them are plugins.
    pub fn plugin_registrations(&self) -> usize {
        self.plugin
    }
}

/// Every crate that submitted at least one linked registration, sorted by
/// name (what `aiperf plugins` lists as installed packages).
pub fn packages() -> Vec<PackageSummary> {
    let mut all: Vec<PackageSummary> = Vec::new();
    for reg in backend::registrations() {
        let info = reg.info();
        let summary = match all
            .iter_mut()
            .find(|s| same_package_name(s.package.name(), info.package().name()))
        {
            Some(s) => s,
            None => {
                all.push(PackageSummary {
                    package: info.package(),
                    builtin: 0,
                    plugin: 0,
                });
                all.last_mut().expect("just pushed")
            }
        };
        if info.is_plugin() {
            summary.plugin += 1;
        } else {
            summary.builtin += 1;
        }
    }
    all.sort_by_key(|s| s.package.name());
    all
}

/// Checks that each named crate contributed at least one linked
/// registration: the guard against the linker pitfall, for a binary to call
/// with the crates its features enable. Crate names compare as everywhere
/// in the registry: ASCII case does not matter and `-` equals `_`.
///
/// A crate nobody references is not linked, and its registrations vanish
/// without a sound. The fix is one line in the binary: `use the_crate as _;`.
///
/// A name that is not linked but close to one that is (a typo in the list)
/// gets a "did you mean".
pub fn require_linked<'a>(crates: impl IntoIterator<Item = &'a str>) -> Result<(), RegistryError> {
    let linked = packages();
    let missing: Vec<String> = crates
        .into_iter()
        .filter(|wanted| {
            !linked
                .iter()
                .any(|p| same_package_name(p.package.name(), wanted))
        })
        .map(str::to_owned)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let suggestions = missing
        .iter()
        .filter_map(|wanted| {
            let close = error::closest_crate(wanted, linked.iter().map(|p| p.package.name()))?;
            Some((wanted.clone(), close))
        })
        .collect();
    Err(RegistryError::NotLinked {
        missing,
        suggestions,
    })
}

/// Checks every category (see [`Factory::validate`](crate::Factory::validate)):
/// duplicates, refused plugin registrations, unresolved conflicts, names
/// with nothing active; also two categories declared with the same name (or
/// one declared twice: its crate is linked twice), and (warnings,
/// [`Problem::is_warning`]) plugin crates none of whose registrations is
/// selected or all of whose registrations are in unresolved ties.
pub fn validate() -> Vec<Problem> {
    let all = categories();
    let declarations: Vec<(CategoryInfo, &'static str)> =
        all.iter().map(|c| (c.info(), c.type_path())).collect();
    let mut problems = duplicate_categories(&declarations);
    for category in &all {
        problems.extend(category.validate());
    }
    problems.extend(plugin_crate_problems(&all));
    problems
}

/// Categories declared under one name, from the declarations sorted by
/// name (info and marker type path): two types is a naming clash, one type
/// twice a crate linked twice.
fn duplicate_categories(declarations: &[(CategoryInfo, &'static str)]) -> Vec<Problem> {
    declarations
        .windows(2)
        .filter(|pair| pair[0].0.name() == pair[1].0.name())
        .map(|pair| {
            let [(a, a_path), (b, b_path)] = [pair[0], pair[1]];
            if a_path == b_path && same_package_name(a.package().name(), b.package().name()) {
                Problem::CrateLinkedTwice {
                    category: a.name(),
                    type_path: a_path,
                    krate: a.package().name(),
                    versions: [a.package().version(), b.package().version()],
                }
            } else {
                Problem::DuplicateCategory {
                    category: a.name(),
                    first: a_path,
                    second: b_path,
                }
            }
        })
        .collect()
}

/// What one plugin crate's registrations come to, for [`plugin_crate_problems`].
#[derive(Default)]
struct CrateOutcome {
    registrations: usize,
    /// `category/name: identifier loses to winner`, per unselected registration.
    lost: Vec<String>,
    /// `category/name: identifier ties with others, the tie-break picks winner`,
    /// per registration in a tie.
    ties: Vec<String>,
}

/// Active plugin crates that have no say: every registration in an
/// unresolved tie ([`Problem::Contested`]), or none selected
/// ([`Problem::Shadowed`]). A crate that is both is reported as contested:
/// the tie is the cause to fix. Registrations of a name that a duplicate
/// identifier makes unresolvable do not count (nothing there is selected,
/// and no priority changes that: [`Problem::Duplicate`] is the error to
/// fix), nor do refused ones (not candidates; [`Problem::Refused`]).
fn plugin_crate_problems(all: &[&'static dyn DynCategory]) -> Vec<Problem> {
    let mut crates: Vec<(&'static str, CrateOutcome)> = Vec::new();
    for category in all {
        for name in category.list_names() {
            if let Err(RegistryError::DuplicateIdentifier { .. }) = category.selection(name) {
                continue;
            }
            let Ok(candidates) = category.list_implementations(name) else {
                continue;
            };
            let winner = candidates
                .iter()
                .find(|c| c.is_selected())
                .map_or("nothing", |c| c.registration().info().identifier());
            let tied: Vec<&str> = candidates
                .iter()
                .filter(|c| c.is_conflict())
                .map(|c| c.registration().info().identifier())
                .collect();
            for candidate in candidates.iter().filter(|c| c.is_active()) {
                let info = candidate.registration().info();
                if !info.is_plugin() {
                    continue;
                }
                let krate = info.package().name();
                let index = match crates.iter().position(|e| same_package_name(e.0, krate)) {
                    Some(index) => index,
                    None => {
                        crates.push((krate, CrateOutcome::default()));
                        crates.len() - 1
                    }
                };
                let outcome = &mut crates[index].1;
                let (place, id) = (
                    format!("{}/{}", info.category(), info.name()),
                    info.identifier(),
                );
                outcome.registrations += 1;
                if !candidate.is_selected() {
                    outcome
                        .lost
                        .push(format!("{place}: {id} loses to {winner}"));
                }
                if candidate.is_conflict() {
                    let others: Vec<&str> = tied.iter().copied().filter(|t| *t != id).collect();
                    outcome.ties.push(format!(
                        "{place}: {id} ties with {}, the tie-break picks {winner}",
                        others.join(" and ")
                    ));
                }
            }
        }
    }
    crates.sort_by_key(|e| e.0);
    crates
        .into_iter()
        .filter_map(|(krate, outcome)| {
            let CrateOutcome {
                registrations,
                lost,
                ties,
            } = outcome;
            if ties.len() == registrations {
                Some(Problem::Contested {
                    krate,
                    registrations,
                    ties: ties.join(", "),
                })
            } else if lost.len() == registrations {
                Some(Problem::Shadowed {
                    krate,
                    registrations,
                    lost: lost.join(", "),
                })
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMGTOOL: Package = Package::__new("imgtool", "0.3.0", "", "", "", "", "");
    const IMGTOOL_OLD: Package = Package::__new("imgtool", "0.2.1", "", "", "", "", "");
    const EFFECTS: Package = Package::__new("imgtool-effects", "1.0.0", "", "", "", "", "");

    fn declared(
        package: &'static Package,
        type_path: &'static str,
    ) -> (CategoryInfo, &'static str) {
        (
            CategoryInfo::__new("filter", "Filters", "", false, package),
            type_path,
        )
    }

    /// The same category twice, as a unit-test binary of `imgtool` sees it
    /// when a plugin crate among its dev-dependencies links a second copy
    /// of `imgtool`: what it is and what to do instead.
    #[test]
    fn a_category_declared_twice_by_one_type_is_a_crate_linked_twice() {
        let problems = duplicate_categories(&[
            declared(&IMGTOOL, "imgtool::Filters"),
            declared(&IMGTOOL, "imgtool::Filters"),
        ]);
        assert_eq!(
            problems,
            [Problem::CrateLinkedTwice {
                category: "filter",
                type_path: "imgtool::Filters",
                krate: "imgtool",
                versions: ["0.3.0", "0.3.0"],
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "category \"filter\" is declared twice by the same type imgtool::Filters: crate \
             `imgtool` is linked twice (usually its own unit tests with a plugin crate as \
             dev-dependency, which links a second copy of imgtool); test with the plugin in an \
             integration test (tests/*.rs) instead"
        );
        assert!(!problems[0].is_warning());

        // Two versions of the crate: another cause, another fix.
        let problems = duplicate_categories(&[
            declared(&IMGTOOL, "imgtool::Filters"),
            declared(&IMGTOOL_OLD, "imgtool::Filters"),
        ]);
        assert_eq!(
            problems[0].to_string(),
            "category \"filter\" is declared twice by the same type imgtool::Filters: two \
             versions of crate `imgtool` are linked (0.3.0 and 0.2.1); make every dependent use \
             one version (`cargo tree -d` shows who pulls in which)"
        );
    }

    #[test]
    fn two_types_declaring_one_name_are_a_naming_clash() {
        let problems = duplicate_categories(&[
            declared(&IMGTOOL, "imgtool::Filters"),
            declared(&EFFECTS, "imgtool_effects::Filters"),
            (
                CategoryInfo::__new("sink", "Sinks", "", false, &IMGTOOL),
                "imgtool::Sinks",
            ),
        ]);
        assert_eq!(
            problems.iter().map(Problem::to_string).collect::<Vec<_>>(),
            [
                "two categories are declared with the name \"filter\", by `imgtool::Filters` and \
              `imgtool_effects::Filters`; rename one of them"
            ]
        );
    }
}
