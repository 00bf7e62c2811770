/** FNV-1a 32-bit: a stable, fast hash that spreads keys (MSISDNs, storage keys) evenly over shard files. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

export function shardFileName(prefix: string, shard: number): string {
  return `${prefix}-${String(shard).padStart(4, '0')}.json`;
}
