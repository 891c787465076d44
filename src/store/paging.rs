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
    // Newest first is the same list read backwards, so one cursor rule serves both orders:
    // "strictly after the cursor in the order asked for". References, so nothing is cloned
    // until the page is known.
    let in_order: Vec<&T> = match request.order {
        Order::Asc => sorted.iter().collect(),
        Order::Desc => sorted.iter().rev().collect(),
    };
    let start = match &request.after {
        None => 0,
        Some(cursor) => {
            // A linear search by id: the list is sorted by time, not id. The memory store
            // holds a few dozen items per thread in tests and demos; SQLite looks the cursor
            // up by primary key instead. A cursor that is not in the list is an error
            // rather than an empty page, so a stale cursor is noticed.
            let position = in_order.iter().position(|element| id_of(element) == cursor);
            position.ok_or_else(|| StoreError::UnknownCursor {
                cursor: cursor.clone(),
            })? + 1
        }
    };
    // `start` is at most `len` (one past the last element), so this slice cannot panic.
    let rest = &in_order[start..];
    let data: Vec<T> = rest
        .iter()
        .take(request.limit)
        .map(|&element| element.clone())
        .collect();
    let has_more = rest.len() > request.limit;
    // `after` only when there is a next page, as the reference does: a client that pages
    // until `after` is missing then stops after the last page, with no empty request.
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
