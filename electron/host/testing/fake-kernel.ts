/**
 * A fake kernel for unit tests: a {@link SysfsWriter} that reacts to writes in a fake tree the
 * way Linux does — driver_override is stored, drivers_probe binds the override (or the device's
 * natural driver), unbind removes the `driver` link, binding vfio-pci creates /dev/vfio/<group>.
 * The ops under test do their real writes; only the kernel's side is emulated. Failures can be
 * injected per attribute (e.g. EBUSY on unbind). The writer is handed the resolved host path
 * (exec/write-sysfs.ts), so a device attribute arrives under /sys/devices/…/<address>/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SysfsWriteError, type SysfsWriter } from '../exec/write-sysfs';

export interface FakeKernelOptions {
  /** The driver the kernel would pick by ID when no override is set (address → driver). */
  naturalDrivers?: Record<string, string | null>;
}

export class FakeKernel {
  /** Injected failures: inside path suffix (e.g. '/unbind') → errno, consumed once unless sticky. */
  private readonly failures: { suffix: string; errno: string; sticky: boolean; value?: string }[] = [];
  readonly writes: { path: string; value: string }[] = [];

  /** The root as the writer's paths spell it (resolved). */
  private readonly real: string;

  constructor(
    readonly root: string,
    private readonly options: FakeKernelOptions = {},
  ) {
    this.real = fs.realpathSync(root);
  }

  /** `value`: only a write of exactly this value fails (e.g. creating VFs, not removing them). */
  failNext(suffix: string, errno: string, sticky = false, value?: string): void {
    this.failures.push({ suffix, errno, sticky, value });
  }

  /** The next write to a path ending in `suffix` never returns (a hung kernel write; or a kill). */
  hangNext(suffix: string): void {
    this.hangs.push(suffix);
  }
  private readonly hangs: string[] = [];

  readonly writer: SysfsWriter = async (hostPath, value) => {
    const inside = `/${path.relative(this.real, hostPath)}`;
    this.writes.push({ path: inside, value });
    const h = this.hangs.findIndex((sfx) => inside.endsWith(sfx));
    if (h >= 0) {
      this.hangs.splice(h, 1);
      return new Promise<void>(() => undefined);
    }
    const i = this.failures.findIndex((f) => inside.endsWith(f.suffix) && (f.value === undefined || f.value === value.trim()));
    if (i >= 0) {
      const f = this.failures[i]!;
      if (!f.sticky) this.failures.splice(i, 1);
      throw new SysfsWriteError(hostPath, f.errno, `${f.errno} (injected)`);
    }
    const m = inside.match(/^\/sys\/bus\/pci\/drivers\/([^/]+)\/unbind$/);
    const attr = inside.match(/^\/sys\/(?:bus\/pci\/devices|devices\/.+)\/([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\/(driver_override|sriov_numvfs)$/);
    if (attr?.[2] === 'driver_override') {
      const v = value.trim();
      fs.writeFileSync(hostPath, `${v === '' ? '(null)' : v}\n`);
    } else if (m) {
      const addr = value.trim();
      if (this.driverOf(addr) !== m[1]) throw new SysfsWriteError(hostPath, 'ENODEV', 'No such device');
      this.detach(addr);
    } else if (attr?.[2] === 'sriov_numvfs') {
      this.setNumVfs(attr[1] as string, hostPath, value);
    } else if (inside === '/sys/bus/pci/drivers_probe') {
      const addr = value.trim();
      if (!fs.existsSync(this.host(`/sys/bus/pci/devices/${addr}`))) throw new SysfsWriteError(hostPath, 'ENODEV', 'No such device');
      if (this.driverOf(addr) !== null) return;
      const ov = fs.readFileSync(this.host(`/sys/bus/pci/devices/${addr}/driver_override`), 'utf8').trim();
      const driver = ov !== '(null)' && ov !== '' ? ov : (this.options.naturalDrivers?.[addr] ?? null);
      if (driver) this.attach(addr, driver);
    } else {
      fs.writeFileSync(hostPath, value);
    }
  };

  /**
   * sriov_numvfs as Linux's sriov_numvfs_store: EBUSY from N to M when both are non-zero,
   * EINVAL beyond sriov_totalvfs; VFs appear as functions 10.<i> on the PF's bus, with their
   * virtfn links, and vanish again at 0.
   */
  private setNumVfs(pf: string, hostPath: string, value: string): void {
    const n = Number(value.trim());
    const pfDir = this.devDir(pf);
    const cur = Number(fs.readFileSync(path.join(pfDir, 'sriov_numvfs'), 'utf8').trim());
    const total = Number(fs.readFileSync(path.join(pfDir, 'sriov_totalvfs'), 'utf8').trim());
    if (!Number.isInteger(n) || n < 0 || n > total) throw new SysfsWriteError(hostPath, 'EINVAL', 'Invalid argument');
    if (n === cur) return;
    if (cur > 0 && n > 0) throw new SysfsWriteError(hostPath, 'EBUSY', 'Device or resource busy');
    for (let i = 0; i < cur; i++) {
      const link = path.join(pfDir, `virtfn${i}`);
      const vf = path.basename(fs.readlinkSync(link));
      fs.rmSync(link);
      fs.rmSync(path.join(path.dirname(pfDir), vf), { recursive: true, force: true });
      fs.rmSync(this.host(`/sys/bus/pci/devices/${vf}`), { force: true });
    }
    for (let i = 0; i < n; i++) {
      const vf = `${pf.slice(0, 8)}10.${i}`;
      const vfDir = path.join(path.dirname(pfDir), vf);
      fs.mkdirSync(vfDir, { recursive: true });
      fs.writeFileSync(path.join(vfDir, 'driver_override'), '(null)\n');
      fs.symlinkSync(path.relative(pfDir, vfDir), path.join(pfDir, `virtfn${i}`));
      fs.symlinkSync(path.relative(path.join(vfDir), pfDir), path.join(vfDir, 'physfn'));
      fs.symlinkSync(path.relative(this.host('/sys/bus/pci/devices'), vfDir), this.host(`/sys/bus/pci/devices/${vf}`));
    }
    fs.writeFileSync(hostPath, `${n}\n`);
  }

  private host(inside: string): string {
    return path.join(this.root, inside);
  }

  driverOf(addr: string): string | null {
    try {
      return path.basename(fs.readlinkSync(this.host(`/sys/bus/pci/devices/${addr}/driver`)));
    } catch {
      return null;
    }
  }

  private devDir(addr: string): string {
    return fs.realpathSync(this.host(`/sys/bus/pci/devices/${addr}`));
  }

  private group(addr: string): string | null {
    try {
      return path.basename(fs.readlinkSync(this.host(`/sys/bus/pci/devices/${addr}/iommu_group`)));
    } catch {
      return null;
    }
  }

  private setUeventDriver(addr: string, driver: string | null): void {
    const file = path.join(this.devDir(addr), 'uevent');
    if (!fs.existsSync(file)) return;
    const lines = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('DRIVER='));
    fs.writeFileSync(file, `${[...(driver ? [`DRIVER=${driver}`] : []), ...lines].join('\n')}\n`);
  }

  private attach(addr: string, driver: string): void {
    const dir = this.devDir(addr);
    const drvDir = this.host(`/sys/bus/pci/drivers/${driver}`);
    fs.mkdirSync(drvDir, { recursive: true });
    fs.symlinkSync(path.relative(dir, fs.realpathSync(drvDir)), path.join(dir, 'driver'));
    fs.rmSync(path.join(drvDir, addr), { force: true });
    fs.symlinkSync(path.relative(drvDir, dir), path.join(drvDir, addr));
    this.setUeventDriver(addr, driver);
    const g = this.group(addr);
    if (driver === 'vfio-pci' && g !== null) {
      fs.mkdirSync(this.host('/dev/vfio'), { recursive: true });
      if (!fs.existsSync(this.host(`/dev/vfio/${g}`))) fs.writeFileSync(this.host(`/dev/vfio/${g}`), '');
    }
  }

  private detach(addr: string): void {
    const driver = this.driverOf(addr);
    const dir = this.devDir(addr);
    fs.rmSync(path.join(dir, 'driver'), { force: true });
    if (driver) fs.rmSync(this.host(`/sys/bus/pci/drivers/${driver}/${addr}`), { force: true });
    this.setUeventDriver(addr, null);
    const g = this.group(addr);
    if (driver === 'vfio-pci' && g !== null) {
      const members = fs.readdirSync(this.host(`/sys/kernel/iommu_groups/${g}/devices`));
      if (!members.some((a) => this.driverOf(a) === 'vfio-pci')) fs.rmSync(this.host(`/dev/vfio/${g}`), { force: true });
    }
  }
}
