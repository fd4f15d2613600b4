/** Common page frame: the page's h1 (the only h1 on screen) and an optional lede. */
import type { ReactNode } from 'react';

export function Page({ title, lede, className, children }: { title: string; lede?: ReactNode; className?: string; children?: ReactNode }) {
  return (
    <div className={`page ${className ?? ''}`}>
      <div className="page__head">
        <h1 id="page-title">{title}</h1>
        {lede && <div className="page__lede">{lede}</div>}
      </div>
      {children}
    </div>
  );
}

/** A definition list row; value falls back to an em dash. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children === null || children === undefined || children === '' ? '—' : children}</dd>
    </div>
  );
}
