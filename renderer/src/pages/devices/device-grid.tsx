/**
 * The virtualized devices grid (ARIA grid of rows; only the rows in view, plus the focused
 * one, are in the DOM). Rows are focusable with a roving tabindex: arrows, Page Up/Down,
 * Home/End move; Enter opens the detail panel. Sorting is on the column header buttons.
 */
import { wizardStore } from '../../stores/wizard-store';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { flexRender, type Table } from '@tanstack/react-table';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { PciDevice } from '../../../../shared/model';
import { SortIcon } from '../../components/icons';
import { indexOfDevice, moveIndex, type GridItem } from '../../lib/device-rows';
import { plural } from '../../lib/format';
import { COLUMN_WIDTHS, COLUMN_LABELS } from './device-columns';
import type { SortKey } from '../../lib/device-sort';

export const ROW_HEIGHT = 52;
export const GROUP_ROW_HEIGHT = 40;
export const HEADER_HEIGHT = 40;

const NAV_KEYS = new Set(['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End']);

function GroupHeaderCell({ item, colCount }: { item: Extract<GridItem, { kind: 'group' }>; colCount: number }) {
  const g = item.group;
  return (
    <div role="gridcell" aria-colindex={1} aria-colspan={colCount} className="dgrid__cell dgrid__cell--group">
      <strong>{item.groupId === null ? 'No IOMMU group' : `IOMMU group ${item.groupId}`}</strong>{' '}
      <span className="muted">{plural(item.count, 'device', 'devices')} shown</span>{' '}
      {g &&
        (g.viable ? (
          <span className="text-pass">Viable</span>
        ) : (
          <span className="text-fail">
            Not viable — blocked by {g.blockers.map((b) => `${b.address} (${b.driver})`).join(', ')}
          </span>
        ))}
    </div>
  );
}

export function DeviceGrid({
  table,
  items,
  selected,
  onOpen,
}: {
  table: Table<PciDevice>;
  items: GridItem[];
  selected: string | null;
  onOpen: (address: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(() => Math.max(0, selected ? indexOfDevice(items, selected) : 0));
  const pendingFocus = useRef<number | null>(null);
  const activeIndex = Math.min(active, items.length - 1);

  // Keep the focused row mounted even when scrolled away, so focus is never dropped.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const rows = defaultRangeExtractor(range);
      if (activeIndex >= 0 && !rows.includes(activeIndex)) rows.push(activeIndex);
      return rows.sort((a, b) => a - b);
    },
    [activeIndex],
  );

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i]?.kind === 'group' ? GROUP_ROW_HEIGHT : ROW_HEIGHT),
    getItemKey: (i) => items[i]?.key ?? i,
    overscan: 8,
    paddingStart: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    rangeExtractor,
  });

  // A selection made elsewhere (topology, group lists, the URL) scrolls into view; when
  // the rows change (search, sort) the active row follows the selection without scrolling.
  const scrollToSelected = useRef(true);
  useEffect(() => {
    scrollToSelected.current = true;
  }, [selected]);
  useEffect(() => {
    if (!selected) return;
    const i = indexOfDevice(items, selected);
    if (i < 0) return;
    setActive(i);
    if (scrollToSelected.current) virtualizer.scrollToIndex(i, { align: 'auto' });
    scrollToSelected.current = false;
  }, [selected, items, virtualizer]);

  // Focus follows keyboard movement once the target row has rendered.
  useLayoutEffect(() => {
    const want = pendingFocus.current;
    if (want === null) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${want}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = null;
    }
  });

  const focusRow = (i: number) => {
    if (i < 0) return;
    setActive(i);
    pendingFocus.current = i;
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const inHeader = target.closest('[data-head]') !== null;
    if (inHeader) {
      if (e.key === 'ArrowDown' && items.length) {
        e.preventDefault();
        focusRow(activeIndex);
      }
      return;
    }
    const rowIndex = Number(target.dataset.index);
    if (Number.isNaN(rowIndex)) return;
    if (NAV_KEYS.has(e.key)) {
      e.preventDefault();
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
      focusRow(moveIndex(rowIndex, e.key as Parameters<typeof moveIndex>[1], items.length, page));
    } else if (e.key === 'Enter' || e.key === ' ') {
      const item = items[rowIndex];
      if (item?.kind === 'device') {
        e.preventDefault();
        onOpen(item.device.address);
      }
    } else if ((e.key === 'a' || e.key === 'A') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // Keyboard row action: the same wizard as the detail panel's "Assign to VFIO…" / "Give back…".
      const item = items[rowIndex];
      if (item?.kind === 'device') {
        e.preventDefault();
        const w = wizardStore.getState();
        if (item.device.driver === 'vfio-pci') w.openRelease(item.device.address);
        else w.openAssign(item.device.address);
      }
    }
  };

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const colCount = headers.length;
  const template = headers.map((h) => `${COLUMN_WIDTHS[h.column.id as SortKey] ?? 120}px`).join(' ');
  const width = headers.reduce((n, h) => n + (COLUMN_WIDTHS[h.column.id as SortKey] ?? 120), 0);
  const style = { '--grid-template': template, '--grid-width': `${width}px` } as CSSProperties;

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="PCI devices"
      aria-keyshortcuts="Enter A"
      aria-rowcount={items.length + 1}
      aria-colcount={colCount}
      className="dgrid"
      style={style}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="dgrid__head" data-head="">
        <div role="row" aria-rowindex={1} className="dgrid__row dgrid__row--head">
          {headers.map((h, ci) => {
            const dir = h.column.getIsSorted();
            const label = COLUMN_LABELS[h.column.id as SortKey] ?? h.column.id;
            return (
              <div
                key={h.id}
                role="columnheader"
                aria-colindex={ci + 1}
                aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                className="dgrid__cell dgrid__cell--head"
              >
                <button type="button" className="sort-button" onClick={h.column.getToggleSortingHandler()}>
                  {flexRender(h.column.columnDef.header, h.getContext()) ?? label}
                  <SortIcon direction={dir} />
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <div role="rowgroup" className="dgrid__body" style={{ height: virtualizer.getTotalSize() - HEADER_HEIGHT }}>
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index];
          if (!item) return null;
          const common = {
            role: 'row',
            'data-index': v.index,
            'aria-rowindex': v.index + 2,
            tabIndex: v.index === activeIndex ? 0 : -1,
            onFocus: () => setActive(v.index),
            style: { transform: `translateY(${v.start - HEADER_HEIGHT}px)`, height: v.size },
          } as const;
          if (item.kind === 'group') {
            return (
              <div key={v.key} {...common} className="dgrid__row dgrid__row--group">
                <GroupHeaderCell item={item} colCount={colCount} />
              </div>
            );
          }
          const row = table.getRow(item.device.address);
          const isSelected = item.device.address === selected;
          return (
            <div
              key={v.key}
              {...common}
              aria-selected={isSelected}
              data-address={item.device.address}
              className={`dgrid__row dgrid__row--device ${isSelected ? 'is-selected' : ''}`}
              onClick={() => {
                setActive(v.index);
                onOpen(item.device.address);
              }}
            >
              {row.getVisibleCells().map((cell, ci) => (
                <div key={cell.id} role="gridcell" aria-colindex={ci + 1} className="dgrid__cell">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
