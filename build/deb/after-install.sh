#!/bin/bash
# The deb's postinst. electron-builder uses this file instead of its own after-install.tpl,
# so that template's steps (the /usr/bin link, chrome-sandbox, the AppArmor profile) are
# repeated below the Passthru section, from electron-builder 26's template. electron-builder
# expands dollar-brace macros in this file (executable, sanitizedProductName) and fails the
# build on any other name, so shell variables here are written without braces.

# --- passthru: begin ---
# The privileged helper and its polkit policy (docs/architecture.md, "The privilege model").
# pkexec runs /usr/lib/passthru/passthru-helper as root: a Node script (#!/usr/bin/node, from
# the nodejs dependency) copied out of the app's resources, owned by root, mode 0755, in a
# directory only root can write. build/polkit/org.passthru.policy names this path as the only program the
# org.passthru.helper action runs. $DPKG_ROOT is set by dpkg (empty for /); the unit tests
# run this section against a temporary root. `passthru install-helper`
# (electron/host/helper/install-helper.ts) does the same for an npm install: keep them alike.
set -e
install -d -o root -g root -m 0755 "$DPKG_ROOT/usr/lib/passthru"
chown root:root "$DPKG_ROOT/usr/lib/passthru"
chmod 0755 "$DPKG_ROOT/usr/lib/passthru"
install -o root -g root -m 0755 "$DPKG_ROOT/opt/Passthru/resources/helper/passthru-helper.cjs" "$DPKG_ROOT/usr/lib/passthru/passthru-helper"
install -D -o root -g root -m 0644 "$DPKG_ROOT/opt/Passthru/resources/polkit/org.passthru.policy" "$DPKG_ROOT/usr/share/polkit-1/actions/org.passthru.policy"
set +e
# --- passthru: end ---

if type update-alternatives >/dev/null 2>&1; then
    # Remove previous link if it doesn't use update-alternatives
    if [ -L '/usr/bin/${executable}' -a -e '/usr/bin/${executable}' -a "`readlink '/usr/bin/${executable}'`" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' '/opt/${sanitizedProductName}/${executable}' 100 || ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
else
    ln -sf '/opt/${sanitizedProductName}/${executable}' '/usr/bin/${executable}'
fi

# Check if user namespaces are supported by the kernel and working with a quick test:
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    # Use SUID chrome-sandbox only on systems without user namespaces:
    chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
else
    chmod 0755 '/opt/${sanitizedProductName}/chrome-sandbox' || true
fi

if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi

if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# Install the AppArmor profile (Ubuntu 24+) when this AppArmor supports it.
if apparmor_status --enabled > /dev/null 2>&1; then
  APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'
  APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
  if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" > /dev/null 2>&1; then
    cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
    # Not in a chroot (image building): there, live-loading the profile makes no sense.
    if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
      apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
    fi
  else
    echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
  fi
fi
