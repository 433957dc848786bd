import { redirect } from '@sveltejs/kit';
import { pickLocale } from '#lib/i18n';
import type { RequestHandler } from './$types';

/** Switches the interface language (works without JavaScript) and returns to the page. */
export const POST: RequestHandler = async ({ request, cookies }) => {
  const form = await request.formData();
  const locale = pickLocale(String(form.get('lang') ?? ''));
  cookies.set('lang', locale, {
    path: '/',
    httpOnly: false,
    sameSite: 'lax',
    maxAge: 60 * 60 * 24 * 365,
  });
  const back = request.headers.get('referer');
  const target =
    back && new URL(back).origin === new URL(request.url).origin ? new URL(back).pathname : '/';
  redirect(303, target);
};
