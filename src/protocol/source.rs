//! Sources: what an annotation or a task points at (a URL, a file or an entity).
//!
//! Every source starts with the same base fields (`title`, `description`, `timestamp`, `group`),
//! then its `type`, then the fields of its kind: pydantic writes base-class fields first. That
//! puts the tag in the middle, so [`Source`] cannot be a plain `#[serde(tag = "type")]` enum
//! (serde writes the tag first). Each kind is its own struct with the base fields flattened in
//! front and a marker for its `type`, and [`Source`] picks the struct by reading `type` first.
//! The kinds are separate types because the reference uses them separately: a web-search task
//! lists only URL sources, a file task only file sources.
//!
//! Where it sits: protocol layer; inside annotations (`assistant.rs`) and tasks (`workflow.rs`).

use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::{Map, Value};

use super::icon::IconName;
use super::literal::literal_type;

/// The fields every source kind starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceBase {
    /// The title shown for the source.
    pub title: String,
    /// A longer description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A display timestamp, free text (the reference types it as a string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// A group label used to cluster sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl SourceBase {
    /// Base fields with only a title.
    pub fn titled(title: impl Into<String>) -> Self {
        SourceBase {
            title: title.into(),
            description: None,
            timestamp: None,
            group: None,
        }
    }
}

literal_type!(
    /// The `"type":"url"` of a [`UrlSource`].
    UrlType = "url"
);
literal_type!(
    /// The `"type":"file"` of a [`FileSource`].
    FileType = "file"
);
literal_type!(
    /// The `"type":"entity"` of an [`EntitySource`].
    EntityType = "entity"
);

/// A web page: `{"title":"Ex","type":"url","url":"https://ex.com"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlSource {
    /// Title, description, timestamp, group.
    #[serde(flatten)]
    pub base: SourceBase,
    /// Always `"url"`.
    #[serde(rename = "type", default)]
    pub kind: UrlType,
    /// The page address.
    pub url: String,
    /// Who published it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

/// A file: `{"title":"Notes","type":"file","filename":"notes.pdf"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSource {
    /// Title, description, timestamp, group.
    #[serde(flatten)]
    pub base: SourceBase,
    /// Always `"file"`.
    #[serde(rename = "type", default)]
    pub kind: FileType,
    /// The file's name.
    pub filename: String,
}

/// An entity of the integration's domain (a customer, a ticket, …) the client can render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitySource {
    /// Title, description, timestamp, group.
    #[serde(flatten)]
    pub base: SourceBase,
    /// Always `"entity"`.
    #[serde(rename = "type", default)]
    pub kind: EntityType,
    /// The entity's id in the integration.
    pub id: String,
    /// An icon shown with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<IconName>,
    /// A label for the hover header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A label for the inline annotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline_label: Option<String>,
    /// Whether client callbacks fire for it.
    #[serde(default)]
    pub interactive: bool,
    /// Data passed to client entity callbacks.
    #[serde(default)]
    pub data: Map<String, Value>,
}

/// Any source kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Source {
    /// A web page.
    Url(UrlSource),
    /// A file.
    File(FileSource),
    /// An integration entity.
    Entity(EntitySource),
}

impl Source {
    /// The wire `type` of every kind, in declaration order.
    pub const VARIANTS: &'static [&'static str] =
        &[UrlType::WIRE, FileType::WIRE, EntityType::WIRE];
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Read the object once, then let its `type` pick the struct. An untagged derive would
        // try each kind in turn and answer "did not match any variant", which names nothing.
        let object = Map::deserialize(deserializer)?;
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            Some(_) => return Err(de::Error::custom("source `type` must be a string")),
            None => return Err(de::Error::missing_field("type")),
        };
        let value = Value::Object(object);
        let parsed = match kind.as_str() {
            UrlType::WIRE => UrlSource::deserialize(value).map(Source::Url),
            FileType::WIRE => FileSource::deserialize(value).map(Source::File),
            EntityType::WIRE => EntitySource::deserialize(value).map(Source::Entity),
            other => return Err(de::Error::unknown_variant(other, Source::VARIANTS)),
        };
        parsed.map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deprecated_entity_preview_field_is_not_kept() {
        let sent = r#"{"title":"Ada","type":"entity","id":"p1","preview":"lazy"}"#;
        let source: Source = serde_json::from_str(sent).expect("valid entity source");
        assert_eq!(
            serde_json::to_string(&source).expect("serializable"),
            r#"{"title":"Ada","type":"entity","id":"p1","interactive":false,"data":{}}"#
        );
    }

    #[test]
    fn an_unknown_source_type_names_the_known_ones() {
        let error = serde_json::from_str::<Source>(r#"{"title":"x","type":"video"}"#)
            .expect_err("unknown kind");
        assert_eq!(
            error.to_string(),
            "unknown variant `video`, expected one of `url`, `file`, `entity`"
        );
    }
}
