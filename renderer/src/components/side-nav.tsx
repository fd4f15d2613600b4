/** The page list: real links (keyboard and screen-reader friendly) with aria-current. */
import type { MouseEvent } from 'react';
import { formatHash, PAGES, type PageId } from '../lib/route';
import { uiStore, useUiStore } from '../stores/ui-store';

export function SideNav() {
  const page = useUiStore((s) => s.page);
  const go = (id: PageId) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    uiStore.getState().navigate(id);
  };
  return (
    <nav className="side-nav" aria-label="Pages">
      <ul>
        {PAGES.map((p) => (
          <li key={p.id}>
            <a href={formatHash({ page: p.id, device: null })} aria-current={page === p.id ? 'page' : undefined} onClick={go(p.id)}>
              {p.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
