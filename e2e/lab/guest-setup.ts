/**
 * What boot.ts runs in a freshly booted guest before handing it over: the scenario's
 * management addressing and SR-IOV VFs. Each step is an argv for one of the guest scripts,
 * which take plain arguments, so no shell text is composed on the host.
 */
import path from 'node:path';
import type { Scenario } from './scenarios';

export function setupSteps(scenario: Scenario, repo: string): string[][] {
  const guest = (script: string): string => path.join(repo, 'e2e', 'lab', 'guest', script);
  const steps: string[][] = [];
  for (const nic of scenario.nics) {
    const m = nic.management;
    if (m) steps.push(['/bin/sh', guest('net-setup.sh'), nic.mac, m.ipv4, m.gateway4, m.ipv6, m.gateway6]);
  }
  if (scenario.enableAllVfs) steps.push(['/bin/sh', guest('sriov-enable-all.sh')]);
  return steps;
}
