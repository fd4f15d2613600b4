#!/bin/sh
# Installs the polkit policy shipped in the app's resources.
set -e
install -D -m 0644 /opt/Passthru/resources/polkit/org.passthru.policy /usr/share/polkit-1/actions/org.passthru.policy
