/**
 * Loading, error and empty states. Errors always read as a plain sentence plus what to do,
 * with the technical detail tucked into a disclosure for bug reports.
 */
import type { ReactNode } from 'react';
import { errorCodeLabel, type DisplayError } from '../lib/display-error';
import { CloseIcon, FailIcon, InfoIcon } from './icons';

export function Loading({ children = 'Scanning the host…' }: { children?: ReactNode }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </div>
  );
}

export function ErrorNotice({ error, title, onRetry, onDismiss }: { error: DisplayError; title?: string; onRetry?: () => void; onDismiss?: () => void }) {
  return (
    <div className="notice notice--error" role="alert">
      <FailIcon />
      <div className="notice__body">
        <p className="notice__title">
          <strong>{title ?? errorCodeLabel(error.code)}:</strong> {error.message}
        </p>
        {error.remedy && (
          <p className="notice__remedy">
            <strong>What to do:</strong> {error.remedy}
          </p>
        )}
        {error.detail && (
          <details className="notice__detail">
            <summary>Technical details</summary>
            <pre>{error.detail}</pre>
          </details>
        )}
        {(onRetry || onDismiss) && (
          <div className="notice__actions">
            {onRetry && (
              <button type="button" className="button" onClick={onRetry}>
                Try again
              </button>
            )}
            {onDismiss && (
              <button type="button" className="button button--quiet" onClick={onDismiss}>
                <CloseIcon />
                Dismiss
              </button>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <InfoIcon />
      <div>
        <p className="empty__title">{title}</p>
        {children}
      </div>
    </div>
  );
}
