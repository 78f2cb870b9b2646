//! `aiperf plugins`: the registry made visible, in AIPerf's shape.
//!
//! Every view is built as serialisable data first; `--json` prints that
//! data, the human form renders it as aligned tables.

use std::fmt::Write as _;

use registry_core::env::{EnvError, EnvSettings};
use registry_core::{Candidate, DynCategory, Problem, RegistryError};
use serde::Serialize;

use crate::output::View;
use crate::table::Table;

/// One registration, as every JSON view shows it.
#[derive(Debug, Serialize)]
pub struct RegistrationView {
    /// Category name, e.g. `endpoint`.
    pub category: &'static str,
    /// Name users select, e.g. `chat`.
    pub name: &'static str,
    /// Identifier of this implementation, e.g. `openai_chat`.
    pub identifier: &'static str,
    /// `builtin` or `plugin`.
    pub origin: &'static str,
    /// Package that registered it.
    #[serde(rename = "crate")]
    pub crate_name: &'static str,
    /// That package's version.
    pub version: &'static str,
    /// Selection priority (higher wins).
    pub priority: i32,
    /// Whether it is the one `create_instance` builds for its name.
    pub selected: bool,
    /// Whether the environment's allow-list leaves it active.
    pub active: bool,
    /// Whether it ties with the selected one (priority and origin).
    pub conflict: bool,
    /// Full type path, for `get_class_by_path`.
    pub type_path: &'static str,
    /// `module_path!()` at the registration.
    pub module_path: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// The category's typed metadata.
    pub metadata: serde_json::Value,
}

impl RegistrationView {
    fn of(candidate: &Candidate) -> Self {
        let registration = candidate.registration();
        let info = registration.info();
        RegistrationView {
            category: info.category(),
            name: info.name(),
            identifier: info.identifier(),
            origin: info.origin().as_str(),
            crate_name: info.package().name(),
            version: info.package().version(),
            priority: info.priority(),
            selected: candidate.is_selected(),
            active: candidate.is_active(),
            conflict: candidate.is_conflict(),
            type_path: info.type_path(),
            module_path: info.module_path(),
            description: info.description(),
            metadata: serde_json::to_value(registration.metadata_serialize())
                .unwrap_or_else(|e| serde_json::Value::String(format!("<unserialisable: {e}>"))),
        }
    }
}

/// One name of a category, with its selection.
#[derive(Debug, Serialize)]
pub struct NameView {
    /// The name.
    pub name: &'static str,
    /// The selected identifier; `None` when nothing is selectable
    /// (disabled by the environment, or a duplicate identifier).
    pub selected: Option<&'static str>,
    /// Why it is selected (`override`, `environment`, `only_candidate`,
    /// `only_active`, `priority`, `plugin_over_builtin`, `tie_break`).
    pub reason: Option<&'static str>,
    /// Why nothing is selectable, when that is the case.
    pub error: Option<String>,
    /// The selected registration's description.
    pub description: &'static str,
    /// Every registration of the name, best first.
    pub implementations: Vec<RegistrationView>,
}

/// One category with its names.
#[derive(Debug, Serialize)]
pub struct CategoryView {
    /// Category name.
    pub category: &'static str,
    /// Human title.
    pub title: &'static str,
    /// What the category is for.
    pub description: &'static str,
    /// Whether it is hidden from user-facing listings.
    pub internal: bool,
    /// Its names, sorted.
    pub names: Vec<NameView>,
}

/// `aiperf plugins CATEGORY NAME --json`.
#[derive(Debug, Serialize)]
pub struct DetailView {
    /// Category name.
    pub category: &'static str,
    /// The name.
    pub name: &'static str,
    /// The selected identifier.
    pub selected: &'static str,
    /// Why (see [`NameView::reason`]).
    pub reason: &'static str,
    /// The reason in words.
    pub reason_explained: &'static str,
    /// Identifiers tied with the selected one (empty: no conflict).
    pub conflicts: Vec<&'static str>,
    /// Every registration of the name, best first.
    pub implementations: Vec<RegistrationView>,
}

/// One installed package: a crate that registered something.
#[derive(Debug, Serialize)]
pub struct PackageView {
    /// Package name.
    pub name: &'static str,
    /// Version.
    pub version: &'static str,
    /// Number of registrations.
    pub registrations: usize,
    /// `builtin`, `plugin`, or `mixed`.
    pub origin: &'static str,
    /// Cargo description.
    pub description: &'static str,
    /// License.
    pub license: &'static str,
    /// Authors.
    pub authors: Vec<&'static str>,
    /// Homepage (may be empty).
    pub homepage: &'static str,
}

/// `aiperf plugins --validate`.
#[derive(Debug, Serialize)]
pub struct ValidationView {
    /// Whether no problem was found.
    pub ok: bool,
    /// Every error found, one message each.
    pub problems: Vec<String>,
    /// Warnings: the registry works, probably not as intended (e.g. a plugin
    /// crate none of whose registrations is selected). Do not fail the check.
    pub warnings: Vec<String>,
    /// Categories, names and registrations checked.
    pub categories: usize,
    /// Names checked.
    pub names: usize,
    /// Registrations checked.
    pub registrations: usize,
    /// The crates this binary must have linked (the builtins, the plugin
    /// crates of its features, and those a downstream binary passes to
    /// `main_with`), each checked to have registered something.
    pub linked_crates: Vec<String>,
    /// Plugin crates allowed by `AIPERF_PLUGIN_CRATES` (`None`: all).
    pub plugin_crates: Option<Vec<String>>,
    /// Overrides from `AIPERF_USE`, as `category.name=identifier`.
    pub overrides: Vec<String>,
}

fn name_view(category: &dyn DynCategory, name: &'static str) -> Result<NameView, RegistryError> {
    let implementations: Vec<RegistrationView> = category
        .list_implementations(name)?
        .iter()
        .map(RegistrationView::of)
        .collect();
    let (selected, reason, error, description) = match category.selection(name) {
        Ok(s) => {
            let info = s.registration().info();
            (
                Some(info.identifier()),
                Some(s.reason().as_str()),
                None,
                info.description(),
            )
        }
        Err(e) => (None, None, Some(e.to_string()), ""),
    };
    Ok(NameView {
        name,
        selected,
        reason,
        error,
        description,
        implementations,
    })
}

/// A category with every name and registration.
pub fn category_view(category: &dyn DynCategory) -> Result<CategoryView, RegistryError> {
    let info = category.info();
    let names = category
        .list_names()
        .iter()
        .map(|&name| name_view(category, name))
        .collect::<Result<_, _>>()?;
    Ok(CategoryView {
        category: info.name(),
        title: info.title(),
        description: info.description(),
        internal: info.internal(),
        names,
    })
}

/// Every category (internal ones only when asked).
pub fn all_categories(internal: bool) -> Result<Categories, RegistryError> {
    registry_core::categories()
        .into_iter()
        .filter(|c| internal || !c.info().internal())
        .map(category_view)
        .collect::<Result<_, _>>()
        .map(Categories)
}

/// `aiperf plugins --all`: every category, in the order the registry lists
/// them.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Categories(pub Vec<CategoryView>);

impl View for Categories {
    fn render(&self) -> String {
        self.0
            .iter()
            .map(View::render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `aiperf plugins`: the packages that registered something.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Packages(pub Vec<PackageView>);

/// `aiperf plugins --validate --config FILE`: the registry's check and the
/// config's.
#[derive(Debug, Serialize)]
pub struct FullValidation {
    /// Whether both checks passed.
    pub ok: bool,
    /// The registry's check.
    pub registry: ValidationView,
    /// The config file's check.
    pub config: ConfigValidationView,
}

impl View for FullValidation {
    fn render(&self) -> String {
        self.registry.render() + &self.config.render()
    }
}

/// One name in detail.
pub fn detail_view(category: &dyn DynCategory, name: &str) -> Result<DetailView, RegistryError> {
    let selection = category.selection(name)?;
    let implementations: Vec<RegistrationView> = category
        .list_implementations(name)?
        .iter()
        .map(RegistrationView::of)
        .collect();
    let info = selection.registration().info();
    Ok(DetailView {
        category: info.category(),
        name: info.name(),
        selected: info.identifier(),
        reason: selection.reason().as_str(),
        reason_explained: selection.reason().explain(),
        conflicts: selection.conflicts().to_vec(),
        implementations,
    })
}

/// Every package that registered something.
pub fn packages() -> Packages {
    let packages = registry_core::packages()
        .into_iter()
        .map(|summary| {
            let package = summary.package();
            PackageView {
                name: package.name(),
                version: package.version(),
                registrations: summary.registrations(),
                origin: match (
                    summary.builtin_registrations(),
                    summary.plugin_registrations(),
                ) {
                    (_, 0) => "builtin",
                    (0, _) => "plugin",
                    _ => "mixed",
                },
                description: package.description(),
                license: package.license(),
                authors: package.authors().collect(),
                homepage: package.homepage(),
            }
        })
        .collect();
    Packages(packages)
}

/// Checks the whole registry, the environment and the linked crates.
pub fn validate(env: Result<EnvSettings, EnvError>, linked: &[&str]) -> ValidationView {
    let (warnings, errors): (Vec<Problem>, Vec<Problem>) = registry_core::validate()
        .into_iter()
        .partition(Problem::is_warning);
    let mut problems: Vec<String> = errors.iter().map(Problem::to_string).collect();
    let warnings: Vec<String> = warnings.iter().map(Problem::to_string).collect();
    let (plugin_crates, overrides) = match env {
        Ok(settings) => (
            settings.plugin_crates().map(<[String]>::to_vec),
            settings
                .uses()
                .iter()
                .map(|u| format!("{}.{}={}", u.category, u.name, u.identifier))
                .collect(),
        ),
        Err(e) => {
            problems.push(e.to_string());
            (None, Vec::new())
        }
    };
    if let Err(e) = registry_core::require_linked(linked.iter().copied()) {
        problems.push(e.to_string());
    }
    let categories = registry_core::categories();
    let names: usize = categories.iter().map(|c| c.list_names().len()).sum();
    ValidationView {
        ok: problems.is_empty(),
        problems,
        warnings,
        categories: categories.len(),
        names,
        registrations: registry_core::packages()
            .iter()
            .map(|p| p.registrations())
            .sum(),
        linked_crates: linked.iter().map(|c| (*c).to_owned()).collect(),
        plugin_crates,
        overrides,
    }
}

/// `aiperf plugins --validate --config FILE`.
#[derive(Debug, Serialize)]
pub struct ConfigValidationView {
    /// Whether the file parsed and every check passed.
    pub ok: bool,
    /// The file checked.
    pub file: String,
    /// Every problem, with where it is in the file; no environment values.
    pub problems: Vec<String>,
    /// The parsed configuration with environment-derived values shown as
    /// their `${VAR}` references (absent when the file did not parse).
    pub summary: Option<serde_json::Value>,
}

/// Parses a benchmark config and checks it against the registry
/// (see [`aiperf_engine::config::check_config`]).
pub fn validate_config(path: &std::path::Path) -> ConfigValidationView {
    let file = path.display().to_string();
    match aiperf_engine::config::load_config(path) {
        Err(e) => ConfigValidationView {
            ok: false,
            file,
            problems: vec![e.to_string()],
            summary: None,
        },
        Ok((config, secrets)) => {
            let problems = aiperf_engine::config::check_config(&config, &secrets);
            ConfigValidationView {
                ok: problems.is_empty(),
                file,
                problems,
                summary: Some(config.redacted_summary(&secrets)),
            }
        }
    }
}

impl View for ConfigValidationView {
    fn render(&self) -> String {
        let view = self;
        let mut out = String::new();
        if view.ok {
            let _ = writeln!(out, "config OK: {}", view.file);
        } else {
            let _ = writeln!(
                out,
                "config {} has {} problem(s):",
                view.file,
                view.problems.len()
            );
            for p in &view.problems {
                let _ = writeln!(out, "  error: {p}");
            }
        }
        if let Some(summary) = &view.summary {
            let pretty = serde_json::to_string_pretty(summary).unwrap_or_default();
            let _ = writeln!(
                out,
                "effective configuration (values from the environment shown as their variables):\n{pretty}"
            );
        }
        out
    }
}

impl View for Packages {
    fn render(&self) -> String {
        let packages = &self.0;
        let mut table = Table::new(["PACKAGE", "VERSION", "REGISTRATIONS", "DESCRIPTION"]);
        for p in packages {
            table.row(vec![
                p.name.into(),
                p.version.into(),
                format!("{} {}", p.registrations, p.origin),
                p.description.into(),
            ]);
        }
        format!(
            "Installed packages (crates that registered something):\n\n{}\n\
             `aiperf plugins --all` lists every category; `aiperf plugins CATEGORY [NAME]` shows details.\n",
            table.render("")
        )
    }
}

impl View for CategoryView {
    fn render(&self) -> String {
        let view = self;
        let internal = if view.internal { " [internal]" } else { "" };
        let mut out = format!(
            "{} ({}){internal}\n  {}\n\n",
            view.title, view.category, view.description
        );
        let mut table = Table::new(["NAME", "SELECTED", "CANDIDATES", "DESCRIPTION"]);
        for n in &view.names {
            let mut selected = n.selected.unwrap_or("-").to_owned();
            if n.implementations.iter().any(|i| i.conflict) {
                selected += " (conflict)";
            }
            let description = match &n.error {
                Some(e) => format!("error: {e}"),
                None => n.description.to_owned(),
            };
            table.row(vec![
                n.name.into(),
                selected,
                n.implementations.len().to_string(),
                description,
            ]);
        }
        out += &table.render("  ");
        out
    }
}

impl View for DetailView {
    fn render(&self) -> String {
        let view = self;
        let mut out = format!(
            "{}/{}: {} is selected ({}: {})\n",
            view.category, view.name, view.selected, view.reason, view.reason_explained
        );
        if !view.conflicts.is_empty() {
            let _ = writeln!(
                out,
                "warning: conflict: {} tie on priority and origin; the deterministic tie-break chose {}. \
                 Set a priority or AIPERF_USE={}.{}=<identifier> to decide.",
                view.conflicts.join(", "),
                view.selected,
                view.category,
                view.name
            );
        }
        out.push('\n');
        let mut table = Table::new(["", "IDENTIFIER", "ORIGIN", "PRIORITY", "CRATE", "TYPE PATH"]);
        for i in &view.implementations {
            let mark = match (i.selected, i.conflict, i.active) {
                (true, _, _) => "*",
                (false, true, _) => "!",
                (false, false, false) => "x",
                _ => "",
            };
            table.row(vec![
                mark.into(),
                i.identifier.into(),
                i.origin.into(),
                i.priority.to_string(),
                format!("{} {}", i.crate_name, i.version),
                i.type_path.into(),
            ]);
        }
        out += &table.render("  ");
        out += "  (* selected, ! tied with the selected one, x disabled by AIPERF_PLUGIN_CRATES)\n";
        for i in &view.implementations {
            let _ = write!(out, "\n{}", i.identifier);
            if !i.description.is_empty() {
                let _ = write!(out, ": {}", i.description);
            }
            out.push('\n');
            if let serde_json::Value::Object(fields) = &i.metadata {
                let mut table = Table::default();
                for (key, value) in fields {
                    let value = match value {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    table.row(vec![key.clone(), value]);
                }
                out += &table.render("  ");
            }
        }
        out
    }
}

impl View for ValidationView {
    fn render(&self) -> String {
        let view = self;
        let mut out = String::new();
        if view.ok {
            let _ = writeln!(
                out,
                "registry OK: {} categories, {} names, {} registrations",
                view.categories, view.names, view.registrations
            );
        } else {
            let _ = writeln!(out, "registry has {} problem(s):", view.problems.len());
            for p in &view.problems {
                let _ = writeln!(out, "  error: {p}");
            }
        }
        for w in &view.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
        let _ = writeln!(
            out,
            "linked crates checked: {} (a crate linked without being named here is not \
             checked: name it in main_with)",
            view.linked_crates.join(", ")
        );
        let crates = match &view.plugin_crates {
            Some(list) if list.is_empty() => "none (AIPERF_PLUGIN_CRATES is empty)".into(),
            Some(list) => format!("{} (AIPERF_PLUGIN_CRATES)", list.join(", ")),
            None => "every linked one (AIPERF_PLUGIN_CRATES is not set)".into(),
        };
        let _ = writeln!(out, "plugin crates enabled: {crates}");
        if !view.overrides.is_empty() {
            let _ = writeln!(out, "overrides: {}", view.overrides.join(", "));
        }
        out
    }
}
