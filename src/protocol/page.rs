//! `Page<T>`, one page of a list, and the paging parameters every list request shares.
//!
//! `threads.list`, `items.list` and the items inside a thread all come back as a page:
//! `{"data":[…],"has_more":true,"after":"msg_0042"}`. When `has_more` is true, `after` is the id
//! of the last element and the client sends it back as the cursor for the next page.
//!
//! Where it sits: protocol layer; stores build pages, the server sends them.

use serde::{Deserialize, Serialize};

/// One page of a list.
///
/// # Wire format
///
/// `{"data":[…],"has_more":false}`; `after` is omitted when there is no next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The elements of this page, in the requested order.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Whether more elements follow this page.
    #[serde(default)]
    pub has_more: bool,
    /// The cursor for the next page: the id of the last element, when `has_more` is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl<T> Page<T> {
    /// A page with no elements and nothing after it, as a new or listed thread carries.
    pub fn empty() -> Self {
        Page {
            data: Vec::new(),
            has_more: false,
            after: None,
        }
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page::empty()
    }
}

/// The order of a list: `"asc"` (oldest first) or `"desc"` (newest first, the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Order {
    /// Oldest first.
    #[serde(rename = "asc")]
    Asc,
    /// Newest first; the default of both list requests.
    #[default]
    #[serde(rename = "desc")]
    Desc,
}
