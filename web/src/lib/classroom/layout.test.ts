import type { ParticipantView, ProducerView } from '@preau/protocol';
import { describe, expect, it } from 'vitest';
import { featuredTile, LAYOUT_STORAGE_KEY, loadLayout, saveLayout, stableTiles } from './layout';

const person = (id: string, joinedAt: string, moderator = false): ParticipantView => ({
  participantId: id,
  name: id,
  moderator,
  presence: 'live',
  joinedAt,
});
const producer = (id: string, who: string, source: ProducerView['source']): ProducerView => ({
  producerId: id,
  participantId: who,
  kind: source === 'mic' ? 'audio' : 'video',
  source,
  paused: false,
  pausedBy: null,
});

describe('the video stage layout', () => {
  const people = [
    person('p_b', '2026-12-05T08:02:00Z'),
    person('p_t', '2026-12-05T08:05:00Z', true),
    person('p_a', '2026-12-05T08:01:00Z'),
  ];
  const producers = [producer('v1', 'p_a', 'camera'), producer('s1', 'p_b', 'screen')];

  it('orders tiles by screen, teacher, arrival: never by who speaks', () => {
    const tiles = stableTiles(people, producers, 'p_a');
    expect(tiles.map((x) => x.key)).toEqual([
      'screen:s1',
      'camera:p_t',
      'camera:p_a',
      'camera:p_b',
    ]);
    expect(tiles.find((x) => x.key === 'camera:p_a')).toMatchObject({
      producerId: 'v1',
      local: true,
    });
  });

  it('features a pin in both layouts, a screen or the speaker only in speaker view', () => {
    const tiles = stableTiles(people, [], 'p_a');
    const base = { pinned: null, activeSpeaker: 'p_b', me: 'p_a' } as const;
    expect(featuredTile(tiles, { ...base, layout: 'speaker' })).toBe('camera:p_b');
    expect(featuredTile(tiles, { ...base, layout: 'grid' })).toBeNull();
    expect(featuredTile(tiles, { ...base, layout: 'grid', pinned: 'camera:p_t' })).toBe(
      'camera:p_t',
    );
    expect(featuredTile(tiles, { ...base, layout: 'speaker', activeSpeaker: 'p_a' })).toBeNull();
    const withScreen = stableTiles(people, producers, 'p_a');
    expect(featuredTile(withScreen, { ...base, layout: 'speaker' })).toBe('screen:s1');
  });

  it('remembers the choice, and survives a storage that refuses', () => {
    const kept = new Map<string, string>();
    const storage = {
      getItem: (k: string) => kept.get(k) ?? null,
      setItem: (k: string, v: string) => void kept.set(k, v),
    };
    expect(loadLayout(storage)).toBe('speaker');
    saveLayout(storage, 'grid');
    expect(kept.get(LAYOUT_STORAGE_KEY)).toBe('grid');
    expect(loadLayout(storage)).toBe('grid');
    const refusing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadLayout(refusing)).toBe('speaker');
    expect(() => saveLayout(refusing, 'grid')).not.toThrow();
  });
});
