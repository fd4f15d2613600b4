import { describe, expect, it } from 'vitest';
import type { AppStatus, ChangeRoute, PasswordPrompt } from '#shared/app-status';
import { changeRouteWords, watchWords } from './app-status-words';

const base: AppStatus = { changes: 'helper', passwordPrompt: 'desktop', watch: 'events', watchFallback: null, pollIntervalMs: 2000 };

describe('the header’s words for how the app works now', () => {
  it('names each road a change takes, and where the password is asked for', () => {
    const cases: [ChangeRoute, PasswordPrompt, RegExp, RegExp][] = [
      ['as-root', 'none', /as root/, /no password prompt/],
      ['rehearsal', 'desktop', /plans only/, /nothing is applied/],
      ['no-helper', 'desktop', /helper missing/, /not installed/],
      ['helper', 'desktop', /password/, /desktop asks/],
      ['helper', 'terminal', /in the terminal/, /terminal where `passthru serve` runs/],
      ['helper', 'none', /no password prompt/, /sudo passthru serve/],
    ];
    for (const [changes, passwordPrompt, label, explanation] of cases) {
      const words = changeRouteWords({ ...base, changes, passwordPrompt });
      expect(words.label, `${changes}/${passwordPrompt}`).toMatch(label);
      expect(words.explanation, `${changes}/${passwordPrompt}`).toMatch(explanation);
    }
  });

  it('says how the view stays current, and why the events are not used when they are not', () => {
    expect(watchWords(base).label).toBe('Updates: kernel events');
    expect(watchWords({ ...base, watch: 'polling', pollIntervalMs: 2000 }).label).toBe('Updates: every 2 s');
    expect(watchWords({ ...base, watch: 'polling', pollIntervalMs: 250 }).label).toBe('Updates: every 0.3 s');
    const fellBack = watchWords({ ...base, watch: 'polling', watchFallback: '`ip monitor link address route` ended.' });
    expect(fellBack.explanation).toContain('not used: `ip monitor link address route` ended.');
    expect(watchWords({ ...base, watch: 'off' }).label).toBe('Updates: on Refresh');
    expect(watchWords(base).explanation).not.toContain('not used');
  });
});
