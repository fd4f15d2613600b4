/** The fingerprint a network file op carries of the content it expects to replace (sha256 of the UTF-8 text). */
import { createHash } from 'node:crypto';

export const textSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
