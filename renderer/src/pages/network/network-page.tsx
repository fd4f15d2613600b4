/** Network: every interface, which one is the management path, and the SR-IOV PF → VF tree. */
import { useMemo } from 'react';
import type { HostScan } from '#shared/model';
import { Page } from '../../components/page';
import { InfoNote } from '../../components/status';
import { plural } from '../../lib/format';
import { sortInterfaces } from '../../lib/network';
import { buildSriovTree } from '../../lib/sriov-tree';
import { InterfacesTable } from './interfaces-table';
import { SriovTree } from './sriov-tree';

export function NetworkPage({ scan }: { scan: HostScan }) {
  const interfaces = useMemo(() => sortInterfaces(scan.interfaces), [scan.interfaces]);
  const pfs = useMemo(() => buildSriovTree(scan), [scan]);
  const management = interfaces.filter((i) => i.management);

  return (
    <Page title="Network" lede={<p>{plural(interfaces.length, 'interface', 'interfaces')}.</p>}>
      {management.length > 0 ? (
        <InfoNote>
          {management.map((i) => i.name).join(', ')} {management.length === 1 ? 'carries' : 'carry'} this host&apos;s management traffic (the default route). Passing{' '}
          {management.length === 1 ? 'it' : 'them'} to a VM would cut the host off the network, so Passthru refuses to unless you override the refusal and confirm with the
          interface&apos;s name.
        </InfoNote>
      ) : (
        <InfoNote>No interface carries a default route, so none is marked as the management interface.</InfoNote>
      )}
      <section aria-labelledby="ifaces-title" className="section">
        <h2 id="ifaces-title">Interfaces</h2>
        <InterfacesTable interfaces={interfaces} />
      </section>
      <section aria-labelledby="sriov-title" className="section">
        <h2 id="sriov-title">SR-IOV: physical and virtual functions</h2>
        <SriovTree pfs={pfs} />
      </section>
    </Page>
  );
}
