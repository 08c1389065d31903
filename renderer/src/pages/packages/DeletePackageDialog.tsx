import type { Package } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatCount } from '../../lib/format';
import { useStation } from '../../state/store-context';

/**
 * Deleting asks first. A package still assigned is refused with the reason (the station refuses
 * too, should an assignment arrive while the dialog is open).
 */
export function DeletePackageDialog({ pkg, onClose }: { pkg: Package; onClose: () => void }) {
  const { api, store } = useStation();
  const { busy, error, act } = useDialogAction(onClose);
  const name = `${pkg.title} ${pkg.version}`;

  if (pkg.assignedDevices > 0) {
    return (
      <Dialog
        title={`Can't delete ${name}`}
        onClose={onClose}
        footer={
          <Button look="primary" onClick={onClose} data-autofocus>
            Close
          </Button>
        }
      >
        <p className="dialog-text">
          <Icon name="alert" className="inline-icon warning" />
          {name} is assigned to {formatCount(pkg.assignedDevices, 'device')}. Un-assign it first: on
          the Devices page, Edit each device, set{' '}
          {pkg.type === 'FIRMWARE' ? 'Firmware' : 'Software'} to “None”, and Apply.
        </p>
      </Dialog>
    );
  }

  const remove = () =>
    act(async () => {
      await api.call('packages.delete', { id: pkg.id });
      store.removePackage(pkg.id);
      return `Package ${name} deleted`;
    });

  return (
    <ConfirmDialog
      title={`Delete package ${name}?`}
      onClose={onClose}
      busy={busy}
      keepLabel="Cancel"
      onConfirm={() => void remove()}
      icon="trash"
      confirmLabel="Delete package"
    >
      <p className="dialog-text">
        The binary ({pkg.fileName}) is removed from this laptop. It is not assigned to any device.
      </p>
      <FormError message={error} />
    </ConfirmDialog>
  );
}
