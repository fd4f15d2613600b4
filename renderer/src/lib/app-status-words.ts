/**
 * The header's words for how the app works now (shared/app-status.ts): a short label and the
 * sentence behind it. Kept apart from the component so every case is tested as text.
 */
import type { AppStatus } from '#shared/app-status';

export interface StatusWords {
  label: string;
  explanation: string;
}

export function changeRouteWords(status: AppStatus): StatusWords {
  switch (status.changes) {
    case 'as-root':
      return { label: 'Changes: as root', explanation: 'Passthru runs as root here: a change you apply is made by it directly, with no password prompt.' };
    case 'rehearsal':
      return { label: 'Changes: plans only', explanation: 'A snapshot is shown: plans can be read and saved as scripts, and nothing is applied.' };
    case 'no-helper':
      return {
        label: 'Changes: helper missing',
        explanation:
          "Passthru's privileged helper is not installed here, so changes cannot be applied: install the .deb (or run `sudo passthru install-helper`), or run Passthru as root.",
      };
    case 'helper':
      switch (status.passwordPrompt) {
        case 'desktop':
          return { label: 'Changes: ask for a password', explanation: "Each change runs through pkexec and Passthru's helper; your desktop asks for an administrator's password." };
        case 'terminal':
          return {
            label: 'Changes: password in the terminal',
            explanation: "Each change runs through pkexec and Passthru's helper; polkit asks for the password in the terminal where `passthru serve` runs.",
          };
        case 'none':
          return {
            label: 'Changes: no password prompt',
            explanation:
              'Changes go through pkexec, but no polkit agent can ask for a password for this server, so they will be refused: run `passthru serve` from a terminal, or `sudo passthru serve`.',
          };
      }
  }
}

export function watchWords(status: AppStatus): StatusWords {
  const fallback = status.watchFallback ? ` The kernel's events are not used: ${status.watchFallback}` : '';
  switch (status.watch) {
    case 'events':
      return { label: 'Updates: kernel events', explanation: 'The view refreshes when the kernel reports a device, driver, link, address or route change.' };
    case 'polling': {
      const seconds = Math.round(status.pollIntervalMs / 100) / 10;
      return { label: `Updates: every ${seconds} s`, explanation: `The view checks for changes every ${seconds} s.${fallback}` };
    }
    case 'off':
      return { label: 'Updates: on Refresh', explanation: `Changes made outside Passthru show after Refresh.${fallback}` };
  }
}
