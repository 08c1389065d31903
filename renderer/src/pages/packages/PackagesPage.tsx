import { useCallback, useMemo, useState } from 'react';

import type { Package } from '../../../../shared/api/entities';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { CopyButton } from '../../components/CopyButton';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { SyncBadge } from '../../components/SyncBadge';
import { type Column, TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { usePageAction } from '../../components/use-dialog-action';
import {
  formatBytes,
  formatDateTime,
  formatExactBytes,
  formatFullDateTime,
} from '../../lib/format';
import { sortBy, useSort } from '../../lib/sorting';
import { useSlice, useStation } from '../../state/store-context';
import { AddPackageDialog } from './AddPackageDialog';
import { DeletePackageDialog } from './DeletePackageDialog';
import { PACKAGE_TYPE_LABEL } from './PackageTypeField';
import { usePageFileDrop } from './use-page-file-drop';

type PackageColumn = 'title' | 'version' | 'type' | 'profile' | 'size' | 'created' | 'assigned';

const VALUE_OF: Record<PackageColumn, (p: Package) => string | number> = {
  title: (p) => p.title,
  version: (p) => p.version,
  type: (p) => p.type,
  profile: (p) => p.profileName,
  size: (p) => p.size,
  created: (p) => p.createdAt,
  assigned: (p) => p.assignedDevices,
};

const COLUMNS: readonly Column<PackageColumn>[] = [
  { label: 'Title', sortKey: 'title' },
  { label: 'Version', sortKey: 'version' },
  { label: 'Package type', sortKey: 'type' },
  { label: 'Device profile', sortKey: 'profile' },
  { label: 'Size', sortKey: 'size', className: 'num' },
  { label: 'Checksum' },
  { label: 'Created', sortKey: 'created' },
  { label: 'Assigned', sortKey: 'assigned', className: 'num' },
  { label: 'Status' },
  { label: 'Actions', hidden: true },
];

export function PackagesPage() {
  const packages = useSlice('packages');
  const loaded = useSlice('loaded');
  const [adding, setAdding] = useState(false);
  // A file dropped anywhere on the page opens Add package with it (or gives it to the open one).
  const [dropped, setDropped] = useState<File | null>(null);
  const onFile = useCallback((file: File) => {
    setDropped(file);
    setAdding(true);
  }, []);
  const dragging = usePageFileDrop(onFile);
  const [deleting, setDeleting] = useState<Package | null>(null);
  const [sort, toggleSort] = useSort<PackageColumn>({ key: 'created', direction: 'descending' });
  const sorted = useMemo(
    () => sortBy(packages, VALUE_OF[sort.key], sort.direction),
    [packages, sort],
  );

  const addButton = (
    <Button look="primary" icon="plus" onClick={() => setAdding(true)}>
      Add package
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Packages"
        description="Firmware and software binaries cached on this laptop, ready to serve to devices."
        actions={addButton}
      />
      {!loaded ? (
        <p className="loading-line">Loading packages…</p>
      ) : packages.length === 0 ? (
        <EmptyState icon="package" title="No packages yet" action={addButton}>
          Add the firmware or software binary you want to send, with its Title, Version and Device
          profile. Then assign it to devices on the Devices page.
        </EmptyState>
      ) : (
        <TableScroll label="Packages table">
          <table className="data-table">
            <caption className="sr-only">
              {packages.length} packages; column headers sort the table
            </caption>
            <TableHead columns={COLUMNS} sort={sort} onSort={toggleSort} />
            <tbody>
              {sorted.map((pkg) => (
                <PackageRow key={pkg.id} pkg={pkg} onDelete={setDeleting} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {dragging && !adding && (
        <div className="page-drop-hint" aria-hidden="true">
          <Icon name="upload" />
          Drop the file to add it as a package
        </div>
      )}
      {adding && (
        <AddPackageDialog
          droppedFile={dropped}
          onClose={() => {
            setAdding(false);
            setDropped(null);
          }}
        />
      )}
      {deleting && <DeletePackageDialog pkg={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}

function PackageRow({ pkg, onDelete }: { pkg: Package; onDelete: (pkg: Package) => void }) {
  const { api, store } = useStation();
  const { busy, run } = usePageAction();
  const verifying = busy !== null;
  const name = `${pkg.title} ${pkg.version}`;

  const verify = () =>
    run(
      true,
      async () => {
        const checked = await api.call('packages.verify', { id: pkg.id });
        store.putPackage(checked);
        return checked.status === 'READY'
          ? `${name}: the cached binary is intact`
          : {
              text: `${name} is corrupt: ${checked.statusDetail ?? 'hash mismatch'}`,
              kind: 'error',
            };
      },
      `${name} could not be verified`,
    );

  return (
    <tr>
      <th scope="row" className="cell-strong">
        {pkg.title}
      </th>
      <td className="mono">{pkg.version}</td>
      <td>
        <Badge tone={`type-${pkg.type.toLowerCase()}`}>{PACKAGE_TYPE_LABEL[pkg.type]}</Badge>
      </td>
      <td>{pkg.profileName}</td>
      <td className="num" title={formatExactBytes(pkg.size)}>
        {formatBytes(pkg.size)}
      </td>
      <td>
        <span className="checksum">
          <span className="checksum-algorithm">{pkg.checksumAlgorithm}</span>
          <code className="checksum-value" title={pkg.checksum} tabIndex={0}>
            {pkg.checksum}
          </code>
          <CopyButton value={pkg.checksum} what={`${pkg.checksumAlgorithm} checksum of ${name}`} />
        </span>
      </td>
      <td title={formatFullDateTime(pkg.createdAt)}>{formatDateTime(pkg.createdAt)}</td>
      <td className="num">{pkg.assignedDevices.toLocaleString('en-US')}</td>
      <td>
        <span className="cell-stack">
          {pkg.status === 'READY' ? (
            <Badge tone="ready" icon="verify">
              Ready
            </Badge>
          ) : (
            <Badge tone="corrupt" icon="alert" title={pkg.statusDetail ?? undefined}>
              Corrupt
            </Badge>
          )}
          <SyncBadge status={pkg.syncStatus} />
        </span>
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="icon-button"
          onClick={verify}
          disabled={verifying}
          aria-label={`Verify ${name}`}
          title="Verify the cached binary"
        >
          <Icon name="verify" />
        </button>
        <button
          type="button"
          className="icon-button danger"
          onClick={() => onDelete(pkg)}
          aria-label={`Delete ${name}`}
          title="Delete"
        >
          <Icon name="trash" />
        </button>
      </td>
    </tr>
  );
}
