#!/bin/sh
set -e
rm -f /usr/share/polkit-1/actions/org.passthru.policy
