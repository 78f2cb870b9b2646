//! Generates SCALE_N registrations (SCALE_KIND=registry), the same entries as
//! a plain static array (static), or nothing (none).

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-env-changed=SCALE_N");
    println!("cargo:rerun-if-env-changed=SCALE_KIND");
    let n: usize = std::env::var("SCALE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let kind = std::env::var("SCALE_KIND").unwrap_or_else(|_| "registry".into());
    let mut code = format!("pub const N: usize = {n};\npub const KIND: &str = {kind:?};\n");
    match kind.as_str() {
        "registry" => {
            for i in 0..n {
                let _ = writeln!(
                    code,
                    "registry_core::register_lazy!(crate::Things, \"n{i}\", crate::Thing, id = \"i{i}\");"
                );
            }
        }
        "static" => {
            code += "pub static ENTRIES: &[crate::Entry] = &[\n";
            for i in 0..n {
                let _ = writeln!(
                    code,
                    "    crate::Entry {{ name: \"n{i}\", identifier: \"i{i}\", create: crate::make }},"
                );
            }
            code += "];\n";
        }
        "none" => {}
        other => panic!("SCALE_KIND={other}: expected registry, static or none"),
    }
    if kind != "static" {
        code += "pub static ENTRIES: &[crate::Entry] = &[];\n";
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("generated.rs");
    std::fs::write(out, code).unwrap();
}
