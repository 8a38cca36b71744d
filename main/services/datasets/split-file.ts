/**
 * On-disk form of one dataset split: `<split>-<tag>.jsonl` holds one JSON array
 * `[source, ref1, ...]` per row (segments may contain newlines), and `<same>.idx` holds the byte
 * offset of every row plus the end offset as little-endian float64, so a preview can read rows
 * 500,000–500,050 of a million-row split without scanning it.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { FieldAccumulator } from './statistics';
import type { SplitInfo } from '../../../shared/api/types';

export interface Row {
  source: string;
  references: string[];
}

/** Streams rows into a split's data and index files, hashing and counting as it goes. */
export class SplitWriter {
  #data!: FileHandle;
  #index!: FileHandle;
  #hash = createHash('sha256');
  #offset = 0;
  #rows = 0;
  #source = new FieldAccumulator();
  #refs: FieldAccumulator[] = [];

  private constructor(
    readonly name: string,
    readonly dataPath: string,
    readonly indexPath: string,
    readonly fileName: string,
  ) {}

  static async create(name: string, dir: string, fileName: string): Promise<SplitWriter> {
    const writer = new SplitWriter(name, `${dir}/${fileName}`, `${dir}/${fileName}.idx`, fileName);
    writer.#data = await open(writer.dataPath, 'wx');
    writer.#index = await open(writer.indexPath, 'wx');
    return writer;
  }

  get rows(): number {
    return this.#rows;
  }

  async write(rows: readonly Row[]): Promise<void> {
    const offsets = new Float64Array(rows.length);
    let chunk = '';
    let chunkBytes = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      offsets[i] = this.#offset + chunkBytes;
      const line = JSON.stringify([row.source, ...row.references]) + '\n';
      chunk += line;
      chunkBytes += Buffer.byteLength(line);
      this.#source.add(row.source);
      for (let r = 0; r < row.references.length; r++) {
        (this.#refs[r] ??= new FieldAccumulator()).add(row.references[r]);
      }
    }
    const bytes = Buffer.from(chunk, 'utf8');
    this.#hash.update(bytes);
    await this.#data.write(bytes);
    await this.#index.write(new Uint8Array(offsets.buffer));
    this.#offset += bytes.length;
    this.#rows += rows.length;
  }

  /** Writes the end offset, fsyncs and closes both files. */
  async finish(): Promise<SplitInfo> {
    await this.#index.write(new Uint8Array(new Float64Array([this.#offset]).buffer));
    await this.#data.sync();
    await this.#index.sync();
    await this.#data.close();
    await this.#index.close();
    return {
      name: this.name,
      rows: this.#rows,
      file: this.fileName,
      sha256: this.#hash.digest('hex'),
      bytes: this.#offset,
      statistics: {
        source: this.#source.result(),
        references: this.#refs.map((r) => r.result()),
      },
    };
  }

  async abort(): Promise<void> {
    await this.#data?.close().catch(() => undefined);
    await this.#index?.close().catch(() => undefined);
  }
}

/** Reads rows [offset, offset+limit) of a split through its index. */
export async function readRows(
  dataPath: string,
  offset: number,
  limit: number,
): Promise<{ total: number; rows: Row[] }> {
  const index = await open(`${dataPath}.idx`, 'r');
  let data: FileHandle | undefined;
  try {
    const { size } = await index.stat();
    const total = size / 8 - 1;
    const first = Math.min(offset, total);
    const last = Math.min(offset + limit, total);
    if (last <= first) return { total, rows: [] };
    const offsets = new Float64Array(last - first + 1);
    await index.read(new Uint8Array(offsets.buffer), 0, offsets.byteLength, first * 8);
    const start = offsets[0];
    const end = offsets[offsets.length - 1];
    const buffer = Buffer.alloc(end - start);
    data = await open(dataPath, 'r');
    await data.read(buffer, 0, buffer.length, start);
    const rows: Row[] = [];
    for (let i = 0; i < offsets.length - 1; i++) {
      const line = buffer.toString('utf8', offsets[i] - start, offsets[i + 1] - start - 1);
      const [source, ...references] = JSON.parse(line) as string[];
      rows.push({ source, references });
    }
    return { total, rows };
  } finally {
    await index.close();
    await data?.close();
  }
}

/** Iterates all rows of a split in order, in batches (for export, split and metrics). */
export async function* iterateRows(dataPath: string, batchSize = 10_000): AsyncGenerator<Row[]> {
  const { total } = await readRows(dataPath, 0, 0);
  for (let offset = 0; offset < total; offset += batchSize) {
    yield (await readRows(dataPath, offset, batchSize)).rows;
  }
}
