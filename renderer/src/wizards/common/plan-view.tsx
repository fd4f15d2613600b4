/**
 * The Plan step every change wizard shares: the plan exactly as main will run it — each step
 * in words, its shell equivalent (copyable, or saved as one script), what is verified after,
 * its undo, and the full contents of any file written — so nothing the app does is hidden.
 */
import { useRef, useState } from 'react';
import type { Plan, PlanStep } from '#shared/plan';
import { planScript, scriptFileName, scriptHref } from './script';

/** Copies to the clipboard; where that is unavailable, selects the text so Ctrl+C works. */
export function CodeBlock({ label, lines }: { label: string; lines: string[] }) {
  const pre = useRef<HTMLPreElement>(null);
  const [note, setNote] = useState('');
  const text = lines.join('\n');
  const select = () => {
    const el = pre.current;
    const sel = window.getSelection();
    if (!el || !sel) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    sel.removeAllRanges();
    sel.addRange(range);
    setNote('Selected: press Ctrl+C to copy.');
  };
  const copy = () => {
    const clip = (navigator as { clipboard?: Clipboard }).clipboard;
    if (!clip) return select();
    clip.writeText(text).then(
      () => setNote('Copied.'),
      () => select(),
    );
  };
  return (
    <div className="code-block">
      <pre ref={pre} className="mono" aria-label={label} tabIndex={0}>
        {text}
      </pre>
      <div className="code-block__actions">
        <button type="button" className="button button--quiet" onClick={copy} aria-label={`Copy ${label}`}>
          Copy
        </button>
        <span className="muted small" role="status">
          {note}
        </span>
      </div>
    </div>
  );
}

/** A unified diff, each line marked as added, removed or context for colour and for screen readers. */
export function DiffBlock({ path, diff }: { path: string; diff: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  const kind = (l: string) =>
    l.startsWith('+++') || l.startsWith('---') || l.startsWith('@@') || l.startsWith('=') || l.startsWith('Index:')
      ? 'meta'
      : l.startsWith('+')
        ? 'add'
        : l.startsWith('-')
          ? 'del'
          : 'ctx';
  return (
    <pre className="diff mono" aria-label={`changes to ${path}`} tabIndex={0}>
      {lines.map((l, i) => (
        <span key={i} className={`diff__line diff__line--${kind(l)}`}>
          {l}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/** What a boot-configuration step changes: each file as a diff, and what is copied first. */
function FileChanges({ step }: { step: PlanStep }) {
  return (
    <>
      {step.diffs?.map((d) => (
        <div key={d.path}>
          <p>
            <strong>Changes</strong> <span className="mono">{d.path}</span>:
          </p>
          <DiffBlock path={d.path} diff={d.unifiedDiff} />
        </div>
      ))}
      {step.backups && (
        <p>
          <strong>Backed up first:</strong>{' '}
          {step.backups.length === 0
            ? 'nothing (only files of Passthru’s own are created or removed)'
            : step.backups.map((b, i) => (
                <span key={b.path}>
                  {i > 0 && ', '}
                  <span className="mono">{b.path}</span> → <span className="mono">{b.backup}</span>
                </span>
              ))}
        </p>
      )}
    </>
  );
}

function StepCard({ step, n }: { step: PlanStep; n: number }) {
  // Edits to existing files read best as diffs, before the (long) commands that make them.
  const diffs = !!step.diffs;
  return (
    <li className="plan-step">
      <h3 className="plan-step__title">
        {n}. {step.title}
      </h3>
      {diffs && <FileChanges step={step} />}
      {diffs && (
        <p>
          <strong>The same as commands</strong> (run as root):
        </p>
      )}
      <CodeBlock label={`commands for step ${n}`} lines={step.shell} />
      <p>
        <strong>Verified after:</strong> {step.verify}
      </p>
      {!diffs &&
        step.files?.map((f) => (
          <div key={f.path}>
            <p>
              <strong>Writes</strong> <span className="mono">{f.path}</span>:
            </p>
            <CodeBlock label={`contents of ${f.path}`} lines={[f.content.replace(/\n$/, '')]} />
          </div>
        ))}
      <p>
        <strong>Undo:</strong> {step.undoShell.length ? <code className="mono">{step.undoShell.join(' && ')}</code> : 'nothing to undo'}
      </p>
    </li>
  );
}

export function PlanStepView({ plan }: { plan: Plan }) {
  if (plan.steps.length === 0) {
    return <p>{plan.noop ? 'Already in the wanted state — nothing to do.' : 'This plan has no steps.'}</p>;
  }
  const files = [...new Set(plan.steps.flatMap((s) => s.files?.map((f) => f.path) ?? []))];
  return (
    <div className="wizard__section">
      <p>Run as root, in this order. Each step is checked before the next one starts; on any failure the steps already done are undone.</p>
      {files.length > 0 && (
        <div>
          <p>
            <strong>Files written</strong> ({plan.steps.some((st) => st.diffs) ? 'their changes are shown as diffs' : 'their full contents are'} in the steps below):
          </p>
          <ul className="plain-list mono small" aria-label="Files this plan writes">
            {files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
      <p>
        <a className="button" href={scriptHref(plan)} download={scriptFileName(plan)} title={`${planScript(plan).split('\n').length} lines`}>
          Save as script…
        </a>
      </p>
      <ol className="plan-steps" aria-label="Plan steps">
        {plan.steps.map((s, i) => (
          <StepCard key={s.id} step={s} n={i + 1} />
        ))}
      </ol>
    </div>
  );
}
