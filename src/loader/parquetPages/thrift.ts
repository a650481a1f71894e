/**
 * Thrift compact protocol, just enough for Parquet metadata (the footer and page headers): structs as
 * Map<fieldId, value>. Part of the page reader (../parquetVectors.ts).
 */
/** Thrift compact protocol, just enough for Parquet metadata: structs as Map<fieldId, value>. */
export class CompactReader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  struct(): Map<number, unknown> {
    const out = new Map<number, unknown>();
    let last = 0;
    for (;;) {
      const byte = this.buf[this.offset++];
      if (byte === 0) return out;
      const type = byte & 0x0f;
      const delta = byte >> 4;
      const id = delta ? last + delta : this.zigzag(this.varint());
      last = id;
      out.set(id, this.value(type));
    }
  }

  private value(type: number): unknown {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.buf.readInt8(this.offset++);
      case 4:
      case 5:
        return this.zigzag(this.varint());
      case 6:
        return this.zigzag(this.varint());
      case 7:
        this.offset += 8;
        return this.buf.readDoubleLE(this.offset - 8);
      case 8: {
        const n = this.varint();
        this.offset += n;
        return this.buf.toString('utf8', this.offset - n, this.offset);
      }
      case 9:
      case 10: {
        const head = this.buf[this.offset++];
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const et = head & 0x0f;
        const items: unknown[] = [];
        for (let k = 0; k < size; k++) items.push(et === 1 || et === 2 ? this.buf[this.offset++] === 1 : this.value(et));
        return items;
      }
      case 11: {
        const size = this.varint();
        if (!size) return new Map();
        const kv = this.buf[this.offset++];
        const m = new Map<unknown, unknown>();
        for (let k = 0; k < size; k++) m.set(this.value(kv >> 4), this.value(kv & 0x0f));
        return m;
      }
      case 12:
        return this.struct();
      default:
        throw new Error(`thrift: unknown type ${type}`);
    }
  }

  private varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.offset++];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  }

  private zigzag(n: number): number {
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}

