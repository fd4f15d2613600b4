/**
 * A profile as a standalone shell script: the same qemu argv Passthru runs (quoted by the
 * one formatArgv of shared/shell-quote.ts, never assembled from unquoted text), preceded by what Passthru
 * does around it — the runtime directory, the per-VM copy of OVMF's variables, the taps
 * (root only). qemu stays in the foreground there (no -daemonize), so the script's lifetime
 * is the VM's.
 */
import { formatArgv, shellComment } from '#shared/shell-quote';
import type { QemuCommand, VmRuntimePaths, FirmwareFiles } from './qemu-argv';
import { OPS } from '../ops';

export interface ScriptExportInput {
  name: string;
  command: QemuCommand;
  paths: VmRuntimePaths;
  /** OVMF: the template the VM's variable store is copied from on first run. */
  firmware: { template: string; files: FirmwareFiles } | null;
  uid: number;
}

export function exportShellScript(input: ScriptExportInput): string {
  const { command, paths } = input;
  const argv = command.argv.filter((a) => a !== '-daemonize');
  const lines = [
    '#!/bin/sh',
    shellComment(`VM ${input.name}, exported by Passthru. Runs qemu in the foreground; Ctrl-C or the guest's power-off ends it.`),
    ...command.notes.map((n) => shellComment(n)),
    'set -eu',
    '',
    formatArgv(['mkdir', '-p', '-m', '0700', paths.dir]),
  ];
  if (input.firmware) {
    lines.push('# The VM keeps its own copy of the UEFI variable store.');
    lines.push(`[ -e ${formatArgv([input.firmware.files.vars])} ] || ${formatArgv(['cp', input.firmware.template, input.firmware.files.vars])}`);
  }
  if (command.taps.length) {
    lines.push('', '# Tap devices for the bridge NICs (needs root), removed again when qemu exits.');
    for (const t of command.taps) {
      // The same lines the create-tap op shows in a plan (its own argv, quoted).
      lines.push(...OPS.shellOf({ verb: 'create-tap', tap: t.tap, bridge: t.bridge, uid: input.uid }));
    }
    lines.push(`trap ${formatArgv([command.taps.flatMap((t) => OPS.shellOf({ verb: 'remove-tap', tap: t.tap })).join('; ')])} EXIT`);
  }
  lines.push('', formatArgv(argv), '');
  return lines.join('\n');
}
