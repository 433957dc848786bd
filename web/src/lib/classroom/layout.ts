import type { ParticipantView, ProducerView } from '@preau/protocol';
import type { IconName } from '#lib/ui/icons/paths';

/**
 * How the videos are laid out, as the person chose: `speaker` shows one big
 * tile (pinned, shared screen, or whoever speaks) above the others; `grid`
 * shows every tile the same size, in an order that never follows the voices.
 */
export type StageLayout = 'speaker' | 'grid';

/** Where the person's choice is kept in the browser, for every class. */
export const LAYOUT_STORAGE_KEY = 'preau.live.layout';

/** The layout chosen last time in this browser (speaker view by default). */
export function loadLayout(storage: Pick<Storage, 'getItem'> | undefined): StageLayout {
  try {
    return storage?.getItem(LAYOUT_STORAGE_KEY) === 'grid' ? 'grid' : 'speaker';
  } catch {
    // Storage refused (private browsing, blocked cookies): the default serves.
    return 'speaker';
  }
}

/** Remembers the person's choice; a browser that refuses storage keeps it for this page only. */
export function saveLayout(storage: Pick<Storage, 'setItem'> | undefined, layout: StageLayout) {
  try {
    storage?.setItem(LAYOUT_STORAGE_KEY, layout);
  } catch {
    // Nothing to do: the choice still holds until the page closes.
  }
}

/** One video tile: a person's camera (or its placeholder) or a shared screen. */
export interface Tile {
  key: string;
  participantId: string;
  source: 'camera' | 'screen';
  producerId: string | undefined;
  local: boolean;
}

/**
 * The tiles in a stable order: screens first, then teachers, then everyone
 * by arrival. Who speaks never moves a tile; only arrivals and departures do.
 */
export function stableTiles(
  participants: readonly ParticipantView[],
  producers: readonly ProducerView[],
  me: string,
): Tile[] {
  const screens: Tile[] = producers
    .filter((p) => p.source === 'screen')
    .map((p) => ({
      key: `screen:${p.producerId}`,
      participantId: p.participantId,
      source: 'screen',
      producerId: p.producerId,
      local: p.participantId === me,
    }));
  const people = [...participants].sort(
    (a, b) =>
      Number(b.moderator) - Number(a.moderator) ||
      a.joinedAt.localeCompare(b.joinedAt) ||
      a.participantId.localeCompare(b.participantId),
  );
  const cameras: Tile[] = people.map((person) => ({
    key: `camera:${person.participantId}`,
    participantId: person.participantId,
    source: 'camera',
    producerId: producers.find(
      (p) => p.participantId === person.participantId && p.source === 'camera',
    )?.producerId,
    local: person.participantId === me,
  }));
  return [...screens, ...cameras];
}

/**
 * The big tile, if any: a pinned one in either layout (the person asked for
 * it); in speaker view, else a shared screen, else whoever speaks (not us).
 */
export function featuredTile(
  tiles: readonly Tile[],
  opts: { layout: StageLayout; pinned: string | null; activeSpeaker: string | null; me: string },
): string | null {
  if (opts.pinned && tiles.some((x) => x.key === opts.pinned)) return opts.pinned;
  if (opts.layout === 'grid') return null;
  const screen = tiles.find((x) => x.source === 'screen');
  if (screen) return screen.key;
  const speaker = opts.activeSpeaker && opts.activeSpeaker !== opts.me ? opts.activeSpeaker : null;
  return speaker && tiles.some((x) => x.key === `camera:${speaker}`) ? `camera:${speaker}` : null;
}

/** A state shown under a tile, with its icon: « micro coupé », « Caméra coupée »… */
export interface TileState {
  key: string;
  text: string;
  icon?: IconName;
  /**
   * Shown by its icon alone (the words stay for screen readers): a state that
   * flips often, such as the microphone, must not change the caption's size.
   */
  iconOnly?: boolean;
}

/** Initials for a tile without video: `Emma Durand` → `ED`. */
export function initialsOf(name: string): string {
  const words = name.split(/[\s-]+/u).filter(Boolean);
  const first = words[0]?.[0] ?? '';
  const last = words.length > 1 ? (words.at(-1)?.[0] ?? '') : '';
  return (first + last).toLocaleUpperCase('fr');
}
