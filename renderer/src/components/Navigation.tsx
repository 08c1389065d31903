import { Icon, type IconName } from './Icon';

export type PageName = 'packages' | 'devices' | 'monitor' | 'station' | 'sync';

export const PAGES: { name: PageName; title: string; icon: IconName }[] = [
  { name: 'packages', title: 'Packages', icon: 'package' },
  { name: 'devices', title: 'Devices', icon: 'devices' },
  { name: 'monitor', title: 'Monitor', icon: 'monitor' },
  { name: 'station', title: 'Station', icon: 'station' },
  { name: 'sync', title: 'Sync', icon: 'cloud' },
];

export function Navigation({ current }: { current: PageName }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <Icon name="logo" className="brand-icon" />
        <span className="brand-text">
          <span className="brand-name">ServicePleX</span>
          <span className="brand-product">Field OTA</span>
        </span>
      </div>
      <ul>
        {PAGES.map((page) => (
          <li key={page.name}>
            <a
              href={`#/${page.name}`}
              className="nav-link"
              aria-current={page.name === current ? 'page' : undefined}
            >
              <Icon name={page.icon} />
              {page.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
