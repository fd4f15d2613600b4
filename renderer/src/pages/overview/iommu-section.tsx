/**
 * The overview's IOMMU verdict after a reboot: does the running kernel have it (command line,
 * /sys/class/iommu, groups, interrupt remapping), what is still missing, whether a reboot is
 * pending because the boot configuration already turns it on — and the wizard that changes it.
 */
import type { HostScan } from '#shared/model';
import { verifyIommu } from '#shared/iommu';
import { StatusBadge } from '../../components/status';
import { useIommuStatus } from '../../lib/use-iommu-status';
import { wizardStore } from '../../stores/wizard-store';

export function IommuSection({ scan }: { scan: HostScan }) {
  const boot = useIommuStatus();
  const status = boot.state === 'ready' ? boot.status : null;
  const v = verifyIommu(scan, status);
  const overall = v.verified ? 'pass' : v.rebootPending ? 'warn' : 'fail';
  const configured =
    status === null
      ? boot.state === 'loading'
        ? 'Reading the boot configuration…'
        : 'The boot configuration could not be read.'
      : status.configured === 'on'
        ? `The boot configuration (${status.bootloader.supported ? status.bootloader.label : 'unknown bootloader'}) turns the IOMMU on${status.configuredArgs.length ? `: ${status.configuredArgs.join(' ')}` : ''}.`
        : status.configured === 'off'
          ? `The boot configuration (${status.bootloader.supported ? status.bootloader.label : ''}) does not turn the IOMMU on.`
          : `Passthru cannot change this machine's boot configuration: ${status.bootloader.supported ? 'the CPU vendor is unknown.' : status.bootloader.reason}`;
  const offerEnable = status !== null && status.configured === 'off';
  return (
    <section aria-labelledby="iommu-verify-title" className="section" data-testid="iommu-verification">
      <h2 id="iommu-verify-title">IOMMU</h2>
      <p className={`summary summary--${overall}`}>
        <StatusBadge status={overall} /> {v.verified ? 'Verified: the running kernel has the IOMMU on, with interrupt remapping.' : v.missing}
      </p>
      <ul className="verify-list" aria-label="IOMMU verification">
        {v.items.map((i) => (
          <li key={i.id} data-verify={i.id} data-ok={i.ok}>
            <StatusBadge status={i.ok ? 'pass' : 'fail'} /> <strong>{i.title}:</strong> {i.detail}
          </li>
        ))}
      </ul>
      <p>{configured}</p>
      <p className="section__actions">
        <button type="button" className={offerEnable ? 'button button--primary' : 'button'} disabled={status === null} onClick={() => wizardStore.getState().openIommu()}>
          IOMMU boot settings…
        </button>
      </p>
    </section>
  );
}
