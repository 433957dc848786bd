import { classSpaceId } from '@preau/protocol';
import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** The former names of a class's pages, under its space. */
const RENAMED: Record<string, string> = { live: 'direct', docs: 'documents' };

/**
 * Every former `/classes/<classId>/…` address answers a permanent redirect
 * (308: the method and body are kept) to the same page of the class's space,
 * so that old links and bookmarks keep working.
 */
export const fallback: RequestHandler = ({ params, url }) => {
  const [first, ...others] = params.rest ? params.rest.split('/') : [];
  const path = first ? [RENAMED[first] ?? first, ...others] : [];
  const target = ['', 'espaces', classSpaceId(params.classId), ...path].join('/');
  redirect(308, `${target}${url.search}`);
};
