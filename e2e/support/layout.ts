/**
 * Layout measurements the GUI specs share: interactive targets smaller than WCAG 2.2's 24 × 24
 * CSS px (2.5.8), and texts whose boxes overlap.
 */
import type { Locator, Page } from '@playwright/test';

/** Everything a pointer can activate. */
export const TARGETS = 'button, a[href], input, select, textarea, summary, [role=button]';

export interface Box {
  what: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The visible targets under `scope` (the page's, or an open dialog's) narrower or lower than
 * `min` px, each named by its tag, class and text. A check box or radio inside a <label> is
 * measured with its label — clicking the label works it, so that is its target; a visually
 * hidden element (1 × 1, the .sr-only pattern) is not a target.
 */
export async function smallTargets(scope: Page | Locator, min = 24): Promise<string[]> {
  const root = 'goto' in scope ? scope.locator('body') : scope;
  return root.locator(TARGETS).evaluateAll((elements, limit) => {
    const out: string[] = [];
    for (const el of elements) {
      if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: false })) continue;
      const own = el.getBoundingClientRect();
      if (own.width <= 1 && own.height <= 1) continue;
      const type = el.getAttribute('type');
      const label = (type === 'checkbox' || type === 'radio') && el.closest('label');
      const r = label ? label.getBoundingClientRect() : own;
      if (r.width + 0.01 >= limit && r.height + 0.01 >= limit) continue;
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40) || el.getAttribute('aria-label') || '';
      out.push(`${el.tagName.toLowerCase()}${type ? `[type=${type}]` : ''}.${String(el.className).replace(/\s+/g, '.')} "${text}" ${r.width.toFixed(1)}×${r.height.toFixed(1)}`);
    }
    return out;
  }, min);
}

/** The line boxes of each element `locator` matches (a wrapped text has one per line). */
export async function lineBoxes(locator: Locator, what: string): Promise<Box[]> {
  return locator.evaluateAll(
    (elements, name) =>
      elements.flatMap((el, i) =>
        [...el.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map((r) => ({ what: `${name}[${i}]`, x: r.x, y: r.y, width: r.width, height: r.height })),
      ),
    what,
  );
}

/** Pairs of boxes (of different elements) that overlap by more than half a pixel each way. */
export function overlapping(boxes: readonly Box[]): string[] {
  const out: string[] = [];
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) {
      if (a.what === b.what) continue;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > 0.5 && h > 0.5) out.push(`${a.what} and ${b.what} overlap by ${w.toFixed(1)}×${h.toFixed(1)} px`);
    }
  });
  return out;
}
