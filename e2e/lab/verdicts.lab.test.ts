/**
 * The passthrough verdicts against a real kernel, so a verdict is a promise: what
 * `passthru scan` says of a group is what assign then does — an assignable group becomes ready
 * after one assign (and assignable again after the give-back), a blocked one (the management
 * NIC, the controller of the root filesystem) is refused and keeps its driver. Verdicts read
 * from `scan --json`, drivers from sysfs with plain shell. LAB_SCENARIOS=seed limits the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostScan, PassthroughState } from '#shared/model';
import { kernelState, runCli, type KernelDeviceState } from './checks/device-state';
import { runs, useLab } from './checks/use-lab';
import { passthru } from './checks/guest-facts';

const PF = '0000:01:00.0';
const MGMT = '0000:02:00.0';
const ROOT_9P = '0000:00:10.0';
/** The root port above the igb PF (qemu's pcie-root-port offers ACS). */
const ROOT_PORT = '0000:00:02.0';

describe.runIf(runs('seed'))('verdicts agree with what assign does (seed host)', () => {
  const lab = useLab('seed', 'verdicts');
  let before: Record<string, KernelDeviceState>;

  const verdictOf = async (address: string): Promise<{ state: PassthroughState; reasons: string[] }> => {
    const r = await runCli(lab(), 'scan', '--json');
    expect(r.code, r.stderr).toBe(0);
    const scan = r.json as HostScan;
    const d = scan.devices.find((x) => x.address === address)!;
    const g = scan.groups.find((x) => x.id === d.iommuGroup)!;
    return g.passthrough;
  };

  beforeAll(async () => {
    before = await kernelState(lab());
  });

  it('the igb PF is assignable; one assign makes its group ready; giving it back makes it assignable again', async () => {
    expect((await verdictOf(PF)).state).toBe('assignable');
    const a = await runCli(lab(), 'assign', PF, '--yes', '--json');
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect((await kernelState(lab()))[PF]?.driver).toBe('vfio-pci');
    expect(await verdictOf(PF)).toMatchObject({ state: 'ready', reasons: [expect.stringContaining(`${PF} is on vfio-pci`)] });
    const r = await runCli(lab(), 'release', PF, '--yes', '--json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await verdictOf(PF)).state).toBe('assignable');
    expect(await kernelState(lab())).toEqual(before);
  });

  it("a root port's ACS, as scan reads it from config space, is what setpci reads through the kernel", async () => {
    const r = await runCli(lab(), 'scan', '--json');
    expect(r.code, r.stderr).toBe(0);
    const port = (r.json as HostScan).devices.find((d) => d.address === ROOT_PORT)!;
    const regs = await lab().runOk(['setpci', '-s', ROOT_PORT, 'ECAP_ACS+4.w', 'ECAP_ACS+6.w']);
    const [capability, control] = regs.stdout
      .trim()
      .split(/\s+/)
      .map((h) => Number.parseInt(h, 16));
    // Linux enables SV, RR, CR and UF on a root port of an IOMMU host (pci_std_enable_acs).
    expect(port.acs).toMatchObject({ portType: 'root-port', present: true, capability, control, isolates: true, missing: [] });
    // A user other than root gets the first 64 bytes of config only: ACS is unknown, not guessed.
    const asNobody = await lab().runOk(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...passthru('scan', '--json')]);
    const seen = (JSON.parse(asNobody.stdout) as HostScan).devices.find((d) => d.address === ROOT_PORT)!;
    expect(seen.acs).toMatchObject({ configSize: 64, portType: null, present: null, isolates: null });
  });

  it('the management NIC and the controller of / are blocked, and assign refuses them (exit 3); their drivers stay', async () => {
    const mgmt = await verdictOf(MGMT);
    expect(mgmt.state).toBe('blocked');
    expect(mgmt.reasons.join(' ')).toMatch(/default .*route/);
    const root = await verdictOf(ROOT_9P);
    expect(root.state).toBe('blocked');
    expect(root.reasons.join(' ')).toMatch(/mounted at .*\/lab\/lower/);
    for (const address of [MGMT, ROOT_9P]) {
      const r = await runCli(lab(), 'assign', address, '--yes', '--json');
      expect(r.code, `${address}: ${r.stdout}${r.stderr}`).toBe(3);
    }
    expect(await kernelState(lab())).toEqual(before);
  });
});
