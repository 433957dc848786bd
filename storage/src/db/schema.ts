import type { ColumnType, Generated } from 'kysely';
import type { ArchiveTables } from '../archive/tables';
import type { BreakoutsTables } from '../breakouts/tables';
import type { ClassroomTables } from '../classroom/tables';
import type { DocsTables } from '../docs/tables';
import type { IdentityTables } from '../identity/tables';
import type { PollsTables } from '../polls/tables';
import type { PresentationTables } from '../presentation/tables';
import type { RecordingTables } from '../recording/tables';
import type { SpaceContentTables } from '../spaceContent/tables';
import type { SpacesTables } from '../spaces/tables';

/** Tables of the trace port (migration 0001). */
export interface TraceTables {
  trace_space: {
    space_id: string;
    last_seq: ColumnType<string | number, number | undefined, number>;
  };
  trace_outbox: {
    space_id: string;
    seq: ColumnType<string | number, number, never>;
    kind: string;
    actor: string;
    subject: string | null;
    at: ColumnType<Date, Date, never>;
    payload: ColumnType<unknown, string, never>;
    body: Uint8Array | null;
    recorded_at: Generated<Date>;
  };
}

/**
 * The whole relational schema as Kysely sees it. Each feature declares its
 * tables in `storage/src/<feature>/tables.ts`.
 */
export type Schema = TraceTables &
  IdentityTables &
  SpacesTables &
  SpaceContentTables &
  ClassroomTables &
  PollsTables &
  DocsTables &
  ArchiveTables &
  BreakoutsTables &
  RecordingTables &
  PresentationTables;
