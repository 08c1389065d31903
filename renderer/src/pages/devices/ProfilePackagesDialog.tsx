import { useMemo, useState } from 'react';

import type { Device, Profile, ProfilePackage } from '../../../../shared/api/entities';
import { slotOf } from '../../../../shared/api/slots';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { ConsequenceNote } from '../../components/ConsequenceNote';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { PackageOption } from '../../components/PackageSelect';
import { ProfileOptions } from '../../components/ProfileChoice';
import { SelectField } from '../../components/SelectField';
import { TableHead } from '../../components/TableHead';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatCount } from '../../lib/format';
import { useSlice, useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL, PackageTypeField } from '../packages/PackageTypeField';

const NONE = '';

/**
 * A device profile's own firmware and software, as the console's device profile has them:
 * every device of the profile without its own package gets the profile's, in one job. The
 * dialog says how many devices a change reaches before it is applied.
 */
export function ProfilePackagesDialog({ onClose }: { onClose: () => void }) {
  const { api, store } = useStation();
  const profiles = useSlice('profiles');
  const devices = useSlice('devices');
  const packages = useSlice('packages');
  const [profileId, setProfileId] = useState(profiles[0]?.id ?? '');
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const profile = profiles.find((p) => p.id === profileId) ?? null;
  const current = profile ? slotOf(profile, type) : null;
  const [choice, setChoice] = useState<string | null>(null);
  const packageId = choice ?? current?.packageId ?? NONE;
  const { busy, error, act } = useDialogAction(onClose);

  const choices = useMemo(
    () =>
      packages
        .filter((p) => p.profileId === profileId && p.type === type)
        .sort((a, b) => b.createdAt - a.createdAt),
    [packages, profileId, type],
  );
  const chosen = choices.find((p) => p.id === packageId) ?? null;
  const reach = useMemo(() => followerCounts(devices, profileId, type), [devices, profileId, type]);
  const changed = packageId !== (current?.packageId ?? NONE);
  const word = type === 'FIRMWARE' ? 'firmware' : 'software';

  const apply = async () => {
    if (!profile || !changed || busy) return;
    await act(async () => {
      const result =
        packageId === NONE
          ? await api.call('profiles.unassign', { profileId: profile.id, type })
          : await api.call('profiles.assign', { profileId: profile.id, packageId });
      store.putProfile(result.profile);
      if (result.job) store.putJob(result.job);
      return packageId === NONE
        ? `${PACKAGE_TYPE_LABEL[type]} of ${profile.name} un-assigned: taken back from ${formatCount(result.devices, 'device')}`
        : `${PACKAGE_TYPE_LABEL[type]} of ${profile.name} set to ${chosen?.title ?? ''} ${chosen?.version ?? ''}: ${formatCount(result.devices, 'device')} will be updated`;
    });
  };

  return (
    <Dialog
      title="Device profiles"
      onClose={onClose}
      onSubmit={apply}
      busy={busy}
      wide
      footer={
        <CancelAndSubmit onCancel={onClose} busy={busy} canSubmit={changed} icon="check">
          Apply
        </CancelAndSubmit>
      }
    >
      <ProfileOverview profiles={profiles} devices={devices} />
      <h3 className="section-title">Change a profile's package</h3>
      <fieldset className="form-grid" disabled={busy}>
        <legend className="sr-only">Profile package to change</legend>
        <SelectField
          label="Device profile"
          value={profileId}
          onChange={(value) => {
            setProfileId(value);
            setChoice(null);
          }}
        >
          <ProfileOptions profiles={profiles} />
        </SelectField>
        <PackageTypeField
          value={type}
          onChange={(t) => {
            setType(t);
            setChoice(null);
          }}
        />
        <SelectField
          label={`Profile ${word}`}
          className="span-2"
          hint={
            choices.length === 0
              ? `No ${word} packages for ${profile?.name ?? 'this profile'} yet: add one on the Packages page.`
              : `Devices of ${profile?.name ?? 'the profile'} with their own ${word} keep it.`
          }
          value={packageId}
          onChange={setChoice}
        >
          <option value={NONE}>None</option>
          {choices.map((p) => (
            <PackageOption key={p.id} pkg={p} />
          ))}
        </SelectField>
      </fieldset>
      {profile && changed && (
        <ConsequenceNote>
          <p>
            <strong>
              {packageId === NONE
                ? `${formatCount(reach.followers, 'device')} will lose the profile's ${word}`
                : `${formatCount(reach.followers, 'device')} will be updated`}
            </strong>
            {chosen ? ` to ${chosen.title} ${chosen.version}.` : '.'}
          </p>
          {reach.own > 0 && (
            <p className="muted">
              {`${formatCount(reach.own, 'device')} of ${profile.name} with their own ${word} keep it.`}
            </p>
          )}
        </ConsequenceNote>
      )}
      <FormError message={error} />
    </Dialog>
  );
}

function ProfileOverview({
  profiles,
  devices,
}: {
  profiles: readonly Profile[];
  devices: readonly Device[];
}) {
  const counts = useMemo(() => {
    const byProfile = new Map<string, number>();
    for (const d of devices) byProfile.set(d.profileId, (byProfile.get(d.profileId) ?? 0) + 1);
    return byProfile;
  }, [devices]);
  if (profiles.length === 0)
    return <p className="muted">No device profiles yet: add a device or a package first.</p>;
  return (
    <table className="data-table compact" aria-label="Device profiles and their packages">
      <TableHead columns={['Device profile', 'Devices', 'Firmware', 'Software']} />
      <tbody>
        {profiles.map((p) => (
          <tr key={p.id}>
            <th scope="row">{p.name}</th>
            <td>{(counts.get(p.id) ?? 0).toLocaleString('en-US')}</td>
            <td className="mono">{packageText(p.firmware)}</td>
            <td className="mono">{packageText(p.software)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function packageText(pkg: ProfilePackage | null): string {
  return pkg ? `${pkg.title} ${pkg.version}` : 'None';
}

/**
 * The devices of a profile a change of its package reaches (those without their own package of
 * that type, as the station counts them), and those that keep their own.
 */
function followerCounts(
  devices: readonly Device[],
  profileId: string,
  type: OtaPackageType,
): { followers: number; own: number } {
  let followers = 0;
  let own = 0;
  for (const d of devices) {
    if (d.profileId !== profileId) continue;
    const slot = slotOf(d, type);
    if (slot.assignedFrom === 'DEVICE') own += 1;
    else followers += 1;
  }
  return { followers, own };
}
