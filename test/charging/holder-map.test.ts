import { expect } from 'chai';
import { HolderMap } from '../../adapters/store/lowdb/holder-map.js';

/** The lowdb store's parsed records: a least-recently-used order kept through reused holders. */
describe('lowdb charging store: values held through reused holders', () => {
  it('keeps keys least recently used first: a touch moves a key last, a set of a present key does not', () => {
    const hot = new HolderMap<string, { n: number }>();
    for (const k of ['a', 'b', 'c']) hot.set(k, { n: k.charCodeAt(0) });
    expect(hot.touch('a')?.n).to.equal(97);
    hot.set('b', { n: 1 });
    expect([...hot.keys()]).to.deep.equal(['b', 'c', 'a']);
    expect(hot.get('b')?.n).to.equal(1);
    expect(hot.size).to.equal(3);
  });

  it('forgets deleted keys, and a key set again after its deletion comes back last with its new value', () => {
    const hot = new HolderMap<string, string>();
    hot.set('a', 'one');
    hot.set('b', 'two');
    expect(hot.delete('a')).to.equal(true);
    expect(hot.delete('a')).to.equal(false);
    expect(hot.get('a')).to.equal(undefined);
    expect(hot.touch('a')).to.equal(undefined);
    hot.set('c', 'three'); // takes the holder 'a' gave back
    hot.set('a', 'four');
    expect([...hot.keys()]).to.deep.equal(['b', 'c', 'a']);
    expect([hot.get('b'), hot.get('c'), hot.get('a')]).to.deep.equal(['two', 'three', 'four']);
  });

  it('lets keys be deleted while iterating, as the store trims its least recently used records', () => {
    const hot = new HolderMap<string, number>();
    for (let i = 0; i < 10; i++) hot.set(`k${i}`, i);
    let excess = 4;
    for (const k of hot.keys()) {
      if (excess-- <= 0) break;
      hot.delete(k);
    }
    expect([...hot.keys()]).to.deep.equal(['k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    for (let i = 0; i < 4; i++) hot.set(`n${i}`, 100 + i);
    expect(hot.size).to.equal(10);
    expect(hot.get('n3')).to.equal(103);
  });
});
