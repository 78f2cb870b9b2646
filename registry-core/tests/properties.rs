//! Property tests: names, `dynamic_str_enum!`, the selection rule and the
//! environment parsers, each checked against a small model written here
//! from the documented rules, not from the code.
//!
//! The selection rule cannot be tested by shuffling registrations at run
//! time: they are link-time statics (`linkme` sections, or `inventory`
//! constructors), fixed when the binary is linked, and the ranking function
//! (`selection::select` / `rank_key`) is crate-private. So the order
//! independence is tested in two halves:
//!
//! - the same set of candidates is registered under three names, declared in
//!   three different orders (forward, reversed, rotated), and the registry
//!   must pick and list them identically;
//! - a reference model (max priority, then plugin over builtin, then crate
//!   name, then identifier) is folded over every shuffle proptest generates,
//!   must give the same winner for each, and must agree with what the
//!   registry selects, why, which identifiers it reports in conflict, and
//!   the order it lists.

use std::collections::HashSet;
use std::mem::discriminant;

use fixture_alpha::{GreeterFactory, GreeterMeta, Greeters};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use registry_core::env::{EnvSettings, UseEntry, parse_plugin_crates, parse_use};
use registry_core::name::{self, Name};

// The spelling rule written independently of `registry_core::name`, shared
// with the fuzz target `name_normalize`.
#[path = "support/name_model.rs"]
mod name_model;
use name_model::model_normalize;
use registry_core::{
    BoxError, Factory, Implementation, Origin, Reason, RegistrationInfo, declare_category,
    register_lazy,
};

/// Link anchor: fixture-beta's plugin registrations take part. A reference to the crate's `link()` links all of
/// its registrations on every target; `use fixture_beta as _;` would not on
/// wasm, where the linker takes nothing from a crate no code calls into.
#[used]
static LINK_ANCHORS: [fn() -> &'static str; 1] = [fixture_beta::link];

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Any string a user could type, and then some: arbitrary Unicode, near-names
/// with blanks, strings around the length limit, long strings, and names with
/// non-ASCII blanks and letters glued on.
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t\r\n\u{b}\u{c}]{0,3}[a-zA-Z0-9_ .=,-]{0,24}[ \t\r\n\u{b}\u{c}]{0,3}",
        "\\PC{0,40}",
        "[a-zA-Z0-9_-]{120,140}",
        "[ \t]{0,4}[a-z]{126,130}[ \t]{0,4}",
        vec(any::<char>(), 0..600).prop_map(String::from_iter),
        (
            "[a-zA-Z0-9_-]{1,8}",
            "[\u{a0}\u{2003}\u{feff}\u{85}éÉß€😀\0]{1,3}"
        )
            .prop_map(|(a, b)| a + &b),
        ("[\u{a0}\u{2003}\u{feff}éÉß€😀]{1,3}", "[a-zA-Z0-9_-]{1,8}").prop_map(|(a, b)| a + &b),
    ]
}

/// A canonical name: `[a-z0-9][a-z0-9_]{0,127}`.
fn canonical() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9][a-z0-9_]{0,12}",
        "[a-z0-9][a-z0-9_]{0,127}",
        "[a-z0-9][a-z0-9_]{127}",
    ]
}

/// `canonical` spelled the ways users spell it: any letter upper case, any
/// `_` as `-`, ASCII blanks around it.
fn spelled(canonical: String) -> impl Strategy<Value = String> {
    let n = canonical.len();
    (vec(0u8..4, n), "[ \t\r\n\u{c}]{0,3}", "[ \t\r\n\u{c}]{0,3}").prop_map(
        move |(choices, pre, post)| {
            let body: String = canonical
                .chars()
                .zip(choices)
                .map(|(c, k)| match (c, k) {
                    ('_', 1 | 3) => '-',
                    (c, 2 | 3) => c.to_ascii_uppercase(),
                    (c, _) => c,
                })
                .collect();
            format!("{pre}{body}{post}")
        },
    )
}

/// (canonical name, one of its spellings).
fn name_and_spelling() -> impl Strategy<Value = (String, String)> {
    canonical().prop_flat_map(|c| (Just(c.clone()), spelled(c)))
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

proptest! {
    /// `normalize` never panics, agrees with the model on every input (value
    /// or error kind), its `Ok` output is canonical, and its errors print a
    /// bounded copy of the input.
    #[test]
    fn normalize_follows_the_rule_on_any_input(input in any_input()) {
        match (name::normalize(&input), model_normalize(&input)) {
            (Ok(got), Ok(want)) => {
                prop_assert_eq!(&*got, want.as_str());
                prop_assert!(name::is_canonical(&got), "{:?} -> {:?}", input, got);
                let parsed = Name::parse(&input).unwrap();
                prop_assert_eq!(parsed.as_str(), &*got);
            }
            (Err(e), Err(kind)) => {
                prop_assert_eq!(e.kind(), kind, "{:?}", input);
                prop_assert!(e.input().chars().count() <= 151, "{:?}", e.input());
                let shown = e.to_string();
                prop_assert!(shown.starts_with("invalid name "), "{}", shown);
                prop_assert!(Name::parse(&input).is_err());
            }
            (got, want) => prop_assert!(false, "{:?}: normalize {:?}, model {:?}", input, got, want),
        }
    }

    /// `normalize(normalize(x)) == normalize(x)`, and the second call borrows
    /// (canonical input is returned as is).
    #[test]
    fn normalize_is_idempotent(input in any_input()) {
        if let Ok(once) = name::normalize(&input) {
            let twice = name::normalize(&once).expect("normalised output normalises");
            prop_assert_eq!(&*twice, &*once);
            prop_assert!(matches!(twice, std::borrow::Cow::Borrowed(_)));
        }
    }

    /// Every spelling of a canonical name (case, `-`/`_`, blanks) is that name.
    #[test]
    fn every_spelling_of_a_name_normalises_to_it((canonical, spelling) in name_and_spelling()) {
        prop_assert!(name::is_canonical(&canonical));
        prop_assert_eq!(&*name::normalize(&spelling).unwrap(), canonical.as_str());
    }
}

// ---------------------------------------------------------------------------
// dynamic_str_enum!
// ---------------------------------------------------------------------------

registry_core::dynamic_str_enum! {
    /// Known names with digits, underscores, a leading digit, one letter and
    /// the longest allowed name.
    pub enum Kind {
        Chat = "chat",
        ChatEmbeddings = "chat_embeddings",
        Http2 = "http2",
        ZeroShot = "0shot",
        A = "a",
        Longest = "a123456789_123456789_123456789_123456789_123456789_123456789_123456789_123456789_123456789_123456789_123456789_123456789_1234567",
    }
}

fn known() -> impl Strategy<Value = Kind> {
    select(Kind::KNOWN.to_vec())
}

/// Every way a value must read back as itself.
fn check_round_trip(x: &Kind) -> Result<(), TestCaseError> {
    let s = x.as_str();
    prop_assert!(name::is_canonical(s), "{:?}", x);
    let parsed = Kind::parse(s).unwrap();
    prop_assert_eq!(&parsed, x);
    prop_assert_eq!(discriminant(&parsed), discriminant(x));
    prop_assert_eq!(&s.parse::<Kind>().unwrap(), x);
    prop_assert_eq!(&Kind::from_name(Name::parse(s).unwrap()), x);
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    prop_assert_eq!(&Kind::from_static(leaked), x);
    prop_assert_eq!(x.to_string(), s);
    let json = serde_json::to_string(x).unwrap();
    let back: Kind = serde_json::from_str(&json).unwrap();
    prop_assert_eq!(discriminant(&back), discriminant(x));
    prop_assert_eq!(&back, x);
    Ok(())
}

proptest! {
    /// A known variant round-trips, and any spelling of its name parses to
    /// that variant, never `Other`.
    #[test]
    fn known_variants_round_trip_in_any_spelling(
        (variant, spelling) in known().prop_flat_map(|k| {
            let s = spelled(k.as_str().to_owned());
            (Just(k), s)
        })
    ) {
        check_round_trip(&variant)?;
        let parsed = Kind::parse(&spelling).unwrap();
        prop_assert!(parsed.is_known(), "{:?} parsed to {:?}", spelling, parsed);
        prop_assert_eq!(discriminant(&parsed), discriminant(&variant));
        prop_assert!(variant == spelling.as_str(), "{:?} != {:?}", variant, spelling);
    }

    /// A generated plugin name in any spelling parses to its canonical form:
    /// the known variant if it is one, otherwise `Other`; either round-trips.
    #[test]
    fn generated_names_round_trip((canonical, spelling) in name_and_spelling()) {
        let parsed = Kind::parse(&spelling).unwrap();
        prop_assert_eq!(parsed.as_str(), canonical.as_str());
        let is_known = Kind::KNOWN.iter().any(|k| k.as_str() == canonical);
        prop_assert_eq!(parsed.is_known(), is_known);
        check_round_trip(&parsed)?;
    }

    /// `parse` fails exactly when `normalize` does, and never panics.
    #[test]
    fn enum_parse_agrees_with_normalize(input in any_input()) {
        match (Kind::parse(&input), name::normalize(&input)) {
            (Ok(k), Ok(n)) => prop_assert_eq!(k.as_str(), &*n),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?}: parse {:?}, normalize {:?}", input, a, b),
        }
    }
}

#[test]
fn every_known_variant_round_trips() {
    for k in Kind::KNOWN {
        check_round_trip(k).unwrap();
        assert!(k.is_known());
    }
}

// ---------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------

/// Instances say which implementation they are.
pub trait Tag: Send + Sync {
    fn tag(&self) -> u32;
}

declare_category! {
    /// A synthetic category for the selection properties.
    pub struct Synth {
        name: "prop_synth",
        title: "Synthetic",
        description: "Property tests of the selection rule.",
        object: dyn Tag,
        args: (),
        metadata: (),
        internal: true,
    }
}

/// One implementation type per tag, so a created instance tells which
/// registration made it.
pub struct Imp<const N: u32>;

impl<const N: u32> Tag for Imp<N> {
    fn tag(&self) -> u32 {
        N
    }
}

impl<const N: u32> Implementation<Synth> for Imp<N> {
    const METADATA: () = ();
    fn create((): ()) -> Result<Self, BoxError> {
        Ok(Imp)
    }
}

/// A registration as declared in this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decl {
    tag: u32,
    id: &'static str,
    priority: i32,
    origin: Origin,
}

macro_rules! origin {
    (builtin) => {
        Origin::Builtin
    };
    (plugin) => {
        Origin::Plugin
    };
}

/// Registers each `(tag, "id", [priority], origin)` under `name` in the order
/// given, and records the declarations in the constant `table`.
macro_rules! synth {
    ($table:ident, $name:tt; $(($n:tt, $id:tt, [$($prio:tt)+], $origin:tt))*) => {
        $(register_lazy!(Synth, $name, Imp<$n>, id = $id, priority = $($prio)+, origin = $origin);)*
        const $table: &[Decl] = &[$(Decl { tag: $n, id: $id, priority: $($prio)+, origin: origin!($origin) }),*];
    };
}

/// `synth!` with the entries in reverse order.
macro_rules! synth_reversed {
    ($table:ident, $name:tt; [] $($done:tt)*) => {
        synth!($table, $name; $($done)*);
    };
    ($table:ident, $name:tt; [$first:tt $($rest:tt)*] $($done:tt)*) => {
        synth_reversed!($table, $name; [$($rest)*] $first $($done)*);
    };
}

/// `synth!` with the first entry moved to the end.
macro_rules! synth_rotated {
    ($table:ident, $name:tt; $first:tt $($rest:tt)*) => {
        synth!($table, $name; $($rest)* $first);
    };
}

/// The same candidates under `<name>_fwd`, `<name>_rev` and `<name>_rot`,
/// declared in three orders.
macro_rules! synth_three_orders {
    ($fwd:ident $rev:ident $rot:ident, $n_fwd:tt $n_rev:tt $n_rot:tt; $($entry:tt)*) => {
        synth!($fwd, $n_fwd; $($entry)*);
        synth_reversed!($rev, $n_rev; [$($entry)*]);
        synth_rotated!($rot, $n_rot; $($entry)*);
    };
}

// Priority decides: a builtin at 3 beats plugins at 2 and below.
synth_three_orders!(PRIO_FWD PRIO_REV PRIO_ROT, "prio_fwd" "prio_rev" "prio_rot";
    (10, "c_plugin", [1], plugin)
    (11, "a_builtin", [3], builtin)
    (12, "b_plugin", [2], plugin)
    (13, "d_plugin", [-1], plugin)
);

// Origin decides at the top priority; the identifier would say otherwise.
synth_three_orders!(ORIGIN_FWD ORIGIN_REV ORIGIN_ROT, "origin_fwd" "origin_rev" "origin_rot";
    (20, "a_builtin", [4], builtin)
    (21, "m_builtin", [4], builtin)
    (22, "z_plugin", [4], plugin)
    (23, "b_plugin", [0], plugin)
);

// A conflict: two plugins tie at the top, the identifier decides.
synth_three_orders!(TIE_FWD TIE_REV TIE_ROT, "tie_fwd" "tie_rev" "tie_rot";
    (30, "y_plugin", [2], plugin)
    (31, "x_plugin", [2], plugin)
    (32, "w_plugin", [1], plugin)
    (33, "a_builtin", [2], builtin)
);

// Many candidates, every kind of relation, extreme priorities.
synth_three_orders!(BIG_FWD BIG_REV BIG_ROT, "big_fwd" "big_rev" "big_rot";
    (40, "p9_b", [9], plugin)
    (41, "b9_a", [9], builtin)
    (42, "p9_a", [9], plugin)
    (43, "p9_c", [9], plugin)
    (44, "max", [2147483647], builtin)
    (45, "min", [-2147483648], plugin)
    (46, "zero_a", [0], plugin)
    (47, "zero_b", [0], builtin)
    (48, "b9_b", [9], builtin)
    (49, "neg", [-9], plugin)
    (50, "p8", [8], plugin)
    (51, "aaa", [-1], plugin)
);

// Builtins only, tied at the top.
synth_three_orders!(BUILTIN_FWD BUILTIN_REV BUILTIN_ROT, "builtin_fwd" "builtin_rev" "builtin_rot";
    (60, "second", [5], builtin)
    (61, "first", [5], builtin)
    (62, "third", [5], builtin)
);

// One candidate.
synth!(ONLY, "only"; (70, "alone", [0], builtin));

/// Every synthetic set: its three names and tables.
const SETS: &[[(&str, &[Decl]); 3]] = &[
    [
        ("prio_fwd", PRIO_FWD),
        ("prio_rev", PRIO_REV),
        ("prio_rot", PRIO_ROT),
    ],
    [
        ("origin_fwd", ORIGIN_FWD),
        ("origin_rev", ORIGIN_REV),
        ("origin_rot", ORIGIN_ROT),
    ],
    [
        ("tie_fwd", TIE_FWD),
        ("tie_rev", TIE_REV),
        ("tie_rot", TIE_ROT),
    ],
    [
        ("big_fwd", BIG_FWD),
        ("big_rev", BIG_REV),
        ("big_rot", BIG_ROT),
    ],
    [
        ("builtin_fwd", BUILTIN_FWD),
        ("builtin_rev", BUILTIN_REV),
        ("builtin_rot", BUILTIN_ROT),
    ],
    [("only", ONLY), ("only", ONLY), ("only", ONLY)],
];

/// A candidate as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cand {
    krate: &'static str,
    id: &'static str,
    priority: i32,
    origin: Origin,
}

impl Cand {
    fn of(info: &RegistrationInfo) -> Cand {
        Cand {
            krate: info.package().name(),
            id: info.identifier(),
            priority: info.priority(),
            origin: info.origin(),
        }
    }
}

/// The rule, pairwise: does `a` beat `b`? Higher priority, then plugin over
/// builtin, then the smaller crate name, then the smaller identifier.
fn beats(a: &Cand, b: &Cand) -> bool {
    if a.priority != b.priority {
        return a.priority > b.priority;
    }
    if a.origin != b.origin {
        return a.origin == Origin::Plugin;
    }
    if a.krate != b.krate {
        return a.krate < b.krate;
    }
    a.id < b.id
}

/// What the model expects: the winner (folded left to right over `cands` in
/// the order given), the reason, the identifiers in conflict and the ranking.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    winner: &'static str,
    reason: Reason,
    conflicts: Vec<&'static str>,
    ranking: Vec<&'static str>,
}

fn model_select(cands: &[Cand]) -> Expected {
    let winner = cands
        .iter()
        .copied()
        .reduce(|best, c| if beats(&c, &best) { c } else { best })
        .expect("at least one candidate");
    let mut ranked = cands.to_vec();
    ranked.sort_by(|a, b| {
        if beats(a, b) {
            std::cmp::Ordering::Less
        } else if beats(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let reason = match ranked.get(1) {
        None => Reason::OnlyCandidate,
        Some(second) if second.priority != winner.priority => Reason::Priority,
        Some(second) if second.origin != winner.origin => Reason::PluginOverBuiltin,
        Some(_) => Reason::TieBreak,
    };
    let conflicts = if reason == Reason::TieBreak {
        ranked
            .iter()
            .filter(|c| c.priority == winner.priority && c.origin == winner.origin)
            .map(|c| c.id)
            .collect()
    } else {
        Vec::new()
    };
    Expected {
        winner: winner.id,
        reason,
        conflicts,
        ranking: ranked.iter().map(|c| c.id).collect(),
    }
}

/// What the registry says about `name` of category `C`.
fn registry_says<C: registry_core::Category>(name: &str) -> Expected {
    let sel = Factory::<C>::selection(name).unwrap();
    let list = Factory::<C>::list_implementations(name).unwrap();
    let selected: Vec<&str> = list
        .iter()
        .filter(|c| c.is_selected())
        .map(|c| c.registration().info().identifier())
        .collect();
    assert_eq!(
        selected,
        [sel.registration().info().identifier()],
        "{name}: one candidate is marked selected, the selected one"
    );
    assert_eq!(
        Factory::<C>::get_class(name).unwrap().info().identifier(),
        sel.registration().info().identifier()
    );
    Expected {
        winner: sel.registration().info().identifier(),
        reason: sel.reason(),
        conflicts: sel.conflicts().to_vec(),
        ranking: list
            .iter()
            .map(|c| c.registration().info().identifier())
            .collect(),
    }
}

fn synth_cands(name: &str) -> Vec<Cand> {
    Factory::<Synth>::list_implementations(name)
        .unwrap()
        .iter()
        .map(|c| Cand::of(c.registration().info()))
        .collect()
}

#[test]
fn the_registry_holds_exactly_what_was_declared() {
    for set in SETS {
        for (name, table) in set {
            let mut got: Vec<(u32, &str, i32, Origin, &str)> =
                Factory::<Synth>::list_implementations(name)
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let i = c.registration().info();
                        let tag = Factory::<Synth>::get_class_by_id(name, i.identifier())
                            .unwrap()
                            .create(())
                            .unwrap()
                            .tag();
                        (
                            tag,
                            i.identifier(),
                            i.priority(),
                            i.origin(),
                            i.package().name(),
                        )
                    })
                    .collect();
            let mut want: Vec<(u32, &str, i32, Origin, &str)> = table
                .iter()
                .map(|d| (d.tag, d.id, d.priority, d.origin, "registry-core"))
                .collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{name}");
        }
    }
}

#[test]
fn the_declaration_order_does_not_change_the_selection() {
    for [(a, _), (b, _), (c, _)] in SETS {
        let first = registry_says::<Synth>(a);
        assert_eq!(registry_says::<Synth>(b), first, "{a} vs {b}");
        assert_eq!(registry_says::<Synth>(c), first, "{a} vs {c}");
    }
}

/// The expectations the sets were designed for, so the model itself is
/// checked against hand-worked answers.
#[test]
fn the_model_gives_the_worked_answers() {
    let cases: [(&str, &str, Reason, &[&str]); 6] = [
        ("prio_fwd", "a_builtin", Reason::Priority, &[]),
        ("origin_fwd", "z_plugin", Reason::PluginOverBuiltin, &[]),
        (
            "tie_fwd",
            "x_plugin",
            Reason::TieBreak,
            &["x_plugin", "y_plugin"],
        ),
        ("big_fwd", "max", Reason::Priority, &[]),
        (
            "builtin_fwd",
            "first",
            Reason::TieBreak,
            &["first", "second", "third"],
        ),
        ("only", "alone", Reason::OnlyCandidate, &[]),
    ];
    for (name, winner, reason, conflicts) in cases {
        let e = model_select(&synth_cands(name));
        assert_eq!(
            (e.winner, e.reason, e.conflicts.as_slice()),
            (winner, reason, conflicts),
            "{name}"
        );
    }
}

// Across crates, in fixture-alpha's category: this crate (`registry-core`)
// sorts after `fixture-alpha` and `fixture-beta`, so its `aaa_tie` loses the
// tie on the crate name although its identifier is the smallest; its
// builtin loses on origin.
/// A greeter of this test crate.
pub struct Local;
impl fixture_alpha::Greet for Local {
    fn greet(&self) -> String {
        "local".into()
    }
}
impl Implementation<Greeters> for Local {
    const METADATA: GreeterMeta = GreeterMeta {
        language: "xx",
        formal: false,
    };
    fn create(_: String) -> Result<Self, BoxError> {
        Ok(Local)
    }
}
register_lazy!(Greeters, "tie", Local, id = "aaa_tie");
register_lazy!(Greeters, "tie", Local, id = "zzz_tie", origin = builtin);

#[test]
fn crate_name_decides_before_identifier() {
    let e = registry_says::<Greeters>("tie");
    assert_eq!(e.winner, "alpha_tie");
    assert_eq!(e.conflicts, ["alpha_tie", "beta_tie", "aaa_tie"]);
    assert_eq!(e.ranking, ["alpha_tie", "beta_tie", "aaa_tie", "zzz_tie"]);
}

/// Names whose candidates the model ranks: every synthetic set plus the
/// fixtures' multi-crate names (`tie`, `hello`, `weather`).
fn ranked_names() -> Vec<(&'static str, bool)> {
    let mut names: Vec<(&'static str, bool)> = SETS
        .iter()
        .flat_map(|set| set.iter().map(|(n, _)| (*n, true)))
        .collect();
    names.extend([("tie", false), ("hello", false), ("weather", false)]);
    names
}

fn cands_of(name: &str, synth: bool) -> Vec<Cand> {
    if synth {
        synth_cands(name)
    } else {
        GreeterFactory::list_implementations(name)
            .unwrap()
            .iter()
            .map(|c| Cand::of(c.registration().info()))
            .collect()
    }
}

proptest! {
    /// For any order of the candidates the model picks the same winner, and
    /// the registry agrees with it on winner, reason, conflicts and ranking.
    #[test]
    fn selection_is_the_model_in_any_order(
        (name, synth, shuffled) in select(ranked_names()).prop_flat_map(|(name, synth)| {
            let cands = cands_of(name, synth);
            (Just(name), Just(synth), Just(cands).prop_shuffle())
        })
    ) {
        let expected = model_select(&shuffled);
        let mut reversed = shuffled.clone();
        reversed.reverse();
        prop_assert_eq!(&model_select(&reversed), &expected);
        let said = if synth { registry_says::<Synth>(name) } else { registry_says::<Greeters>(name) };
        prop_assert_eq!(said, expected, "{}", name);
    }
}

// Overrides, as a state machine against the model: the override wins while
// it is set, a failed override changes nothing, reset restores the rule.
synth!(OPS, "ops";
    (80, "low", [-1], plugin)
    (81, "top", [3], builtin)
    (82, "mid", [1], plugin)
    (83, "also_top", [3], builtin)
);

#[derive(Debug, Clone)]
enum Op {
    /// `use_implementation_by_id` with this spelling of a known identifier.
    UseId(usize, String),
    /// `use_implementation::<Imp<N>>`.
    UseType(usize),
    /// `use_implementation_by_id` with an unknown or malformed identifier.
    UseBad(String),
    /// `reset_implementation`.
    Reset,
}

fn op() -> impl Strategy<Value = Op> {
    let known = (0..OPS.len()).prop_flat_map(|i| (Just(i), spelled(OPS[i].id.to_owned())));
    prop_oneof![
        3 => known.prop_map(|(i, s)| Op::UseId(i, s)),
        2 => (0..OPS.len()).prop_map(Op::UseType),
        1 => any_input()
            .prop_filter("not a known identifier", |s| {
                name::normalize(s).map_or(true, |n| OPS.iter().all(|d| d.id != n))
            })
            .prop_map(Op::UseBad),
        2 => Just(Op::Reset),
    ]
}

fn use_type(i: usize) -> Result<(), registry_core::RegistryError> {
    match OPS[i].tag {
        80 => Factory::<Synth>::use_implementation::<Imp<80>>("ops"),
        81 => Factory::<Synth>::use_implementation::<Imp<81>>("ops"),
        82 => Factory::<Synth>::use_implementation::<Imp<82>>("ops"),
        83 => Factory::<Synth>::use_implementation::<Imp<83>>("ops"),
        other => unreachable!("no type for tag {other}"),
    }
}

proptest! {
    #[test]
    fn overrides_follow_the_model(ops in vec(op(), 1..24), spelling in spelled("ops".to_owned())) {
        Factory::<Synth>::reset_implementation("ops").unwrap();
        let default = model_select(&synth_cands("ops"));
        let mut current: Option<usize> = None;
        for op in ops {
            match &op {
                Op::UseId(i, id) => {
                    Factory::<Synth>::use_implementation_by_id(&spelling, id).unwrap();
                    current = Some(*i);
                }
                Op::UseType(i) => {
                    use_type(*i).unwrap();
                    current = Some(*i);
                }
                Op::UseBad(id) => {
                    prop_assert!(Factory::<Synth>::use_implementation_by_id(&spelling, id).is_err());
                }
                Op::Reset => {
                    Factory::<Synth>::reset_implementation(&spelling).unwrap();
                    current = None;
                }
            }
            let sel = Factory::<Synth>::selection(&spelling).unwrap();
            let (want_id, want_reason) = match current {
                Some(i) => (OPS[i].id, Reason::Override),
                None => (default.winner, default.reason),
            };
            prop_assert_eq!(sel.registration().info().identifier(), want_id, "after {:?}", op);
            prop_assert_eq!(sel.reason(), want_reason, "after {:?}", op);
            let want_tag = OPS.iter().find(|d| d.id == want_id).unwrap().tag;
            let made = Factory::<Synth>::create_instance(&spelling, ()).unwrap().tag();
            prop_assert_eq!(made, want_tag);
        }
        Factory::<Synth>::reset_implementation("ops").unwrap();
    }
}

// ---------------------------------------------------------------------------
// Environment values
// ---------------------------------------------------------------------------

/// Env values: arbitrary strings, and lists built from pieces that look like
/// entries, so the parsers get past their first check.
fn env_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any_input(),
        Just(String::new()),
        Just(" ".to_owned()),
        "[a-zA-Z_-]{1,6}\\.[a-zA-Z_ -]{1,6}=[a-zA-Z_ -]{1,6}",
        "[a-z.= ]{0,8}",
        Just("greeter.hello=pirate".to_owned()),
        Just("Greeter.Hello = English".to_owned()),
        Just("prop_synth.ops=top".to_owned()),
        Just("greeter.hello=nope".to_owned()),
        Just("fixture-beta".to_owned()),
        Just("FIXTURE_BETA".to_owned()),
    ];
    prop_oneof![
        any_input(),
        vec(piece, 0..6).prop_map(|parts| parts.join(",")),
    ]
}

/// The checks every `EnvError` must pass.
fn check_env_error(
    e: &registry_core::env::EnvError,
    variable: &str,
    value: &str,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.variable(), variable);
    prop_assert!(e.entry().chars().count() <= 200);
    // The entry is what the user wrote (a prefix of it when long), so it
    // can be found in the value.
    prop_assert!(
        value.contains(e.entry()),
        "{:?} not from {:?}",
        e.entry(),
        value
    );
    prop_assert!(!e.reason().is_empty());
    let shown = e.to_string();
    let expected_prefix = format!("environment variable {variable}: entry ");
    prop_assert!(shown.starts_with(&expected_prefix), "{}", shown);
    Ok(())
}

proptest! {
    /// `parse_use` never panics; what it accepts is canonical and has one
    /// identifier per (category, name); what it rejects names the variable
    /// and the entry.
    #[test]
    fn parse_use_never_panics(value in env_value()) {
        match parse_use("PROPS_USE", &value) {
            Ok(uses) => {
                let mut seen = HashSet::new();
                for u in &uses {
                    prop_assert!(name::is_canonical(&u.category), "{:?}", u);
                    prop_assert!(name::is_canonical(&u.name), "{:?}", u);
                    prop_assert!(name::is_canonical(&u.identifier), "{:?}", u);
                    prop_assert!(seen.insert((u.category.clone(), u.name.clone())), "twice: {:?}", u);
                }
            }
            Err(e) => check_env_error(&e, "PROPS_USE", &value)?,
        }
    }

    /// `parse_plugin_crates` never panics; what it accepts is canonical and
    /// without repeats.
    #[test]
    fn parse_plugin_crates_never_panics(value in env_value()) {
        match parse_plugin_crates("PROPS_PLUGIN_CRATES", &value) {
            Ok(crates) => {
                let unique: HashSet<&String> = crates.iter().collect();
                prop_assert_eq!(unique.len(), crates.len());
                for c in &crates {
                    prop_assert!(name::is_canonical(c), "{:?}", c);
                }
            }
            Err(e) => check_env_error(&e, "PROPS_PLUGIN_CRATES", &value)?,
        }
    }

    /// Well-formed entries in any spelling, with blanks and empty entries
    /// between them, parse to their canonical form, in order.
    #[test]
    fn well_formed_use_lists_parse_to_their_entries(
        entries in vec(
            (name_and_spelling(), name_and_spelling(), name_and_spelling(), 0usize..3),
            0..6,
        )
    ) {
        let mut seen = HashSet::new();
        let mut want = Vec::new();
        let mut parts = Vec::new();
        for ((cat, cat_s), (name, name_s), (id, id_s), empties) in entries {
            if !seen.insert((cat.clone(), name.clone())) {
                continue;
            }
            want.push(UseEntry { category: cat, name, identifier: id });
            parts.push(format!("{cat_s}.{name_s}={id_s}"));
            parts.extend(std::iter::repeat_n(" ".to_owned(), empties));
        }
        prop_assert_eq!(parse_use("PROPS_USE", &parts.join(",")).unwrap(), want);
    }

    /// Reading both variables against the live registry never panics, and a
    /// success only holds entries that exist.
    #[test]
    fn env_settings_never_panic(
        uses in proptest::option::of(env_value()),
        crates in proptest::option::of(env_value()),
        unicode in any::<bool>(),
    ) {
        let lookup = |var: &str| -> Result<Option<String>, String> {
            let value = match var {
                "PROPS_USE" => uses.clone(),
                "PROPS_PLUGIN_CRATES" => crates.clone(),
                _ => None,
            };
            match value {
                Some(v) if !unicode => Err(v),
                v => Ok(v),
            }
        };
        match EnvSettings::from_lookup("PROPS", lookup) {
            Ok(settings) => {
                for u in settings.uses() {
                    let category = registry_core::category(&u.category).unwrap();
                    let found = category
                        .list_implementations(&u.name)
                        .unwrap()
                        .iter()
                        .any(|c| c.registration().info().identifier() == u.identifier);
                    prop_assert!(found, "{:?}", u);
                }
            }
            Err(e) => {
                prop_assert!(
                    e.variable() == "PROPS_USE" || e.variable() == "PROPS_PLUGIN_CRATES",
                    "{}", e
                );
                if !unicode {
                    prop_assert!(e.reason().contains("not valid Unicode"), "{}", e);
                }
            }
        }
    }
}
