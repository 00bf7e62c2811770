import { expect } from 'chai';
import { ShardedMap } from '../../charging/sharded-map.js';

describe('ShardedMap', () => {
  it('answers like a Map for every key, through sets, overwrites and deletes', () => {
    const sharded = new ShardedMap<number>(16);
    const plain = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const key = i % 3 === 0 ? `+1777${String(i).padStart(7, '0')}` : `key-${i}-é`;
      sharded.set(key, i);
      plain.set(key, i);
      if (i % 7 === 0) {
        sharded.set(key, -i);
        plain.set(key, -i);
      }
      if (i % 11 === 0) {
        expect(sharded.delete(key)).to.equal(plain.delete(key));
      }
    }
    for (const [k, v] of plain) expect(sharded.get(k), k).to.equal(v);
    expect(sharded.get('missing')).to.equal(undefined);
    expect(sharded.delete('missing')).to.equal(false);
    // Iteration gives every entry once (in another order).
    expect(new Map(sharded)).to.deep.equal(plain);
    expect([...sharded].length).to.equal(plain.size);
  });

  it('spreads MSISDNs that differ only in their last digits over its shards', () => {
    const sharded = new ShardedMap<number>(64);
    for (let i = 0; i < 6400; i++) sharded.set(`+1777${String(i).padStart(7, '0')}`, i);
    // Shards are visited one after the other: count the run lengths of keys from the same shard.
    const perShard: number[] = [];
    let previous = -1;
    for (const [, v] of sharded) {
      if (v < previous || perShard.length === 0) perShard.push(0);
      perShard[perShard.length - 1]!++;
      previous = v;
    }
    expect(perShard.length).to.be.at.least(60);
    expect(Math.max(...perShard)).to.be.below(250); // 100 each if perfectly even
  });
});
