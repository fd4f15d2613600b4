/**
 * Draws a precomputed topology layout. Group boxes first (coloured per group, dashed red
 * when not viable, with the group number written in them), then wiring, then the
 * functions. Colours come from CSS classes so the dark theme can restyle them.
 */
import type { TopologyLayout } from '../../lib/topology-layout';

export function TopologySvg({ layout, label, description }: { layout: TopologyLayout; label: string; description: string }) {
  return (
    <svg
      className="topo"
      role="img"
      aria-labelledby="topo-title topo-desc"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      data-testid="topology-svg"
    >
      <title id="topo-title">{label}</title>
      <desc id="topo-desc">{description}</desc>
      <g className="topo__boxes">
        {layout.boxes.map((b) => (
          <g
            key={`${b.groupId}-${b.part}`}
            className={`topo-box topo-c${b.colorIndex} ${b.viable ? '' : 'topo-box--blocked'}`}
            data-testid="topology-group"
            data-group-id={b.groupId}
            data-viable={b.viable}
          >
            <rect x={b.x} y={b.y} width={b.width} height={b.height} rx={6} />
            <text x={b.labelX} y={b.labelY} dominantBaseline="central" className="topo-box__label">
              {b.label}
            </text>
          </g>
        ))}
      </g>
      <g className="topo__edges">
        {layout.edges.map((e) => (
          <polyline key={`${e.from}>${e.to}`} points={e.points.map((p) => p.join(',')).join(' ')} />
        ))}
      </g>
      <g className="topo__nodes">
        {layout.nodes.map((n) => (
          <g
            key={n.id}
            className={[
              'topo-node',
              n.kind === 'root' ? 'topo-node--root' : '',
              n.isBridge ? 'topo-node--bridge' : '',
              n.blocker ? 'topo-node--blocker' : '',
            ].join(' ')}
            transform={`translate(${n.x},${n.y})`}
          >
            <title>{n.fullText}</title>
            <rect width={n.width} height={n.height} rx={4} />
            <text x={8} y={n.height / 2} dominantBaseline="central">
              <tspan className="topo-node__title">{n.title}</tspan>
              <tspan dx={10}>{n.text}</tspan>
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
