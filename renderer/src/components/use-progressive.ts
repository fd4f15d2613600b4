/**
 * Renders long lists in slices: the first screenful at once, the rest in low-priority
 * transitions, so a host with hundreds of IOMMU groups shows its page immediately.
 */
import { startTransition, useEffect, useState } from 'react';

export function useProgressiveCount(total: number, first = 60, step = 150): number {
  const [count, setCount] = useState(Math.min(total, first));
  useEffect(() => {
    if (count >= total) return;
    const timer = setTimeout(() => startTransition(() => setCount((c) => Math.min(total, c + step))), 0);
    return () => clearTimeout(timer);
  }, [count, total, step]);
  return Math.min(count, total);
}
