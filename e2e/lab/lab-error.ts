/** Why a lab boot or command failed, with the guest console's last lines as evidence. */
export class LabError extends Error {
  override name = 'LabError';
  constructor(
    message: string,
    readonly kind: 'boot-timeout' | 'panic' | 'qemu-exit' | 'guest-failed' | 'setup-failed' | 'command-timeout',
    /** The last lines of the guest console, to say how far it got. */
    readonly consoleTail = '',
  ) {
    super(consoleTail ? `${message}\n--- last guest console lines ---\n${consoleTail}` : message);
  }
}
