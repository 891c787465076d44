//! Paging over an in-memory list, shared by the stores that sort in Rust.
//!
//! The rule every store follows: elements are ordered by `(created_at, id)`; a page holds the
//! `limit` elements strictly after the cursor in the requested order; `has_more` says whether
//! any element follows the page, and then `after` is the id of the page's last element. The
//! cursor is the element itself, not its timestamp, which is what keeps elements that share a
//! timestamp from being skipped (the reference's stores compare `created_at` alone).
//!
//! Where it sits: a helper of `memory.rs`; `sqlite.rs` expresses the same rule in SQL.

use crate::protocol::{Order, Page};

use super::{PageRequest, StoreError};

/// Cuts one page out of `sorted`, which must be in ascending `(created_at, id)` order.
///
/// `id_of` names each element, for finding the cursor and for the next cursor.
pub(crate) fn page_of<T: Clone>(
    sorted: &[T],
    request: &PageRequest,
    id_of: impl Fn(&T) -> &str,
) -> Result<Page<T>, StoreError> {
    let in_order: Vec<&T> = match request.order {
        Order::Asc => sorted.iter().collect(),
        Order::Desc => sorted.iter().rev().collect(),
    };
    let start = match &request.after {
        None => 0,
        Some(cursor) => {
            let position = in_order.iter().position(|element| id_of(element) == cursor);
            position.ok_or_else(|| StoreError::UnknownCursor {
                cursor: cursor.clone(),
            })? + 1
        }
    };
    let rest = &in_order[start..];
    let data: Vec<T> = rest
        .iter()
        .take(request.limit)
        .map(|&element| element.clone())
        .collect();
    let has_more = rest.len() > request.limit;
    let after = match (has_more, data.last()) {
        (true, Some(last)) => Some(id_of(last).to_owned()),
        _ => None,
    };
    Ok(Page {
        data,
        has_more,
        after,
    })
}
