/**
 * "Open snapshot…" in a browser, which has no folder picker that could name a folder of the
 * host running Passthru (a browser's picker shows the laptop's files, and would upload them):
 * the user types the snapshot's path on that host instead. Enter opens it, Escape or Cancel
 * backs out; a folder that is no snapshot is refused by the host, and the app says why as it
 * does for the desktop's picker.
 */
import { useId, useRef, useState } from 'react';
import { FormField } from './form-field';
import { useModalDialog } from './use-modal-dialog';

export function SnapshotPathDialog({ onOpen, onCancel }: { onOpen: (path: string) => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [path, setPath] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  useModalDialog(dialog);
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog snapshot-path-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId} className="confirm-dialog__title">
        Open a snapshot
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const wanted = path.trim();
          if (!wanted.startsWith('/')) {
            setProblem('Give the full path, starting with /.');
            return;
          }
          onOpen(wanted);
        }}
      >
        <div className="confirm-dialog__body">
          <FormField
            label="Snapshot folder on the host running Passthru"
            hint={
              <>
                A folder made by <code>passthru snapshot DIR</code>, on the machine where <code>passthru serve</code> runs (not the one with this browser).
              </>
            }
            problem={problem}
            value={path}
            placeholder="/home/me/snapshots/router"
            autoFocus
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setPath(e.target.value);
              setProblem(null);
            }}
          />
        </div>
        <div className="confirm-dialog__foot">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button--primary">
            Open
          </button>
        </div>
      </form>
    </dialog>
  );
}
