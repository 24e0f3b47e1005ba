//! The index's cache tree (its `TREE` extension) kept valid across a splice: the
//! entries of the folders a commit touched are marked invalid (git and libgit2
//! compute those trees again when they next need them), every other folder keeps
//! its tree id, so a later `git commit` in the vault hashes only what changed.
//!
//! The extension is a depth-first list of folders, each: its name (relative to its
//! parent, the root's is empty) and a NUL, the number of index entries it covers in
//! ASCII (`-1` when invalid), a space, its number of subfolders, a newline, and the
//! 20-byte tree id unless invalid.

use std::collections::HashSet;

/// The extension's data with every folder in `folders` (paths from the root, which
/// is `""`) invalidated, or `None` when the data is malformed.
pub(crate) fn invalidate(data: &[u8], folders: &HashSet<&[u8]>) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    // Per open folder: the length of its path in `path`, and subfolders yet to come.
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut path: Vec<u8> = Vec::new();
    let mut at = 0;
    let mut seen_root = false;
    while at < data.len() {
        let name_end = at + data[at..].iter().position(|b| *b == 0)?;
        let name = &data[at..name_end];
        let (count, after) = number(data, name_end + 1, b' ', true)?;
        let (subfolders, after) = number(data, after, b'\n', false)?;
        let valid = count >= 0;
        let id_end = after + if valid { 20 } else { 0 };
        let id = data.get(after..id_end)?;
        match open.last_mut() {
            Some((parent_len, left)) => {
                *left = left.checked_sub(1)?;
                path.truncate(*parent_len);
                if !path.is_empty() {
                    path.push(b'/');
                }
                if name.is_empty() || name.contains(&b'/') {
                    return None;
                }
                path.extend_from_slice(name);
            }
            None if seen_root || !name.is_empty() => return None,
            None => seen_root = true,
        }
        out.extend_from_slice(name);
        out.push(0);
        if valid && !folders.contains(&path[..]) {
            out.extend_from_slice(format!("{count} {subfolders}\n").as_bytes());
            out.extend_from_slice(id);
        } else {
            out.extend_from_slice(format!("-1 {subfolders}\n").as_bytes());
        }
        open.push((path.len(), subfolders as u64));
        while open.last().is_some_and(|(_, left)| *left == 0) {
            open.pop();
        }
        at = id_end;
    }
    open.is_empty().then_some(out)
}

/// An ASCII decimal number from `at` up to `end`, and the position after `end`.
fn number(data: &[u8], at: usize, end: u8, signed: bool) -> Option<(i64, usize)> {
    let stop = at + data.get(at..)?.iter().take(21).position(|b| *b == end)?;
    let text = std::str::from_utf8(&data[at..stop]).ok()?;
    let value: i64 = text.parse().ok()?;
    if (!signed && value < 0) || text.starts_with('+') {
        return None;
    }
    Some((value, stop + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, count: i64, subfolders: u64, id: u8) -> Vec<u8> {
        let mut bytes = format!("{name}\0{count} {subfolders}\n").into_bytes();
        if count >= 0 {
            bytes.extend_from_slice(&[id; 20]);
        }
        bytes
    }

    /// root (a (a/b), c)
    fn sample() -> Vec<u8> {
        [node("", 5, 2, 1), node("a", 3, 1, 2), node("b", 2, 0, 3), node("c", 1, 0, 4)].concat()
    }

    #[test]
    fn only_the_touched_folders_lose_their_ids() {
        let folders = HashSet::from([&b""[..], b"a"]);
        let out = invalidate(&sample(), &folders).unwrap();
        let expected = [node("", -1, 2, 0), node("a", -1, 1, 0), node("b", 2, 0, 3), node("c", 1, 0, 4)].concat();
        assert_eq!(out, expected);
        let folders = HashSet::from([&b""[..], b"a", b"a/b"]);
        let out = invalidate(&sample(), &folders).unwrap();
        let expected = [node("", -1, 2, 0), node("a", -1, 1, 0), node("b", -1, 0, 0), node("c", 1, 0, 4)].concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn untouched_trees_come_out_unchanged() {
        assert_eq!(invalidate(&sample(), &HashSet::new()).unwrap(), sample());
        let invalid = [node("", -1, 1, 0), node("x", 1, 0, 9)].concat();
        assert_eq!(invalidate(&invalid, &HashSet::new()).unwrap(), invalid);
        assert_eq!(invalidate(b"", &HashSet::new()).unwrap(), b"");
    }

    #[test]
    fn malformed_data_is_refused() {
        let full = sample();
        for cut in 1..full.len() {
            assert_eq!(invalidate(&full[..cut], &HashSet::new()), None, "cut at {cut}");
        }
        let two_roots = [node("", 1, 0, 1), node("", 1, 0, 1)].concat();
        assert_eq!(invalidate(&two_roots, &HashSet::new()), None);
        assert_eq!(invalidate(b"\0x 0\n", &HashSet::new()), None);
        assert_eq!(invalidate(b"\0-1 -2\n", &HashSet::new()), None);
        assert_eq!(invalidate(b"\0-1 99999999999999999999999\n", &HashSet::new()), None);
    }
}
