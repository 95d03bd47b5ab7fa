#!/usr/bin/env bash
# Builds the Arch package from PKGBUILD on a Debian 12 machine, as Arch users would get it from
# the AUR, and checks it: the package's file list, an install into a scratch root, the installed
# binary's --version, the man page and completions where Arch expects them, and .SRCINFO equal
# to `makepkg --printsrcinfo`. Run as root (it installs Debian packages and creates a throwaway
# build user); .ci/run runs it.
#
# makepkg refuses to run as root, so the build runs as a throwaway user with its own copy of the
# Rust toolchain on its PATH. makepkg's work folder is ./src, which is the crate's src/, so the
# build happens in a temporary folder holding the PKGBUILD and a `git archive` tarball of HEAD
# under the name its source= expects (makepkg then uses it instead of downloading). That tarball
# is not the forge's, so checksums cannot match: --skipchecksums, here only.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
start=$SECONDS

if [ "$(id -u)" -ne 0 ]; then
  echo "test-arch-package.sh: run as root (it installs packages and adds a build user)" >&2
  exit 1
fi

install_tools() {
  local missing=() package
  for package in makepkg pacman-package-manager libarchive-tools fakeroot zstd git; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' ||
      missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

work=$(mktemp -d /tmp/micsync-arch-package.XXXXXX)
chmod 0755 "$work"
user=micsync-pkg-$$
cleanup() {
  if id "$user" >/dev/null 2>&1; then
    userdel "$user"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

install_tools

home=$work/home
build=$work/build
scratch=$work/root
useradd --home-dir "$home" --create-home --shell /bin/bash --user-group "$user"

# The user's own Rust toolchain: the one root uses (a rustup toolchain under /root, which the
# user cannot read), hard-linked when on the same file system, else copied. A toolchain in /usr
# is on the user's PATH already.
toolchain_path=/usr/bin
sysroot=$(rustc --print sysroot)
if [ "$sysroot" != /usr ]; then
  cp -al "$sysroot" "$work/toolchain" 2>/dev/null || cp -a "$sysroot" "$work/toolchain"
  toolchain_path=$work/toolchain/bin
fi
# Crates root has downloaded already save prepare()'s `cargo fetch` from fetching them again.
if [ -d "$HOME/.cargo/registry" ]; then
  mkdir -p "$home/.cargo"
  cp -a "$HOME/.cargo/registry" "$home/.cargo/"
fi

mkdir -p "$build"
cp "$repo/PKGBUILD" "$build/"
source_name=$(cd "$build" && bash -c 'source ./PKGBUILD && echo "$pkgname-$pkgver"')
git -C "$repo" archive --format=tar.gz --prefix="$source_name/" HEAD >"$build/$source_name.tar.gz"
chown -R "$user:$user" "$home" "$build"

as_user() {
  runuser -u "$user" -- env -i -C "$build" HOME="$home" LANG=C.UTF-8 \
    PATH="$toolchain_path:/usr/local/bin:/usr/bin:/bin" PKGEXT=.pkg.tar.zst "$@"
}

echo "== makepkg (as $user, in $build)"
as_user makepkg --nodeps --skipchecksums --noconfirm
package=$(find "$build" -maxdepth 1 -name "$source_name-*.pkg.tar.zst" ! -name '*-debug-*')
echo "== $(basename "$package")"
pacman -Qip "$package"
pacman -Qlp "$package"

echo "== install into a scratch root"
mkdir -p "$scratch/var/lib/pacman"
pacman -U --root "$scratch" --dbpath "$scratch/var/lib/pacman" -dd --noconfirm "$package"

fail() {
  echo "test-arch-package.sh: $*" >&2
  exit 1
}

version=$("$scratch/usr/bin/micsync" --version)
[ "$version" = "micsync ${source_name#micsync-}" ] || fail "--version printed '$version'"
echo "$version"
for file in \
  usr/share/man/man1/micsync.1.gz \
  usr/share/bash-completion/completions/micsync \
  usr/share/zsh/site-functions/_micsync \
  usr/share/fish/vendor_completions.d/micsync.fish \
  usr/share/licenses/micsync/LICENSE \
  usr/share/doc/micsync/README.md \
  usr/share/doc/micsync/examples/micsync-backup.service \
  usr/share/doc/micsync/examples/micsync-backup.timer; do
  [ -s "$scratch/$file" ] || fail "the package has no /$file"
done
zcat "$scratch/usr/share/man/man1/micsync.1.gz" | grep -q '^\.SH EXAMPLES' ||
  fail "the man page has no EXAMPLES section"
grep -q -- '--backup' "$scratch/usr/share/bash-completion/completions/micsync" ||
  fail "the bash completion does not know --backup"

echo "== .SRCINFO"
as_user makepkg --printsrcinfo >"$work/SRCINFO"
diff -u "$repo/.SRCINFO" "$work/SRCINFO" ||
  fail ".SRCINFO differs from makepkg --printsrcinfo: regenerate it"

echo "== the Arch package builds and installs ($((SECONDS - start)) s)"
