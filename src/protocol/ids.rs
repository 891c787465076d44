//! Identifier newtypes: `ThreadId`, `ItemId` and `AttachmentId`.
//!
//! On the wire every id is a plain string (`"thr_1a2b3c4d"`). In Rust each kind of id is its own
//! type, so a thread id can never be passed where an item id belongs. The ids are opaque: the
//! prefixes (`thr_`, `msg_`, `atc_`, …) are a convention of the id generators in the store layer,
//! never something the protocol checks, because the Python SDK lets integrations override them.
//!
//! Where it sits: protocol layer, used by every request, item and event type.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares one transparent string id type with the conversions every id needs.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id string as it appears on the wire.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as it appears on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

string_id!(
    /// The id of a thread, `thr_…` by default.
    ThreadId
);
string_id!(
    /// The id of a thread item (`msg_…`, `tc_…`, `wf_…`, `tsk_…`, `shcx_…` by default).
    ItemId
);
string_id!(
    /// The id of an attachment, `atc_…` by default.
    AttachmentId
);
