//! A commit's new objects as one git pack, written directly with its index: pack
//! version 2, every object whole (no delta search: a commit's objects are a few new
//! articles and the small trees along their paths, which deltas would barely
//! shrink), each one its type and size header and its zlib-compressed bytes, then
//! the SHA-1 of the pack; the index (version 2) lists the objects' ids in order with
//! each one's CRC-32 and offset. Both go into `objects/pack/` as git writes them:
//! each to a temporary file, synced, renamed (the pack first, so an index never
//! names a missing pack), and the folder synced, before anything refers to them.

use std::io::{self, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use git2::{ObjectType, Odb, Oid};
use sha1::{Digest as _, Sha1};

use super::{Result, git_error};

/// A pack, with what its index needs of each object: id, offset and CRC-32.
pub(crate) struct Pack {
    bytes: Vec<u8>,
    entries: Vec<(Oid, u64, u32)>,
}

/// The pack of `objects`, read from `odb`.
pub(crate) fn pack(odb: &Odb<'_>, objects: &[Oid]) -> Result<Pack> {
    let mut pack = Vec::with_capacity(64 * 1024);
    pack.extend_from_slice(b"PACK");
    pack.extend_from_slice(&2u32.to_be_bytes());
    pack.extend_from_slice(&u32::try_from(objects.len()).expect("fewer than 4 billion objects").to_be_bytes());
    let mut entries = Vec::with_capacity(objects.len());
    for id in objects {
        let object = odb.read(*id).map_err(git_error("reading a new object"))?;
        let kind = match object.kind() {
            ObjectType::Commit => 1,
            ObjectType::Tree => 2,
            ObjectType::Blob => 3,
            ObjectType::Tag => 4,
            ObjectType::Any => return Err(super::GitError::Setup(format!("object {id} has no type"))),
        };
        let offset = pack.len();
        object_header(&mut pack, kind, object.len() as u64);
        let mut encoder = ZlibEncoder::new(pack, Compression::fast());
        encoder.write_all(object.data()).expect("writing to memory");
        pack = encoder.finish().expect("writing to memory");
        entries.push((*id, offset as u64, crc32fast::hash(&pack[offset..])));
    }
    let digest = Sha1::digest(&pack);
    pack.extend_from_slice(&digest[..]);
    Ok(Pack { bytes: pack, entries })
}

impl Pack {
    /// The pack's own checksum (its last 20 bytes), which names its files.
    fn checksum(&self) -> &[u8] {
        &self.bytes[self.bytes.len() - 20..]
    }

    /// The pack's index, version 2 (gitformat-pack).
    fn index(&self) -> Vec<u8> {
        let mut sorted = self.entries.clone();
        sorted.sort_unstable_by_key(|(id, _, _)| *id);
        let mut out = Vec::with_capacity(8 + 256 * 4 + sorted.len() * 28 + 40);
        out.extend_from_slice(b"\xfftOc");
        out.extend_from_slice(&2u32.to_be_bytes());
        let mut counts = [0u32; 256];
        for (id, _, _) in &sorted {
            counts[id.as_bytes()[0] as usize] += 1;
        }
        let mut total = 0u32;
        for count in counts {
            total += count;
            out.extend_from_slice(&total.to_be_bytes());
        }
        for (id, _, _) in &sorted {
            out.extend_from_slice(id.as_bytes());
        }
        for (_, _, crc) in &sorted {
            out.extend_from_slice(&crc.to_be_bytes());
        }
        let mut large = Vec::new();
        for (_, offset, _) in &sorted {
            match u32::try_from(*offset).ok().filter(|o| *o < 0x8000_0000) {
                Some(small) => out.extend_from_slice(&small.to_be_bytes()),
                None => {
                    let at = 0x8000_0000 | u32::try_from(large.len()).expect("fewer than 2^31 large offsets");
                    out.extend_from_slice(&at.to_be_bytes());
                    large.push(*offset);
                }
            }
        }
        for offset in large {
            out.extend_from_slice(&offset.to_be_bytes());
        }
        out.extend_from_slice(self.checksum());
        let digest = Sha1::digest(&out);
        out.extend_from_slice(&digest[..]);
        out
    }

    /// Puts the pack and its index into `objects/pack/` of the repository at `git_dir`.
    pub(crate) fn install(&self, git_dir: &Path) -> io::Result<()> {
        let folder = git_dir.join("objects").join("pack");
        std::fs::create_dir_all(&folder)?;
        let name = format!("pack-{}", data_encoding::HEXLOWER.encode(self.checksum()));
        let index = self.index();
        for (bytes, extension) in [(&self.bytes, "pack"), (&index, "idx")] {
            let mut file = tempfile::Builder::new().prefix("tmp_pack_").tempfile_in(&folder)?;
            file.write_all(bytes)?;
            file.as_file().sync_data()?;
            file.as_file().set_permissions(std::fs::Permissions::from_mode(0o444))?;
            file.persist(folder.join(format!("{name}.{extension}"))).map_err(|e| e.error)?;
        }
        std::fs::File::open(&folder)?.sync_all()
    }
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
        let packed = pack(&source.odb().unwrap(), &objects).unwrap();
        let target = git2::Repository::init(dir.path().join("target")).unwrap();
        packed.install(target.path()).unwrap();
        let odb = target.odb().unwrap();
        let source_odb = source.odb().unwrap();
        for id in &objects {
            let (want, got) = (source_odb.read(*id).unwrap(), odb.read(*id).unwrap());
            assert_eq!((want.kind(), want.data()), (got.kind(), got.data()));
        }
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git").args(args).current_dir(dir.path().join("target")).output();
            let out = out.unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["fsck", "--strict", "--no-progress", "--no-dangling"]);
        // git checks the index against the pack: every object, offset and CRC-32.
        let packs: Vec<_> = std::fs::read_dir(target.path().join("objects/pack"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect();
        assert_eq!(packs.len(), 1, "{packs:?}");
        let listed = git(&["verify-pack", "-v", packs[0].to_str().unwrap()]);
        for id in &objects {
            assert!(listed.contains(&id.to_string()), "{id} in {listed}");
        }
        assert!(
            !std::fs::read_dir(target.path().join("objects/pack")).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("tmp_"))
        );
    }
}
