/**
 * The end of a change under confirm-or-revert, in the wizard: what the host checked, the time
 * left, and Keep / Put back now. Keeping goes over a new connection (api.ts withFreshConnection),
 * so a page that lost the host cannot keep a change that cut it off; when the time runs out the
 * host's own timer puts everything back, and the page follows the journal to say so.
 */
import { useEffect, useState } from 'react';
import type { LiveCheckResult } from '#shared/confirm-window';
import type { ApplyResult, Plan } from '#shared/plan';
import { getApi, withFreshConnection } from '../../api';
import { CheckResults } from '../common/apply-progress';
import { toDisplayError, type DisplayError } from '../../lib/display-error';
import { ErrorNotice } from '../../components/feedback';
import { scanStore } from '../../stores/scan-store';

type Phase = 'waiting' | 'keeping' | 'kept' | 'reverting' | 'expired' | 'reverted' | 'unknown';

/**
 * Keeps a change waiting for confirmation, over a connection of its own (in a browser: proof
 * that the host is reachable now). Throws when it could not be kept.
 */
export async function keepChange(journalId: string): Promise<void> {
  const applied = await withFreshConnection(async (api) => {
    const plan = await api.planChange({ kind: 'confirm', journalId });
    if (plan.refusal) throw new Error(plan.refusal.message);
    return api.applyPlan({ planId: plan.id });
  });
  if (!applied.ok) throw new Error(applied.error?.message ?? 'The change could not be kept.');
}

/** Follows the journal until the host has put the change back (or says where it stands). */
async function settled(journalId: string): Promise<'reverted' | 'kept' | 'unknown'> {
  for (let i = 0; i < 60; i++) {
    const entry = (await getApi().history()).entries.find((e) => e.journalId === journalId);
    if (entry?.confirm?.state === 'reverted' || entry?.state === 'undone') return 'reverted';
    if (entry?.confirm?.state === 'confirmed') return 'kept';
    await new Promise((r) => setTimeout(r, 1000));
  }
  return 'unknown';
}

export function KeepOrRevert({ plan, result }: { plan: Plan; result: ApplyResult }) {
  const pending = result.pending!;
  // Counted on this side from when the result came: the host's clock may differ from the browser's.
  const [until] = useState(() => Date.now() + pending.seconds * 1000);
  const [left, setLeft] = useState(pending.seconds);
  const [phase, setPhase] = useState<Phase>('waiting');
  const [error, setError] = useState<DisplayError | null>(null);

  useEffect(() => {
    if (phase !== 'waiting') return;
    const tick = setInterval(() => {
      const s = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      setLeft(s);
      if (s === 0) setPhase('expired');
    }, 250);
    return () => clearInterval(tick);
  }, [phase, until]);

  useEffect(() => {
    if (phase !== 'expired') return;
    let live = true;
    settled(pending.journalId).then(
      (outcome) => live && setPhase(outcome === 'kept' ? 'kept' : outcome === 'reverted' ? 'reverted' : 'unknown'),
      () => live && setPhase('unknown'),
    );
    return () => {
      live = false;
    };
  }, [phase, pending.journalId]);

  const keep = async () => {
    setPhase('keeping');
    setError(null);
    try {
      await keepChange(pending.journalId);
      setPhase('kept');
    } catch (err) {
      setError(toDisplayError(err));
      setPhase(Date.now() < until ? 'waiting' : 'expired');
    }
  };

  const putBack = async () => {
    setPhase('reverting');
    setError(null);
    try {
      const api = getApi();
      const undo = await api.planUndo({ journalId: pending.journalId });
      if (undo.refusal) throw new Error(undo.refusal.message);
      const undone = await api.applyPlan({ planId: undo.id });
      if (!undone.ok) throw new Error(undone.error?.message ?? 'Putting it back did not complete.');
      setPhase('reverted');
    } catch (err) {
      setError(toDisplayError(err));
      setPhase('expired');
    } finally {
      void scanStore.getState().load();
    }
  };

  const moved = movedAddress(plan, result.checks ?? []);
  return (
    <section className="wizard__section" aria-label="Keep this change?">
      <h3 className="subhead">Checked from the host</h3>
      <CheckResults checks={result.checks ?? []} />
      {moved && (
        <p className="notice notice--warn" role="note">
          {moved}
        </p>
      )}
      {phase === 'waiting' || phase === 'keeping' ? (
        <>
          <p className="notice notice--warn" role="timer" aria-live="off" data-testid="confirm-countdown">
            <strong>{left} s</strong> left to keep it. Without a confirmation, everything is put back by itself.
          </p>
          <p className="keep-or-revert__buttons">
            <button type="button" className="button button--primary" onClick={() => void keep()} disabled={phase === 'keeping'} autoFocus>
              {phase === 'keeping' ? 'Keeping…' : 'Keep this change'}
            </button>{' '}
            <button type="button" className="button" onClick={() => void putBack()} disabled={phase === 'keeping'}>
              Put it back now
            </button>
          </p>
        </>
      ) : (
        <p className={`notice ${phase === 'kept' ? 'notice--ok' : 'notice--warn'}`} role="status" data-testid="confirm-outcome">
          {OUTCOME[phase]}
        </p>
      )}
      {error && <ErrorNotice error={error} title="The change could not be kept" />}
    </section>
  );
}

const OUTCOME: Record<Exclude<Phase, 'waiting' | 'keeping'>, string> = {
  kept: 'Kept. The timer that would have put it back has stood down.',
  reverting: 'Putting it back…',
  expired: 'No confirmation in time: the host is putting everything back…',
  reverted: 'Not kept: everything was put back as it was.',
  unknown: 'The time ran out; the host puts everything back by itself. History shows the outcome once this page reaches the host again.',
};

/** When DHCP gave the bridge another address than the NIC had: where the host is now. */
function movedAddress(plan: Plan, checks: readonly LiveCheckResult[]): string | null {
  if (plan.detail.kind !== 'bridge') return null;
  const before = plan.detail.addresses.filter((a) => a.family === 'ipv4').map((a) => a.address.split('/')[0]);
  const now = checks.flatMap((c) => (c.check.check === 'any-address' ? [...c.detail.matchAll(/(\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!) : []));
  const fresh = now.filter((a) => !before.includes(a));
  return fresh.length ? `The host's address is now ${fresh.join(', ')} (it was ${before.join(', ') || 'none'}): to keep the change from another machine, reach it there.` : null;
}
