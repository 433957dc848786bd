import { type AuditEntry, type RecordView, TraceKind } from '@preau/protocol';
import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { auditDetails } from './auditDetails';
import { kindLabel, personDetail, readable } from './describe';

const fr = translator('fr');
const en = translator('en');

const record = (over: Partial<RecordView>): RecordView => ({
  space: 'class_0350042K_3eA',
  seq: 1,
  kind: 'chat.message',
  at: '2026-12-05T08:00:00.000Z',
  actor: 'p_lea',
  actorName: 'Léa Bernard',
  subject: null,
  payload: {},
  bodyBytes: null,
  archived: true,
  deleted: null,
  held: false,
  ...over,
});

describe('the archive in words', () => {
  it('names every kind of trace in French and in English, never by its code', () => {
    for (const kind of TraceKind.options) {
      expect(kindLabel(kind, fr), kind).not.toBe(kind);
      expect(kindLabel(kind, en), kind).not.toBe(kind);
    }
    expect(kindLabel('doc.update', fr)).toBe('modification de document');
    expect(kindLabel('chat.message', fr)).toBe('message de discussion');
    // A kind added later, before its words: its code rather than nothing.
    expect(kindLabel('poll.voted', fr)).toBe('poll.voted');
  });

  it('says what a pad or board update changed, with the title', () => {
    const pad = readable(
      record({
        kind: 'doc.update',
        change: {
          doc: 'pad',
          title: 'Exposé',
          inserted: 5,
          deleted: 2,
          insertedText: 'Salut',
          deletedText: 'ab',
        },
      }),
      fr,
    );
    expect(pad).toEqual({
      title: 'Exposé',
      summary: 'pad — 5 caractère(s) inséré(s), 2 caractère(s) supprimé(s)',
      quote: 'Salut',
      deleted: 'ab',
    });
    const board = readable(
      record({
        kind: 'doc.update',
        change: {
          doc: 'board',
          title: null,
          added: 1,
          changed: 0,
          removed: 0,
          elements: ['text: Donjon'],
        },
      }),
      en,
    );
    expect(board).toEqual({
      title: 'untitled document',
      summary: 'whiteboard — 1 element(s) added (text: Donjon)',
    });
    const moderation = readable(
      record({
        kind: 'session.moderation',
        payload: { action: 'mute', target: 'p_x', targetName: 'Hugo Petit' },
      }),
      fr,
    );
    expect(moderation.summary).toBe('micro coupé : Hugo Petit');
  });

  it('tells where a person is, and the DPO what an audit entry holds, by name', () => {
    expect(
      personDetail(
        {
          id: 'p_1',
          name: 'Claire Martin',
          schools: [{ uai: '0350042K', name: 'Collège Anne de Bretagne', kind: 'teacher' }],
          roles: [],
        },
        fr,
      ),
    ).toBe('enseignant·e · Collège Anne de Bretagne');
    const entry: AuditEntry = {
      seq: 3,
      at: '2026-12-05T08:00:00.000Z',
      actor: 'p_arch',
      role: 'archivist',
      action: 'search',
      caseId: null,
      details: {
        person: 'p_lea',
        space: null,
        kind: 'chat.message',
        from: null,
        to: null,
        results: 2,
        namesResolved: ['p_lea', 'p_gone'],
      },
      prev: '0'.repeat(64),
      hash: '1'.repeat(64),
    };
    expect(auditDetails(entry, { names: { p_lea: 'Léa Bernard' }, spaces: {} }, fr, 'fr')).toEqual([
      'personne : Léa Bernard',
      'type : message de discussion',
      '2 résultat(s)',
      'noms résolus : Léa Bernard, p_gone',
    ]);
  });

  it('says what the acts of groups and projects were, in French and in English', () => {
    const group = 'group_demo_loire';
    const say = (kind: RecordView['kind'], payload: Record<string, unknown>, t = fr) =>
      readable(record({ space: group, kind, payload }), t).summary;
    expect(
      say('space.created', { kind: 'group', name: 'Exposé sur la Loire', uai: '0350042K' }),
    ).toBe('groupe « Exposé sur la Loire » créé');
    expect(say('space.created', { kind: 'project', name: 'Correspondance' }, en)).toBe(
      'project “Correspondance” created',
    );
    expect(
      say('membership.changed', {
        change: 'added',
        role: 'owner',
        person: 'p_lea',
        personName: 'Léa Bernard',
        source: 'space',
      }),
    ).toBe('Léa Bernard ajouté·e (propriétaire)');
    expect(say('membership.changed', { change: 'added', class: '0350042K_3eA' })).toBe(
      'classe 0350042K_3eA ajoutée',
    );
    expect(say('invitation.sent', { person: 'p_hugo', personName: 'Hugo Petit' })).toBe(
      'invitation de Hugo Petit',
    );
    expect(say('invitation.answered', { accepted: true })).toBe('invitation acceptée');
    expect(say('invitation.answered', { accepted: false }, en)).toBe('invitation declined');
    expect(say('space.state', { from: 'active', to: 'suspended', reason: 'propos' })).toBe(
      'actif → suspendu',
    );
    expect(say('file.added', { name: 'carte.pdf', size: 1200 })).toBe('fichier « carte.pdf »');
    expect(say('doc.file.added', { mimeType: 'image/png', sha256: 'ab'.repeat(32) })).toBe(
      'fichier « image/png · SHA-256 abababababab… »',
    );
    expect(say('report.filed', { targetKind: 'message', reason: 'insulte' })).toBe(
      'signalement (message) : insulte',
    );
    expect(
      say('guest.created', { person: 'p_g', personName: 'Ana Lopez', until: '2027-01-31' }),
    ).toBe('invité·e Ana Lopez, jusqu’au 2027-01-31');
  });
});
