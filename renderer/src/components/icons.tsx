/**
 * Small inline icons. Always decorative (aria-hidden): the words next to them carry the
 * meaning, so nothing relies on colour or shape alone.
 */
import type { ReactNode } from 'react';
import type { CheckStatus } from '#shared/model';

function Svg({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <svg className={`icon ${className ?? ''}`} viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export function PassIcon() {
  return (
    <Svg className="icon--pass">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M4.5 8.2l2.2 2.2 4.8-4.8" fill="none" stroke="var(--icon-on-fill)" strokeWidth="1.8" />
    </Svg>
  );
}

export function WarnIcon() {
  return (
    <Svg className="icon--warn">
      <path d="M8 1.2L15.2 14.5H0.8z" fill="currentColor" />
      <path d="M8 5.5v4.5M8 11.5v1.5" stroke="var(--icon-on-fill)" strokeWidth="1.8" />
    </Svg>
  );
}

export function FailIcon() {
  return (
    <Svg className="icon--fail">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6" stroke="var(--icon-on-fill)" strokeWidth="1.8" />
    </Svg>
  );
}

export function InfoIcon() {
  return (
    <Svg className="icon--info">
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M8 7v4.5M8 4.3v1.5" stroke="var(--icon-on-fill)" strokeWidth="1.8" />
    </Svg>
  );
}

export function StatusIcon({ status }: { status: CheckStatus }) {
  if (status === 'pass') return <PassIcon />;
  if (status === 'warn') return <WarnIcon />;
  return <FailIcon />;
}

export function RefreshIcon({ spinning = false }: { spinning?: boolean }) {
  return (
    <Svg className={spinning ? 'icon--spin' : undefined}>
      <path d="M13.5 8A5.5 5.5 0 1 1 11.9 4.1" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M12.5 1.5v3.5H9" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </Svg>
  );
}

export function FolderIcon() {
  return (
    <Svg>
      <path d="M1.5 3.5h4.5l1.5 1.5h7v8.5h-13z" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </Svg>
  );
}

export function CloseIcon() {
  return (
    <Svg>
      <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" stroke="currentColor" strokeWidth="1.6" />
    </Svg>
  );
}

export function SortIcon({ direction }: { direction: 'asc' | 'desc' | false }) {
  return (
    <Svg className={`icon--sort ${direction ? 'icon--sort-active' : ''}`}>
      <path d="M8 2.5l3.5 4h-7z" fill="currentColor" opacity={direction === 'desc' ? 0.25 : 1} />
      <path d="M8 13.5l3.5-4h-7z" fill="currentColor" opacity={direction === 'asc' ? 0.25 : 1} />
    </Svg>
  );
}

export function PlugIcon() {
  return (
    <Svg>
      <path d="M5 1.5v4M11 1.5v4M3.5 5.5h9v3a4.5 4.5 0 0 1-9 0zM8 13v2" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </Svg>
  );
}
