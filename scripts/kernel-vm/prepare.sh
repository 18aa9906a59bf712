# shellcheck shell=bash
# Preparation of the kernel-VM cache: host tools, Debian's kernel, vmlinux ELF, initramfs.
# Sourced by ./run. Every step is idempotent and leaves a finished file behind only when it
# succeeded (write to *.tmp, then mv), so an interrupted run never poisons the cache.

# Modules the initramfs needs to reach the host root (virtio-pci -> 9p) and to give the guest
# private writable dirs (overlay). Their dependencies are resolved with modprobe, not hard-coded.
readonly VM_INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p overlay)
readonly VM_HOST_PACKAGES=(qemu-system-x86 busybox-static cpio kmod xz-utils)

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

# Prints "<package> <version>" of the kernel linux-image-amd64 currently depends on.
# Exactly one package: a glob would pull ~30 kernel flavours (1.6 GB). apt-cache takes ~1 s on
# full lists, so the answer is memoised until the lists change (apt-get update).
vm_kernel_package() {
  local memo=$VM_CACHE/kernel-package pkg version
  if [[ -s $memo && $memo -nt /var/lib/apt/lists ]]; then
    cat "$memo"
    return 0
  fi
  pkg=$(vm_kernel_dependency)
  if [[ -z $pkg ]]; then
    apt-get update -q >&2
    pkg=$(vm_kernel_dependency)
  fi
  [[ -n $pkg ]] || vm_die 125 "prepare: apt-cache depends linux-image-amd64 names no kernel package"
  version=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -n1)
  printf '%s %s\n' "$pkg" "$version" | tee "$memo"
}

vm_kernel_dependency() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

# Downloads the .deb (never installs it) and unpacks it into $kdir/root.
vm_fetch_kernel() {
  local pkg=$1 version=$2 kdir=$3 deb
  [[ -f $kdir/root.done ]] && return 0
  mkdir -p "$VM_CACHE/debs"
  # apt-get download names the file <pkg>_<version with ':' as %3a>_amd64.deb.
  deb=$VM_CACHE/debs/${pkg}_${version//:/%3a}_amd64.deb
  if [[ ! -f $deb ]]; then
    vm_log "downloading $pkg $version (~70 MB, once)"
    # Sandbox user root: _apt may not be able to write into the cache dir.
    (cd "$VM_CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2)
  fi
  [[ -f $deb ]] || vm_die 125 "prepare: apt-get download $pkg=$version produced no .deb"
  rm -rf "$kdir/root"
  mkdir -p "$kdir"
  dpkg-deb -x "$deb" "$kdir/root"
  touch "$kdir/root.done"
  # The unpacked tree is all we use; dropping the .deb keeps a CI cache 70 MB smaller.
  rm -f "$deb"
}

# PVH boot of the uncompressed ELF skips the in-guest decompression (~5 s -> ~2 s under TCG).
# The bzImage carries the ELF as an xz stream; find its magic and decompress that stream only.
vm_extract_vmlinux() {
  local kver=$1 kdir=$2 bz offset
  [[ -f $kdir/vmlinux ]] && return 0
  bz=$kdir/root/boot/vmlinuz-$kver
  offset=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$bz" | head -n1 | cut -d: -f1)
  [[ -n $offset ]] || vm_die 125 "prepare: no xz payload in $bz"
  # Process substitution, not a pipe: tail gets SIGPIPE when xz stops at the stream's end.
  xz -dc --single-stream < <(tail -c "+$((offset + 1))" "$bz" || true) >"$kdir/vmlinux.tmp"
  [[ $(head -c4 "$kdir/vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
    vm_die 125 "prepare: payload of $bz is not an ELF"
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
# kernel would spend emulated seconds decompressing it. Named after a hash of its inputs so a
# changed guest script rebuilds it.
vm_build_initramfs() {
  local kver=$1 kdir=$2 hash out stage mods m
  mods=$(modprobe -d "$kdir/root" -S "$kver" -a --show-depends "${VM_INITRAMFS_MODULES[@]}" |
    awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++')
  [[ -n $mods ]] || vm_die 125 "prepare: modprobe --show-depends found no modules in $kdir/root"
  hash=$(cat "$VM_DIR/guest/init" "$VM_DIR/guest/stage2" /bin/busybox <(printf '%s\n' "$mods") |
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
  # Module paths from --show-depends are host paths into $kdir/root; keep load order.
  : >"$stage/modules/order"
  for m in $mods; do
    cp "$m" "$stage/modules/"
    basename "$m" >>"$stage/modules/order"
  done
  (cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out.tmp"
  rm -rf "$stage"
  rm -f "$kdir"/initramfs-*.cpio
  mv "$out.tmp" "$out"
}

# Sets VM_KVER, VM_KDIR, VM_VMLINUX, VM_INITRAMFS. Serialised with a lock so parallel runs
# share one cache safely.
vm_prepare() {
  local info pkg version lock_fd
  mkdir -p "$VM_CACHE"
  exec {lock_fd}>"$VM_CACHE/.lock"
  flock "$lock_fd"
  vm_ensure_host_packages
  info=$(vm_kernel_package)
  read -r pkg version <<<"$info"
  VM_KVER=${pkg#linux-image-}
  VM_KDIR=$VM_CACHE/kernel-$VM_KVER-${version//[:~]/_}
  vm_fetch_kernel "$pkg" "$version" "$VM_KDIR"
  vm_extract_vmlinux "$VM_KVER" "$VM_KDIR"
  vm_depmod "$VM_KVER" "$VM_KDIR"
  vm_build_initramfs "$VM_KVER" "$VM_KDIR"
  VM_VMLINUX=$VM_KDIR/vmlinux
  flock -u "$lock_fd"
  exec {lock_fd}>&-
}
