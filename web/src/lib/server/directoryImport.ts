import { type ImportReport, MEMBERSHIP_CHANNEL } from '@preau/protocol';
import { background } from '@preau/protocol/server';
import { importDirectoryCsv } from '@preau/storage';

/**
 * Imports a directory CSV file for an admin, then announces each committed
 * class membership change on the fan-out, so live connections follow.
 */
export async function importDirectory(
  locals: App.Locals,
  csv: string,
  adminId: string,
): Promise<ImportReport> {
  const { services } = locals;
  const { memberships = [], ...report } = await importDirectoryCsv(
    services.database.db,
    csv,
    adminId,
  );
  services.log.info(
    { admin: adminId, applied: report.applied, lines: report.lines },
    'directory import',
  );
  for (const change of memberships)
    background(
      services.log,
      'announce membership change',
      services.fanout.publish(MEMBERSHIP_CHANNEL, JSON.stringify(change)),
    );
  return report as ImportReport;
}
