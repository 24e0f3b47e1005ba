//! A commit's new objects as one git pack, written directly: version 2, every
//! object whole (no delta search: a commit's objects are a few new articles and
//! the small trees along their paths, which deltas would barely shrink), each one
//! its type and size header and its zlib-compressed bytes, then the SHA-1 of the
//! pack. libgit2's pack writer indexes it and puts it in place.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use git2::{ObjectType, Odb, Oid};
use sha1::{Digest as _, Sha1};
use std::io::Write as _;

use super::{Result, git_error};

/// The pack of `objects`, read from `odb`.
pub(crate) fn pack(odb: &Odb<'_>, objects: &[Oid]) -> Result<Vec<u8>> {
    let mut pack = Vec::with_capacity(64 * 1024);
    pack.extend_from_slice(b"PACK");
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&u32::try_from(objects.len()).expect("fewer than 4 billion objects").to_be_bytes());
    for id in objects {
        let object = odb.read(*id).map_err(git_error("reading a new object"))?;
        let kind = match object.kind() {
            ObjectType::Commit => 1,
            ObjectType::Tree => 2,
            ObjectType::Blob => 3,
            ObjectType::Tag => 4,
            ObjectType::Any => return Err(super::GitError::Setup(format!("object {id} has no type"))),
        };
        object_header(&mut pack, kind, object.len() as u64);
        let mut encoder = ZlibEncoder::new(pack, Compression::fast());
        encoder.write_all(object.data()).expect("writing to memory");
        pack = encoder.finish().expect("writing to memory");
    }
    let digest = Sha1::digest(&pack);
    pack.extend_from_slice(&digest[..]);
    Ok(pack)
}

/// An object's header: its type and the low 4 bits of its size, then 7 bits of the
/// size per byte, each byte but the last with its high bit set.
fn object_header(out: &mut Vec<u8>, kind: u8, size: u64) {
    let mut byte = (kind << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest > 0 {
        out.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(byte);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers_carry_type_and_size() {
        let header = |kind, size| {
            let mut out = Vec::new();
            object_header(&mut out, kind, size);
            out
        };
        assert_eq!(header(3, 5), [0x35]);
        assert_eq!(header(3, 15), [0x3f]);
        assert_eq!(header(1, 16), [0x90, 0x01]);
        assert_eq!(header(2, 2000), [0xa0, 0x7d]);
        assert_eq!(header(3, 1 << 20), [0xb0, 0x80, 0x80, 0x04]);
    }

    #[test]
    fn libgit2_reads_the_objects_back_from_the_pack() {
        let dir = tempfile::tempdir().unwrap();
        let source = git2::Repository::init(dir.path().join("source")).unwrap();
        let big: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let blobs = [source.blob(b"small").unwrap(), source.blob(&big).unwrap(), source.blob(b"").unwrap()];
        let mut tree = source.treebuilder(None).unwrap();
        for (i, blob) in blobs.iter().enumerate() {
            tree.insert(format!("f{i}"), *blob, 0o100644).unwrap();
        }
        let tree = tree.write().unwrap();
        let objects = [blobs.as_slice(), &[tree]].concat();
        let bytes = pack(&source.odb().unwrap(), &objects).unwrap();
        let target = git2::Repository::init(dir.path().join("target")).unwrap();
        let odb = target.odb().unwrap();
        let mut writer = odb.packwriter().unwrap();
        writer.write_all(&bytes).unwrap();
        writer.commit().unwrap();
        let source_odb = source.odb().unwrap();
        for id in &objects {
            let (want, got) = (source_odb.read(*id).unwrap(), odb.read(*id).unwrap());
            assert_eq!((want.kind(), want.data()), (got.kind(), got.data()));
        }
        let status = std::process::Command::new("git")
            .args(["fsck", "--strict", "--no-progress", "--no-dangling"])
            .current_dir(dir.path().join("target"))
            .status()
            .unwrap();
        assert!(status.success());
        let mut corrupt = bytes.clone();
        corrupt[20] ^= 0xff;
        let mut writer = odb.packwriter().unwrap();
        assert!(writer.write_all(&corrupt).is_err() || writer.commit().is_err(), "a damaged pack is refused");
    }
}
