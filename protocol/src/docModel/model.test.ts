import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOC_YJS } from '../docs';
import { boardChange, textChange } from './changes';
import {
  clientsOfTransaction,
  clientsOfUpdate,
  docFromParts,
  docFromState,
  mergeParts,
  stateOf,
} from './parts';
import { renderBoardSvg } from './renderBoardSvg';
import { renderPadHtml } from './renderPadHtml';
import { revertUpdate } from './revert';

function paragraph(doc: Y.Doc, text: string, attrs?: Record<string, unknown>) {
  const p = new Y.XmlElement('paragraph');
  const t = new Y.XmlText();
  p.insert(0, [t]);
  doc.getXmlFragment(DOC_YJS.padFragment).push([p]);
  t.insert(0, text, attrs);
  return t;
}

function padText(doc: Y.Doc) {
  return doc
    .getXmlFragment(DOC_YJS.padFragment)
    .toArray()
    .map((n) =>
      (n as Y.XmlElement)
        .toArray()
        .map((t) => (t as Y.XmlText).toString())
        .join(''),
    )
    .join('\n');
}

describe('renderPadHtml', () => {
  it('renders blocks and marks, escaping text and dropping unsafe links', () => {
    const doc = new Y.Doc();
    const frag = doc.getXmlFragment(DOC_YJS.padFragment);
    const h = new Y.XmlElement('heading');
    h.setAttribute('level', 2 as never);
    const ht = new Y.XmlText();
    h.insert(0, [ht]);
    frag.push([h]);
    ht.insert(0, 'Titre <script>');
    const t = paragraph(doc, 'gras');
    t.format(0, 4, { bold: {} });
    t.insert(4, ' lien', { link: { href: 'https://example.org/a?b=1&c=2' } });
    t.insert(9, ' piège', { link: { href: 'javascript:alert(1)' } });
    const list = new Y.XmlElement('bulletList');
    const li = new Y.XmlElement('listItem');
    const lp = new Y.XmlElement('paragraph');
    const lt = new Y.XmlText();
    lp.insert(0, [lt]);
    li.insert(0, [lp]);
    list.insert(0, [li]);
    frag.push([list]);
    lt.insert(0, 'un');
    expect(renderPadHtml(doc)).toBe(
      '<h2>Titre &lt;script&gt;</h2>' +
        '<p><strong>gras</strong><a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow"> lien</a> piège</p>' +
        '<ul><li><p>un</p></li></ul>',
    );
  });

  it('colours each run of text by the author of its Yjs client', () => {
    const alice = new Y.Doc();
    paragraph(alice, 'Bonjour');
    const bob = new Y.Doc();
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice));
    const text = (bob.getXmlFragment(DOC_YJS.padFragment).get(0) as Y.XmlElement).get(
      0,
    ) as Y.XmlText;
    text.insert(7, ' à tous');
    const authors = new Map([
      [alice.clientID, { id: 'alice', color: '#111111' }],
      [bob.clientID, { id: 'bob', color: '#222222' }],
    ]);
    const html = renderPadHtml(bob, { authorOf: (c) => authors.get(c) });
    expect(html).toBe(
      '<p><span class="author" data-author="alice" style="--author:#111111">Bonjour</span>' +
        '<span class="author" data-author="bob" style="--author:#222222"> à tous</span></p>',
    );
  });
});

describe('renderBoardSvg', () => {
  it('draws live elements in order, skips deleted ones, and escapes text', () => {
    const doc = new Y.Doc();
    const els = doc.getArray<Y.Map<unknown>>(DOC_YJS.boardElements);
    const add = (pos: string, el: Record<string, unknown>) =>
      els.push([new Y.Map(Object.entries({ pos, el }))]);
    add('a1', {
      id: 'r',
      type: 'rectangle',
      x: 0,
      y: 0,
      width: 100,
      height: 50,
      strokeColor: '#ff0000',
    });
    add('a0', {
      id: 't',
      type: 'text',
      x: 10,
      y: 60,
      width: 80,
      height: 25,
      text: 'Salut <b>',
      fontSize: 20,
    });
    add('a2', { id: 'gone', type: 'ellipse', x: 0, y: 0, width: 10, height: 10, isDeleted: true });
    const svg = renderBoardSvg(doc);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Salut &lt;b&gt;');
    expect(svg).toContain('stroke="#ff0000"');
    expect(svg).not.toContain('data-id="gone"');
    expect(svg.indexOf('data-id="t"')).toBeLessThan(svg.indexOf('data-id="r"'));
  });
});

describe('revertUpdate', () => {
  it('brings a pad back to an old state as a new version, keeping history', () => {
    const live = new Y.Doc();
    const t = paragraph(live, 'Version un');
    const old = Y.encodeStateAsUpdate(live);
    t.delete(0, 7);
    t.insert(0, 'Réécrit');
    paragraph(live, 'Ajout');
    expect(padText(live)).toBe('Réécrit un\nAjout');
    const before = Y.encodeStateVector(live);
    Y.applyUpdate(live, revertUpdate(live, old, 'pad'));
    expect(padText(live)).toBe('Version un');
    // Nothing went back in time: the state only grew.
    const after = Y.decodeStateVector(Y.encodeStateVector(live));
    for (const [client, clock] of Y.decodeStateVector(before)) {
      expect(after.get(client)).toBeGreaterThanOrEqual(clock);
    }
  });

  it('brings a board back, elements and their values', () => {
    const live = new Y.Doc();
    const els = live.getArray<Y.Map<unknown>>(DOC_YJS.boardElements);
    const m = new Y.Map(
      Object.entries({ pos: 'a0', el: { id: 'r', type: 'rectangle', version: 1 } }),
    );
    els.push([m]);
    const old = Y.encodeStateAsUpdate(live);
    m.set('el', { id: 'r', type: 'rectangle', version: 2 });
    els.push([new Y.Map(Object.entries({ pos: 'a1', el: { id: 'e', type: 'ellipse' } }))]);
    Y.applyUpdate(live, revertUpdate(live, old, 'board'));
    expect(
      els
        .toArray()
        .map((x) => (x.get('el') as { id: string; version?: number }).version ?? x.get('el')),
    ).toEqual([1]);
  });
});

describe('parts', () => {
  it('merges a snapshot and later updates into the same state, and names their clients', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const t = paragraph(doc, 'a');
    t.insert(1, 'b');
    const snap = mergeParts(null, updates.slice(0, 2));
    t.insert(2, 'c');
    const rebuilt = docFromState(mergeParts(snap, updates.slice(2)));
    expect(padText(rebuilt)).toBe('abc');
    expect(clientsOfUpdate(updates[0]!)).toEqual([doc.clientID]);
  });

  it('names the clients of an emitted update from its transaction as from its bytes', () => {
    const doc = new Y.Doc();
    const seen: Array<{ bytes: number[]; transaction: number[] }> = [];
    doc.on('update', (u: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) =>
      seen.push({ bytes: clientsOfUpdate(u).sort(), transaction: clientsOfTransaction(tr).sort() }),
    );
    paragraph(doc, 'hello');
    // Two other clients' changes arriving in one update.
    const [a, b] = [new Y.Doc(), new Y.Doc()];
    for (const d of [a, b]) Y.applyUpdate(d, Y.encodeStateAsUpdate(doc));
    paragraph(a, 'from a');
    paragraph(b, 'from b');
    const before = Y.encodeStateVector(doc);
    Y.applyUpdate(
      doc,
      Y.mergeUpdates([Y.encodeStateAsUpdate(a, before), Y.encodeStateAsUpdate(b, before)]),
    );
    // A deletion alone: no struct, no client.
    doc.getXmlFragment(DOC_YJS.padFragment).delete(0, 1);
    expect(seen.map((s) => s.bytes)).toEqual([
      [doc.clientID], // the paragraph
      [doc.clientID], // its text
      [a.clientID, b.clientID].sort(),
      [],
    ]);
    for (const s of seen) expect(s.transaction).toEqual(s.bytes);
  });

  it('builds a document from its parts with the state of the merged parts, deletions kept', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const t = paragraph(doc, 'hello');
    for (let i = 0; i < 40; i++)
      t.insert((i * 7) % (t.length + 1), String.fromCharCode(97 + (i % 26)));
    t.delete(2, 5);
    const snap = mergeParts(null, updates.slice(0, 20));
    const tail = updates.slice(20);
    const built = docFromParts(snap, tail);
    const merged = docFromState(mergeParts(snap, tail));
    expect(padText(built)).toBe(padText(doc));
    expect(Y.encodeStateVector(built)).toEqual(Y.encodeStateVector(merged));
    // Deleted content is kept (a history's earlier versions need it).
    expect(built.gc).toBe(false);
    expect(stateOf(built).byteLength).toBe(stateOf(merged).byteLength);
    // With no snapshot: the updates alone.
    expect(padText(docFromParts(null, updates))).toBe(padText(doc));
  });
});

describe('changes', () => {
  it('says what changed between two texts and two boards', () => {
    expect(textChange('Le chat dort.', 'Le petit chat dort.')).toMatchObject({
      inserted: 6,
      insertedText: 'petit ',
      deleted: 0,
    });
    expect(textChange('abcdef', 'abef')).toMatchObject({ deleted: 2, deletedText: 'cd' });
    const before = new Map([
      ['a', { id: 'a', type: 'rectangle' }],
      ['b', { id: 'b', type: 'text', text: 'Tour' }],
    ]);
    const after = new Map([
      ['b', { id: 'b', type: 'text', text: 'Tour nord' }],
      ['c', { id: 'c', type: 'ellipse' }],
    ]);
    expect(boardChange(before, after)).toEqual({
      added: 1,
      changed: 1,
      removed: 1,
      elements: ['text: Tour nord', 'ellipse', 'rectangle'],
    });
  });
});
