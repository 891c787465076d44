//! Where an attachment's bytes live on disk, and why no request can choose another place.
//!
//! Every file is `root/<owner dir>/<attachment id>`. Both components come from outside the
//! server in some way (the owner key from the context builder, the id from a URL), so both are
//! checked to be **one plain path component** before they are joined to the root:
//!
//! * the owner dir is the owner key percent-encoded: every byte outside `[A-Za-z0-9_-]`
//!   becomes `%XX`, so `.`, `..`, `/` and `\` can never appear, and two owners never share a
//!   directory (the encoding is one-to-one);
//! * an attachment id must be made of `[A-Za-z0-9_-]` only, or it names no file at all.
//!
//! A [`RelativePath`] is the pair, checked; it is what the attachment record keeps in its
//! metadata, and what is parsed (and checked again) when the bytes are read back.

use std::fmt;
use std::path::{Path, PathBuf};

/// Whether `byte` may appear in a path component unchanged: ASCII letters, digits, `_`, `-`.
fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

/// The directory name of an owner key: percent-encoded, so always one safe path component.
///
/// `4:acme:alice` → `4%3Aacme%3Aalice`, `..` → `%2E%2E`, and the empty key → `=`.
pub(crate) fn owner_dir(owner: &str) -> String {
    if owner.is_empty() {
        // An empty component would join to the root itself; `=` is outside the plain set
        // and outside the encoding's output, so no non-empty owner can collide with it.
        return "=".to_owned();
    }
    let mut dir = String::with_capacity(owner.len());
    for &byte in owner.as_bytes() {
        if is_plain(byte) {
            dir.push(char::from(byte));
        } else {
            dir.push_str(&format!("%{byte:02X}"));
        }
    }
    dir
}

/// Whether `id` may name a file: non-empty, `[A-Za-z0-9_-]` only (so never `.`, `..` or `/`).
pub(crate) fn is_safe_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(is_plain)
}

/// Whether `dir` is something [`owner_dir`] can produce.
fn is_owner_dir(dir: &str) -> bool {
    dir == "=" || (!dir.is_empty() && dir.bytes().all(|byte| is_plain(byte) || byte == b'%'))
}

/// `<owner dir>/<attachment id>`, both checked: the file's place under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelativePath {
    owner_dir: String,
    id: String,
}

impl RelativePath {
    /// The place of attachment `id` of `owner`; `None` if the id is not safe.
    pub(crate) fn new(owner: &str, id: &str) -> Option<Self> {
        is_safe_id(id).then(|| RelativePath {
            owner_dir: owner_dir(owner),
            id: id.to_owned(),
        })
    }

    /// Reads back what [`fmt::Display`] wrote; `None` for anything else (a stored path that
    /// was tampered with, say), so a bad record can never point outside the root.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (dir, id) = text.split_once('/')?;
        (is_owner_dir(dir) && is_safe_id(id)).then(|| RelativePath {
            owner_dir: dir.to_owned(),
            id: id.to_owned(),
        })
    }

    /// The owner's directory under `root`.
    pub(crate) fn dir_under(&self, root: &Path) -> PathBuf {
        root.join(&self.owner_dir)
    }

    /// The file under `root`.
    pub(crate) fn file_under(&self, root: &Path) -> PathBuf {
        self.dir_under(root).join(&self.id)
    }

    /// The attachment id, which is also the file name.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for RelativePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner_dir, self.id)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Component;

    use super::*;

    #[test]
    fn an_owner_key_with_tenant_and_user_becomes_one_plain_component() {
        assert_eq!(owner_dir("4:acme:alice"), "4%3Aacme%3Aalice");
        assert_eq!(owner_dir("alice_01-b"), "alice_01-b");
    }

    #[test]
    fn dots_slashes_and_backslashes_are_always_encoded() {
        assert_eq!(owner_dir("."), "%2E");
        assert_eq!(owner_dir(".."), "%2E%2E");
        assert_eq!(owner_dir("../etc"), "%2E%2E%2Fetc");
        assert_eq!(owner_dir("a\\b"), "a%5Cb");
        assert_eq!(owner_dir("é"), "%C3%A9");
    }

    #[test]
    fn every_owner_dir_is_exactly_one_normal_path_component() {
        for owner in [
            "", ".", "..", "/", "a/b", "../..", "C:\\x", "\0", "%2E", "=", "alice",
        ] {
            let dir = owner_dir(owner);
            let components: Vec<_> = Path::new(&dir).components().collect();
            assert!(
                matches!(components.as_slice(), [Component::Normal(_)]),
                "{owner:?} → {dir:?}"
            );
        }
    }

    #[test]
    fn two_owners_never_share_a_directory() {
        // `%` itself is encoded, so an owner that *looks* encoded stays distinct.
        assert_ne!(owner_dir("%2E"), owner_dir("."));
        assert_ne!(owner_dir("="), owner_dir(""));
    }

    #[test]
    fn unsafe_ids_name_no_file() {
        for id in ["", ".", "..", "../x", "a/b", "a\\b", "atc 1", "atc.png"] {
            assert!(RelativePath::new("alice", id).is_none(), "{id:?}");
        }
        assert!(RelativePath::new("alice", "atc_1f-2").is_some());
    }

    #[test]
    fn a_relative_path_reads_back_and_a_tampered_one_does_not() {
        let path = RelativePath::new("4:acme:alice", "atc_1").expect("a safe id");
        assert_eq!(path.to_string(), "4%3Aacme%3Aalice/atc_1");
        assert_eq!(RelativePath::parse(&path.to_string()), Some(path));
        for tampered in [
            "../atc_1",
            "alice/../x",
            "alice/atc_1/x",
            "/atc_1",
            "alice",
            "",
        ] {
            assert_eq!(RelativePath::parse(tampered), None, "{tampered:?}");
        }
    }
}
