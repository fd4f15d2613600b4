import { cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, fixtureRoot, keepScreenshot } from '../support/app';
import { goTo } from '../support/pages';

const PF = '0000:01:00.0';

test.describe('History', () => {
  test('a journal file that is no record is shown as unreadable; an interrupted change offers a rollback whose plan lists every step it runs', async ({ app }, testInfo) => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'passthru-history-host-')));
    const stateDir = mkdtempSync(join(tmpdir(), 'passthru-history-journal-'));
    cpSync(fixtureRoot('seed'), root, { recursive: true, verbatimSymlinks: true });
    try {
      writeFileSync(join(stateDir, 'torn.json'), '{"version": 2, "journalId": "torn", "st');
      // A change that stopped half-way: the PF detached from igb, the override being written.
      writeFileSync(
        join(stateDir, 'j-interrupted.json'),
        JSON.stringify({
          version: 2,
          journalId: 'j-interrupted',
          root,
          kind: 'assign',
          target: PF,
          devices: [PF],
          original: { [PF]: { driver: 'igb', driverOverride: null } },
          state: 'applying',
          startedAt: '2026-12-01T10:00:00.000Z',
          finishedAt: null,
          reverses: null,
          steps: [
            { id: 'unbind', op: { verb: 'unbind', address: PF, driver: 'igb' }, undo: { verb: 'probe', address: PF, expectDriver: 'igb' }, state: 'done', error: null },
            {
              id: 'override',
              op: { verb: 'set-driver-override', address: PF, driver: 'vfio-pci' },
              undo: { verb: 'set-driver-override', address: PF, driver: null },
              state: 'running',
              error: null,
            },
            { id: 'probe', op: { verb: 'probe', address: PF, expectDriver: 'vfio-pci' }, undo: { verb: 'unbind', address: PF, driver: 'vfio-pci' }, state: 'pending', error: null },
          ],
        }),
      );
      const page = await app.open({ fixture: root, stateDir });
      await goTo(page, 'History');
      const unreadable = page.getByRole('status').filter({ hasText: 'could not be read' });
      await expect(unreadable).toContainText(join(stateDir, 'torn.json'));
      await expect(unreadable).toContainText('not valid JSON');
      // The readable entry is there, with its steps worded from their ops.
      await expect(page.getByRole('list', { name: 'Steps of j-interrupted' })).toContainText(`Detach ${PF} from its driver igb`);
      await page.getByRole('button', { name: 'Roll back j-interrupted…' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog).toContainText('interrupted while applying');
      await dialog.getByRole('button', { name: 'Review the plan' }).click();
      await expect(dialog).toContainText(`Clear the driver override of ${PF}`);
      await expect(dialog).toContainText(`echo ${PF} > /sys/bus/pci/drivers_probe`);
      await expect(dialog).toContainText(`Ask the kernel to bind ${PF} to igb`);
      await keepScreenshot(page, testInfo, 'history-unreadable-and-rollback');
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
