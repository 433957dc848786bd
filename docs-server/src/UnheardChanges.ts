import type { afterLoadDocumentPayload, Extension } from '@hocuspocus/server';

/** The hooks Hocuspocus runs for every change of a document. */
const CHANGE_HOOKS = ['onChange', 'onStoreDocument', 'afterStoreDocument'] as const;

/**
 * For every change of a document Hocuspocus runs its `onChange` hooks and
 * re-arms its debounced `onStoreDocument` hooks, building each one's payload
 * (the request's parameters parsed again, a `Headers` object) and a timer,
 * even when no extension has such a hook. Préau stores every change as it
 * comes (DocPersistence); on one node no extension has any of these hooks
 * (across nodes the Redis relay has `onChange`, and then nothing changes).
 * Where none has them, a change of a document skips them; the document still
 * notes the time of its last change. Unloading is unchanged: with no store
 * pending, Hocuspocus unloads a document when its last connection closes.
 */
export class UnheardChanges implements Extension {
  readonly extensionName = 'preau-unheard-changes';

  async afterLoadDocument({ document, instance }: afterLoadDocumentPayload) {
    // Hocuspocus makes its configuration an extension too, whose hooks are
    // no-ops unless configured: createDocsServer leaves these undefined.
    const heard = instance.configuration.extensions.some((extension) =>
      CHANGE_HOOKS.some((hook) => typeof extension[hook] === 'function'),
    );
    if (heard) return;
    document.onUpdate((changed) => {
      changed.lastChangeTime = Date.now();
    });
  }
}
