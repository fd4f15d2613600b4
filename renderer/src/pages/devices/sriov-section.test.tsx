import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { indexScan } from '../../lib/scan-index';
import { makeDevice, sampleScan } from '../../testing/sample-scan';
import { SriovSection } from './sriov-section';

const index = indexScan(sampleScan);
const render = (address: string) => renderToStaticMarkup(<SriovSection device={index.deviceByAddress.get(address)!} index={index} onSelect={() => undefined} />);

describe('SR-IOV section of the detail panel', () => {
  it('shows a PF: counts, autoprobe, the button and a labelled VF table with a Configure button per VF', () => {
    const html = render('0000:01:00.0');
    expect(html).toContain('<dt>Total VFs</dt><dd>7</dd>');
    expect(html).toContain('<dt>VFs enabled</dt><dd>2</dd>');
    expect(html).toContain('Yes (new VFs get a host driver)');
    expect(html).toContain('Set number of VFs…');
    expect(html).toContain('<caption class="sr-only">Virtual functions of 0000:01:00.0</caption>');
    expect(html.match(/<tr data-vf=/g)).toHaveLength(2);
    expect(html).toContain('aria-label="Configure… (VF 1, 0000:01:10.2)"');
    expect(html).toContain('02:5e:10:00:00:01');
    expect(html).toContain('10 (priority 3)');
    // Keyboard users can scroll the wide table.
    expect(html).toMatch(/role="region" aria-label="Virtual functions of 0000:01:00.0" tabindex="0"/);
  });

  it('shows a PF without VFs, a VF with its PF, and a device without SR-IOV', () => {
    expect(render('0000:01:00.1')).toContain('No VFs enabled.');
    const vf = render('0000:01:10.2');
    expect(vf).toContain('Virtual function 1 of');
    expect(vf).toContain('Configure this VF…');
    expect(render('0000:03:00.0')).toContain('Not SR-IOV capable.');
  });

  it('renders 256 VFs as 256 rows', () => {
    const vfs = Array.from({ length: 256 }, (_, i) => `0000:05:${(16 + Math.floor(i / 8)).toString(16)}.${i % 8}`);
    const pf = makeDevice({ address: '0000:05:00.0', sriov: { totalVfs: 256, numVfs: 256, vfs, driversAutoprobe: false, vfSettings: null, bootRule: null } });
    const html = renderToStaticMarkup(<SriovSection device={pf} index={index} onSelect={() => undefined} />);
    expect(html.match(/<tr data-vf=/g)).toHaveLength(256);
  });
});
