import { describe, expect, it } from 'vitest';
import { sampleHistory } from '../testing/sample-plans';
import { isIncomplete, lastUndoable, sortHistory } from './history';

describe('history', () => {
  it('sorts newest first, flags unfinished changes and finds the last undoable one', () => {
    const sorted = sortHistory([...sampleHistory].reverse());
    expect(sorted.map((e) => e.journalId)).toEqual(['j-0003', 'j-0002']);
    expect(sorted.filter(isIncomplete).map((e) => e.journalId)).toEqual(['j-0003']);
    expect(lastUndoable(sorted)?.journalId).toBe('j-0002');
    expect(lastUndoable([])).toBeNull();
  });
});
