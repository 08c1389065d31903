/** Line icons (24×24, drawn with currentColor) so meaning never rests on color alone. */
const PATHS = {
  package: 'M12 3 4 7.5v9L12 21l8-4.5v-9L12 3Zm0 0v0M4 7.5l8 4.5 8-4.5M12 12v9',
  devices:
    'M5 4h10a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Zm3 13h4M18 8h2v10h-2',
  monitor: 'M3 12h4l2.5-6 5 12 2.5-6h4',
  station: 'M4 5h16v5H4zM4 14h16v5H4zM8 7.5h.01M8 16.5h.01',
  plus: 'M12 5v14M5 12h14',
  upload: 'M12 16V4m0 0-4.5 4.5M12 4l4.5 4.5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 12a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1l1-12M9 7V4h6v3',
  edit: 'M4 20h4L19 9l-4-4L4 16v4Zm9-13 4 4',
  copy: 'M9 9h10v11H9zM5 15V4h10',
  check: 'M5 12.5 10 17l9-10',
  close: 'M6 6l12 12M18 6 6 18',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14Zm5-2 4 4',
  alert: 'M12 4 2.5 20h19L12 4Zm0 6v4m0 3h.01',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4l2-2Zm4 4h4',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm0-10v6m0-9h.01',
  cloudOff: 'M4 4l16 16M8 8a5 5 0 0 0-1 9.9h10M13 6.2A5.5 5.5 0 0 1 18.5 12 3.5 3.5 0 0 1 20 18',
  cloud: 'M7 18.5a4.5 4.5 0 0 1-.6-9 6 6 0 0 1 11.4 1.2A4 4 0 0 1 17 18.5H7Z',
  online:
    'M2.5 9a13.5 13.5 0 0 1 19 0M6 12.5a8.5 8.5 0 0 1 12 0M9.5 16a3.5 3.5 0 0 1 5 0M12 19.5h.01',
  offline:
    'M3 3l18 18M9.5 16a3.5 3.5 0 0 1 5 0M12 19.5h.01M6 12.5a8.5 8.5 0 0 1 5-2.4M2.5 9a13.5 13.5 0 0 1 4.8-3',
  refresh: 'M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5',
  file: 'M6 3h8l4 4v14H6V3Zm8 0v4h4',
  shield: 'M12 3 5 6v6c0 4.5 3 7.5 7 9 4-1.5 7-4.5 7-9V6l-7-3Z',
  verify: 'M12 3 5 6v6c0 4.5 3 7.5 7 9 4-1.5 7-4.5 7-9V6l-7-3Zm-3.5 9 2.5 2.5 4.5-5',
  pause: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM10 9v6m4-6v6',
  play: 'M8 5.5v13l10.5-6.5L8 5.5Z',
  download: 'M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3',
  calendar: 'M5 6h14v14H5zM5 10h14M9 4v4M15 4v4',
  running: 'M12 21a9 9 0 1 1 9-9M12 7v5l3.5 2M16 21l5-4.5-5-4.5',
  signOut: 'M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10',
  sync: 'M4 12a8 8 0 0 1 14-5.3M20 5v4h-4M20 12a8 8 0 0 1-14 5.3M4 19v-4h4',
  pull: 'M7 18.5a4.5 4.5 0 0 1-.6-9 6 6 0 0 1 11.4 1.2A4 4 0 0 1 17 18.5M12 10v10m0 0-3-3m3 3 3-3',
  /* OTA states: one shape each */
  queued: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm0-13v4.5l3 2',
  initiated: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM10 8.5v7l5.5-3.5-5.5-3.5Z',
  downloading: 'M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M5 20h14',
  downloaded: 'M4 7.5 12 3l8 4.5v9L12 21l-8-4.5v-9Zm4.5 5 2.5 2.5 4.5-5',
  updating:
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-3a7.5 7.5 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.4 7.4 0 0 0-2-1.2L14.5 3h-5l-.4 2.6a7.4 7.4 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.6 7.6 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.4 7.4 0 0 0 2 1.2l.4 2.6h5l.4-2.6a7.4 7.4 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2Z',
  updated: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm-4-9 3 3 5-6',
  failed: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM9 9l6 6m0-6-6 6',
  timedOut: 'M12 21a9 9 0 1 1 8.5-6M12 7v5l3 2M19 17v2.5m0 2h.01',
  canceled: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM5.6 5.6l12.8 12.8',
  idle: 'M8 12h8',
  logo: 'M4 12a8 8 0 0 1 13.7-5.6M20 12a8 8 0 0 1-13.7 5.6M17.7 3v3.4h-3.4M6.3 21v-3.4h3.4M12 8.5v5m0 0-2-2m2 2 2-2',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
