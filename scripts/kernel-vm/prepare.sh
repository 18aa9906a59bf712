# shellcheck shell=bash
# Preparation of the kernel-VM cache: host tools, Debian's kernel, vmlinux ELF, initramfs.
# Sourced by ./run. Every step is idempotent and leaves a finished file behind only when it
# succeeded (write to *.tmp, then mv), so an interrupted run never poisons the cache.
#
# Two kernels, each with its own cache dir ($VM_CACHE/<series>/), so both stay prepared:
#   6.1   Debian 12's own kernel, the one linux-image-amd64 depends on (host apt lists)
#   6.12  bookworm-backports' linux-image-6.12.<N>+deb12-amd64-unsigned, the newest N offered,
#         resolved through a private sources list and lists dir (the host's apt configuration
#         is never changed)
#   5.10  bullseye-security's linux-image-5.10.0-<N>-amd64-unsigned (Debian 11's kernel, the
#         oldest series users' CI runners still have), the newest N, the same private way
#   7.3   trixie-backports' linux-image-7.3.<N>+deb13-amd64, the same way; that package is a
#         stub whose kernel, modules and config are in linux-binary-, linux-modules- and
#         linux-base-<release>, unpacked together

# Modules the initramfs needs to reach the host root (virtio-pci -> 9p) and to give the guest
# private writable dirs (overlay). Their dependencies are resolved with modprobe, not hard-coded.
readonly VM_INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p overlay)
readonly VM_HOST_PACKAGES=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd)
readonly VM_KERNELS=(6.1 6.12 5.10 7.3)
readonly VM_BACKPORTS_SUITE=bookworm-backports
# Debian 11's kernel gets its fixes (the newest 5.10.0-<N> ABI) only in the security archive.
readonly VM_5_10_SUITE=bullseye-security
# Debian 13's backports carry the newest kernel series (7.x) for trixie.
readonly VM_7_3_SUITE=trixie-backports
readonly VM_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# Installs what the harness runs on the host. apt-get update only when a package is unknown,
# because it costs seconds and the lists are normally fresh enough.
vm_ensure_host_packages() {
  local missing=() pkg
  for pkg in "${VM_HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  vm_log "installing host packages: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

# The caches of the single-kernel harness lay directly in $VM_CACHE (kernel-6.1.0-*, the memo):
# move them to 6.1/ instead of downloading and unpacking the same kernel again.
vm_migrate_flat_cache() {
  local old=("$VM_CACHE"/kernel-6.1.*/)
  [[ -d ${old[0]} ]] || return 0
  mkdir -p "$VM_CACHE/6.1"
  vm_log "moving the cache of the 6.1 kernel into $VM_CACHE/6.1/"
  mv "${old[@]%/}" "$VM_CACHE/6.1/"
  [[ -f $VM_CACHE/kernel-package ]] && mv "$VM_CACHE/kernel-package" "$VM_CACHE/6.1/"
  rmdir "$VM_CACHE/debs" 2>/dev/null || true
}

# apt for the chosen kernel: the host's configuration for 6.1; for 6.12 a private sources list
# naming bookworm-backports (same archive URI and keyring as the host's), private lists, and no
# binary cache files (apt would otherwise rewrite /var/cache/apt/*.bin for this other view).
vm_apt() {
  local tool=$1
  shift
  if [[ $VM_SERIES == 6.1 ]]; then
    "$tool" "$@"
  else
    "$tool" -o Dir::Etc::sourcelist="$VM_KCACHE/apt/sources.list" \
      -o Dir::Etc::sourceparts="$VM_KCACHE/apt/sources.list.d" \
      -o Dir::State::Lists="$VM_KCACHE/apt/lists" \
      -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@"
  fi
}

# The Debian archive URI the host already uses for suite $1 (default bookworm; bookworm-security
# names the security archive), from deb822 or one-line sources, for the private lists.
vm_archive_uri() {
  local suite=${1:-bookworm} fallback=http://deb.debian.org/debian uri
  [[ $suite == *-security ]] && fallback=http://deb.debian.org/debian-security
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v want="$suite" '
    function found() { return uris != "" && (" " suites " ") ~ (" " want " ") }
    /^[ \t]*$/ { if (found()) { print uris; exit } uris = ""; suites = ""; next }
    tolower($1) == "uris:" { uris = $2 }
    tolower($1) == "suites:" { $1 = ""; suites = $0 }
    END { if (found()) print uris }' | head -n1)
  if [[ -z $uri ]]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -n "s/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) $suite .*/\2/p" | head -n1)
  fi
  echo "${uri:-$fallback}"
}

# The suite a private list names for the series (6.1 uses the host's lists).
vm_private_suite() {
  case $VM_SERIES in
    5.10) echo "$VM_5_10_SUITE" ;;
    7.3) echo "$VM_7_3_SUITE" ;;
    *) echo "$VM_BACKPORTS_SUITE" ;;
  esac
}

# Refreshes the private lists of the 6.12 kernel (bookworm-backports, main, ~360 kB, ~1 s), or
# of 5.10 (bullseye-security, main, ~500 kB, on the security archive the host uses for
# bookworm-security); or
# of 7.3 (trixie-backports, main, ~380 kB).
vm_apt_update() {
  if [[ $VM_SERIES == 6.1 ]]; then
    apt-get update -q >&2
    return
  fi
  local uri
  case $VM_SERIES in
    5.10) uri=$(vm_archive_uri bookworm-security) ;;
    *) uri=$(vm_archive_uri) ;;
  esac
  mkdir -p "$VM_KCACHE/apt/lists/partial" "$VM_KCACHE/apt/sources.list.d"
  echo "deb [signed-by=$VM_KEYRING] $uri $(vm_private_suite) main" >"$VM_KCACHE/apt/sources.list"
  vm_apt apt-get update -q >&2
}

# Prints the kernel package of the series (empty if the lists offer none).
vm_kernel_candidate() {
  if [[ $VM_SERIES == 6.1 ]]; then
    # Exactly one package: a glob would pull ~30 kernel flavours (1.6 GB).
    apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-6\.1\.[0-9][^ ]*-amd64\)$/\1/p' | head -n1
    return 0
  fi
  case $VM_SERIES in
    5.10) vm_newest_real_package linux-image-5.10.0- '^linux-image-5\.10\.0-[0-9]+-amd64-unsigned$' ;;
    # 7.x has no -unsigned image: linux-image-7.3.<N>+deb13[.<M>]-amd64 is a stub whose parts
    # vm_kernel_parts finds (linux-binary-unsigned-* holds the same kernel as linux-binary-*).
    7.3) vm_newest_real_package linux-image-7.3. '^linux-image-7\.3\.[0-9]+\+deb13(\.[0-9]+)?-amd64$' ;;
    *) vm_newest_real_package linux-image-6.12. '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64-unsigned$' ;;
  esac
}

# Prints the newest package whose name starts with $1 and matches the extended regex $2 and that
# is a real package (pkgnames also lists names that older versions only provide). sort -V orders
# 5.10.0-9 before 5.10.0-46. grep reads all of apt-cache's output (no -q): under pipefail, a
# grep that quits at the first match kills apt-cache with SIGPIPE, and the newest package then
# looked unreal (seen: 5.10.0-43 taken over -46).
vm_newest_real_package() {
  local name
  # No match is no candidate (the caller names the suite), not a failed pipeline.
  vm_apt apt-cache pkgnames "$1" 2>/dev/null | { grep -E "$2" || true; } | sort -rV |
    while read -r name; do
      if vm_apt apt-cache show --no-all-versions "$name" 2>/dev/null | grep '^Version: ' >/dev/null; then
        echo "$name"
        break
      fi
    done
}

# Prints "<package> <version>" of the series' kernel. apt-cache takes ~1 s on full lists, so the
# answer is memoised until the host's lists change (an apt-get update on the host); for 6.12 the
# private lists are refreshed at that moment too, so both kernels follow the same cadence.
vm_kernel_package() {
  local memo=$VM_KCACHE/kernel-package pkg version
  if [[ -s $memo && $memo -nt /var/lib/apt/lists ]]; then
    cat "$memo"
    return 0
  fi
  pkg=
  if [[ $VM_SERIES != 6.1 ]]; then
    if ! vm_apt_update && [[ -s $memo ]]; then
      vm_log "cannot refresh the $(vm_private_suite) lists; keeping $(cut -d' ' -f1 "$memo")"
      cat "$memo"
      return 0
    fi
  fi
  pkg=$(vm_kernel_candidate)
  if [[ -z $pkg && $VM_SERIES == 6.1 ]]; then
    vm_apt_update
    pkg=$(vm_kernel_candidate)
  fi
  if [[ -z $pkg ]]; then
    [[ $VM_SERIES == 6.1 ]] && vm_die 125 "prepare: apt-cache depends linux-image-amd64 names no kernel package"
    [[ $VM_SERIES == 5.10 ]] && vm_die 125 "prepare: $VM_5_10_SUITE offers no linux-image-5.10.0-*-amd64-unsigned"
    [[ $VM_SERIES == 7.3 ]] && vm_die 125 "prepare: $VM_7_3_SUITE offers no linux-image-7.3.*+deb13-amd64"
    vm_die 125 "prepare: $VM_BACKPORTS_SUITE offers no linux-image-6.12.*+deb12-amd64-unsigned"
  fi
  version=$(vm_apt apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -n1)
  printf '%s %s\n' "$pkg" "$version" | tee "$memo"
}

# The packages that hold the kernel of "<package> <version>": the package itself, plus, when it
# is a stub (7.x: linux-image-<release> only depends on them), the linux-binary- (vmlinuz),
# linux-modules- and linux-base-<release> (config, modules.builtin) of the same version it
# depends on. Read from its Depends, so a package that is whole (6.1, 6.12) stays alone.
vm_kernel_parts() {
  local pkg=$1 version=$2 kver=${1#linux-image-}
  kver=${kver%-unsigned}
  echo "$pkg"
  vm_apt apt-cache show --no-all-versions "$pkg=$version" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 |
    tr ',' '\n' | sed -n "s/^ *\(linux-\(binary\|modules\|base\)-${kver//./\\.}\) (= ${version//./\\.})\$/\1/p"
}

# Downloads the .debs (never installs them) and unpacks them into $kdir/root.
vm_fetch_kernel() {
  local pkg=$1 version=$2 kdir=$3 parts part debs=()
  [[ -f $kdir/root.done ]] && return 0
  mkdir -p "$VM_KCACHE/debs"
  mapfile -t parts < <(vm_kernel_parts "$pkg" "$version")
  vm_log "downloading ${parts[*]} $version (70-125 MB, once)"
  for part in "${parts[@]}"; do
    # apt-get download names the file <pkg>_<version with ':' as %3a>_amd64.deb.
    debs+=("$VM_KCACHE/debs/${part}_${version//:/%3a}_amd64.deb")
    if [[ ! -f ${debs[-1]} ]]; then
      # Sandbox user root: _apt may not be able to write into the cache dir.
      (cd "$VM_KCACHE/debs" && vm_apt apt-get download -q -o APT::Sandbox::User=root "$part=$version" >&2) || true
    fi
    [[ -f ${debs[-1]} ]] || vm_die 125 "prepare: apt-get download $part=$version produced no .deb"
  done
  rm -rf "$kdir/root"
  mkdir -p "$kdir"
  for part in "${debs[@]}"; do
    dpkg-deb -x "$part" "$kdir/root"
  done
  # 7.x packages put everything under usr/lib/modules/<release>/ (merged /usr), 6.x under
  # lib/modules/ and boot/: the link gives depmod -b, modprobe -d and the guest's bind mount
  # the one place they look at.
  if [[ -d $kdir/root/usr/lib/modules && ! -e $kdir/root/lib ]]; then
    ln -s usr/lib "$kdir/root/lib"
  fi
  touch "$kdir/root.done"
  # The unpacked tree is all we use; dropping the .debs keeps a CI cache 70-125 MB smaller.
  rm -f "${debs[@]}"
}

# Reads an unsigned little-endian integer of $3 bytes at offset $2 of file $1.
vm_read_le() { od -An -tu"$3" -j "$2" -N "$3" --endian=little "$1" | tr -d ' '; }

# $3 bytes of file $1 from offset $2.
vm_payload() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=1M status=none; }

# PVH boot of the uncompressed ELF skips the in-guest decompression (~5 s -> ~2 s under TCG).
# The bzImage's setup header says where the compressed ELF lies (payload_offset, 0x248, from the
# protected-mode code at (setup_sects + 1) * 512; payload_length, 0x24c); the payload's last
# 4 bytes are the ELF's size. 6.1 compresses it with xz, 6.12 and 7.3 with zstd: told by the magic.
vm_extract_vmlinux() {
  local kver=$1 kdir=$2 bz sects start length size magic
  [[ -f $kdir/vmlinux ]] && return 0
  # 6.x: boot/vmlinuz-<release>; 7.x: usr/lib/modules/<release>/vmlinuz (linux-binary-*).
  bz=$kdir/root/boot/vmlinuz-$kver
  [[ -f $bz ]] || bz=$kdir/root/lib/modules/$kver/vmlinuz
  [[ -f $bz ]] || vm_die 125 "prepare: neither boot/vmlinuz-$kver nor lib/modules/$kver/vmlinuz is in the kernel package"
  [[ $(head -c $((0x206)) "$bz" | tail -c 4) == HdrS ]] || vm_die 125 "prepare: $bz is not a bzImage"
  sects=$(vm_read_le "$bz" $((0x1f1)) 1)
  ((sects)) || sects=4
  start=$(((sects + 1) * 512 + $(vm_read_le "$bz" $((0x248)) 4)))
  length=$(vm_read_le "$bz" $((0x24c)) 4)
  size=$(vm_read_le "$bz" $((start + length - 4)) 4)
  magic=$(od -An -tx1 -j "$start" -N 6 "$bz" | tr -d ' ')
  case $magic in
    fd377a585a00) vm_payload "$bz" "$start" $((length - 4)) | xz -dc --single-stream ;;
    28b52ffd*) vm_payload "$bz" "$start" $((length - 4)) | zstd -qdc ;;
    *) vm_die 125 "prepare: unknown compression of the payload of $bz (magic $magic; xz and zstd are known)" ;;
  esac >"$kdir/vmlinux.tmp"
  [[ $(head -c4 "$kdir/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
    vm_die 125 "prepare: payload of $bz is not an ELF"
  (($(stat -c %s "$kdir/vmlinux.tmp") == size)) ||
    vm_die 125 "prepare: payload of $bz decompressed to $(stat -c %s "$kdir/vmlinux.tmp") bytes, expected $size"
  mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
}

# The guest binds this tree at /lib/modules/<kver>, so modprobe (and the kernel's module
# autoload: veth, nf_tables, ...) works inside. The unpacked .deb is our private copy.
vm_depmod() {
  local kver=$1 kdir=$2
  [[ -f $kdir/depmod.done ]] && return 0
  depmod -b "$kdir/root" "$kver"
  touch "$kdir/depmod.done"
}

# A busybox initramfs with the few modules needed to mount the host root. Uncompressed: the
# kernel would spend emulated seconds decompressing it. Named after a hash of its inputs (the
# guest scripts, this file, busybox, the module list), so changing any of them rebuilds it.
vm_build_initramfs() {
  local kver=$1 kdir=$2 hash out stage mods m b
  mods=$(modprobe -d "$kdir/root" -S "$kver" -a --show-depends "${VM_INITRAMFS_MODULES[@]}" |
    awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++')
  [[ -n $mods ]] || vm_die 125 "prepare: modprobe --show-depends found no modules in $kdir/root"
  hash=$(cat "$VM_DIR/guest/init" "$VM_DIR/guest/stage2" "$VM_DIR/prepare.sh" /bin/busybox <(printf '%s\n' "$mods") |
    sha256sum | cut -c1-12)
  out=$kdir/initramfs-$hash.cpio
  VM_INITRAMFS=$out
  [[ -f $out ]] && return 0

  stage=$(mktemp -d "$kdir/initramfs.XXXXXX")
  mkdir -p "$stage"/{bin,dev,proc,sys,newroot,modules,ovl,results}
  cp /bin/busybox "$stage/bin/busybox"
  ln -s busybox "$stage/bin/sh"
  cp "$VM_DIR/guest/init" "$stage/init"
  cp "$VM_DIR/guest/stage2" "$stage/stage2"
  chmod 755 "$stage/init" "$stage/stage2"
  # Module paths from --show-depends are host paths into $kdir/root; keep load order. 6.12's
  # modules are xz-compressed (6.1's are not): store them decompressed, so busybox's insmod
  # needs no decompressor and the emulated kernel does not spend time on it.
  : >"$stage/modules/order"
  for m in $mods; do
    b=$(basename "$m")
    case $m in
      *.ko.xz) xz -dc "$m" >"$stage/modules/${b%.xz}" ;;
      *.ko.zst) zstd -qdc "$m" >"$stage/modules/${b%.zst}" ;;
      *.ko.gz) gzip -dc "$m" >"$stage/modules/${b%.gz}" ;;
      *) cp "$m" "$stage/modules/$b" ;;
    esac
    echo "${b%.ko*}.ko" >>"$stage/modules/order"
  done
  (cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out.tmp"
  rm -rf "$stage"
  rm -f "$kdir"/initramfs-*.cpio
  mv "$out.tmp" "$out"
}

# Sets VM_KVER, VM_KDIR, VM_VMLINUX, VM_INITRAMFS for kernel series $VM_SERIES. Serialised with
# locks (host packages: one for the whole cache; the kernel: one per series) so parallel runs
# share the cache safely and the two kernels can be prepared at the same time.
vm_prepare() {
  local info pkg version lock_fd
  VM_KCACHE=$VM_CACHE/$VM_SERIES
  mkdir -p "$VM_KCACHE"
  exec {lock_fd}>"$VM_CACHE/.lock"
  flock "$lock_fd"
  vm_ensure_host_packages
  vm_migrate_flat_cache
  flock -u "$lock_fd"
  exec {lock_fd}>&-

  exec {lock_fd}>"$VM_KCACHE/.lock"
  flock "$lock_fd"
  info=$(vm_kernel_package)
  read -r pkg version <<<"$info"
  # The release is the signed package's name (6.12's unsigned package has the same kernel).
  VM_KVER=${pkg#linux-image-}
  VM_KVER=${VM_KVER%-unsigned}
  VM_KDIR=$VM_KCACHE/kernel-$VM_KVER-${version//[:~+]/_}
  vm_fetch_kernel "$pkg" "$version" "$VM_KDIR"
  [[ -d $VM_KDIR/root/lib/modules/$VM_KVER ]] ||
    vm_die 125 "prepare: $pkg has no lib/modules/$VM_KVER (its kernel release differs from its name)"
  vm_extract_vmlinux "$VM_KVER" "$VM_KDIR"
  vm_depmod "$VM_KVER" "$VM_KDIR"
  vm_build_initramfs "$VM_KVER" "$VM_KDIR"
  VM_VMLINUX=$VM_KDIR/vmlinux
  flock -u "$lock_fd"
  exec {lock_fd}>&-
}
