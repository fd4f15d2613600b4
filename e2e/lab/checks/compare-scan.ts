/**
 * The lab's cross-checks: each compares one part of `passthru scan --json` with an
 * independent source collected in the same guest and returns every disagreement as one
 * precise sentence (empty = agrees). Tests assert `toEqual([])`, so a failure lists them all.
 */
import type { HostScan } from '#shared/model';
import type { GuestFacts } from './guest-facts';

type Diffs = string[];

const fmt = (v: unknown): string => JSON.stringify(v);
const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

function eq(diffs: Diffs, where: string, field: string, passthru: unknown, kernel: unknown, source: string): void {
  if (fmt(passthru) !== fmt(kernel)) diffs.push(`${where}: ${field} is ${fmt(passthru)} in passthru but ${fmt(kernel)} per ${source}`);
}

/** The set of devices equals /sys/bus/pci/devices (and lspci's). */
export function checkDeviceSet(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  const mine = sorted(f.scan.devices.map((d) => d.address));
  const sys = sorted(f.sysfs.devices.keys());
  const lspci = sorted(f.lspciVmm.keys());
  for (const a of sys) if (!mine.includes(a)) diffs.push(`${a} is in /sys/bus/pci/devices but missing from passthru's devices`);
  for (const a of mine) if (!sys.includes(a)) diffs.push(`${a} is in passthru's devices but not in /sys/bus/pci/devices`);
  if (fmt(sys) !== fmt(lspci)) diffs.push(`(lab sanity) lspci lists ${fmt(lspci)} but sysfs ${fmt(sys)}`);
  if (new Set(mine).size !== mine.length) diffs.push(`passthru lists a device twice: ${fmt(mine)}`);
  return diffs;
}

/** driver == lspci -k "Kernel driver in use" (and the sysfs driver link). */
export function checkDrivers(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  for (const d of f.scan.devices) {
    const k = f.lspciK.get(d.address);
    if (!k) continue; // reported by checkDeviceSet
    eq(diffs, d.address, 'driver', d.driver, k.driver, 'lspci -k "Kernel driver in use"');
    eq(diffs, d.address, 'driver', d.driver, f.sysfs.devices.get(d.address)?.driver ?? null, 'the sysfs driver link');
  }
  return diffs;
}

/** modules == lspci -k "Kernel modules" (lspci matches modules.alias through libkmod). */
export function checkModules(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  for (const d of f.scan.devices) {
    const k = f.lspciK.get(d.address);
    if (k) eq(diffs, d.address, 'modules', sorted(d.modules), sorted(k.modules), 'lspci -k "Kernel modules"');
  }
  return diffs;
}

/** lspci's "Subsystem:" text: subsystem vendor and device names, each when known. */
function subsystemText(l: { subsystemVendor: { name: string | null } | null; subsystemDevice: { name: string | null } | null }): string | null {
  const parts = [l.subsystemVendor?.name, l.subsystemDevice?.name].filter((x): x is string => !!x);
  return parts.length ? parts.join(' ') : null;
}

/**
 * ids, revision and class == lspci -vmm -nn; names == the same with names from pci.ids only
 * (`-O hwdb.disable=1`): pci.ids is Passthru's documented source, while Debian's lspci also
 * consults udev's hwdb (see hwdbNameDifferences).
 */
export function checkIdsAndNames(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  const src = 'lspci -vmm -nn';
  const srcNames = 'lspci -vmm -nn -O hwdb.disable=1';
  for (const d of f.scan.devices) {
    const l = f.lspciVmm.get(d.address);
    const n = f.lspciVmmPciIds.get(d.address);
    if (!l || !n) continue;
    eq(diffs, d.address, 'vendorId', d.vendorId, l.vendor.id, src);
    eq(diffs, d.address, 'deviceId', d.deviceId, l.device.id, src);
    eq(diffs, d.address, 'subsystemVendorId', d.subsystemVendorId, l.subsystemVendor?.id ?? null, src);
    eq(diffs, d.address, 'subsystemDeviceId', d.subsystemDeviceId, l.subsystemDevice?.id ?? null, src);
    eq(diffs, d.address, 'classId', d.classId, `${l.class.id}${l.progIf}`, `${src} (Class + ProgIf)`);
    eq(diffs, d.address, 'revision', d.revision ?? '00', l.revision, src);
    eq(diffs, d.address, 'vendorName', d.vendorName, n.vendor.name, srcNames);
    eq(diffs, d.address, 'deviceName', d.deviceName, n.device.name, srcNames);
    eq(diffs, d.address, 'className', d.className, n.class.name, srcNames);
    eq(diffs, d.address, 'subsystemName', d.subsystemName, subsystemText(n), `${srcNames} (SVendor + SDevice)`);
  }
  return diffs;
}

/**
 * Where plain `lspci -nn` (with udev's hwdb) names a device differently from pci.ids alone.
 * Not a Passthru bug by its spec, but a user comparing with lspci sees it: reported, not failed.
 */
export function hwdbNameDifferences(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  for (const d of f.scan.devices) {
    const l = f.lspciVmm.get(d.address);
    if (!l) continue;
    const src = 'plain lspci -vmm -nn (udev hwdb)';
    eq(diffs, d.address, 'vendorName', d.vendorName, l.vendor.name, src);
    eq(diffs, d.address, 'deviceName', d.deviceName, l.device.name, src);
    eq(diffs, d.address, 'className', d.className, l.class.name, src);
    eq(diffs, d.address, 'subsystemName', d.subsystemName, subsystemText(l), src);
  }
  return diffs;
}

/** Each device's group and each group's members == /sys/kernel/iommu_groups/N/devices. */
export function checkIommuGroups(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  const src = '/sys/kernel/iommu_groups';
  const groupOf = new Map<string, number>();
  for (const [id, members] of f.sysfs.groups) for (const m of members) groupOf.set(m, id);
  for (const d of f.scan.devices) eq(diffs, d.address, 'iommuGroup', d.iommuGroup, groupOf.get(d.address) ?? null, src);
  const mine = new Map(f.scan.groups.map((g) => [g.id, sorted(g.devices)]));
  for (const [id, members] of f.sysfs.groups) eq(diffs, `group ${id}`, 'devices', mine.get(id) ?? '(no such group)', members, src);
  for (const id of mine.keys()) if (!f.sysfs.groups.has(id)) diffs.push(`group ${id} is in passthru's groups but not in ${src}`);
  eq(diffs, 'host', 'iommu.groupCount', f.scan.host.iommu.groupCount, f.sysfs.groups.size, src);
  eq(diffs, 'host', 'iommu.units', sorted(f.scan.host.iommu.units), sorted(f.sysfs.iommuUnits), '/sys/class/iommu');
  return diffs;
}

/**
 * The VFIO viability verdict, recomputed from lspci's drivers and classes with the rule of
 * electron/host/probes/iommu-groups.ts: every member driver-less, on vfio-pci, on pci-stub,
 * or a bridge (class 06xx).
 */
export function checkViability(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  for (const g of f.scan.groups) {
    const blockers = g.devices
      .map((a) => ({ address: a, driver: f.lspciK.get(a)?.driver ?? null, cls: f.lspciVmm.get(a)?.class.id ?? '' }))
      .filter((m) => m.driver !== null && m.driver !== 'vfio-pci' && m.driver !== 'pci-stub' && !m.cls.startsWith('06'))
      .map((m) => ({ address: m.address, driver: m.driver }));
    eq(diffs, `group ${g.id}`, 'viable', g.viable, blockers.length === 0, 'the rule applied to lspci -k');
    eq(
      diffs,
      `group ${g.id}`,
      'blockers',
      sorted(g.blockers.map((b) => `${b.address}=${b.driver}`)),
      sorted(blockers.map((b) => `${b.address}=${b.driver}`)),
      'the rule applied to lspci -k',
    );
  }
  return diffs;
}

/** sriov totals, enabled count and VF list == sriov_totalvfs / sriov_numvfs / virtfn*; physfn == physfn link. */
export function checkSriov(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  for (const d of f.scan.devices) {
    const s = f.sysfs.sriov.get(d.address);
    const mine = d.sriov ? { totalVfs: d.sriov.totalVfs, numVfs: d.sriov.numVfs } : null;
    eq(diffs, d.address, 'sriov totals', mine, s ?? null, 'sriov_totalvfs/sriov_numvfs');
    eq(diffs, d.address, 'sriov.vfs', d.sriov?.vfs ?? null, s ? (f.sysfs.virtfns.get(d.address) ?? []) : null, 'the virtfn* links');
    eq(diffs, d.address, 'physfn', d.physfn, f.sysfs.physfn.get(d.address) ?? null, 'the physfn link');
  }
  return diffs;
}

/** parent bridge and network interfaces == the sysfs tree. */
export function checkTopologyAndInterfaces(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  const ifacesOf = new Map<string, string[]>();
  for (const [iface, dev] of f.sysfs.ifaceDevice) if (dev) ifacesOf.set(dev, [...(ifacesOf.get(dev) ?? []), iface]);
  for (const d of f.scan.devices) {
    eq(diffs, d.address, 'parent', d.parent, f.sysfs.devices.get(d.address)?.parent ?? null, 'the sysfs device path');
    eq(diffs, d.address, 'interfaces', sorted(d.interfaces), sorted(ifacesOf.get(d.address) ?? []), '/sys/class/net/*/device');
  }
  for (const i of f.scan.interfaces) eq(diffs, `interface ${i.name}`, 'device', i.device, f.sysfs.ifaceDevice.get(i.name) ?? null, '/sys/class/net/*/device');
  return diffs;
}

/**
 * driver_override, numa_node, reset_method and the bridge flag == the sysfs files / class.
 * Expectations follow the model's wording: "(null)" override and numa_node -1 are null; an
 * absent reset_method file (on the lab's ≥ 5.15 kernels) is [].
 */
export function checkDeviceAttributes(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  for (const d of f.scan.devices) {
    const a = f.sysfs.attrs.get(d.address);
    if (!a) continue;
    const override = a.get('driver_override') ?? null;
    eq(diffs, d.address, 'driverOverride', d.driverOverride, override === '(null)' || override === '' ? null : override, 'driver_override');
    const numa = a.get('numa_node') ?? null;
    eq(diffs, d.address, 'numaNode', d.numaNode, numa === null || Number(numa) < 0 ? null : Number(numa), 'numa_node');
    // The lab's kernels (≥ 5.15) hide reset_method when a device has no reset method: that is [].
    const reset = a.get('reset_method') ?? null;
    eq(diffs, d.address, 'resetMethods', d.resetMethods, reset === null ? [] : reset.split(/\s+/).filter(Boolean), 'reset_method');
    const cls = f.lspciVmm.get(d.address)?.class.id;
    if (cls) eq(diffs, d.address, 'isBridge', d.isBridge, cls.startsWith('06'), 'the class code (06xx)');
  }
  for (const i of f.scan.interfaces) {
    const a = f.sysfs.ifaceAttrs.get(i.name);
    if (!a) continue;
    const at = `interface ${i.name}`;
    eq(diffs, at, 'operstate', i.operstate, a.operstate, '/sys/class/net/*/operstate');
    const speed = a.speed === null || Number(a.speed) <= 0 ? null : Number(a.speed);
    eq(diffs, at, 'speedMbps', i.speedMbps, speed, '/sys/class/net/*/speed');
    eq(diffs, at, 'pfInterface', i.pfInterface, a.pfInterface, 'device/physfn/net');
  }
  return diffs;
}

/** Interfaces, addresses and default routes == ip -j; the management NIC is the default route's. */
export function checkNetwork(f: GuestFacts): Diffs {
  const diffs: Diffs = [];
  const src = 'ip -j addr';
  const mine = new Map(f.scan.interfaces.map((i) => [i.name, i]));
  eq(diffs, 'host', 'interface names', sorted(mine.keys()), sorted(f.links.map((l) => l.ifname)), src);
  for (const l of f.links) {
    const i = mine.get(l.ifname);
    if (!i) continue;
    eq(diffs, `interface ${l.ifname}`, 'mac', i.mac, l.address ?? null, src);
    eq(diffs, `interface ${l.ifname}`, 'mtu', i.mtu, l.mtu ?? null, src);
    const fam = (x: string): string => (x === 'inet' ? 'ipv4' : 'ipv6');
    eq(
      diffs,
      `interface ${l.ifname}`,
      'addresses',
      sorted(i.addresses.map((a) => `${a.family} ${a.address}/${a.prefixLength} ${a.scope}`)),
      sorted((l.addr_info ?? []).map((a) => `${fam(a.family)} ${a.local}/${a.prefixlen} ${a.scope ?? null}`)),
      src,
    );
  }
  const dev4 = new Set(f.routes4.map((r) => r.dev).filter(Boolean));
  const dev6 = new Set(f.routes6.map((r) => r.dev).filter(Boolean));
  for (const i of f.scan.interfaces) {
    eq(diffs, `interface ${i.name}`, 'defaultRoute', i.defaultRoute, { ipv4: dev4.has(i.name), ipv6: dev6.has(i.name) }, 'ip route show default');
  }
  // No bridges or bonds in the lab: the management NIC is exactly the default routes' device.
  eq(
    diffs,
    'host',
    'management interfaces',
    sorted(f.scan.interfaces.filter((i) => i.management).map((i) => i.name)),
    sorted(new Set([...dev4, ...dev6] as string[])),
    'ip route show default',
  );
  return diffs;
}

/** Host-level IOMMU facts. */
export function checkIommuState(f: GuestFacts, expectIommu: boolean): Diffs {
  const diffs: Diffs = [];
  const { iommu } = f.scan.host;
  eq(diffs, 'host', 'iommu.enabled', iommu.enabled, expectIommu, 'the scenario (and /sys/class/iommu)');
  eq(diffs, 'host', 'iommu.enabled', iommu.enabled, f.sysfs.iommuUnits.length > 0 && f.sysfs.groups.size > 0, '/sys/class/iommu + groups');
  const ready = f.scan.readiness.find((r) => r.id === 'iommu-enabled');
  if (!ready) diffs.push('readiness has no iommu-enabled check');
  else {
    eq(diffs, 'readiness', 'iommu-enabled status', ready.status, expectIommu ? 'pass' : 'fail', 'the scenario');
    if (!expectIommu && !ready.remedy) diffs.push('readiness iommu-enabled fails without a remedy');
  }
  if (expectIommu) {
    eq(diffs, 'host', 'iommu.vendor', iommu.vendor, 'intel', 'the scenario (qemu intel-iommu)');
    eq(diffs, 'host', 'iommu.interruptRemapping', iommu.interruptRemapping, true, 'the scenario (intremap=on)');
    if (!iommu.cmdlineArgs.includes('intel_iommu=on')) diffs.push(`host: iommu.cmdlineArgs ${fmt(iommu.cmdlineArgs)} lacks intel_iommu=on, which is on /proc/cmdline`);
  } else {
    for (const d of f.scan.devices) if (d.iommuGroup !== null) diffs.push(`${d.address}: iommuGroup ${d.iommuGroup} on a host without IOMMU`);
    if (f.scan.groups.length) diffs.push(`passthru lists ${f.scan.groups.length} groups on a host without IOMMU`);
  }
  return diffs;
}

/** Everything but `source` (where the data came from) must read back identically. */
export function diffScans(live: HostScan, other: HostScan, label: string): Diffs {
  const diffs: Diffs = [];
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (diffs.length > 40) return;
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      if (Array.isArray(a) !== Array.isArray(b)) diffs.push(`${at}: ${fmt(a)} live vs ${fmt(b)} ${label}`);
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`);
    } else if (fmt(a) !== fmt(b)) diffs.push(`${at}: ${fmt(a)} live vs ${fmt(b)} ${label}`);
  };
  const { source: _a, ...l } = live;
  const { source: _b, ...o } = other;
  walk(l, o, 'scan');
  return diffs;
}
