import { describe, expect, it } from 'vitest';
import type { OpCall } from '#shared/plan';
import { vmTapName } from '#shared/vm';
import { RootFs } from '../fs/root-fs';
import { makeTempRoot, TreeWriter } from '../testing/fake-sysfs';
import type { OpContext } from './op-context';
import { OPS } from './index';

function host(): OpContext {
  const root = makeTempRoot('passthru-tap-');
  const w = new TreeWriter(root);
  w.dir('/sys/class/net/br0/bridge');
  w.dir('/sys/class/net/eth0');
  // The test's runner stands in for the kernel (kernel 'fake'): a tree alone has none.
  return {
    root,
    fs: new RootFs(root),
    runCommand: async () => {
      throw new Error('validation runs nothing');
    },
    kernel: 'fake',
    originalDrivers: [],
  };
}

function code(op: OpCall, ctx: OpContext): string | null {
  try {
    OPS.validate(op, ctx);
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'none';
  }
}

describe('create-tap / remove-tap validation (what the helper accepts)', () => {
  it('only Passthru-named taps, onto a bridge that exists, for the user who asked', () => {
    const ctx = host();
    const tap = vmTapName('web', 0);
    expect(code({ verb: 'create-tap', tap, bridge: 'br0', uid: 1000 }, ctx)).toBeNull();
    // Not our naming: the helper must not create or delete arbitrary interfaces.
    expect(code({ verb: 'create-tap', tap: 'eth0', bridge: 'br0', uid: 1000 }, ctx)).toBe('BAD_INPUT');
    expect(code({ verb: 'remove-tap', tap: 'eth0' }, ctx)).toBe('BAD_INPUT');
    expect(code({ verb: 'create-tap', tap: `${tap};x`, bridge: 'br0', uid: 1000 }, ctx)).toBe('BAD_INPUT');
    // eth0 is no bridge; a bridge name with shell characters is no name at all.
    expect(code({ verb: 'create-tap', tap, bridge: 'eth0', uid: 1000 }, ctx)).toBe('BAD_INPUT');
    expect(code({ verb: 'create-tap', tap, bridge: 'br0 up', uid: 1000 }, ctx)).toBe('BAD_INPUT');
    expect(code({ verb: 'create-tap', tap, bridge: 'br0', uid: -1 }, ctx)).toBe('BAD_INPUT');
    // From pkexec: only for the calling user.
    const asUser = { ...ctx, callerUid: 1000 };
    expect(code({ verb: 'create-tap', tap, bridge: 'br0', uid: 1000 }, asUser)).toBeNull();
    expect(code({ verb: 'create-tap', tap, bridge: 'br0', uid: 0 }, asUser)).toBe('REFUSED');
    expect(code({ verb: 'create-tap', tap, bridge: 'br0', uid: 1001 }, asUser)).toBe('REFUSED');
  });

  it('removes a tap only for the user it belongs to', () => {
    const ctx = host();
    const tap = vmTapName('web', 2);
    const w = new TreeWriter(ctx.root);
    w.file(`/sys/class/net/${tap}/tun_flags`, '0x1002\n');
    w.file(`/sys/class/net/${tap}/owner`, '1001\n');
    expect(code({ verb: 'remove-tap', tap }, { ...ctx, callerUid: 1000 })).toBe('REFUSED');
    expect(code({ verb: 'remove-tap', tap }, { ...ctx, callerUid: 1001 })).toBeNull();
    expect(code({ verb: 'remove-tap', tap }, { ...ctx, callerUid: null })).toBeNull();
  });

  it('an interface with a tap name that is not a tap is refused, for create and remove', () => {
    const ctx = host();
    const tap = vmTapName('web', 1);
    new TreeWriter(ctx.root).dir(`/sys/class/net/${tap}`);
    expect(code({ verb: 'create-tap', tap, bridge: 'br0', uid: 1000 }, ctx)).toBe('REFUSED');
    expect(code({ verb: 'remove-tap', tap }, ctx)).toBe('REFUSED');
    new TreeWriter(ctx.root).file(`/sys/class/net/${tap}/tun_flags`, '0x1002\n');
    expect(code({ verb: 'remove-tap', tap }, ctx)).toBeNull();
  });
});
