//! Does an uploaded image start the way its declared type says it must?
//!
//! The client declares a MIME type at `attachments.create` and the preview route serves the
//! bytes back with that type. If any bytes could be stored as `image/png`, a user could store
//! an HTML page or a script under an image's name; checking the format's magic number keeps
//! what is served as an image an image (and `nosniff` on the content route keeps browsers
//! from guessing otherwise). Non-image types are served as downloads, so they are not sniffed.

/// The leading bytes of each image type uploads accept.
fn has_image_signature(mime_type: &str, bytes: &[u8]) -> bool {
    match mime_type {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        // A RIFF container (4 bytes of length between the two tags) holding WebP.
        "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        // An image type this module has no signature for cannot be vouched for.
        _ => false,
    }
}

/// Whether `bytes` may be stored under `mime_type`: anything for a non-image type, and for an
/// image, only bytes that carry that image format's signature.
pub(crate) fn bytes_match_type(mime_type: &str, bytes: &[u8]) -> bool {
    !is_image(mime_type) || has_image_signature(mime_type, bytes)
}

/// Whether the type is an image (`image/*`), which ChatKit previews and the model sees as one.
pub(crate) fn is_image(mime_type: &str) -> bool {
    mime_type.starts_with("image/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_image_type_needs_its_own_signature() {
        assert!(bytes_match_type("image/png", b"\x89PNG\r\n\x1a\nrest"));
        assert!(bytes_match_type("image/jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(bytes_match_type("image/gif", b"GIF89a..."));
        assert!(bytes_match_type("image/webp", b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(!bytes_match_type("image/png", b"GIF89a..."));
        assert!(!bytes_match_type("image/webp", b"RIFF\0\0\0\0WAVE"));
        assert!(!bytes_match_type("image/png", b"<html>"));
    }

    #[test]
    fn other_types_are_not_sniffed() {
        assert!(bytes_match_type("application/pdf", b"anything"));
        assert!(bytes_match_type("text/plain", b""));
    }
}
