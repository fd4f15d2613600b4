/**
 * Draws a precomputed topology layout. Group boxes first (coloured per group, their verdict
 * written beside the group number, dashed red when blocked), then wiring, then the functions
 * — each a link to its device, so the picture is reachable by keyboard and clickable.
 * Colours come from CSS classes so the dark theme can restyle them.
 */
import type { TopologyLayout } from '../../lib/topology-layout';
import { formatHash } from '../../lib/route';
import { uiStore } from '../../stores/ui-store';

export function TopologySvg({ layout, label, description }: { layout: TopologyLayout; label: string; description: string }) {
  return (
    <svg
      className="topo"
      role="group"
      aria-labelledby="topo-title topo-desc"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      data-testid="topology-svg"
    >
      <title id="topo-title">{label}</title>
      <desc id="topo-desc">{description}</desc>
      <g className="topo__boxes" aria-hidden="true">
        {layout.boxes.map((b) => (
          <g
            key={`${b.groupId}-${b.part}`}
            className={`topo-box topo-c${b.colorIndex} topo-box--${b.state}`}
            data-testid="topology-group"
            data-group-id={b.groupId}
            data-verdict={b.state}
          >
            <rect x={b.x} y={b.y} width={b.width} height={b.height} rx={6} />
            <text x={b.labelX} y={b.labelY} dominantBaseline="central" className="topo-box__label">
              {b.label}
            </text>
          </g>
        ))}
      </g>
      <g className="topo__edges" aria-hidden="true">
        {layout.edges.map((e) => (
          <polyline key={`${e.from}>${e.to}`} points={e.points.map((p) => p.join(',')).join(' ')} />
        ))}
      </g>
      <g className="topo__nodes">
        {layout.nodes.map((n) => {
          const body = (
            <>
              <title>{n.fullText}</title>
              <rect width={n.width} height={n.height} rx={4} />
              <text x={8} y={n.height / 2} dominantBaseline="central">
                <tspan className="topo-node__title">{n.title}</tspan>
                <tspan dx={10}>{n.text}</tspan>
              </text>
            </>
          );
          const cls = ['topo-node', n.kind === 'root' ? 'topo-node--root' : '', n.isBridge ? 'topo-node--bridge' : '', n.needed ? 'topo-node--needed' : ''].join(' ');
          if (n.kind === 'root') {
            return (
              <g key={n.id} className={cls} transform={`translate(${n.x},${n.y})`} aria-hidden="true">
                {body}
              </g>
            );
          }
          const group = n.groupId === null ? 'no IOMMU group' : `IOMMU group ${n.groupId}`;
          return (
            <a
              key={n.id}
              href={formatHash({ page: 'devices', device: n.id })}
              className={cls}
              aria-label={`${n.fullText}, ${group}${n.needed ? ', needed by this host' : ''}`}
              data-address={n.id}
              onClick={(e) => {
                e.preventDefault();
                uiStore.getState().selectDevice(n.id, { navigate: true });
              }}
            >
              <g transform={`translate(${n.x},${n.y})`}>{body}</g>
            </a>
          );
        })}
      </g>
    </svg>
  );
}
