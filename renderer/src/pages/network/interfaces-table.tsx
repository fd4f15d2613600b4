/**
 * Every network interface in a plain table (hosts have tens, not thousands). The management
 * interface is marked in words as well as colour, because handing it to a VM cuts the host
 * off the network.
 */
import type { NetInterface } from '#shared/model';
import { ManagementBadge } from '../../components/status';
import { formatIp, formatSpeed, NONE } from '../../lib/format';
import { inUseReason } from '../../lib/group-verdict';
import { managementReason } from '../../lib/network';
import { uiStore } from '../../stores/ui-store';
import { wizardStore } from '../../stores/wizard-store';
import { bridgeRefusal, freeBridgeName } from '../../wizards/bridge/bridge-form';

/** "Bridge for VMs…" on a NIC that can be a port, "Remove bridge…" on a bridge; a NIC that cannot is said so. */
function BridgeAction({ i, interfaces }: { i: NetInterface; interfaces: NetInterface[] }) {
  if (i.kind === 'bridge') {
    return (
      <button type="button" className="button button--small" onClick={() => wizardStore.getState().openBridgeRemoval(i.name)} aria-label={`Remove bridge ${i.name}…`}>
        Remove bridge…
      </button>
    );
  }
  const why = bridgeRefusal(i);
  if (why === undefined) return <span className="muted">{NONE}</span>;
  return (
    <span className="bridge-action">
      <button
        type="button"
        className="button button--small"
        disabled={why !== null}
        aria-label={`Bridge ${i.name} for VMs…`}
        aria-describedby={why ? `bridge-why-${i.name}` : undefined}
        onClick={() => wizardStore.getState().openBridge(i.name, freeBridgeName(interfaces.map((x) => x.name)))}
      >
        Bridge for VMs…
      </button>
      {why && (
        <span className="muted small" id={`bridge-why-${i.name}`}>
          {' '}
          {why}
        </span>
      )}
    </span>
  );
}

function RouteCell({ i }: { i: NetInterface }) {
  const families = [i.defaultRoute.ipv4 && 'IPv4', i.defaultRoute.ipv6 && 'IPv6'].filter(Boolean);
  return families.length ? <strong>{families.join(', ')}</strong> : <span className="muted">No</span>;
}

export function InterfacesTable({ interfaces }: { interfaces: NetInterface[] }) {
  return (
    <div className="table-scroll" role="region" aria-label="Interfaces table" tabIndex={0}>
      <table className="table">
        <caption className="sr-only">Network interfaces</caption>
        <thead>
          <tr>
            <th scope="col">Interface</th>
            <th scope="col">MAC</th>
            <th scope="col">Link</th>
            <th scope="col">MTU</th>
            <th scope="col">Driver</th>
            <th scope="col">PCI device</th>
            <th scope="col">Addresses</th>
            <th scope="col">Default route</th>
            <th scope="col">Bridge / bond</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {interfaces.map((i) => (
            <tr key={i.name} className={i.management ? 'is-management' : undefined} data-interface={i.name}>
              <th scope="row" className="iface-name">
                <span>
                  <span className="mono iface-name__name">{i.name}</span> <span className="muted small">{i.kind}</span>
                </span>
                {i.management && <ManagementBadge long reason={managementReason(i, interfaces)} />}
                {i.inUse && !i.management && i.kind !== 'loopback' && <span className="badge badge--warn">In use by the host ({inUseReason(i)})</span>}
                {i.pfInterface && <span className="muted small">VF of {i.pfInterface}</span>}
              </th>
              <td className="mono nowrap">{i.mac ?? NONE}</td>
              <td className="nowrap">
                <span className={`state state--${i.operstate === 'up' ? 'up' : 'down'}`}>{i.operstate ?? 'unknown'}</span>
                {i.speedMbps !== null && <span> · {formatSpeed(i.speedMbps)}</span>}
              </td>
              <td>{i.mtu ?? NONE}</td>
              <td className="mono">{i.driver ?? <span className="muted">{NONE}</span>}</td>
              <td>
                {i.device ? (
                  <button type="button" className="link-button mono" onClick={() => uiStore.getState().selectDevice(i.device, { navigate: true })}>
                    {i.device}
                  </button>
                ) : (
                  <span className="muted">virtual</span>
                )}
              </td>
              <td>
                {i.addresses.length ? (
                  <ul className="plain-list mono small">
                    {i.addresses.map((a) => (
                      <li key={`${a.address}/${a.prefixLength}`}>
                        {formatIp(a)}
                        {a.scope && a.scope !== 'global' && <span className="muted"> ({a.scope})</span>}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">None</span>
                )}
              </td>
              <td>
                <RouteCell i={i} />
              </td>
              <td>
                {i.master && (
                  <div>
                    Port of <span className="mono">{i.master}</span>
                  </div>
                )}
                {i.ports.length > 0 && (
                  <div>
                    Ports: <span className="mono">{i.ports.join(', ')}</span>
                  </div>
                )}
                {!i.master && i.ports.length === 0 && <span className="muted">{NONE}</span>}
              </td>
              <td>
                <BridgeAction i={i} interfaces={interfaces} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
