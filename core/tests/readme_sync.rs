//! The README shows code and tables that live elsewhere; these checks keep
//! the copies exact: the two embedding examples (compiled as examples of
//! their crates) and the SipEndpoint.config settings tables.

const README: &str = include_str!("../../README.md");

#[test]
fn the_embedding_examples_are_the_compiled_ones() {
    for example in [
        include_str!("../../runtime-tokio/examples/embed_tokio.rs"),
        include_str!("../../runtime-std/examples/embed_std.rs"),
    ] {
        assert!(
            README.contains(example),
            "README lacks an up-to-date copy of:\n{example}"
        );
    }
}

#[test]
fn the_settings_tables_are_docs_config_md_s() {
    let docs = include_str!("../../docs/CONFIG.md");
    let tables: Vec<&str> = docs.lines().filter(|l| l.starts_with("| `")).collect();
    assert!(tables.len() >= 20, "{} setting rows", tables.len());
    for row in tables {
        assert!(
            README.contains(row),
            "README lacks the settings row:\n{row}"
        );
    }
}
