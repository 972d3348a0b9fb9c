//! The XML layer: parses the text with `roxmltree` (no DTDs, so no entity
//! expansion) and flattens the known element shape into `Connectivity`
//! lines and `domain/section/setting` triples with their lines. Elements
//! it does not know become warnings; what the settings mean is
//! `settings.rs`'s business.

use roxmltree::{Document, Error as XmlError, Node, ParsingOptions};

use super::error::{ConfigError, ConfigErrorKind, ConfigWarning, Ctx};
use super::ConfigLimits;

/// One `<Connectivity user= server= protocol=/>`.
pub(crate) struct RawConnectivity<'a> {
    pub line: u32,
    pub user: Option<&'a str>,
    pub server: Option<&'a str>,
    pub protocol: Option<&'a str>,
}

/// One `<setting name= value=/>` with the domain and section around it.
pub(crate) struct RawSetting<'a> {
    pub line: u32,
    pub domain: &'a str,
    pub section: &'a str,
    pub name: &'a str,
    pub value: &'a str,
}

/// The file, flattened.
#[derive(Default)]
pub(crate) struct Raw<'a> {
    pub connectivity: Vec<RawConnectivity<'a>>,
    pub settings: Vec<RawSetting<'a>>,
    pub warnings: Vec<ConfigWarning>,
}

/// Parses the text as XML. DTDs are refused (`allow_dtd: false`), so no
/// entity other than the five predefined ones and character references
/// can appear.
pub(crate) fn parse<'t>(
    ctx: &Ctx<'_>,
    text: &'t str,
    limits: &ConfigLimits,
) -> Result<Document<'t>, ConfigError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.max_nodes,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| xml_error(ctx, &e))
}

/// An XML error with its line. Variants whose text could hold a piece of
/// an attribute value (a password) get a message of our own.
fn xml_error(ctx: &Ctx<'_>, e: &XmlError) -> ConfigError {
    let line = match e {
        XmlError::NoRootNode | XmlError::UnclosedRootNode | XmlError::UnexpectedEndOfStream => {
            ctx.last_line()
        }
        other => other.pos().row,
    };
    let message = match e {
        XmlError::DtdDetected => "a DTD is not allowed".to_owned(),
        XmlError::UnknownEntityReference(..) | XmlError::MalformedEntityReference(_) => {
            "bad entity reference (only &lt; &gt; &amp; &quot; &apos; and &#N; are known)"
                .to_owned()
        }
        XmlError::NonXmlChar(..) | XmlError::InvalidChar(..) | XmlError::InvalidChar2(..) => {
            format!("bad XML: unexpected character at {}", e.pos())
        }
        XmlError::UnclosedRootNode | XmlError::UnexpectedEndOfStream => {
            "bad XML: the file ends inside an element (a tag is not closed)".to_owned()
        }
        XmlError::NodesLimitReached => "too many XML nodes".to_owned(),
        other => format!("bad XML: {other}"),
    };
    let kind = match e {
        XmlError::NodesLimitReached => ConfigErrorKind::TooLarge,
        _ => ConfigErrorKind::Xml,
    };
    ctx.error(Some(line), None, kind, message)
}

/// Flattens the document. Elements are matched by exact name:
/// `Configuration` > `Container name="Basic"` > `Connectivity`, and
/// `Configuration` > `Container` (any other name) > `domain` > `section` >
/// `setting`.
pub(crate) fn collect<'a>(
    ctx: &Ctx<'_>,
    doc: &'a Document<'_>,
    limits: &ConfigLimits,
) -> Result<Raw<'a>, ConfigError> {
    let root = doc.root_element();
    if root.tag_name().name() != "Configuration" {
        return Err(ctx.error(
            Some(line(ctx, root)),
            None,
            ConfigErrorKind::Structure,
            format!(
                "the root element is <{}>, not <Configuration>",
                root.tag_name().name()
            ),
        ));
    }
    let mut raw = Raw::default();
    for container in elements(root) {
        if container.tag_name().name() != "Container" {
            unknown_element(ctx, &mut raw, container, "Configuration");
            continue;
        }
        let name = attr(ctx, container, "name", "Container", limits)?.unwrap_or("");
        if name == "Basic" {
            collect_basic(ctx, &mut raw, container, limits)?;
        } else {
            collect_domains(ctx, &mut raw, container, limits)?;
        }
    }
    Ok(raw)
}

fn collect_basic<'a>(
    ctx: &Ctx<'_>,
    raw: &mut Raw<'a>,
    container: Node<'a, '_>,
    limits: &ConfigLimits,
) -> Result<(), ConfigError> {
    for node in elements(container) {
        if node.tag_name().name() != "Connectivity" {
            unknown_element(ctx, raw, node, "Basic");
            continue;
        }
        let index = raw.connectivity.len();
        let path = format!("Connectivity[{index}]");
        if index >= limits.max_connections {
            return Err(ctx.error(
                Some(line(ctx, node)),
                Some(path),
                ConfigErrorKind::TooManyConnections,
                format!("at most {} connections", limits.max_connections),
            ));
        }
        for a in node.attributes() {
            if !matches!(a.name(), "user" | "server" | "protocol") {
                raw.warnings.push(ctx.warning(
                    line(ctx, node),
                    format!("{path}/{}", a.name()),
                    "unknown attribute, ignored",
                ));
            }
        }
        raw.connectivity.push(RawConnectivity {
            line: line(ctx, node),
            user: attr(ctx, node, "user", &path, limits)?,
            server: attr(ctx, node, "server", &path, limits)?,
            protocol: attr(ctx, node, "protocol", &path, limits)?,
        });
    }
    Ok(())
}

fn collect_domains<'a>(
    ctx: &Ctx<'_>,
    raw: &mut Raw<'a>,
    container: Node<'a, '_>,
    limits: &ConfigLimits,
) -> Result<(), ConfigError> {
    for domain in elements(container) {
        if domain.tag_name().name() != "domain" {
            unknown_element(ctx, raw, domain, "Container");
            continue;
        }
        let domain_name = attr(ctx, domain, "name", "domain", limits)?.unwrap_or("");
        for section in elements(domain) {
            if section.tag_name().name() != "section" {
                unknown_element(ctx, raw, section, domain_name);
                continue;
            }
            let section_name = attr(ctx, section, "name", domain_name, limits)?.unwrap_or("");
            for setting in elements(section) {
                let path = format!("{domain_name}/{section_name}");
                if setting.tag_name().name() != "setting" {
                    unknown_element(ctx, raw, setting, &path);
                    continue;
                }
                let (Some(name), Some(value)) = (
                    attr(ctx, setting, "name", &path, limits)?,
                    attr(ctx, setting, "value", &path, limits)?,
                ) else {
                    return Err(ctx.error(
                        Some(line(ctx, setting)),
                        Some(path),
                        ConfigErrorKind::Structure,
                        "a <setting> needs both name= and value=",
                    ));
                };
                raw.settings.push(RawSetting {
                    line: line(ctx, setting),
                    domain: domain_name,
                    section: section_name,
                    name,
                    value,
                });
            }
        }
    }
    Ok(())
}

/// The element children of a node (text and comments skipped).
fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

fn line(ctx: &Ctx<'_>, node: Node<'_, '_>) -> u32 {
    ctx.line_of(node.range().start)
}

/// An attribute, refused when longer than the value limit. The message
/// never holds the value.
fn attr<'a>(
    ctx: &Ctx<'_>,
    node: Node<'a, '_>,
    name: &str,
    path: &str,
    limits: &ConfigLimits,
) -> Result<Option<&'a str>, ConfigError> {
    match node.attribute(name) {
        Some(v) if v.len() > limits.max_value_bytes => Err(ctx.error(
            Some(line(ctx, node)),
            Some(format!("{path}/{name}")),
            ConfigErrorKind::TooLarge,
            format!(
                "the value is {} bytes long, at most {} are allowed",
                v.len(),
                limits.max_value_bytes
            ),
        )),
        v => Ok(v),
    }
}

fn unknown_element(ctx: &Ctx<'_>, raw: &mut Raw<'_>, node: Node<'_, '_>, parent: &str) {
    raw.warnings.push(ctx.warning(
        line(ctx, node),
        parent.to_owned(),
        format!("unknown element <{}>, ignored", node.tag_name().name()),
    ));
}
