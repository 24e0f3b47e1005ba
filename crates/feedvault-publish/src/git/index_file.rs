//! The index file (`.git/index`, versions 2 and 3) read as it lies on disk and
//! spliced: entries for a few paths are replaced, added or removed while every other
//! entry's bytes are copied as they are, so the cost of a commit's index update is a
//! copy and a checksum of the file, not a parse into and a rewrite from 100,000
//! entry structures. Anything this module does not know to keep valid (version 4's
//! compressed paths, a split index, sparse directories, conflicts or a file turning
//! into a folder at a touched path, a checksum that does not match) is refused with
//! the reason, and the caller updates the index with libgit2 instead.
//!
//! The format is git's (gitformat-index): a 12-byte header (`DIRC`, version, entry
//! count), the entries sorted by path then stage (62 bytes of stat data, object id
//! and flags, two more bytes of flags when the extended bit is set, the path, NUL
//! padding to a multiple of 8), extensions (a signature and a length each), and the
//! SHA-1 of everything before it (or zeros where `index.skipHash` is set).

use std::collections::HashSet;
use std::io::{self, Write};
use std::ops::Range;

use sha1::{Digest as _, Sha1};

use super::cache_tree;

const HEADER: usize = 12;
const TRAILER: usize = 20;
/// The fixed part of an entry: stat data (40 bytes), object id (20), flags (2).
const FIXED: usize = 62;
const EXTENDED: u16 = 0x4000;
const ASSUME_VALID: u16 = 0x8000;
const STAGE: u16 = 0x3000;
const NAME_MASK: u16 = 0x0fff;

/// Why an index cannot be spliced (the caller then lets libgit2 rewrite it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Version(u32),
    /// A mandatory extension (lowercase signature) this module cannot keep valid.
    Extension(String),
    Malformed(&'static str),
    Checksum,
    /// A touched path has entries of a merge conflict, or is flagged (assume-valid,
    /// skip-worktree, intent-to-add).
    Flagged(String),
    /// A touched path is a folder in the index, or one of its folders is a file.
    FolderAndFile(String),
}

/// The stat data and object of a file as the index records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewEntry {
    pub ctime: (u32, u32),
    pub mtime: (u32, u32),
    pub dev: u32,
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
    pub id: [u8; 20],
}

/// One path's new state: its entry, or `None` to remove it.
pub(crate) struct Update<'a> {
    pub path: &'a [u8],
    pub entry: Option<NewEntry>,
}

/// An entry's place in the file.
#[derive(Debug, Clone, Copy)]
struct Span {
    offset: usize,
    path_len: usize,
    path_at: usize,
    flags: u16,
    extended: u16,
}

/// A parsed index: the entries' places and the extensions, borrowed from the bytes.
pub(crate) struct IndexFile<'b> {
    bytes: &'b [u8],
    spans: Vec<Span>,
    entries_end: usize,
    extensions: Vec<([u8; 4], &'b [u8])>,
    skip_hash: bool,
}

impl<'b> IndexFile<'b> {
    /// Checks the header, every entry's bounds and order, the extensions and the
    /// checksum.
    pub(crate) fn parse(bytes: &'b [u8]) -> Result<Self, Refusal> {
        Self::read(bytes, true)
    }

    /// [`IndexFile::parse`] without the checksum: for an index known to be the one
    /// feedvault wrote itself (git, too, reads the index without checking it).
    pub(crate) fn parse_unverified(bytes: &'b [u8]) -> Result<Self, Refusal> {
        Self::read(bytes, false)
    }

    fn read(bytes: &'b [u8], verify: bool) -> Result<Self, Refusal> {
        if bytes.len() < HEADER + TRAILER || &bytes[..4] != b"DIRC" {
            return Err(Refusal::Malformed("no index header"));
        }
        let version = be32(bytes, 4);
        if version != 2 && version != 3 {
            return Err(Refusal::Version(version));
        }
        let count = be32(bytes, 8) as usize;
        let body_end = bytes.len() - TRAILER;
        let trailer = &bytes[body_end..];
        let skip_hash = trailer.iter().all(|b| *b == 0);
        if verify && !skip_hash && Sha1::digest(&bytes[..body_end])[..] != *trailer {
            return Err(Refusal::Checksum);
        }
        let mut spans = Vec::with_capacity(count.min(body_end / FIXED));
        let mut at = HEADER;
        for _ in 0..count {
            let span = read_span(bytes, at, body_end, version)?;
            at = span.offset + entry_len(span.path_len, span.extended_flag());
            if let Some(last) = spans.last() {
                let earlier: &Span = last;
                let order = path_of(bytes, earlier).cmp(path_of(bytes, &span)).then(earlier.stage().cmp(&span.stage()));
                if order != std::cmp::Ordering::Less {
                    return Err(Refusal::Malformed("entries out of order"));
                }
            }
            spans.push(span);
        }
        let entries_end = at;
        let mut extensions = Vec::new();
        while at < body_end {
            if body_end - at < 8 {
                return Err(Refusal::Malformed("a truncated extension"));
            }
            let signature: [u8; 4] = bytes[at..at + 4].try_into().expect("four bytes");
            let len = be32(bytes, at + 4) as usize;
            let data_at = at + 8;
            if len > body_end - data_at {
                return Err(Refusal::Malformed("a truncated extension"));
            }
            if !signature[0].is_ascii_uppercase() {
                return Err(Refusal::Extension(String::from_utf8_lossy(&signature).into_owned()));
            }
            extensions.push((signature, &bytes[data_at..data_at + len]));
            at = data_at + len;
        }
        Ok(IndexFile { bytes, spans, entries_end, extensions, skip_hash })
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// What the new index holds: `updates` applied (checked against the entries),
    /// the cache tree invalidated along the touched folders, the extensions that
    /// point into the entries (untracked cache, fsmonitor, offset tables) dropped.
    pub(crate) fn plan<'u>(&self, updates: &'u [Update<'u>]) -> Result<Plan<'u>, Refusal> {
        let mut sorted: Vec<&Update<'_>> = updates.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(b.path));
        sorted.dedup_by(|a, b| a.path == b.path);
        let mut steps = Vec::with_capacity(sorted.len());
        let mut count = 0usize;
        let mut next = 0usize;
        for update in &sorted {
            let at = self.spans[next..].partition_point(|s| self.path(s) < update.path) + next;
            let mut end = at;
            while end < self.spans.len() && self.path(&self.spans[end]) == update.path {
                let span = &self.spans[end];
                if span.stage() != 0 || span.flags & ASSUME_VALID != 0 || span.extended != 0 {
                    return Err(Refusal::Flagged(String::from_utf8_lossy(update.path).into_owned()));
                }
                end += 1;
            }
            if update.entry.is_some() && end == at {
                self.check_folders(update.path, at)?;
            }
            count += at - next + usize::from(update.entry.is_some());
            steps.push((next..at, *update));
            next = end;
        }
        count += self.spans.len() - next;
        let count = u32::try_from(count).map_err(|_| Refusal::Malformed("too many entries"))?;
        let folders = touched_folders(sorted.iter().map(|u| u.path));
        let mut extensions = Vec::new();
        for (signature, data) in &self.extensions {
            let data = match signature {
                b"TREE" => {
                    cache_tree::invalidate(data, &folders).ok_or(Refusal::Malformed("a malformed cache tree"))?
                }
                b"REUC" | b"NAME" => data.to_vec(),
                _ => continue,
            };
            extensions.push((*signature, data));
        }
        Ok(Plan { count, steps, rest: next, extensions })
    }

    /// Writes the planned index to `out`, entries whose file may have changed within
    /// the same second as the old index was written (`mtime >= racy_since`, git's
    /// "racily clean" entries) smudged so that git and libgit2 look at their content
    /// again. Unchanged runs of entries go from the old bytes to `out` as they are.
    pub(crate) fn write(&self, plan: &Plan<'_>, racy_since: u32, out: impl Write) -> io::Result<()> {
        let mut out = Hashing { out, sha: (!self.skip_hash).then(Sha1::new) };
        out.write(&self.bytes[..8])?;
        out.write(&plan.count.to_be_bytes())?;
        let mut entry = Vec::with_capacity(FIXED + 8 + NAME_MASK as usize);
        for (range, update) in &plan.steps {
            self.copy_entries(range.clone(), racy_since, &mut out)?;
            if let Some(new) = &update.entry {
                entry.clear();
                write_entry(&mut entry, update.path, new);
                out.write(&entry)?;
            }
        }
        self.copy_entries(plan.rest..self.spans.len(), racy_since, &mut out)?;
        for (signature, data) in &plan.extensions {
            out.write(signature)?;
            out.write(&u32::try_from(data.len()).map_err(io::Error::other)?.to_be_bytes())?;
            out.write(data)?;
        }
        let trailer = out.sha.take().map_or([0; TRAILER], |sha| sha.finalize().into());
        out.out.write_all(&trailer)?;
        out.out.flush()
    }

    /// Copies a run of entries as they are, smudging the racily clean ones.
    fn copy_entries<W: Write>(&self, range: Range<usize>, racy_since: u32, out: &mut Hashing<W>) -> io::Result<()> {
        if range.is_empty() {
            return Ok(());
        }
        let mut from = self.spans[range.start].offset;
        let end = self.spans.get(range.end).map_or(self.entries_end, |s| s.offset);
        for span in &self.spans[range] {
            if be32(self.bytes, span.offset + 8) >= racy_since {
                let size_at = span.offset + 36;
                out.write(&self.bytes[from..size_at])?;
                out.write(&[0; 4])?;
                from = size_at + 4;
            }
        }
        out.write(&self.bytes[from..end])
    }

    /// Refuses a new path one of whose folders is a file in the index, or which is
    /// a folder holding entries (`at`: where the path would go).
    fn check_folders(&self, path: &[u8], at: usize) -> Result<(), Refusal> {
        let conflict = || Refusal::FolderAndFile(String::from_utf8_lossy(path).into_owned());
        for (cut, _) in path.iter().enumerate().filter(|(_, b)| **b == b'/') {
            let folder = &path[..cut];
            let found = self.spans.partition_point(|s| self.path(s) < folder);
            if self.spans.get(found).is_some_and(|s| self.path(s) == folder) {
                return Err(conflict());
            }
        }
        let mut folder = path.to_vec();
        folder.push(b'/');
        let inside = self.spans[at..].partition_point(|s| self.path(s) < &folder[..]) + at;
        if self.spans.get(inside).is_some_and(|s| self.path(s).starts_with(&folder)) {
            return Err(conflict());
        }
        Ok(())
    }

    fn path(&self, span: &Span) -> &'b [u8] {
        path_of(self.bytes, span)
    }

    /// The entries as (path, stage, object id, size), for tests.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> Vec<(String, u8, String, u32)> {
        self.spans
            .iter()
            .map(|s| {
                let id: String = self.bytes[s.offset + 40..s.offset + 60].iter().map(|b| format!("{b:02x}")).collect();
                (String::from_utf8_lossy(self.path(s)).into_owned(), s.stage(), id, be32(self.bytes, s.offset + 36))
            })
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn extension_names(&self) -> Vec<String> {
        self.extensions.iter().map(|(s, _)| String::from_utf8_lossy(s).into_owned()).collect()
    }
}

/// A spliced index to write: the entry count, per update the run of old entries
/// before it and the update, where the old entries resume, the extensions.
pub(crate) struct Plan<'u> {
    count: u32,
    steps: Vec<(Range<usize>, &'u Update<'u>)>,
    rest: usize,
    extensions: Vec<([u8; 4], Vec<u8>)>,
}

/// A writer that hashes what it writes (unless the index has no checksum).
struct Hashing<W> {
    out: W,
    sha: Option<Sha1>,
}

impl<W: Write> Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(sha) = &mut self.sha {
            sha.update(bytes);
        }
        self.out.write_all(bytes)
    }
}

impl Span {
    fn stage(&self) -> u8 {
        ((self.flags & STAGE) >> 12) as u8
    }

    fn extended_flag(&self) -> bool {
        self.flags & EXTENDED != 0
    }
}

fn read_span(bytes: &[u8], offset: usize, body_end: usize, version: u32) -> Result<Span, Refusal> {
    let truncated = Refusal::Malformed("a truncated entry");
    if body_end.saturating_sub(offset) < FIXED + 2 {
        return Err(truncated);
    }
    let flags = u16::from_be_bytes([bytes[offset + 60], bytes[offset + 61]]);
    let mut path_at = offset + FIXED;
    let mut extended = 0;
    if flags & EXTENDED != 0 {
        if version < 3 {
            return Err(Refusal::Malformed("extended flags in a version 2 index"));
        }
        extended = u16::from_be_bytes([bytes[path_at], bytes[path_at + 1]]);
        path_at += 2;
    }
    let named = (flags & NAME_MASK) as usize;
    let path_len = if named < NAME_MASK as usize {
        named
    } else {
        bytes[path_at..body_end].iter().position(|b| *b == 0).ok_or(truncated.clone())?
    };
    let end = offset + entry_len(path_len, flags & EXTENDED != 0);
    if path_len == 0 || end > body_end || bytes[path_at + path_len..end].iter().any(|b| *b != 0) {
        return Err(if end > body_end { truncated } else { Refusal::Malformed("an entry's path is not NUL-padded") });
    }
    Ok(Span { offset, path_len, path_at, flags, extended })
}

fn path_of<'b>(bytes: &'b [u8], span: &Span) -> &'b [u8] {
    &bytes[span.path_at..span.path_at + span.path_len]
}

/// An entry's length on disk: fixed part, path, 1 to 8 NULs to a multiple of 8.
fn entry_len(path_len: usize, extended: bool) -> usize {
    (FIXED + usize::from(extended) * 2 + path_len + 8) & !7
}

fn write_entry(out: &mut Vec<u8>, path: &[u8], entry: &NewEntry) {
    let start = out.len();
    let words = [
        entry.ctime.0,
        entry.ctime.1,
        entry.mtime.0,
        entry.mtime.1,
        entry.dev,
        entry.ino,
        entry.mode,
        entry.uid,
        entry.gid,
        entry.size,
    ];
    for word in words {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend_from_slice(&entry.id);
    out.extend_from_slice(&(path.len().min(NAME_MASK as usize) as u16).to_be_bytes());
    out.extend_from_slice(path);
    out.resize(start + entry_len(path.len(), false), 0);
}

/// The root ("") and every folder holding one of `paths`.
fn touched_folders<'p>(paths: impl Iterator<Item = &'p [u8]>) -> HashSet<&'p [u8]> {
    let mut folders = HashSet::from([&b""[..]]);
    for path in paths {
        for (cut, _) in path.iter().enumerate().filter(|(_, b)| **b == b'/') {
            folders.insert(&path[..cut]);
        }
    }
    folders
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

/// An empty version 2 index (what git assumes when there is no index file).
pub(crate) fn empty() -> Vec<u8> {
    let mut bytes = b"DIRC\0\0\0\x02\0\0\0\0".to_vec();
    let digest = Sha1::digest(&bytes);
    bytes.extend_from_slice(&digest[..]);
    bytes
}
