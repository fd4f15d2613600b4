/**
 * The PF → VF tree as nested lists: each SR-IOV physical function with its interface(s),
 * and under it the VFs in virtfn order with their drivers and interfaces.
 */
import type { NetInterface } from '#shared/model';
import { deviceTitle } from '../../lib/format';
import type { PfNode } from '../../lib/sriov-tree';
import { uiStore } from '../../stores/ui-store';
import { wizardStore } from '../../stores/wizard-store';
import { ManagementBadge } from '../../components/status';

function Address({ address }: { address: string }) {
  return (
    <button type="button" className="link-button mono" onClick={() => uiStore.getState().selectDevice(address, { navigate: true })}>
      {address}
    </button>
  );
}

function Ifaces({ list }: { list: NetInterface[] }) {
  if (!list.length) return <span className="muted">no interface</span>;
  return (
    <>
      {list.map((i) => (
        <span key={i.name} className="vf-tree__iface">
          <span className="mono">{i.name}</span>
          <span className="muted">
            {' '}
            ({i.operstate ?? 'unknown'}
            {i.mac ? `, ${i.mac}` : ''})
          </span>
          {i.management && <ManagementBadge />}
        </span>
      ))}
    </>
  );
}

export function SriovTree({ pfs }: { pfs: PfNode[] }) {
  if (pfs.length === 0) return <p className="muted">No SR-IOV capable device on this host.</p>;
  return (
    <ul className="vf-tree" aria-label="SR-IOV physical functions">
      {pfs.map((pf) => (
        <li key={pf.address} className="vf-tree__pf" data-pf={pf.address}>
          <div className="vf-tree__line">
            <span className="tag tag--pf">PF</span> <Address address={pf.address} /> <span>{pf.device ? deviceTitle(pf.device) : 'Not in scan'}</span>{' '}
            <span className="muted mono">· {pf.device?.driver ?? 'no driver'}</span> <Ifaces list={pf.interfaces} />{' '}
            <span className="vf-tree__count">{pf.totalVfs === null ? `${pf.vfs.length} VFs` : `${pf.numVfs} of ${pf.totalVfs} VFs enabled`}</span>{' '}
            {pf.device?.sriov && (
              <button
                type="button"
                className="button button--small"
                aria-label={`Set number of VFs… (${pf.address})`}
                onClick={() => pf.device?.sriov && wizardStore.getState().openSriov(pf.address, pf.device.sriov)}
              >
                Set number of VFs…
              </button>
            )}
          </div>
          {pf.vfs.length > 0 ? (
            <ul aria-label={`Virtual functions of ${pf.address}`}>
              {pf.vfs.map((vf) => (
                <li key={vf.address} className="vf-tree__vf" data-vf={vf.address}>
                  <div className="vf-tree__line">
                    <span className="tag tag--vf">{vf.index === null ? 'VF' : `VF ${vf.index}`}</span> <Address address={vf.address} />{' '}
                    <span className="muted mono">· {vf.device ? (vf.device.driver ?? 'no driver') : 'not in scan'}</span> <Ifaces list={vf.interfaces} />
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="vf-tree__none muted">No VFs enabled{pf.totalVfs ? ` (up to ${pf.totalVfs} available)` : ''}.</p>
          )}
        </li>
      ))}
    </ul>
  );
}
