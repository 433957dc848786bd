import type { PollResults, PollView } from '@preau/protocol';
import { stringify } from 'csv-stringify/sync';
import { type Locale, translator } from '#lib/i18n';

/** A poll's results as CSV for spreadsheets, like the attendance: UTF-8 with a BOM, `;` between fields. */
export function pollCsv(poll: PollView, results: PollResults, locale: Locale): string {
  const t = translator(locale);
  const records: string[][] = [[t('polls.question'), poll.question]];
  if (poll.kind === 'text') {
    records.push([]);
    if (results.named) {
      records.push([t('polls.table.participant'), t('polls.table.answer')]);
      for (const a of results.named) records.push([a.name, a.text ?? '']);
    } else {
      records.push([t('polls.table.answer')]);
      for (const text of results.texts) records.push([text]);
    }
  } else {
    records.push([], [t('polls.table.option'), t('polls.table.count')]);
    poll.options.forEach((option, i) => {
      records.push([optionLabel(poll, option, t), String(results.counts[i] ?? 0)]);
    });
    if (results.named) {
      records.push([], [t('polls.table.participant'), t('polls.table.answer')]);
      for (const a of results.named) {
        records.push([
          a.name,
          a.choices.map((c) => optionLabel(poll, poll.options[c] ?? '', t)).join(' | '),
        ]);
      }
    }
  }
  records.push([], [t('polls.table.respondents'), String(results.respondents)]);
  return stringify(records, { bom: true, delimiter: ';', record_delimiter: 'windows' });
}

/** Yes/no options are stored in French; the export speaks the reader's language. */
export function optionLabel(
  poll: Pick<PollView, 'kind' | 'options'>,
  option: string,
  t: ReturnType<typeof translator>,
): string {
  if (poll.kind !== 'yes_no') return option;
  return poll.options.indexOf(option) === 0 ? t('polls.yes') : t('polls.no');
}
