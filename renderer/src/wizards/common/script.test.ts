import { describe, expect, it } from 'vitest';
import { sampleAssignPlan } from '../../testing/sample-plans';
import { planScript, scriptFileName, scriptHref } from './script';

describe('plan script', () => {
  it('starts with a shebang and set -e, and lists every step command in order', () => {
    const plan = sampleAssignPlan({ persist: true });
    const script = planScript(plan);
    expect(script.startsWith('#!/bin/sh\nset -e\n')).toBe(true);
    const commands = plan.steps.flatMap((s) => s.shell);
    let at = 0;
    for (const c of commands) {
      const i = script.indexOf(c, at);
      expect(i).toBeGreaterThanOrEqual(at);
      at = i + c.length;
    }
    expect(script).toContain('# writes /etc/udev/rules.d/60-passthru-0000:01:00.1.rules');
  });

  it('names the file safely and encodes it as a data URL', () => {
    const plan = sampleAssignPlan();
    expect(scriptFileName(plan)).toBe('passthru-assign-0000-01-00-1.sh');
    const href = scriptHref(plan);
    expect(href.startsWith('data:text/x-shellscript;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(href.split(',').slice(1).join(','))).toBe(planScript(plan));
  });
});
