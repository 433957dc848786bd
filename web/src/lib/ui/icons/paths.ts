/**
 * Préau's icons, drawn here rather than taken from a font or emoji: Debian's
 * Chromium ships no emoji font, and an emoji it cannot draw shows as an empty
 * box. Each icon is a list of SVG path data on a 24×24 grid, stroked with the
 * current text colour (so it follows the theme and the contrast of its button).
 */
export const ICONS = {
  mic: ['M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3'],
  micOff: [
    'M15 9.3V6a3 3 0 0 0-5.7-1.3',
    'M9 9v3a3 3 0 0 0 4.9 2.3',
    'M5 11a7 7 0 0 0 11.4 5.4',
    'M19 11a7 7 0 0 1-.6 2.8',
    'M12 18v3',
    'M3 3l18 18',
  ],
  camera: ['M3 7h12v10H3z', 'M15 10l6-3v10l-6-3'],
  cameraOff: ['M9 7h6v6', 'M15 17H3V7h2', 'M15 10l6-3v10l-6-3', 'M3 3l18 18'],
  screen: ['M3 4h18v12H3z', 'M8 20h8', 'M12 16v4'],
  hand: [
    'M8 12V5.5a1.5 1.5 0 0 1 3 0V11',
    'M11 10.5V4a1.5 1.5 0 0 1 3 0v6.5',
    'M14 10.5V5.5a1.5 1.5 0 0 1 3 0V14',
    'M8 12a1.5 1.5 0 0 0-3 0v2a7 7 0 0 0 7 7h1a4 4 0 0 0 4-4v-3',
  ],
  leave: ['M10 4H5v16h5', 'M14 8l4 4-4 4', 'M9 12h9'],
  pin: ['M9 3h6', 'M10 3v6l-3 4h10l-3-4V3', 'M12 13v8'],
  grid: ['M4 4h7v7H4z', 'M13 4h7v7h-7z', 'M4 13h7v7H4z', 'M13 13h7v7h-7z'],
  speaker: ['M3 4h18v11H3z', 'M4 18h4v2H4z', 'M10 18h4v2h-4z', 'M16 18h4v2h-4z'],
  chat: ['M4 5h16v11H9l-5 4z'],
  people: [
    'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
    'M3 20a6 6 0 0 1 12 0',
    'M16 5.2a3 3 0 0 1 0 5.6',
    'M17 14.3a6 6 0 0 1 4 5.7',
  ],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  trash: ['M4 7h16', 'M10 4h4', 'M6 7l1 13h10l1-13', 'M10 11v6', 'M14 11v6'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13 7l4 4'],
  download: ['M12 4v11', 'M7 10l5 5 5-5', 'M5 20h14'],
  user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21a8 8 0 0 1 16 0'],
} as const satisfies Record<string, readonly string[]>;

/** The name of one of Préau's icons. */
export type IconName = keyof typeof ICONS;
