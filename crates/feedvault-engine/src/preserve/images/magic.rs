//! What an image is, from its bytes' magic numbers (never from the Content-Type
//! header, which servers get wrong): JPEG, PNG, GIF, WebP and AVIF.

/// The media type and file extension of the bytes, if they start like an image
/// feedvault keeps.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(("image/jpeg", "jpg"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(("image/png", "png"));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(("image/gif", "gif"));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(("image/webp", "webp"));
    }
    if is_avif(bytes) {
        return Some(("image/avif", "avif"));
    }
    None
}

/// The extensions of the kept types.
pub const RASTER_EXTENSIONS: [&str; 5] = ["jpg", "png", "gif", "webp", "avif"];

/// The extension of a kept media type.
pub fn extension(media_type: &str) -> Option<&'static str> {
    Some(match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/avif" => "avif",
        _ => return None,
    })
}

/// An ISO-BMFF `ftyp` box first whose major or a compatible brand is `avif` or `avis`.
fn is_avif(bytes: &[u8]) -> bool {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = size.clamp(16, 256).min(bytes.len());
    // The major brand (8..12), the minor version (12..16), then compatible brands.
    std::iter::once(&bytes[8..12])
        .chain(bytes[16..end].chunks_exact(4))
        .any(|brand| brand == b"avif" || brand == b"avis")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_by_their_bytes_and_nothing_else() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some(("image/jpeg", "jpg")));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(("image/png", "png")));
        assert_eq!(sniff(b"GIF89a\x01\0"), Some(("image/gif", "gif")));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(("image/webp", "webp")));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), Some(("image/avif", "avif")));
        assert_eq!(sniff(b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf"), Some(("image/avif", "avif")));
        for not in [
            &b"<!doctype html><html>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom",
            b"RIFF\x24\0\0\0WAVEfmt ",
            b"",
            b"\xFF\xD8",
        ] {
            assert_eq!(sniff(not), None, "{:?}", String::from_utf8_lossy(not));
        }
        assert_eq!(extension("image/avif"), Some("avif"));
        assert_eq!(extension("image/svg+xml"), None);
    }
}
