/**
 * The Devices table's column chooser: a button that opens a small non-modal dialog of
 * checkboxes, one per column besides the frozen address and name. Keyboard: the button opens
 * it with focus on the first checkbox, Tab and Space work as on any form, Escape (or Tab out of
 * it, or a click elsewhere) closes it and focus goes back to the button. The choice is kept
 * in the ui store, which remembers it across restarts.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { CHOOSABLE_COLUMNS, COLUMN_HINTS, COLUMN_LABELS, DEFAULT_COLUMNS, toggleColumn, type ColumnId } from '../../lib/device-columns';
import { uiStore, useUiStore } from '../../stores/ui-store';

/** The panel's width (devices.css), to tell which way it fits before it is drawn. */
const PANEL_WIDTH = 380;

export function ColumnChooser() {
  const chosen = useUiStore((s) => s.deviceColumns);
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const id = useId();
  const headingId = `${id}-title`;

  // The panel hangs from the button's right edge, unless that would run it off the page's left
  // (the toolbar wraps at narrow widths and puts the button on the left).
  const [alignLeft, setAlignLeft] = useState(false);
  useLayoutEffect(() => {
    if (!open || !buttonRef.current) return;
    const b = buttonRef.current.getBoundingClientRect();
    const main = buttonRef.current.closest('main')?.getBoundingClientRect();
    setAlignLeft(b.right - PANEL_WIDTH < (main?.left ?? 0));
  }, [open]);

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLInputElement>('input')?.focus();
    const onPointerDown = (e: globalThis.PointerEvent) => {
      const t = e.target as Node;
      if (!panelRef.current?.contains(t) && !buttonRef.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    }
  };

  const set = (columns: readonly ColumnId[]) => uiStore.getState().setDeviceColumns(columns);
  const shown = new Set(chosen);

  return (
    <div className="column-chooser">
      <button
        ref={buttonRef}
        type="button"
        className="button button--quiet"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-haspopup="dialog"
        onClick={() => setOpen((o) => !o)}
      >
        Columns…
      </button>
      {open && (
        <div
          ref={panelRef}
          id={id}
          role="dialog"
          aria-modal="false"
          aria-labelledby={headingId}
          className={`column-chooser__panel ${alignLeft ? 'column-chooser__panel--left' : ''}`}
          onKeyDown={onKeyDown}
          onBlur={(e) => {
            // Tabbing out of the panel closes it; focus has already gone where the user sent it.
            const next = e.relatedTarget as Node | null;
            if (next && !panelRef.current?.contains(next) && next !== buttonRef.current) setOpen(false);
          }}
        >
          <h2 id={headingId} className="column-chooser__title">
            Columns shown
          </h2>
          <p className="muted small">Address and Device always show; they stay in view when the table scrolls sideways.</p>
          <ul className="plain-list column-chooser__list">
            {CHOOSABLE_COLUMNS.map((c) => (
              <li key={c}>
                <label className="checkbox">
                  <input type="checkbox" checked={shown.has(c)} onChange={(e) => set(toggleColumn(chosen, c, e.target.checked))} />
                  <span className="column-chooser__label">
                    {COLUMN_LABELS[c]}
                    {COLUMN_HINTS[c] && <span className="muted small"> ({COLUMN_HINTS[c]})</span>}
                  </span>
                </label>
              </li>
            ))}
          </ul>
          <div className="column-chooser__actions">
            <button type="button" className="button button--quiet" onClick={() => set(DEFAULT_COLUMNS)}>
              Default columns
            </button>
            <button type="button" className="button button--quiet" onClick={() => set(CHOOSABLE_COLUMNS)}>
              All columns
            </button>
            <button type="button" className="button" onClick={() => close(true)}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
