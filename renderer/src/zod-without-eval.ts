/**
 * The page's CSP has no 'unsafe-eval'. zod compiles object schemas with new Function() when it
 * may, and finds out by trying as each schema is built — a CSP violation, reported on every
 * load. Told not to, it never tries; its interpreted checks are the same checks. main.tsx
 * imports this first, before any module builds a schema.
 */
import { config } from 'zod';

config({ jitless: true });
