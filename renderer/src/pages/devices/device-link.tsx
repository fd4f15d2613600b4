/** A button that looks like a link and selects another device. */
import type { ReactNode } from 'react';

export function DeviceLink({ address, onSelect, children }: { address: string; onSelect: (a: string) => void; children?: ReactNode }) {
  return (
    <button type="button" className="link-button mono" onClick={() => onSelect(address)}>
      {children ?? address}
    </button>
  );
}
