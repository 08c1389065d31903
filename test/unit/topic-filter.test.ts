import { describe, expect, it } from 'vitest';

import { topicMatchesFilter } from '../../shared/protocol/topics';

// The obvious level-by-level definition, to check the allocation-free matcher against.
function byLevels(topic: string, filter: string): boolean {
  const t = topic.split('/');
  const f = filter.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return t.length === f.length;
}

describe('topicMatchesFilter', () => {
  it('matches the filters devices use', () => {
    expect(topicMatchesFilter('v2/fw/response/01/chunk/3', 'v2/fw/response/+/chunk/+')).toBe(true);
    expect(topicMatchesFilter('v2/fw/response/01/chunk/3', 'v2/fw/response/+')).toBe(false);
    expect(
      topicMatchesFilter(
        'v1/devices/me/attributes/response/7',
        'v1/devices/me/attributes/response/+',
      ),
    ).toBe(true);
    expect(
      topicMatchesFilter('v1/devices/me/attributes', 'v1/devices/me/attributes/response/+'),
    ).toBe(false);
    expect(topicMatchesFilter('a', 'a/#')).toBe(true);
  });

  it('agrees with the level-by-level definition on random topics and filters', () => {
    const levels = ['a', 'b', '', 'ab', 'v2', 'fw'];
    let seed = 42;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return items[seed % items.length] as T;
    };
    const path = (alphabet: readonly string[]) =>
      Array.from({ length: 1 + (pick([0, 1, 2, 3]) as number) }, () => pick(alphabet)).join('/');
    for (let i = 0; i < 5000; i++) {
      const topic = path(levels);
      let filter = path([...levels, '+']);
      if (pick([true, false, false])) filter += '/#';
      expect(topicMatchesFilter(topic, filter), `${topic} ~ ${filter}`).toBe(
        byLevels(topic, filter),
      );
    }
  });
});
