/**
 * The virtualized devices grid (ARIA grid of rows; only the rows in view, plus the focused
 * one and the pinned group header, are in the DOM).
 *
 * - The identity columns (address, name) are frozen: CSS sticky on their cells, so they stay in
 *   view while the rest scrolls sideways. Group headers keep their words in view the same way,
 *   and when grouping, the header of the group in view is pinned under the column headers.
 * - The header row is one Tab stop (roving tabindex): ArrowLeft/Right, Home/End move between
 *   headers, Enter/Space sort, ArrowDown goes to the rows.
 * - Rows are focusable with a roving tabindex: arrows, Page Up/Down, Home/End move; Enter opens
 *   the detail panel; A opens the assign (or give back) wizard.
 * - A cell whose text is cut short shows all of it while its row has focus or the pointer is on
 *   it. The text is whole in the DOM all along (the cut is CSS), so a screen reader reads it.
 */
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { flexRender, type Table } from '@tanstack/react-table';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type FocusEvent, type KeyboardEvent, type PointerEvent } from 'react';
import type { PciDevice } from '#shared/model';
import { SortIcon } from '../../components/icons';
import { PassthroughBadge } from '../../components/status';
import { COLUMN_LABELS, COLUMN_WIDTHS, gridLayout, IDENTITY_COLUMNS, type ColumnId } from '../../lib/device-columns';
import { indexOfDevice, moveColumn, moveIndex, pinnedGroupHeader, rowOffsets, type GridItem } from '../../lib/device-rows';
import { NO_GROUP_WORDS } from '../../lib/device-verdict';
import { plural } from '../../lib/format';

export const ROW_HEIGHT = 52;
export const GROUP_ROW_HEIGHT = 40;
export const HEADER_HEIGHT = 40;

const NAV_KEYS = new Set(['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End']);
const HEIGHTS = { device: ROW_HEIGHT, group: GROUP_ROW_HEIGHT };

/** Frozen cells' classes: sticky at the left, the last one with the edge line. */
function frozenClass(id: string): string {
  const at = IDENTITY_COLUMNS.indexOf(id as ColumnId);
  if (at < 0) return '';
  return at === IDENTITY_COLUMNS.length - 1 ? ' dgrid__cell--frozen dgrid__cell--frozen-edge' : ' dgrid__cell--frozen';
}

/**
 * Marks the cells under `root` whose text is cut short (data-truncated), so CSS shows them
 * whole on focus or hover. Flags come off first: a cell shown whole measures as not cut.
 */
function markTruncated(root: Element): void {
  const cells = [...root.querySelectorAll<HTMLElement>('.dgrid__cell')];
  for (const c of cells) delete c.dataset.truncated;
  const cut = cells.map((c) => [...c.querySelectorAll<HTMLElement>('.clip, .clip2')].some((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1));
  cells.forEach((c, i) => {
    if (cut[i]) c.dataset.truncated = '';
  });
}

function GroupHeaderCell({ item, colCount }: { item: Extract<GridItem, { kind: 'group' }>; colCount: number }) {
  const verdict = item.group?.passthrough;
  return (
    <div role="gridcell" aria-colindex={1} aria-colspan={colCount} className="dgrid__cell dgrid__cell--group">
      <div className="dgrid__group-label">
        <strong>{item.groupId === null ? NO_GROUP_WORDS : `IOMMU group ${item.groupId}`}</strong>
        <span className="muted">{plural(item.count, 'device', 'devices')} shown</span>
        {verdict ? (
          <>
            <PassthroughBadge state={verdict.state} />
            {verdict.reasons[0] && <span className="muted clip">{verdict.reasons.join(' ')}</span>}
          </>
        ) : (
          item.groupId === null && <span className="muted clip">The IOMMU does not isolate these devices, so none can be passed through.</span>
        )}
      </div>
    </div>
  );
}

export function DeviceGrid({
  table,
  items,
  selected,
  onOpen,
  onAction,
}: {
  table: Table<PciDevice>;
  items: GridItem[];
  selected: string | null;
  onOpen: (address: string) => void;
  /** The A key on a device row: the same action as its details' "Assign to VFIO…" / "Give back…". */
  onAction: (device: PciDevice) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(() => Math.max(0, selected ? indexOfDevice(items, selected) : 0));
  const pendingFocus = useRef<number | null>(null);
  const activeIndex = Math.min(active, items.length - 1);

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const colCount = headers.length;
  const [activeCol, setActiveCol] = useState(0);
  const activeColumn = Math.min(activeCol, colCount - 1);

  // The group header pinned under the column headers, and how far the next one pushes it up.
  const grouped = useMemo(() => items.some((i) => i.kind === 'group'), [items]);
  const offsets = useMemo(() => rowOffsets(items, HEIGHTS), [items]);
  const [pinned, setPinned] = useState(-1);
  const pinnedShift = useRef(0);
  const pinnedIndex = grouped && pinned < items.length && items[pinned]?.kind === 'group' ? pinned : -1;

  // Keep the focused row and the pinned header mounted even when scrolled away.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const rows = defaultRangeExtractor(range);
      for (const keep of [activeIndex, pinnedIndex]) if (keep >= 0 && keep < range.count && !rows.includes(keep)) rows.push(keep);
      return rows.sort((a, b) => a - b);
    },
    [activeIndex, pinnedIndex],
  );

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i]?.kind === 'group' ? GROUP_ROW_HEIGHT : ROW_HEIGHT),
    getItemKey: (i) => items[i]?.key ?? i,
    overscan: 8,
    paddingStart: HEADER_HEIGHT,
    // Rows scrolled to by the keyboard land below the column headers and the pinned group header.
    scrollPaddingStart: HEADER_HEIGHT + (grouped ? GROUP_ROW_HEIGHT : 0),
    rangeExtractor,
  });

  const applyPinnedShift = () => {
    const el = scrollRef.current?.querySelector<HTMLElement>('.dgrid__row.is-pinned');
    if (el) el.style.transform = pinnedShift.current ? `translateY(${pinnedShift.current}px)` : '';
  };
  const updatePinned = () => {
    const el = scrollRef.current;
    if (!el || !grouped) return;
    const p = pinnedGroupHeader(items, offsets.starts, el.scrollTop, GROUP_ROW_HEIGHT);
    pinnedShift.current = p.shift;
    setPinned(p.index);
    applyPinnedShift();
  };
  // After every render (rows changed, or the pinned row is a new element): pin what is in view now.
  useLayoutEffect(updatePinned);

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

  const { template, minWidth } = gridLayout(headers.map((h) => h.column.id as ColumnId));

  /** Scrolls sideways just enough that a header is not under the frozen columns nor past the edge. */
  const revealColumn = (cell: HTMLElement) => {
    const grid = scrollRef.current;
    if (!grid || cell.classList.contains('dgrid__cell--frozen')) return;
    const edge = grid.querySelector<HTMLElement>('[data-head] .dgrid__cell--frozen-edge');
    const frozenWidth = edge ? edge.offsetLeft + edge.offsetWidth : 0;
    const left = cell.offsetLeft;
    const right = left + cell.offsetWidth;
    if (left < grid.scrollLeft + frozenWidth) grid.scrollLeft = left - frozenWidth;
    else if (right > grid.scrollLeft + grid.clientWidth) grid.scrollLeft = right - grid.clientWidth;
  };

  const focusHeader = (ci: number) => {
    setActiveCol(ci);
    const button = scrollRef.current?.querySelector<HTMLElement>(`[data-head] [data-col="${ci}"]`);
    button?.focus({ preventScroll: true });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const inHeader = target.closest('[data-head]') !== null;
    if (inHeader) {
      const from = Number(target.dataset.col);
      const to = Number.isNaN(from) ? null : moveColumn(from, e.key, colCount);
      if (to !== null) {
        e.preventDefault();
        focusHeader(to);
      } else if (e.key === 'ArrowDown' && items.length) {
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
      const item = items[rowIndex];
      if (item?.kind === 'device') {
        e.preventDefault();
        onAction(item.device);
      }
    }
  };

  // The row under the pointer is measured once as it is entered, for the hover expansion.
  const hoveredRow = useRef<Element | null>(null);
  const onPointerOver = (e: PointerEvent<HTMLDivElement>) => {
    const row = (e.target as Element).closest('.dgrid__body > .dgrid__row');
    if (row && row !== hoveredRow.current) {
      hoveredRow.current = row;
      markTruncated(row);
    }
  };

  const style = {
    '--grid-template': template,
    '--grid-width': `${minWidth}px`,
    '--frozen-2-left': `${COLUMN_WIDTHS.address}px`,
  } as CSSProperties;

  return (
    <div
      ref={scrollRef}
      role="grid"
      aria-label="PCI devices"
      aria-keyshortcuts="Enter A"
      aria-rowcount={items.length + 1}
      aria-colcount={colCount}
      className={`dgrid ${grouped ? 'dgrid--grouped' : ''}`}
      style={style}
      onKeyDown={onKeyDown}
      onScroll={updatePinned}
      onPointerOver={onPointerOver}
      onPointerLeave={() => (hoveredRow.current = null)}
    >
      <div role="rowgroup" className="dgrid__head" data-head="">
        <div role="row" aria-rowindex={1} className="dgrid__row dgrid__row--head">
          {headers.map((h, ci) => {
            const dir = h.column.getIsSorted();
            const label = COLUMN_LABELS[h.column.id as ColumnId] ?? h.column.id;
            return (
              <div
                key={h.id}
                role="columnheader"
                aria-colindex={ci + 1}
                aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                className={`dgrid__cell dgrid__cell--head${frozenClass(h.column.id)}`}
              >
                <button
                  type="button"
                  className="sort-button"
                  data-col={ci}
                  tabIndex={ci === activeColumn ? 0 : -1}
                  onFocus={(e) => {
                    setActiveCol(ci);
                    revealColumn(e.currentTarget.parentElement as HTMLElement);
                  }}
                  onClick={h.column.getToggleSortingHandler()}
                >
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
          const isPinned = v.index === pinnedIndex;
          const common = {
            role: 'row',
            'data-index': v.index,
            'aria-rowindex': v.index + 2,
            tabIndex: v.index === activeIndex ? 0 : -1,
            onFocus: (e: FocusEvent<HTMLDivElement>) => {
              setActive(v.index);
              if (e.target === e.currentTarget) markTruncated(e.currentTarget);
            },
            style: isPinned ? { height: v.size } : { transform: `translateY(${v.start - HEADER_HEIGHT}px)`, height: v.size },
          } as const;
          if (item.kind === 'group') {
            return (
              <div key={v.key} {...common} className={`dgrid__row dgrid__row--group ${isPinned ? 'is-pinned' : ''}`}>
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
                <div key={cell.id} role="gridcell" aria-colindex={ci + 1} className={`dgrid__cell${frozenClass(cell.column.id)}`}>
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
