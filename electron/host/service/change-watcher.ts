/**
 * Notices when PCI devices, their drivers or network interfaces change on the live host.
 * sysfs does not support inotify for these, and a udev netlink socket needs a native module,
 * so we poll a cheap fingerprint: the device list, each device's driver link, and the
 * interface list with operstate. That is one readdir plus one readlink per device.
 */
import type { HostFs } from '../fs/host-fs';

export function hostFingerprint(fs: HostFs): string {
  const parts: string[] = [];
  for (const address of fs.list('/sys/bus/pci/devices')) {
    const driver = fs.readLink(`/sys/bus/pci/devices/${address}/driver`);
    parts.push(`${address}=${driver ? driver.slice(driver.lastIndexOf('/') + 1) : ''}`);
  }
  for (const name of fs.list('/sys/class/net')) {
    parts.push(`${name}:${(fs.readText(`/sys/class/net/${name}/operstate`) ?? '').trim()}`);
  }
  return parts.join('\n');
}

export class ChangeWatcher {
  private timer: NodeJS.Timeout | null = null;
  private last = '';

  constructor(
    private readonly intervalMs: number,
    private readonly onChange: () => void,
  ) {}

  start(fs: HostFs): void {
    this.stop();
    if (this.intervalMs <= 0) return;
    this.last = hostFingerprint(fs);
    this.timer = setInterval(() => {
      let now: string;
      try {
        now = hostFingerprint(fs);
      } catch {
        // The tree now holds something Passthru refuses to read (a FIFO, a device node): a
        // throw here would be uncaught. Report a change; the scan that follows says what it is.
        now = '\0unreadable';
      }
      if (now !== this.last) {
        this.last = now;
        this.onChange();
      }
    }, this.intervalMs);
    // The watcher must never keep a CLI or test process alive on its own.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
