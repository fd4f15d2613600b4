/**
 * Cutting a child's output into lines as it arrives, shared by the runners of this folder
 * (runCommand's onStdoutLine, spawnLines).
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into lines for a line listener. Decoding goes through a
 * StringDecoder so a UTF-8 character split across two chunks is not mangled; `\r\n` endings
 * are accepted too. The first error the listener throws stops delivery and is kept.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  listenerError: Error | null = null;

  constructor(private readonly onLine: (line: string) => void) {}

  /** Characters held after the last newline: a reader that never ends a line grows this. */
  get pendingLength(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): void {
    const lines = (this.pending + this.decoder.write(chunk)).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.deliver(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  /** Delivers what is left after the last newline, if anything. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.deliver(rest);
  }

  private deliver(line: string): void {
    if (this.listenerError) return;
    try {
      this.onLine(line);
    } catch (err) {
      this.listenerError = err instanceof Error ? err : new Error(String(err));
    }
  }
}
