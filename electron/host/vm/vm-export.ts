/**
 * A saved VM as something to take elsewhere: a shell script that starts the same qemu, or
 * libvirt domain XML for virt-manager/virsh. One function for the CLI and the GUI.
 */
import type { VmExport } from '#shared/vm-api';
import { exportLibvirtXml } from './export-libvirt';
import { exportShellScript } from './export-script';
import { findOvmf } from './vm-host';
import type { VmSupervisor } from './vm-supervisor';

export async function exportVm(sup: VmSupervisor, name: string, format: VmExport['format']): Promise<VmExport> {
  if (format === 'libvirt') {
    return { format, fileName: `${name}.xml`, content: exportLibvirtXml(sup.profile(name), { domainType: 'kvm' }) };
  }
  const plan = await sup.plan(name);
  const ovmf = plan.profile.firmware === 'ovmf' ? findOvmf() : null;
  const content = exportShellScript({
    name,
    command: plan.command,
    paths: sup.paths(name),
    firmware: ovmf ? { template: ovmf.vars, files: { code: ovmf.code, vars: sup.efiVarsFile(name) } } : null,
    uid: process.getuid?.() ?? 0,
  });
  return { format, fileName: `${name}.sh`, content };
}
