//! Icon names: the closed set of built-in icons plus two open, prefixed families.
//!
//! Icons appear in progress updates, workflow summaries, entity sources and widgets (`Icon`,
//! a button's `iconStart`, a card status). The Python counterpart is `chatkit/icons.py`:
//! `IconName = Literal[64 names] | VendorIconName | LucideIconName`, where the last two are any
//! string starting with `vendor:` or `lucide:`.
//!
//! Design: one enum. Each built-in icon is a unit variant that knows its wire string, and the
//! two open families are [`IconName::Vendor`] and [`IconName::Lucide`], which hold only the part
//! after the prefix. So an `IconName` is always valid: there is no way to build a plain name
//! outside the list, and the prefix cannot be misspelt. A plain name that is not on the list
//! is rejected when reading, naming the value (pydantic rejects it too).
//!
//! Where it sits: protocol layer, a leaf type used by `event.rs`, `workflow.rs`, `source.rs`
//! and `widget`. What it leaves out: nothing; the client may know more icons than this list, but
//! the server accepts only what the reference accepts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// Declares [`IconName`] from `Variant = "wire-name"` pairs, so each name is written once.
///
/// The macro writes the enum (with the two prefixed variants added at the end), the
/// variant → wire string mapping and the list of every built-in variant.
macro_rules! icon_names {
    ($($variant:ident = $wire:literal,)*) => {
        /// An icon: one of the built-in names, or a `vendor:` / `lucide:` icon.
        ///
        /// # Wire format
        ///
        /// A plain string: `"bolt"`, `"vendor:acme-logo"`, `"lucide:rocket"`.
        ///
        /// ```
        /// use chatkit::protocol::IconName;
        ///
        /// let icon: IconName = "lucide:rocket".parse().expect("a lucide icon");
        /// assert_eq!(icon, IconName::Lucide("rocket".into()));
        /// assert_eq!(IconName::MapPin.to_string(), "map-pin");
        /// assert!("rocket".parse::<IconName>().is_err());
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum IconName {
            $(
                #[doc = concat!("`\"", $wire, "\"`")]
                $variant,
            )*
            /// `"vendor:<name>"`: an icon supplied by the host app; holds `<name>`.
            Vendor(String),
            /// `"lucide:<name>"`: an icon from the Lucide set; holds `<name>`.
            Lucide(String),
        }

        impl IconName {
            /// Every built-in icon, in the reference's order.
            pub const BUILT_IN: &'static [IconName] = &[$(IconName::$variant,)*];

            /// The wire string of a built-in icon; `None` for vendor and Lucide icons,
            /// whose wire string has to be built (use `to_string()`).
            pub fn built_in_name(&self) -> Option<&'static str> {
                match self {
                    $(IconName::$variant => Some($wire),)*
                    IconName::Vendor(_) | IconName::Lucide(_) => None,
                }
            }
        }
    };
}

icon_names! {
    Agent = "agent",
    Analytics = "analytics",
    Atom = "atom",
    Batch = "batch",
    Bolt = "bolt",
    BookOpen = "book-open",
    BookClosed = "book-closed",
    BookClock = "book-clock",
    Bug = "bug",
    Calendar = "calendar",
    Chart = "chart",
    Check = "check",
    CheckCircle = "check-circle",
    CheckCircleFilled = "check-circle-filled",
    ChevronLeft = "chevron-left",
    ChevronRight = "chevron-right",
    CircleQuestion = "circle-question",
    Clock = "clock",
    Compass = "compass",
    Confetti = "confetti",
    Cube = "cube",
    Desktop = "desktop",
    Document = "document",
    Dot = "dot",
    DotsHorizontal = "dots-horizontal",
    DotsVertical = "dots-vertical",
    EmptyCircle = "empty-circle",
    ExternalLink = "external-link",
    Globe = "globe",
    Keys = "keys",
    Lab = "lab",
    Images = "images",
    Info = "info",
    Lifesaver = "lifesaver",
    Lightbulb = "lightbulb",
    Mail = "mail",
    MapPin = "map-pin",
    Maps = "maps",
    Mobile = "mobile",
    Name = "name",
    Notebook = "notebook",
    NotebookPencil = "notebook-pencil",
    PageBlank = "page-blank",
    Phone = "phone",
    Play = "play",
    Plus = "plus",
    Profile = "profile",
    ProfileCard = "profile-card",
    Reload = "reload",
    Star = "star",
    StarFilled = "star-filled",
    Search = "search",
    Sparkle = "sparkle",
    SparkleDouble = "sparkle-double",
    SquareCode = "square-code",
    SquareImage = "square-image",
    SquareText = "square-text",
    Suitcase = "suitcase",
    SettingsSlider = "settings-slider",
    User = "user",
    Wreath = "wreath",
    Write = "write",
    WriteAlt = "write-alt",
    WriteAlt2 = "write-alt2",
}

/// The prefix of icons supplied by the host app.
const VENDOR_PREFIX: &str = "vendor:";
/// The prefix of icons from the Lucide set.
const LUCIDE_PREFIX: &str = "lucide:";

impl IconName {
    /// A `vendor:<name>` icon.
    pub fn vendor(name: impl Into<String>) -> Self {
        IconName::Vendor(name.into())
    }

    /// A `lucide:<name>` icon.
    pub fn lucide(name: impl Into<String>) -> Self {
        IconName::Lucide(name.into())
    }
}

/// Why a string is not an icon name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown icon name `{0}`: expected a built-in name such as `bolt`, \
     or a `vendor:` or `lucide:` prefix"
)]
pub struct UnknownIconName(pub String);

impl FromStr for IconName {
    type Err = UnknownIconName;

    /// Reads a wire string. Prefixed names are checked first; an empty name after the prefix
    /// is accepted, as the reference's `^vendor:` pattern accepts it.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(name) = text.strip_prefix(VENDOR_PREFIX) {
            return Ok(IconName::Vendor(name.to_owned()));
        }
        if let Some(name) = text.strip_prefix(LUCIDE_PREFIX) {
            return Ok(IconName::Lucide(name.to_owned()));
        }
        IconName::BUILT_IN
            .iter()
            .find(|icon| icon.built_in_name() == Some(text))
            .cloned()
            .ok_or_else(|| UnknownIconName(text.to_owned()))
    }
}

impl TryFrom<&str> for IconName {
    type Error = UnknownIconName;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for IconName {
    /// Writes the wire string: `bolt`, `vendor:acme`, `lucide:rocket`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.built_in_name()) {
            (_, Some(name)) => f.write_str(name),
            (IconName::Vendor(name), None) => write!(f, "{VENDOR_PREFIX}{name}"),
            (IconName::Lucide(name), None) => write!(f, "{LUCIDE_PREFIX}{name}"),
            // Every other variant is built in, so `built_in_name` was `Some` above.
            (_, None) => Ok(()),
        }
    }
}

impl Serialize for IconName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IconName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_lists_64_built_in_icons() {
        assert_eq!(IconName::BUILT_IN.len(), 64);
    }

    #[test]
    fn every_built_in_icon_round_trips_through_its_wire_string() {
        for icon in IconName::BUILT_IN {
            let json = serde_json::to_string(icon).expect("serializes");
            let back: IconName = serde_json::from_str(&json).expect("reads back");
            assert_eq!(&back, icon, "{json}");
        }
    }

    #[test]
    fn prefixed_icons_keep_the_name_after_the_prefix() {
        let vendor: IconName = serde_json::from_str(r#""vendor:acme-logo""#).expect("vendor icon");
        assert_eq!(vendor, IconName::vendor("acme-logo"));
        assert_eq!(
            serde_json::to_string(&vendor).expect("serializes"),
            r#""vendor:acme-logo""#
        );
        let lucide = IconName::try_from("lucide:rocket").expect("lucide icon");
        assert_eq!(lucide.to_string(), "lucide:rocket");
        assert_eq!(
            "vendor:".parse::<IconName>().expect("empty vendor name"),
            IconName::vendor("")
        );
    }

    #[test]
    fn an_unknown_plain_name_is_rejected_naming_the_value() {
        let error = serde_json::from_str::<IconName>(r#""rocket""#).expect_err("rejected");
        assert!(error.to_string().contains("`rocket`"), "{error}");
        // The prefix is case-sensitive, as the reference's regex is.
        assert!("Vendor:acme".parse::<IconName>().is_err());
        assert!(serde_json::from_str::<IconName>("7").is_err());
    }
}
