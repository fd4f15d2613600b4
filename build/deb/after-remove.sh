#!/bin/bash
# The deb's postrm. electron-builder uses this file instead of its own after-remove.tpl, so
# that template's steps are repeated below the Passthru section (see after-install.sh; shell
# variables are written without braces because electron-builder expands dollar-brace macros).

# --- passthru: begin ---
# Remove what after-install.sh put outside the package's files: the helper pkexec runs as
# root and the polkit policy. Only on remove/purge: during an upgrade the new version's
# after-install replaces them. $DPKG_ROOT is set by dpkg (empty for /).
case "$1" in
  remove | purge)
    rm -f "$DPKG_ROOT/usr/lib/passthru/passthru-helper"
    rmdir "$DPKG_ROOT/usr/lib/passthru" 2>/dev/null || true
    rm -f "$DPKG_ROOT/usr/share/polkit-1/actions/org.passthru.policy"
    ;;
esac
# --- passthru: end ---

# Delete the link to the binary.
if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' '/opt/${sanitizedProductName}/${executable}'
else
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'

# Unload the AppArmor profile (not in a chroot), then delete it.
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
  if apparmor_status --enabled > /dev/null 2>&1; then
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
    fi
  fi
  rm -f "$APPARMOR_PROFILE_DEST"
fi
