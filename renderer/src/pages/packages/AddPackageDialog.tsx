import { useRef, useState, type DragEvent } from 'react';
import { ApiError } from '../../../../shared/api/errors';
import { PackageMeta, type PackageMetaInput } from '../../../../shared/api/operations';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_HEX_LENGTH,
  DEFAULT_CHECKSUM_ALGORITHM,
  normalizeChecksum,
  type ChecksumAlgorithm,
} from '../../../../shared/protocol/checksum-algorithms';
import { UploadCancelledError, type PackageUpload } from '../../api/transport';
import {
  fieldErrorsOf,
  inputProblems,
  messageOf,
  schemaProblems,
  type FieldErrors,
} from '../../api/validate-input';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { TextField } from '../../components/TextField';
import {
  initialProfileChoice,
  NEW_PROFILE,
  ProfileChoice,
  resolveProfileId,
} from '../../components/ProfileChoice';
import { useNotifier } from '../../components/Toasts';
import { formatBytes, formatDuration, formatSpeed } from '../../lib/format';
import { readableFieldErrors } from '../../lib/readable-field-errors';
import { useSlice, useStation } from '../../state/store-context';
import { PackageTypeField } from './PackageTypeField';

interface UploadState {
  sentBytes: number;
  totalBytes: number;
  startedAt: number;
  now: number;
}

/** Fields the station may name in a refusal, and where each is shown. */
const FORM_FIELDS = new Set(['title', 'version', 'profileId', 'type', 'tag', 'checksum', 'file']);

/** The console's "Add package": Title, Version, Device profile, Package type, and the binary. */
export function AddPackageDialog({ onClose }: { onClose: () => void }) {
  const { api, store } = useStation();
  const profiles = useSlice('profiles');
  const { toast } = useNotifier();
  const [title, setTitle] = useState('');
  const [version, setVersion] = useState('');
  const [profile, setProfile] = useState(() => initialProfileChoice(profiles));
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const [tag, setTag] = useState<string | null>(null);
  const [algorithm, setAlgorithm] = useState<ChecksumAlgorithm>(DEFAULT_CHECKSUM_ALGORITHM);
  const [checksum, setChecksum] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [busy, setBusy] = useState(false);
  const uploadRef = useRef<PackageUpload | null>(null);

  const defaultTag = `${title.trim()} ${version.trim()}`.trim();

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    const meta: PackageMetaInput = {
      title,
      version,
      profileId: profile.profileId === NEW_PROFILE ? 'new' : profile.profileId,
      type,
      checksumAlgorithm: algorithm,
      fileName: file?.name ?? '',
      ...(tag !== null && tag.trim() !== '' ? { tag } : {}),
      ...(checksum.trim() !== '' ? { checksum: normalizeChecksum(checksum) } : {}),
      ...(file?.type ? { contentType: file.type } : {}),
    };
    const problems: FieldErrors = { ...schemaProblems(PackageMeta, meta) };
    if (!file) problems.file = 'Choose the binary file (or drop it here)';
    delete problems.fileName;
    if (profile.profileId === NEW_PROFILE) {
      const nameProblems = inputProblems('profiles.add', { name: profile.newName });
      if (nameProblems?.name) problems.newProfileName = `Profile name ${nameProblems.name}`;
    }
    const expected = normalizeChecksum(checksum);
    const length = CHECKSUM_HEX_LENGTH[algorithm];
    if (expected !== '' && !new RegExp(`^[0-9a-f]{${length}}$`).test(expected))
      problems.checksum = `A ${algorithm} checksum is ${length} hexadecimal digits (0-9, a-f)`;
    if (Object.keys(problems).length > 0 || !file) {
      setErrors(readableFieldErrors(problems, FIELD_LABEL));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const profileId = await resolveProfileId(api, store, profiles, profile);
      setProfile({ profileId, newName: '' });
      const startedAt = Date.now();
      setUpload({ sentBytes: 0, totalBytes: file.size, startedAt, now: startedAt });
      const running = api.uploadPackage({ ...meta, profileId }, file, (progress) =>
        setUpload({ ...progress, startedAt, now: Date.now() }),
      );
      uploadRef.current = running;
      const pkg = await running.done;
      store.putPackage(pkg);
      toast('success', `Package ${pkg.title} ${pkg.version} added (${formatBytes(pkg.size)})`);
      onClose();
    } catch (error) {
      setUpload(null);
      if (error instanceof UploadCancelledError) {
        setFormError(error.message);
      } else {
        const fields = fieldErrorsOf(error);
        const shown = Object.keys(fields).filter((f) => FORM_FIELDS.has(f));
        if (shown.length > 0 && error instanceof ApiError) {
          // The station's sentence is the most specific ("expected …, got …"): show it in place.
          const first = shown[0] as string;
          setErrors({ ...readableFieldErrors(fields, FIELD_LABEL), [first]: error.message });
        } else {
          setFormError(messageOf(error));
        }
      }
    } finally {
      uploadRef.current = null;
      setBusy(false);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped && !busy) setFile(dropped);
  };

  const footer = upload ? (
    <button type="button" className="button" onClick={() => uploadRef.current?.cancel()}>
      Cancel upload
    </button>
  ) : (
    <CancelAndSubmit onCancel={onClose} busy={busy} icon="upload">
      Add
    </CancelAndSubmit>
  );

  return (
    <Dialog
      title="Add package"
      onClose={onClose}
      onSubmit={submit}
      footer={footer}
      busy={busy}
      wide
    >
      <fieldset className="form-grid" disabled={busy}>
        <legend className="sr-only">Package</legend>
        <TextField label="Title" error={errors.title} autoFocus value={title} onChange={setTitle} />
        <TextField
          label="Version"
          error={errors.version}
          mono
          value={version}
          onChange={setVersion}
        />
        <ProfileChoice
          profiles={profiles}
          value={profile}
          onChange={setProfile}
          error={errors.profileId}
          newNameError={errors.newProfileName}
        />
        <PackageTypeField value={type} onChange={setType} error={errors.type} />
        <TextField
          label="Tag"
          hint="Sent to devices as fw_tag / sw_tag; defaults to “title version”."
          error={errors.tag}
          value={tag ?? defaultTag}
          onChange={setTag}
        />
        <Field label="Checksum algorithm">
          {(props) => (
            <select
              {...props}
              value={algorithm}
              onChange={(e) => setAlgorithm(e.target.value as ChecksumAlgorithm)}
            >
              {CHECKSUM_ALGORITHMS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          label="Expected checksum (optional)"
          hint="If given, the package is refused unless the file matches it."
          error={errors.checksum}
          className="span-2"
          mono
          spellCheck={false}
          value={checksum}
          onChange={setChecksum}
        />
        <div
          className={`drop-zone span-2${dragging ? ' drop-active' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <Field
            label="Binary file"
            hint={
              file
                ? `${file.name} · ${formatBytes(file.size)}`
                : 'Choose the file, or drop it anywhere in this box.'
            }
            error={errors.file}
          >
            {(props) => (
              <input
                {...props}
                type="file"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
        </div>
      </fieldset>
      {upload && <UploadProgressLine upload={upload} />}
      <FormError message={formError} />
    </Dialog>
  );
}

function UploadProgressLine({ upload }: { upload: UploadState }) {
  const percent = upload.totalBytes > 0 ? (upload.sentBytes / upload.totalBytes) * 100 : 0;
  const seconds = (upload.now - upload.startedAt) / 1000;
  const speed = seconds > 0.2 ? upload.sentBytes / seconds : null;
  const eta = speed ? ((upload.totalBytes - upload.sentBytes) / speed) * 1000 : null;
  const sent = upload.sentBytes >= upload.totalBytes;
  return (
    <div className="upload-progress">
      <div className="upload-figures">
        <span>
          {sent
            ? 'Checking and storing…'
            : `Uploading ${formatBytes(upload.sentBytes)} of ${formatBytes(upload.totalBytes)}`}
        </span>
        <span className="muted">
          {formatSpeed(speed)}
          {eta !== null && !sent ? ` · ${formatDuration(eta)} left` : ''}
        </span>
      </div>
      <progress max={100} value={percent} aria-label="Upload progress" />
    </div>
  );
}

const FIELD_LABEL: Record<string, string> = {
  title: 'Title',
  version: 'Version',
  tag: 'Tag',
  type: 'Package type',
  checksum: 'The checksum',
  file: 'The file',
};
