# Sourced by the benchmark scripts: when root, mounts a fresh ext4 file system (a
# loop image under target/) and points TMPDIR at it, because ext4 slows inode
# allocation on a disk where many files were recently deleted (find_inode_bit ->
# recently_deleted), which would measure this machine's history rather than
# feedvault. Without root it measures in $TMPDIR as it is, and says so.
FS=target/bench-fs
if [ "$(id -u)" = 0 ]; then
  mountpoint -q "$FS" && umount "$FS"
  mkdir -p "$FS"
  truncate -s "${FS_SIZE:-4G}" target/bench-fs.img
  mkfs.ext4 -q -F target/bench-fs.img
  mount -o loop target/bench-fs.img "$FS"
  trap 'umount "$FS"' EXIT
  export TMPDIR=$PWD/$FS
else
  echo "not root: measuring in ${TMPDIR:-/tmp} on its current file system" >&2
fi
