/**
 * A profile as libvirt domain XML, so a user can move the VM to virsh/virt-manager when one
 * machine is not enough. Passthrough NICs become `<hostdev managed='yes'>` (libvirt then
 * binds the device to vfio-pci itself at start and gives it back at stop); bridge NICs
 * become `<interface type='bridge'>` with a virtio model and the same MAC the VM has here.
 * NAT becomes `<interface type='network'>` on libvirt's `default` network: that is what a
 * system libvirt (qemu:///system) offers for NAT, while `type='user'` only works in session
 * mode. The output validates under `virt-xml-validate` (domain schema).
 */
import { nicMac, type VmProfile } from '#shared/vm';

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `0000:01:00.0` → libvirt's address attributes. */
export function pciAddressAttributes(address: string): string {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(address);
  if (!m) throw new Error(`Not a PCI address: ${address}`);
  return `domain='0x${m[1]}' bus='0x${m[2]}' slot='0x${m[3]}' function='0x${m[4]}'`;
}

export interface LibvirtExportOptions {
  /** `kvm` (the usual) or `qemu` (TCG) for the domain type. */
  domainType?: 'kvm' | 'qemu';
}

export function exportLibvirtXml(profile: VmProfile, options: LibvirtExportOptions = {}): string {
  const x = xmlEscape;
  const lines: string[] = [];
  lines.push(`<domain type='${options.domainType ?? 'kvm'}'>`);
  lines.push(`  <name>${x(profile.name)}</name>`);
  lines.push(`  <description>Exported by Passthru from the VM profile ${x(profile.name)}.</description>`);
  lines.push(`  <memory unit='KiB'>${profile.memoryMiB * 1024}</memory>`);
  lines.push(`  <vcpu>${profile.cpus}</vcpu>`);
  lines.push(profile.firmware === 'ovmf' ? `  <os firmware='efi'>` : '  <os>');
  lines.push(`    <type arch='x86_64' machine='${profile.machine}'>hvm</type>`);
  if (profile.iso) lines.push(`    <boot dev='cdrom'/>`);
  lines.push(`    <boot dev='hd'/>`);
  lines.push('  </os>');
  lines.push('  <features>', '    <acpi/>', '    <apic/>', '  </features>');
  if (options.domainType !== 'qemu') lines.push(`  <cpu mode='host-passthrough'/>`);
  lines.push('  <on_poweroff>destroy</on_poweroff>', '  <on_reboot>restart</on_reboot>', '  <on_crash>destroy</on_crash>');
  lines.push('  <devices>');
  profile.disks.forEach((d, i) => {
    lines.push(`    <disk type='file' device='disk'>`);
    lines.push(`      <driver name='qemu' type='${d.format}'/>`);
    lines.push(`      <source file='${x(d.path)}'/>`);
    lines.push(`      <target dev='vd${String.fromCharCode(97 + i)}' bus='virtio'/>`);
    lines.push('    </disk>');
  });
  if (profile.iso) {
    lines.push(`    <disk type='file' device='cdrom'>`);
    lines.push(`      <driver name='qemu' type='raw'/>`);
    lines.push(`      <source file='${x(profile.iso)}'/>`);
    lines.push(`      <target dev='sda' bus='sata'/>`);
    lines.push('      <readonly/>');
    lines.push('    </disk>');
  }
  profile.nics.forEach((nic, i) => {
    if (nic.kind === 'passthrough') {
      lines.push(`    <hostdev mode='subsystem' type='pci' managed='yes'>`);
      lines.push(`      <source>`, `        <address ${pciAddressAttributes(nic.address)}/>`, `      </source>`);
      lines.push('    </hostdev>');
      return;
    }
    const mac = nicMac(profile.name, nic, i) ?? '';
    lines.push(nic.kind === 'bridge' ? `    <interface type='bridge'>` : `    <interface type='network'>`);
    lines.push(`      <mac address='${mac}'/>`);
    lines.push(nic.kind === 'bridge' ? `      <source bridge='${x(nic.bridge)}'/>` : `      <source network='default'/>`);
    lines.push(`      <model type='virtio'/>`);
    lines.push('    </interface>');
  });
  if (profile.display !== 'none') {
    // A window here is a VNC display there: virt-manager opens it in its own console.
    lines.push(`    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>`);
    lines.push(`    <video>`, `      <model type='vga'/>`, `    </video>`);
  }
  lines.push(`    <serial type='pty'/>`, `    <console type='pty'/>`);
  lines.push('  </devices>');
  lines.push('</domain>');
  return `${lines.join('\n')}\n`;
}
