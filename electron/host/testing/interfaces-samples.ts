/**
 * /etc/network/interfaces files as Debian's installer, hand-editing and Proxmox leave them,
 * for the ifupdown bridge tests (electron/host/network/).
 */

export const INTERFACES = '/etc/network/interfaces';

/** What Debian's installer writes for a static address (tabs, the resolvconf comment, the interfaces.d source). */
export const DEBIAN_STATIC = `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
auto eno1
iface eno1 inet static
\taddress 192.168.1.10/24
\tgateway 192.168.1.1
\t# dns-* options are implemented by the resolvconf package, if installed
\tdns-nameservers 192.168.1.1 9.9.9.9
\tdns-search example.org
`;

/** What Debian's installer writes for DHCP. */
export const DEBIAN_DHCP = `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug eth0
iface eth0 inet dhcp
`;

export const DUAL_STACK = `auto lo
iface lo inet loopback

auto enp3s0
iface enp3s0 inet static
    address 203.0.113.10
    netmask 255.255.255.0
    gateway 203.0.113.1
    mtu 9000

iface enp3s0 inet6 static
    address 2001:db8:10::10/64
    gateway 2001:db8:10::1

auto enp4s0
iface enp4s0 inet dhcp
`;

export const ONLY_INET6 = `auto lo
iface lo inet loopback

auto eth0
iface eth0 inet6 auto
  accept_ra 2
  privext 0
`;

/** A bridge as Proxmox's installer writes it: hyphenated options, the port with no auto line. */
export const PROXMOX = `auto lo
iface lo inet loopback

iface eno1 inet manual

auto vmbr0
iface vmbr0 inet static
\taddress 192.168.1.2/24
\tgateway 192.168.1.1
\tbridge-ports eno1
\tbridge-stp off
\tbridge-fd 0

source /etc/network/interfaces.d/*
`;
