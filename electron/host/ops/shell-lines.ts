/**
 * What every op's shell line is made of. Shell lines are for reading and copying (the plan
 * shows them, the user may type them instead); nothing runs them. Every word that is not a
 * constant of ours is quoted (shared/shell-quote.ts): addresses, driver and interface names
 * come from the host.
 */
import { formatArgv, shellQuote } from '#shared/shell-quote';

export { formatArgv, shellQuote, writeFileLine } from '#shared/shell-quote';

/** A PCI device's sysfs directory. */
export const sysfsDevice = (address: string): string => `/sys/bus/pci/devices/${address}`;

/**
 * `echo VALUE > FILE`, both quoted. echo would take a value starting with `-` for an option and
 * a backslash for an escape (dash), so any value that is not a plain word is written with
 * `printf '%s\n'` instead — the same bytes, exactly.
 */
export const echoTo = (value: string, file: string): string =>
  `${/^[A-Za-z0-9_.:+@,=/][A-Za-z0-9_.:+@,=/-]*$/.test(value) ? formatArgv(['echo', value]) : formatArgv(['printf', '%s\\n', value])} > ${shellQuote(file)}`;
