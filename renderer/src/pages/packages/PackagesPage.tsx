import { useCallback, useMemo, useState } from 'react';

import type { Package } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { CopyButton } from '../../components/CopyButton';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { SortHeader } from '../../components/SortHeader';
import { SyncBadge } from '../../components/SyncBadge';
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

type Column = 'title' | 'version' | 'type' | 'profile' | 'size' | 'created' | 'assigned';

const VALUE_OF: Record<Column, (p: Package) => string | number> = {
  title: (p) => p.title,
  version: (p) => p.version,
  type: (p) => p.type,
  profile: (p) => p.profileName,
  size: (p) => p.size,
  created: (p) => p.createdAt,
  assigned: (p) => p.assignedDevices,
};

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
  const [sort, toggleSort] = useSort<Column>({ key: 'created', direction: 'descending' });
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
            <thead>
              <tr>
                <SortHeader label="Title" column="title" sort={sort} onSort={toggleSort} />
                <SortHeader label="Version" column="version" sort={sort} onSort={toggleSort} />
                <SortHeader label="Package type" column="type" sort={sort} onSort={toggleSort} />
                <SortHeader
                  label="Device profile"
                  column="profile"
                  sort={sort}
                  onSort={toggleSort}
                />
                <SortHeader
                  label="Size"
                  column="size"
                  sort={sort}
                  onSort={toggleSort}
                  className="num"
                />
                <th scope="col">Checksum</th>
                <SortHeader label="Created" column="created" sort={sort} onSort={toggleSort} />
                <SortHeader
                  label="Assigned"
                  column="assigned"
                  sort={sort}
                  onSort={toggleSort}
                  className="num"
                />
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
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
        <span className={`badge type-${pkg.type.toLowerCase()}`}>
          {PACKAGE_TYPE_LABEL[pkg.type]}
        </span>
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
            <span className="badge ready">
              <Icon name="verify" />
              Ready
            </span>
          ) : (
            <span className="badge corrupt" title={pkg.statusDetail ?? undefined}>
              <Icon name="alert" />
              Corrupt
            </span>
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
