import type { Extension, onChangePayload } from '@hocuspocus/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type DocsHarness, editors, saved, startDocsHarness } from './testing/harness';

const SPACE = 'class_c1';

describe('change hooks nobody has', () => {
  let h: DocsHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are skipped on one node: no store debounced, the last change still dated, unloaded at once', async () => {
    h = await startDocsHarness();
    const docId = await h.newDoc(SPACE);
    const [a, b] = await editors(h, SPACE, docId, ['alice', 'bob']);
    const document = h.docs.hocuspocus.documents.get(docId)!;
    const before = document.lastChangeTime;
    await new Promise((resolve) => setTimeout(resolve, 5));
    a.document.getText('t').insert(0, 'Bonjour');
    await expect.poll(() => b.document.getText('t').toString()).toBe('Bonjour');
    await saved(a);
    expect(document.lastChangeTime).toBeGreaterThan(before);
    expect(h.docs.hocuspocus.debouncer.isDebounced(`onStoreDocument-${docId}`)).toBe(false);
    a.destroy();
    b.destroy();
    await expect.poll(() => h!.docs.hocuspocus.documents.has(docId)).toBe(false);
  });

  it('run when an extension has one: every change reaches its onChange', async () => {
    const changes: string[] = [];
    const listener: Extension = {
      async onChange({ documentName }: onChangePayload) {
        changes.push(documentName);
      },
    };
    h = await startDocsHarness({ extensions: [listener] });
    const docId = await h.newDoc(SPACE);
    const [a] = await editors(h, SPACE, docId, ['alice']);
    a.document.getText('t').insert(0, 'a');
    await saved(a);
    a.document.getText('t').insert(1, 'b');
    await saved(a);
    expect(changes).toEqual([docId, docId]);
    a.destroy();
  });
});
