#!/usr/bin/env bash
# Archive benchmark: 10,000 new items from 20 local feeds of 500, archived end to
# end by the release `feedvault fetch` (parse, identity, durable writes, state.db).
# Run from the repo root as root: bash bench/archive/run.sh
#
# It runs on a fresh ext4 file system (a loop-mounted image under target/), because
# ext4 slows inode allocation on a disk where many files were recently deleted
# (find_inode_bit -> recently_deleted), which would measure this machine's history
# rather than feedvault. Without root it falls back to $TMPDIR and says so.
# Env: RUNS (default 3), FEEDS (20), ITEMS (500).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet -p feedvault -p feedvault-bench

FS=target/bench-fs
if [ "$(id -u)" = 0 ]; then
  mountpoint -q "$FS" && umount "$FS"
  mkdir -p "$FS"
  truncate -s 2G target/bench-fs.img
  mkfs.ext4 -q -F target/bench-fs.img
  mount -o loop target/bench-fs.img "$FS"
  trap 'umount "$FS"' EXIT
  export TMPDIR=$PWD/$FS
else
  echo "not root: measuring in ${TMPDIR:-/tmp} on its current file system" >&2
fi
for _ in $(seq "${RUNS:-3}"); do
  target/release/feedvault-bench archive --feeds "${FEEDS:-20}" --items "${ITEMS:-500}"
done
