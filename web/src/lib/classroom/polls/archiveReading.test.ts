import type { RecordView } from '@preau/protocol';
import { describe, expect, it } from 'vitest';
import { readable } from '../../archive/describe';
import { translator } from '../../i18n';

const fr = translator('fr');
const record = (over: Partial<RecordView>): RecordView => ({
  space: 'class_0350042K_3eA',
  seq: 1,
  kind: 'poll.created',
  at: '2026-12-05T08:00:00.000Z',
  actor: 'p_prof',
  actorName: 'Claire Martin',
  subject: 'poll_1',
  payload: {},
  bodyBytes: null,
  archived: true,
  deleted: null,
  held: false,
  ...over,
});

describe('poll and floor traces in the archive, in words', () => {
  it('says what was asked, what was answered, and which control acted on whom', () => {
    expect(
      readable(
        record({ payload: { kind: 'single', question: 'Capitale ?', anonymous: true } }),
        fr,
      ),
    ).toEqual({ summary: 'sondage (Choix unique, anonyme)', quote: 'Capitale ?' });
    expect(
      readable(
        record({ kind: 'poll.answered', actor: 'anonymous', payload: { choices: [0, 2] } }),
        fr,
      ).summary,
    ).toBe('choix n° 1, 3');
    expect(
      readable(record({ kind: 'poll.answered', payload: { choices: [], text: 'clair' } }), fr),
    ).toEqual({ summary: '', quote: 'clair' });
    expect(
      readable(
        record({
          kind: 'session.moderation',
          payload: { action: 'chat_muted', target: 'p_x', targetName: 'Hugo Petit' },
        }),
        fr,
      ).summary,
    ).toBe('discussion coupée : Hugo Petit');
  });
});
